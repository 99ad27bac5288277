"""What a ```python documentation block may assume, by the name its marker gives
(`<!-- doc-test: prelude stack files -->` on the line before the fence; the convention is described
in test/docs/doc-blocks.ts). Each prelude adds names to the block's globals or files to the scratch
directory the block runs in. A block runs as its own Python process in that directory, as a user's
script would (the jsii runtime resolves relative paths against the directory it started in)."""
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KERAS_FIXTURE = ROOT / ".fixtures" / "keras" / "cnn_image"


def _files(workdir: Path) -> None:
    """profile.json (the real-time example's profile), export/ (a Keras SavedModel export) and model.keras."""
    shutil.copy(ROOT / "examples" / "sagemaker-realtime-gpu" / "profile.json", workdir / "profile.json")
    shutil.copytree(KERAS_FIXTURE / "saved_model", workdir / "export")
    shutil.copy(KERAS_FIXTURE / "model.keras", workdir / "model.keras")


# name: (Python code run before the block, files put in its directory)
PYTHON_PRELUDES = {
    "stack": ('import aws_cdk as cdk\nstack = cdk.Stack(cdk.App(), "DocStack")\n', None),
    "files": ("", _files),
}
