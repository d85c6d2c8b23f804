#!/usr/bin/env bash
# The churn test at length: pscope's commands run N times (default 1000)
# while processes, zombies, orphans and threads come and go.
#   bench/stress.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-1000}
CHURN_RUNS=$runs cargo test --release --quiet --test churn -- --nocapture 2>&1 | grep -E '^churn:|panicked|FAILED' || true
