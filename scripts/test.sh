#!/usr/bin/env bash
# The README's test command (`npm test`): set up the test tools, build once, then jest and the
# Python package's tests. Phases:
#   1. scripts/test-env.sh --skip-fixtures (the pinned tools; a no-op when they are current);
#   2. the Keras fixture models (scripts/test-env.sh --fixtures-only) in the background, beside
#      3. `npm run build`, its parts reordered: tsc (type-check, emit) beside the jsii compiler and
#         the handler bundles;
#   4. jest (jest.grouped.config.js: most test files grouped by directory, test/support/test-groups.js)
#      and, side by side with it, the rest of the build, API.md and the Python wheel
#      (scripts/test-python.sh --package-only, API.md checked), then pytest on the fresh wheel
#      (scripts/test-python.sh --no-build), whose output is printed when jest has finished. jest
#      alone leaves a core idle for much of its run (tests that wait on queues, timeouts and
#      load-generation windows), which the Python package's build and pytest's CDK CLI syntheses use.
# `npm run test:unit` runs the unit tests alone (jest.unit.config.js), without the build.
set -euo pipefail
# Python's module caches on, whatever the environment says (why: scripts/test-env.sh).
unset PYTHONDONTWRITEBYTECODE
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
phase() { printf 'test: %s (at %d s)\n' "$1" "$SECONDS" >&2; }
phase 'test tools'
bash "$ROOT/scripts/test-env.sh" --skip-fixtures
export PATH="$ROOT/.venv/bin:$PATH"
cd "$ROOT"

phase 'Keras fixtures (in the background); the build: tsc (type-check, emit) beside the jsii compiler and the handler bundles'
bash scripts/test-env.sh --fixtures-only &
fixtures=$!
# `npm run build` is build:lib (tsc, then the bundles), then the jsii build (the jsii compiler, then
# API.md and the Python package). Each compiler keeps about one core busy, so here they run side by
# side: tsc emits into a staging folder, and everything it emits but lib/ is moved into dist/, where
# the jsii compiler writes dist/lib (with jsii's type information: the one packaged, as when it runs
# after tsc).
stage="$ROOT/dist/.tsc-staging"
rm -rf "$stage"
mkdir -p "$stage"
trap 'rm -rf "$stage"' EXIT
node node_modules/typescript-7/bin/tsc -p tsconfig.ts7.json --outDir "$stage" &
tsc=$!
bash scripts/build-jsii.sh --compile &
jsii=$!
# The handler bundles (esbuild, from the sources; a second or two) beside them.
node scripts/bundle-handlers.js &
bundles=$!
build_rc=0
wait "$tsc" || build_rc=$?
wait "$jsii" || build_rc=$?
wait "$bundles" || build_rc=$?
[ "$build_rc" -eq 0 ] || exit "$build_rc"
for out in "$stage"/*; do
  [ "$(basename "$out")" = lib ] && continue
  rm -rf "dist/$(basename "$out")"
  mv "$out" dist/
done
# The jest global setup builds the bundles too, for a jest run of its own: not again here.
export KIG_HANDLER_BUNDLES_BUILT=1
phase 'Keras fixtures (waiting for them)'
wait "$fixtures"

phase 'jest, and beside it API.md and the Python package, then pytest'
pylog="$(mktemp)"
trap 'rm -rf "$stage" "$pylog"' EXIT
py_started=$SECONDS
# No jest test reads API.md or dist/python, and the package step leaves package.json as it is
# (it packs a staging copy: scripts/build-jsii.sh), so it runs beside jest.
( rc=0; { bash scripts/test-python.sh --package-only && printf 'test: API.md and the Python package built after %d s\n' "$((SECONDS - py_started))" && bash scripts/test-python.sh --no-build; } > "$pylog" 2>&1 || rc=$?
  printf 'test: the Python package and pytest finished after %d s\n' "$((SECONDS - py_started))" >> "$pylog"; exit $rc ) &
py=$!
jest_rc=0
# Without arguments, the whole suite as test/support/test-groups.js groups it (most files in one jest
# test file per directory); with arguments (a file, a pattern, jest options), jest's own configuration.
if [ "$#" -eq 0 ]; then
  npx jest -c jest.grouped.config.js || jest_rc=$?
else
  npx jest "$@" || jest_rc=$?
fi
phase 'jest done; the Python package and pytest (their output)'
py_rc=0
wait "$py" || py_rc=$?
cat "$pylog" >&2
phase 'done'
[ "$jest_rc" -eq 0 ] || exit "$jest_rc"
exit "$py_rc"
