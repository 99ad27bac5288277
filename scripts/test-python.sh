#!/usr/bin/env bash
# The Python side of the test suite: builds the jsii assembly and the Python package, installs the
# fresh wheel into .venv (whose pinned aws-cdk-lib, constructs, cdk-nag, jsii and pytest come from
# requirements-dev.txt), checks that API.md is the one the build generates, and runs pytest on
# test/python (which also synthesizes the Python example).
#
#   scripts/test-python.sh               `npm run build` (lib and jsii), then pytest
#   scripts/test-python.sh --build-only  the jsii part of the build only (`npm run build:lib` done before)
#   scripts/test-python.sh --package-only  API.md and the Python package only (the jsii compiler, tsc
#                                          and the bundles done before: scripts/test.sh)
#   scripts/test-python.sh --no-build    pytest on the wheel already built
# scripts/test.sh (`npm test`) runs the build beside jest and pytest after it.
set -euo pipefail
# Python's module caches on, whatever the environment says (why: scripts/test-env.sh).
unset PYTHONDONTWRITEBYTECODE
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
mode="${1:-all}"
export PATH="$ROOT/.venv/bin:$PATH"

if [ "$mode" != "--no-build" ]; then
  case "$mode" in all) bash scripts/test-env.sh ;; --build-only|--package-only) ;; *) echo "test-python: unknown option $mode" >&2; exit 2 ;; esac
  before="$(mktemp)"
  trap 'rm -f "$before"' EXIT
  cp API.md "$before" 2>/dev/null || : > "$before"
  case "$mode" in
    --build-only) npm run build:jsii --silent ;;
    --package-only) bash scripts/build-jsii.sh --package ;;
    *) npm run build --silent ;;
  esac
  if ! cmp -s "$before" API.md; then
    echo "test-python: API.md was out of date with the code; the build regenerated it: commit API.md" >&2
    exit 1
  fi
  [ "$mode" = "all" ] || exit 0
fi

python -m pip install --quiet --disable-pip-version-check --no-deps --force-reinstall dist/python/keras_inference_guard-*.whl 2>&1 \
  | { grep -v 'is ignored: it is neither a file nor a directory' || true; } >&2
python -m pytest test/python -q -p no:cacheprovider
