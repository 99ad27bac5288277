"""The ```python blocks of README.md and docs/**/*.md, executed with the built package (the jest side,
test/docs/docs.test.ts, checks the other languages and the marker convention described in
test/docs/doc-blocks.ts). A block runs in a scratch directory with the preludes its marker names; a
block marked `<!-- doc-test: skip REASON -->` does not run."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

from doc_preludes import PYTHON_PRELUDES, ROOT

MARKER = re.compile(r"^<!--\s*doc-test:\s*(.*?)\s*-->$")
OPEN = re.compile(r"^ {0,3}```\s*([^\s`]*)\s*$")
CLOSE = re.compile(r"^ {0,3}```\s*$")


def doc_files() -> list:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def python_blocks(name: str, text: str) -> list:
    """(file:line, code, preludes, skip reason) for each ```python (or py) block."""
    lines = text.split("\n")
    blocks = []
    i = 0
    while i < len(lines):
        m = OPEN.match(lines[i])
        if not m:
            i += 1
            continue
        start = i
        body = []
        i += 1
        while i < len(lines) and not CLOSE.match(lines[i]):
            body.append(lines[i])
            i += 1
        i += 1
        if m.group(1).lower() not in ("python", "py"):
            continue
        marker = MARKER.match(lines[start - 1].strip()) if start > 0 else None
        words = marker.group(1).split() if marker else []
        preludes = [p for p in " ".join(words[1:]).replace(",", " ").split()] if words[:1] == ["prelude"] else []
        skip = " ".join(words[1:]) if words[:1] == ["skip"] else None
        blocks.append((f"{name}:{start + 1}", "\n".join(body), preludes, skip))
    return blocks


def run_block(where: str, code: str, preludes: list, workdir: Path) -> subprocess.CompletedProcess:
    """Runs the block as a script in `workdir`, after the code of its preludes."""
    head = ""
    for p in preludes:
        assert p in PYTHON_PRELUDES, f"{where}: unknown Python prelude {p!r} (known: {', '.join(PYTHON_PRELUDES)})"
        prelude_code, setup = PYTHON_PRELUDES[p]
        head += prelude_code
        if setup:
            setup(workdir)
    script = workdir / "doc_block.py"
    script.write_text(f"# {where}\n{head}{code}\n")
    return subprocess.run([sys.executable, str(script)], cwd=workdir, capture_output=True, text=True, timeout=600)


BLOCKS = [b for f in doc_files() for b in python_blocks(str(f.relative_to(ROOT)), f.read_text())]


def test_the_documentation_has_python_blocks():
    assert [b for b in BLOCKS if b[3] is None], "no runnable ```python block found"


@pytest.mark.parametrize("where,code,preludes,skip", BLOCKS, ids=[b[0] for b in BLOCKS])
def test_python_block_runs(where, code, preludes, skip, tmp_path):
    if skip is not None:
        pytest.skip(skip)
    done = run_block(where, code, preludes, tmp_path)
    assert done.returncode == 0, f"{where} failed:\n{done.stderr}"


STALE = '''<!-- doc-test: prelude stack files -->
```python
from keras_inference_guard import InferenceProfile, KerasInferenceService, ModelArtifact, ModelSignature, TensorDType

KerasInferenceService(stack, "Mnist",
    profile=InferenceProfile.from_file("profile.json"),
    model=ModelArtifact.from_s3_uri("s3://my-bucket/mnist/model.tar.gz"),
    signature=ModelSignature.single_tensor(name="image", dtype=TensorDType.FLOAT32, shape=[28, 28, 1], max_batch_size=8),
    max_instances=4,
)
```
'''


def test_a_stale_python_block_fails(tmp_path):
    """The README's example before `compute=` replaced `model=`: the run fails as a user's would."""
    [(where, code, preludes, skip)] = python_blocks("stale.md", STALE)
    assert (where, preludes, skip) == ("stale.md:2", ["stack", "files"], None)
    done = run_block(where, code, preludes, tmp_path)
    assert done.returncode != 0
    assert re.search(r"TypeError: .*'model'", done.stderr), done.stderr
