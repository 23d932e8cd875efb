#!/usr/bin/env bash
# Reliability runs at large cycle counts (README "Durability and limits"). `npm test` runs the same
# tests in test/reliability/ with small counts; this script raises them:
#   LOGCTL_RELIABILITY_KILLS    SIGKILLs of a broker process under acks=all load   (npm test: 12)
#   LOGCTL_RELIABILITY_CRASHES  simulated power losses per durability mode          (npm test: 40)
#   LOGCTL_RELIABILITY_FUZZ     mutated requests sent to a running broker           (npm test: 4000)
#   LOGCTL_RELIABILITY_SEED     seed of every random choice (default: time-based; printed by each test)
# Any of them can be overridden from the environment, e.g.
#   LOGCTL_RELIABILITY_KILLS=500 bash scripts/reliability.sh
# Extra arguments go to vitest (e.g. a file name to run one test). Expect about 20 minutes on 2 cores.
# The disk-full test mounts a tmpfs and needs root; it is skipped with a message otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
export LOGCTL_RELIABILITY_KILLS="${LOGCTL_RELIABILITY_KILLS:-200}"
export LOGCTL_RELIABILITY_CRASHES="${LOGCTL_RELIABILITY_CRASHES:-200}"
export LOGCTL_RELIABILITY_FUZZ="${LOGCTL_RELIABILITY_FUZZ:-100000}"
npx tsc -p tsconfig.json
# One file at a time: the kill loop and the fuzz each want the whole machine; no per-test timeout
# applies beyond the ones the tests set for themselves (scaled to the counts).
# With no arguments, also leader SIGKILLs in a 3-broker cluster with an idempotent producer (npm test: 3).
if [ $# -eq 0 ]; then LOGCTL_FAILOVER_KILLS="${LOGCTL_FAILOVER_KILLS:-10}" npx vitest run --testTimeout=3600000 --hookTimeout=120000 test/replication/failover.test.ts; fi
exec npx vitest run --no-file-parallelism --testTimeout=3600000 --hookTimeout=120000 "${@:-test/reliability}"
