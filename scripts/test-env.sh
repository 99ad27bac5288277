#!/usr/bin/env bash
# Sets up every tool the test suite needs, from the project's own files, and is safe to run
# again. Run by scripts/test.sh (the README's `npm test`), which .ci/run calls:
#   - a Python virtual environment (.venv; Debian's python3-venv installed first when needed)
#     with cfn-lint, moto_server, TensorFlow CPU + Keras (model fixtures) and the Python package's
#     test tools (jsii runtime, aws-cdk-lib, constructs, cdk-nag, pytest; scripts/test-python.sh
#     installs the freshly built wheel into it), pinned in requirements-dev.txt and installed with
#     uv (pinned in requirements-bootstrap.txt), again only when one of those files changes;
#   - Debian's `chromium` (headless browser for the report rendering test), installed with
#     apt-get when it is missing and this user may install packages (root, or sudo without a
#     password). Where it cannot be installed, that test is skipped and says why; under CI
#     (CI=true) a missing browser is an error, so CI always renders the report.
set -euo pipefail
# Python caches compiled modules (__pycache__) for the test tools: an environment that turns that
# off (PYTHONDONTWRITEBYTECODE, set on some machines and CI images) makes every Python process of the
# run compile its imports from source again: moto_server (started 13 times a run, 1.3 s of CPU to
# import moto uncached against 0.6 s cached), cfn-lint (3.5 s against 0.9 s: sympy), TensorFlow
# (9.4 s against 4.0 s: the fixtures and the TF Serving peer), the jsii runtime and aws_cdk in each
# Python test process. The caches go into .venv and the project's own folders (both ignored by git).
unset PYTHONDONTWRITEBYTECODE
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
REQ="$ROOT/requirements-dev.txt"
STAMP="$VENV/.requirements.sha256"
PY="${PYTHON:-python3}"
# No argument: everything. --skip-fixtures: all but the Keras fixture models; --fixtures-only: only them.
mode="${1:-}"

# Whether this user may install Debian packages: root, or sudo without a password.
SUDO=""
can_apt=false
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    can_apt=true
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
    can_apt=true
  fi
fi
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "$@" >/dev/null
}

BOOT="$ROOT/requirements-bootstrap.txt"
python_tools() {
  want="$(cat "$BOOT" "$REQ" | sha256sum | cut -d' ' -f1)"
  have="$(cat "$STAMP" 2>/dev/null || true)"
  if [ "$want" != "$have" ]; then
    echo "test-env: installing Python tools from requirements-dev.txt into .venv (once per change of that file)" >&2
    if [ ! -x "$VENV/bin/python" ] && ! "$PY" -m venv "$VENV"; then
      # Debian splits venv (with pip) out of python3.
      $can_apt || { echo "test-env: $PY cannot create a virtual environment: install Debian's python3-venv" >&2; exit 1; }
      rm -rf "$VENV"
      echo "test-env: installing Debian's python3-venv with apt-get" >&2
      apt_install python3-venv
      "$PY" -m venv "$VENV"
    fi
    # uv (pinned in requirements-bootstrap.txt) installs the pinned tools: it downloads in parallel
    # and links packages from its cache (TensorFlow alone is about 1 GB unpacked), so a new .venv
    # takes seconds once the cache holds them. pip's per-machine index settings may name local
    # folders that do not exist: drop those notes.
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$BOOT" 2>&1 \
      | { grep -v 'is ignored: it is neither a file nor a directory' || true; } >&2
    "$VENV/bin/uv" pip install --quiet --python "$VENV/bin/python" -r "$REQ" >&2
    echo "$want" > "$STAMP"
  fi

}

# Headless Chromium from Debian's package (no browser download at test time).
browser() {
  if ! command -v chromium >/dev/null 2>&1; then
    if $can_apt; then
      echo "test-env: installing Debian's chromium with apt-get (headless browser for test/cli/report-render.test.ts; once per machine)" >&2
      apt_install chromium
    elif [ "${CI:-}" = "true" ]; then
      echo "test-env: chromium is missing and cannot be installed here (needs apt-get as root or passwordless sudo); CI must render the report" >&2
      exit 1
    else
      echo "test-env: chromium is missing and this user cannot install it (needs apt-get as root or passwordless sudo):" >&2
      echo "test-env: the report rendering test will be skipped. Install it with: sudo apt-get install -y chromium" >&2
    fi
  fi
}

# Keras models written by the pinned Keras and TensorFlow (scripts/keras-fixtures.py), rebuilt only
# when that script or the pins change. Tests read them from .fixtures/keras. scripts/test.sh builds
# them beside the TypeScript build instead (--skip-fixtures, then scripts/test-env.sh --fixtures-only).
fixtures() {
  FIXTURES="$ROOT/.fixtures/keras"
  FSTAMP="$FIXTURES/.stamp.sha256"
  fwant="$(cat "$REQ" "$ROOT/scripts/keras-fixtures.py" | sha256sum | cut -d' ' -f1)"
  if [ "$fwant" != "$(cat "$FSTAMP" 2>/dev/null || true)" ]; then
    echo "test-env: building Keras fixture models into .fixtures/keras (once per change of the script or pins)" >&2
    rm -rf "$FIXTURES"
    TF_CPP_MIN_LOG_LEVEL=3 "$VENV/bin/python" "$ROOT/scripts/keras-fixtures.py" "$FIXTURES" >&2
    echo "$fwant" > "$FSTAMP"
  fi
}

case "$mode" in
  '') python_tools; browser; fixtures ;;
  --skip-fixtures) python_tools; browser ;;
  --fixtures-only) fixtures ;;
  *) echo "test-env: unknown option $mode (none, --skip-fixtures or --fixtures-only)" >&2; exit 2 ;;
esac
