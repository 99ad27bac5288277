#!/usr/bin/env bash
# The jsii side of `npm run build`: the assembly (.jsii) from lib/index.ts, the Python package
# (dist/python/*.whl and sdist) generated from it, and API.md (the API reference, generated from the
# assembly so it cannot drift from the code). `npm run build:lib` (tsc + handler bundles) must run first:
# the Python package embeds the npm package, handler bundles included.
#
#   scripts/build-jsii.sh            both parts, in turn (`npm run build:jsii`)
#   scripts/build-jsii.sh --compile  the jsii compiler only: the assembly and dist/lib
#   scripts/build-jsii.sh --package  API.md and the Python package from the assembly, after --compile
# scripts/test.sh runs the compiler beside tsc (whose output goes to a staging folder, lib aside:
# jsii's dist/lib is the one packaged), then the bundles, then --package.
set -euo pipefail
part="${1:-all}"
case "$part" in all|--compile|--package) ;; *) echo "build-jsii: unknown option $part (none, --compile or --package)" >&2; exit 2 ;; esac
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
[ "$part" = "--package" ] || npx jsii --silence-warnings=reserved-word
[ "$part" = "--compile" ] && exit 0
# The package part runs in a staging copy of the npm package (the package.json above, and the files
# its "files" list packs), so the project's own package.json is restored before it starts:
# scripts/test.sh runs this part beside jest, whose tests read package.json.
root="$PWD"
stage="$(mktemp -d)"
trap 'cp "$saved" package.json; rm -f "$saved"; rm -rf "$stage"' EXIT
node -e '
  const fs = require("fs");
  const path = require("path");
  const [stage] = process.argv.slice(1);
  fs.copyFileSync("package.json", path.join(stage, "package.json"));
  for (const f of JSON.parse(fs.readFileSync("package.json", "utf8")).files) fs.cpSync(f, path.join(stage, f), { recursive: true });' "$stage"
cp "$saved" package.json
ln -s "$root/node_modules" "$stage/node_modules"
cd "$stage"
# API.md and the Python package both read only the assembly: generated side by side.
npx jsii-docgen --output "$root/API.md" &
docgen=$!
if [ -x "$root/.venv/bin/uv" ]; then
  # With the test environment's uv (scripts/test-env.sh): jsii-pacmak generates the Python package's
  # sources, and uv builds the wheel and sdist from them with the same build backend (setuptools, as
  # the generated pyproject.toml declares) in an isolated environment from its cache. jsii-pacmak's own
  # build makes a new virtual environment and installs its build tools into it on every run (about
  # 25 s of CPU on 2 cores), for the same files.
  npx jsii-pacmak --targets python --no-npmignore --code-only --outdir "$stage/out"
  rm -rf "$root/dist/python"
  "$root/.venv/bin/uv" build --quiet --wheel --sdist --out-dir "$root/dist/python" "$stage/out/python"
  rm -f "$root/dist/python/.gitignore"
else
  npx jsii-pacmak --targets python --no-npmignore --outdir "$stage/out"
  rm -rf "$root/dist/python"
  cp -r "$stage/out/python" "$root/dist/python"
fi
wait "$docgen"
