#!/usr/bin/env bash
# The README's test command (`npm test`): set up the test tools, type-check, run jest.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/test-env.sh"
export PATH="$ROOT/.venv/bin:$PATH"
cd "$ROOT"
npx tsc -p tsconfig.json --noEmit
npx jest "$@"
bash "$ROOT/scripts/test-python.sh"
