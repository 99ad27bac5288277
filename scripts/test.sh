#!/usr/bin/env bash
# The README's test command (`npm test`): set up the test tools, build once, then jest and the
# Python package's tests. Phases:
#   1. scripts/test-env.sh --skip-fixtures (the pinned tools; a no-op when they are current);
#   2. the Keras fixture models (scripts/test-env.sh --fixtures-only) in the background, beside
#      3. `npm run build:lib`: one tsc pass that type-checks and emits dist/, and the handler bundles;
#      4. the jsii part of the build (assembly, Python wheel, API.md checked: scripts/test-python.sh
#         --build-only), before jest: it rewrites package.json while it runs (scripts/build-jsii.sh),
#         which tests read;
#   5. jest and, side by side with it, pytest on the fresh wheel (scripts/test-python.sh --no-build),
#      whose output is printed when jest has finished. jest alone leaves a core idle for much of its
#      run (tests that wait on queues, timeouts and load-generation windows), which pytest's CDK CLI
#      syntheses use.
# `npm run test:unit` runs the unit tests alone (jest.unit.config.js), without the build.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
phase() { printf 'test: %s (at %d s)\n' "$1" "$SECONDS" >&2; }
phase 'test tools'
bash "$ROOT/scripts/test-env.sh" --skip-fixtures
export PATH="$ROOT/.venv/bin:$PATH"
cd "$ROOT"

phase 'Keras fixtures (in the background), build:lib (type-check, emit, bundle)'
bash scripts/test-env.sh --fixtures-only &
fixtures=$!
npm run build:lib --silent
phase 'build:jsii (assembly, Python package, API.md)'
bash scripts/test-python.sh --build-only
phase 'Keras fixtures (waiting for them)'
wait "$fixtures"

phase 'jest, and pytest beside it'
pylog="$(mktemp)"
trap 'rm -f "$pylog"' EXIT
py_started=$SECONDS
( rc=0; bash scripts/test-python.sh --no-build > "$pylog" 2>&1 || rc=$?; printf 'test: pytest finished after %d s\n' "$((SECONDS - py_started))" >> "$pylog"; exit $rc ) &
py=$!
jest_rc=0
npx jest "$@" || jest_rc=$?
phase 'jest done; pytest (its output)'
py_rc=0
wait "$py" || py_rc=$?
cat "$pylog" >&2
phase 'done'
[ "$jest_rc" -eq 0 ] || exit "$jest_rc"
exit "$py_rc"
