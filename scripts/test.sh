#!/usr/bin/env bash
# `npm test`: every vitest project (unit, integration, e2e) in one run; extra args pass through
# (e.g. `npm test -- --project unit`). The e2e global setup starts/skips the homeserver itself.
# The last line is a plain "N passed, N failed, N skipped" summary taken from vitest's JSON report.
set -uo pipefail
cd "$(dirname "$0")/.."
# A Node that satisfies engines (fetched into .node/ when the machine's is older; see node-runtime.sh).
. scripts/node-runtime.sh
ensure_node || exit
report=$(mktemp -t vitest-report.XXXXXX.json)
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@"
rc=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
' "$report" 2>/dev/null || echo "tests: no report (vitest exit $rc)"
rm -f "$report"
exit $rc
