#!/usr/bin/env bash
# `npm test`: every vitest project (unit, integration, e2e) in one run; extra args pass through
# (e.g. `npm test -- --project unit`). The e2e global setup starts/skips the homeserver itself.
set -euo pipefail
cd "$(dirname "$0")/.."
exec npx vitest run "$@"
