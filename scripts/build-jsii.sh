#!/usr/bin/env bash
# The jsii side of `npm run build`: the assembly (.jsii) from lib/index.ts, the Python package
# (dist/python/*.whl and sdist) generated from it, and API.md (the API reference, generated from the
# assembly so it cannot drift from the code). `npm run build:lib` (tsc + handler bundles) must run first:
# the Python package embeds the npm package, handler bundles included.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# jsii prints a banner on every run under Node 20 (supported by this project; jsii 5.9 still runs on it).
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1 JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=1
# Reserved-word warnings are about Go, Java and C# names; the Python package is the only target, and
# test/python checks that no name in the API is a Python keyword.
npx jsii --silence-warnings=reserved-word
npx jsii-pacmak --targets python --no-npmignore
npx jsii-docgen --output API.md
