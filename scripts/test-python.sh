#!/usr/bin/env bash
# The Python side of the test suite (run by scripts/test.sh after jest): builds the jsii assembly and
# the Python package (`npm run build`), installs the fresh wheel into .venv (whose pinned aws-cdk-lib,
# constructs, cdk-nag, jsii and pytest come from requirements-dev.txt), checks that API.md is the one
# the build generates, and runs pytest on test/python (which also synthesizes the Python example).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/test-env.sh
export PATH="$ROOT/.venv/bin:$PATH"

before="$(mktemp)"
trap 'rm -f "$before"' EXIT
cp API.md "$before" 2>/dev/null || : > "$before"
npm run build --silent
if ! cmp -s "$before" API.md; then
  echo "test-python: API.md was out of date with the code; the build regenerated it: commit API.md" >&2
  exit 1
fi

python -m pip install --quiet --disable-pip-version-check --no-deps --force-reinstall dist/python/keras_inference_guard-*.whl 2>&1 \
  | { grep -v 'is ignored: it is neither a file nor a directory' || true; } >&2
python -m pytest test/python -q -p no:cacheprovider
