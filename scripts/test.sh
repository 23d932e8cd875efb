#!/usr/bin/env bash
# The whole test suite (README: `npm test`): test dependencies, type-check and build (tsc, then the CLI
# bundle bin/run.js runs), type-check of the tests too (test/tsconfig.json: vitest does not type-check), layering check,
# then every vitest file. Extra arguments go to vitest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
bash scripts/install-etcd.sh
npx tsc -p tsconfig.json
npx tsc -p test/tsconfig.json
node scripts/build-cli.mjs
node scripts/check-layers.mjs
exec npx vitest run "$@"
