#!/usr/bin/env bash
# Sets up every tool the test suite needs, from the project's own files, and is safe to run
# again: a Python virtual environment (.venv) from requirements-dev.txt, rebuilt only when that
# file changes. Sourced by scripts/test.sh (the README's `npm test`) and by .ci/run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
REQ="$ROOT/requirements-dev.txt"
STAMP="$VENV/.requirements.sha256"
PY="${PYTHON:-python3}"

want="$(sha256sum "$REQ" | cut -d' ' -f1)"
have="$(cat "$STAMP" 2>/dev/null || true)"
if [ "$want" != "$have" ]; then
  echo "test-env: installing Python tools from requirements-dev.txt into .venv (once per change of that file)" >&2
  [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
  # pip's per-machine index settings may name local folders that do not exist: drop those notes.
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQ" 2>&1 \
    | { grep -v 'is ignored: it is neither a file nor a directory' || true; } >&2
  echo "$want" > "$STAMP"
fi
