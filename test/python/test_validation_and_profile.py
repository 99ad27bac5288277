"""Errors reach Python with their message intact; profiles are read from files and built in code."""
import json
import keyword
import re

import aws_cdk as cdk
import pytest

import keras_inference_guard as kig
from conftest import ROOT


def test_validation_error_keeps_prop_value_allowed_and_fix():
    stack = cdk.Stack(cdk.App(), "S")
    with pytest.raises(RuntimeError) as err:
        kig.KerasInferenceService(stack, "Svc", profile=kig.InferenceProfile.from_file(str(ROOT / "examples/sagemaker-realtime-gpu/profile.json")),
                                  compute=kig.InferenceCompute.sage_maker_realtime(model=kig.ModelArtifact.from_s3_uri("s3://bucket/model.tar.gz")),
                                  signature=kig.ModelSignature.single_tensor(dtype=kig.TensorDType.FLOAT32, shape=[3], max_batch_size=4),
                                  min_instances=5, max_instances=2)
    message = str(err.value)
    assert "maxInstances" in message or "minInstances" in message
    assert "= 5" in message or "= 2" in message
    assert "allowed" in message and "Fix:" in message


def test_every_problem_is_reported_at_once():
    with pytest.raises(RuntimeError) as err:
        kig.ModelSignature.single_tensor(name="bad name!", dtype=kig.TensorDType.INT8, shape=[0, -1], max_batch_size=0)
    message = str(err.value)
    for prop in ("signature.maxBatchSize", "signature.inputs[0].name", "signature.inputs[0].shape", "signature.inputs[0].maxVariableDim"):
        assert prop in message


def test_profile_from_file_and_derived_limits():
    p = kig.InferenceProfile.from_file(str(ROOT / "examples/sagemaker-realtime-gpu/profile.json"))
    raw = json.loads((ROOT / "examples/sagemaker-realtime-gpu/profile.json").read_text())
    assert p.hardware == raw["hardware"] and p.latency_ms.p99 == raw["latencyMs"]["p99"]
    limits = kig.Limits.derive(p, max_instances=3)
    assert limits.scaling.max_instances == 3
    # Stage rate: maxInstances x throughput x headroom 0.8, as the formula says.
    assert limits.throttle.rate_limit == pytest.approx(3 * raw["throughputPerInstanceRps"] * 0.8, rel=0.01)
    assert "headroom" in limits.formulas["throttle.rateLimit"] or "0.8" in limits.formulas["throttle.rateLimit"]
    q = kig.Limits.derive_for_queue(p, max_instances=3)
    assert q.visibility_timeout_seconds == 6 * q.worker_timeout_seconds


def test_tensor_dtype_lookup():
    assert kig.TensorDType.of("DT_FLOAT").name == "float32"


def test_no_python_keyword_in_the_api():
    """jsii renames Python keywords with a trailing underscore; the API avoids them altogether."""
    assembly = json.loads((ROOT / ".jsii").read_text())
    snake = lambda s: re.sub(r"(?<!^)(?=[A-Z])", "_", s).lower()
    names = []
    for t in assembly["types"].values():
        for m in t.get("properties", []) + t.get("methods", []):
            names.append(m["name"])
            names += [p["name"] for p in m.get("parameters", [])]
        names += [p["name"] for p in (t.get("initializer") or {}).get("parameters", [])]
    assert [n for n in names if keyword.iskeyword(snake(n))] == []
