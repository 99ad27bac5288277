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

# Keras models written by the pinned Keras and TensorFlow (scripts/keras-fixtures.py), rebuilt only
# when that script or the pins change. Tests read them from .fixtures/keras.
FIXTURES="$ROOT/.fixtures/keras"
FSTAMP="$FIXTURES/.stamp.sha256"
fwant="$(cat "$REQ" "$ROOT/scripts/keras-fixtures.py" | sha256sum | cut -d' ' -f1)"
if [ "$fwant" != "$(cat "$FSTAMP" 2>/dev/null || true)" ]; then
  echo "test-env: building Keras fixture models into .fixtures/keras (once per change of the script or pins)" >&2
  rm -rf "$FIXTURES"
  TF_CPP_MIN_LOG_LEVEL=3 "$VENV/bin/python" "$ROOT/scripts/keras-fixtures.py" "$FIXTURES" >&2
  echo "$fwant" > "$FSTAMP"
fi
