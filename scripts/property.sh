#!/usr/bin/env bash
# `npm run test:property [-- --runs N] [-- --seed S]`: the model-based property test of the consent
# guarantee (test/integration/property) with N random sequences (default 200, as in CI).
set -euo pipefail
cd "$(dirname "$0")/.."
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) export PROPERTY_RUNS="$2"; shift 2 ;;
    --seed) export PROPERTY_SEED="$2"; shift 2 ;;
    --path) export PROPERTY_PATH="$2"; shift 2 ;;
    *) echo "usage: npm run test:property -- [--runs N] [--seed S [--path P]]" >&2; exit 2 ;;
  esac
done
. scripts/node-runtime.sh
ensure_node || exit
exec npx vitest run --project integration test/integration/property
