#!/usr/bin/env bash
# `npm run test:mutation [module ...]`: Stryker over each module of stryker.config.mjs (all by default),
# one after another, incrementally. Reports in reports/mutation/<module>/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# The sandbox Stryker copies the project into has no .venv: the test tools are found through PATH.
export PATH="$ROOT/.venv/bin:$PATH"
modules=("$@")
[ ${#modules[@]} -gt 0 ] || modules=(profile api queue review model admission)
for m in "${modules[@]}"; do
  echo "== mutation: $m"
  MUTATION_MODULE="$m" npx stryker run stryker.config.mjs
done
