"""The built npm package (`npm run build`, which scripts/test-python.sh runs before pytest): what
`npm pack` would ship, and the compiled benchmarks that run from dist/."""
import json
import subprocess

from conftest import ROOT

INLINE_MAP = b"sourceMappingURL=data:"


def test_the_npm_package_ships_no_inline_source_map():
    """Every file `npm pack --dry-run --json` lists (bundled dependencies included) is read from
    disk: none may carry an inline source map (which inlined the TypeScript sources too)."""
    done = subprocess.run(["npm", "pack", "--dry-run", "--json", "--ignore-scripts"], cwd=ROOT, capture_output=True, text=True, check=True)
    [pack] = json.loads(done.stdout)
    files = [f["path"] for f in pack["files"]]
    assert "dist/lib/index.js" in files and ".jsii" in files, "build the package first (npm run build)"
    with_maps = [f for f in files if INLINE_MAP in (ROOT / f).read_bytes()]
    assert with_maps == []
    print(f"npm package: {pack['size']} bytes packed, {pack['unpackedSize']} bytes unpacked, {len(files)} files")


def test_a_compiled_benchmark_finds_its_test_helpers():
    """`node dist/bench/admission-bound.js` starts moto_server through the compiled test support,
    whose Python script is not copied into dist/: with 0 runs it starts and stops the server."""
    done = subprocess.run(["node", str(ROOT / "dist" / "bench" / "admission-bound.js"), "0"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "environments, budget" in done.stdout
