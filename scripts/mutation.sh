#!/usr/bin/env bash
# `npm run test:mutation [module ...]`: Stryker over each module of stryker.config.mjs (all of them by
# default, in the order listed there), one after another, incrementally. Reports in reports/mutation/<module>/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# The sandbox Stryker copies the project into has no .venv: the test tools are found through PATH.
export PATH="$ROOT/.venv/bin:$PATH"
# Every module the configuration lists (MUTATION_MODULE=list only prints them).
mapfile -t all < <(MUTATION_MODULE=list node --input-type=module -e "const { MODULES } = await import('$ROOT/stryker.config.mjs'); console.log(Object.keys(MODULES).join('\n'));")
modules=("$@")
[ ${#modules[@]} -gt 0 ] || modules=("${all[@]}")
for m in "${modules[@]}"; do
  if [[ ! " ${all[*]} " == *" $m "* ]]; then
    echo "mutation: unknown module '$m'; allowed: ${all[*]}" >&2
    exit 2
  fi
done
for m in "${modules[@]}"; do
  echo "== mutation: $m"
  MUTATION_MODULE="$m" npx stryker run stryker.config.mjs
done
