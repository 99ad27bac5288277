#!/usr/bin/env bash
# The jsii side of `npm run build`: the assembly (.jsii) from lib/index.ts, the Python package
# (dist/python/*.whl and sdist) generated from it, and API.md (the API reference, generated from the
# assembly so it cannot drift from the code). `npm run build:lib` (tsc + handler bundles) must run first:
# the Python package embeds the npm package, handler bundles included.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# jsii prints a banner on every run under Node 20 (supported by this project; jsii 5.9 still runs on it).
# The end-of-life switch takes the silenced major versions (@jsii/check-node), the other any value.
JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="$(node -p "process.versions.node.split('.')[0]")"
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1 JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION
# jsii and jsii-pacmak take every peer dependency for a jsii assembly. The optional peers (the CLI's
# SageMaker SDK clients and autocannon, see peerDependenciesMeta) are plain npm packages the constructs
# never load, so the jsii tools see a package.json without them (restored on exit). The npm package
# embedded in the Python package leaves them out too: the kig CLI is used from npm, not from Python.
saved="$(mktemp)"
cp package.json "$saved"
trap 'cp "$saved" package.json; rm -f "$saved"' EXIT
node -e '
  const fs = require("fs");
  const pkg = JSON.parse(fs.readFileSync("package.json", "utf8"));
  for (const [name, meta] of Object.entries(pkg.peerDependenciesMeta ?? {})) if (meta.optional) delete pkg.peerDependencies[name];
  delete pkg.peerDependenciesMeta;
  fs.writeFileSync("package.json", JSON.stringify(pkg, null, 2) + "\n");'
# Reserved-word warnings are about Go, Java and C# names; the Python package is the only target, and
# test/python checks that no name in the API is a Python keyword.
npx jsii --silence-warnings=reserved-word
npx jsii-pacmak --targets python --no-npmignore
npx jsii-docgen --output API.md
