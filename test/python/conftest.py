"""Shared fixtures of the Python tests: they run against the keras_inference_guard package built by
`npm run build` (dist/python) and installed into .venv (scripts/test-python.sh does both)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The jsii runtime starts Node, which prints a banner on every start under Node 20 (which this project supports).
# The end-of-life switch takes the silenced major versions (@jsii/check-node), the others any value.
NODE_MAJOR = subprocess.run(["node", "-p", "process.versions.node.split('.')[0]"], capture_output=True, text=True, check=True).stdout.strip()
NODE_QUIET = {"JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1", "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": NODE_MAJOR}
os.environ.update(NODE_QUIET)


def cdk_synth(app: str, out: Path, cwd: Path, validation: bool = True) -> dict:
    """Runs the project's pinned CDK CLI on `app`; returns {stack name: template}. Fails on any unacknowledged rule-pack finding.
    `validation=False` turns off aws-cdk-lib's built-in CloudFormation validation (CDK_VALIDATION=false), which
    changes no template: about 6 s of CPU to compile its WebAssembly module in the app's process."""
    env = {**os.environ, **NODE_QUIET, "CDK_DISABLE_CLI_TELEMETRY": "true", "CDK_DISABLE_VERSION_CHECK": "1"}
    if not validation:
        env["CDK_VALIDATION"] = "false"
    cdk = ROOT / "node_modules" / ".bin" / "cdk"
    # `--build ""`: no pre-synth build. The project's cdk.json has one (`npm run build:lib`), which the CLI
    # runs whenever the setting is not empty (aws-cdk lib/cxapp/exec.js: `if (build) await exec(build)`).
    # The apps are built already, and a rebuild here (about 30 s of CPU) would rewrite dist/ while jest,
    # beside pytest, reads it.
    done = subprocess.run([str(cdk), "synth", "--quiet", "--build", "", "--app", app, "--output", str(out)],
                          cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"cdk synth --app {app} failed:\n{done.stdout}\n{done.stderr}"
    return {p.name[: -len(".template.json")]: json.loads(p.read_text()) for p in out.glob("*.template.json")}


@pytest.fixture(scope="session")
def python_example(tmp_path_factory):
    """The Python example app (examples/python-sagemaker-queue) synthesized with the CDK CLI, its rule packs
    applied. aws-cdk-lib's built-in CloudFormation validation is off: it changes no template, and the template
    is held equal to its TypeScript twin's (test_example_app.py), which the jest suite synthesizes with it."""
    out = tmp_path_factory.mktemp("python-app")
    app_dir = ROOT / "examples" / "python-sagemaker-queue"
    return out, cdk_synth(f'"{sys.executable}" app.py', out, app_dir, validation=False)


@pytest.fixture(scope="session")
def typescript_example(tmp_path_factory):
    """The same app in TypeScript (examples/sagemaker-queue), compiled by `npm run build`: the reference the
    Python app's template is compared with. The jest suite synthesizes this app with the built-in validation
    (test/examples/examples.test.ts); here it is off."""
    out = tmp_path_factory.mktemp("typescript-app")
    app = ROOT / "dist" / "examples" / "sagemaker-queue" / "app.js"
    assert app.exists(), "run `npm run build` first"
    return out, cdk_synth(f'node "{app}"', out, ROOT, validation=False)
