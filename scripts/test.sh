#!/usr/bin/env bash
# The one test command (README, CI): installs what is missing, then runs every
# tier: build, lint, unit, simulation, end-to-end against the real Docker engine.
# Ends with "N passed, N failed". Exit status is non-zero on any failure.
#
#   bash scripts/test.sh [unit|sim|e2e ...]    (default: all tiers)
set -uo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n[test] %s\n' "$*"; }
tiers=("$@")
[ ${#tiers[@]} -gt 0 ] || tiers=(unit sim e2e)
want() { local t; for t in "${tiers[@]}"; do [ "$t" = "$1" ] && return 0; done; return 1; }

# ---- install what is missing (each step is a no-op the second time)
. scripts/lib/ensure-deps.sh
ensure_npm_deps || exit 1
if want e2e; then
  say "checking the Docker engine"
  bash scripts/ensure-docker.sh || exit 1
  say "checking local images"
  bash scripts/build-images.sh || exit 1
fi

passed=0; failed=0
count() { # count TIER LOGFILE: add tap's final "# { total, pass, fail }" line to the totals
  local line p f
  line=$(grep -E '^# \{ total:' "$2" | tail -1)
  p=$(sed -nE 's/.*pass: ([0-9]+).*/\1/p' <<<"$line"); f=$(sed -nE 's/.*fail: ([0-9]+).*/\1/p' <<<"$line")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
}
step_failed=0
run_step() { # run_step NAME CMD...: a build/lint step counts as one test
  say "$1"; shift
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); step_failed=1; fi
}

run_step "type-checking and building (tsc -b)" npx tsc -b
run_step "linting (eslint)" npx eslint .

shopt -s globstar nullglob
tap_tier() { # tap_tier NAME FILES...
  local name=$1; shift
  if [ $# -eq 0 ]; then say "$name tier: no test files"; return; fi
  say "$name tier: $# files"
  local log; log=$(mktemp)
  npx tap "$@" "${TAP_ARGS[@]}" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  count "$name" "$log"
  if [ "$rc" -ne 0 ] && ! grep -qE '^# \{ total:.*fail: [1-9]' "$log"; then
    failed=$((failed + 1)) # tap failed without a failing assertion (crash, timeout)
  fi
  rm -f "$log"
}

if want unit; then
  unit=()
  for f in packages/*/test/**/*.test.ts; do case "$f" in */test/sim/*) ;; *) unit+=("$f") ;; esac; done
  TAP_ARGS=()
  tap_tier unit "${unit[@]}"
fi
if want sim; then
  TAP_ARGS=()
  tap_tier simulation packages/*/test/sim/**/*.test.ts test/sim/**/*.test.ts
fi
if want e2e; then
  TAP_ARGS=(--jobs=1 --timeout=600)
  tap_tier end-to-end test/e2e/**/*.test.ts
fi

echo
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ] && [ "$step_failed" -eq 0 ]
