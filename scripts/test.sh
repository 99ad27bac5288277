#!/usr/bin/env bash
# The README's test command (`npm test`): set up the test tools, build once, then jest and the
# Python package's tests side by side. Phases:
#   1. scripts/test-env.sh (the pinned tools; a no-op when they are current);
#   2. `npm run build:lib`: one tsc pass that type-checks and emits dist/, and the handler bundles;
#   3. the jsii part of the build (assembly, Python wheel, API.md checked: scripts/test-python.sh
#      --build-only), before jest: it rewrites package.json while it runs (scripts/build-jsii.sh),
#      which tests read;
#   4. jest, with pytest on the fresh wheel (scripts/test-python.sh --no-build) beside it: the
#      Python tests spend their time in the CDK CLI's syntheses, jest much of its time waiting on
#      queues, timeouts and local servers. pytest's output follows jest's.
# `npm run test:unit` runs the unit tests alone (jest.unit.config.js), without the build.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/test-env.sh"
export PATH="$ROOT/.venv/bin:$PATH"
cd "$ROOT"

phase() { printf 'test: %s (at %d s)\n' "$1" "$SECONDS" >&2; }
phase 'build:lib (type-check, emit, bundle)'
npm run build:lib --silent
phase 'build:jsii (assembly, Python package, API.md)'
bash scripts/test-python.sh --build-only

phase 'jest, with pytest beside it'
py_log="$(mktemp)"
trap 'rm -f "$py_log"' EXIT
bash scripts/test-python.sh --no-build >"$py_log" 2>&1 &
py_pid=$!
jest_rc=0
npx jest "$@" || jest_rc=$?
py_rc=0
wait "$py_pid" || py_rc=$?
phase "pytest (exit $py_rc)"
cat "$py_log" >&2
phase 'done'
[ "$jest_rc" -eq 0 ] || exit "$jest_rc"
exit "$py_rc"
