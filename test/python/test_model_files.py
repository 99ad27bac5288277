"""Signatures read from Keras exports in Python (ModelSignature.from_saved_model, .from_keras_file), checked
against what Keras itself reported when it wrote them (scripts/keras-fixtures.py, built by test-env)."""
import json

import aws_cdk as cdk
import pytest

import keras_inference_guard as kig
from conftest import ROOT

FIXTURES = ROOT / ".fixtures" / "keras"
MODELS = json.loads((FIXTURES / "manifest.json").read_text())["models"]


def keras_record(name):
    return json.loads((FIXTURES / name / "keras.json").read_text())


def described(signature):
    return [(i.name, i.dtype.name, list(i.shape), i.max_variable_dim) for i in signature.inputs]


@pytest.mark.parametrize("name", MODELS)
def test_saved_model_and_keras_file_give_what_keras_reported(name):
    record = keras_record(name)
    variable = record["maxVariableDim"]
    from_saved_model = kig.ModelSignature.from_saved_model(str(FIXTURES / name / "saved_model"),
                                                           max_batch_size=record["maxBatch"], max_variable_dim=variable)
    from_keras_file = kig.ModelSignature.from_keras_file(str(FIXTURES / name / "model.keras"),
                                                         max_batch_size=record["maxBatch"], max_variable_dim=variable)
    expected = sorted(
        (i["name"], i["dtype"], [-1 if d is None else d for d in i["shape"][1:]]) for i in record["inputs"])
    assert [(n, d, s) for n, d, s, _ in described(from_saved_model)] == expected
    assert described(from_keras_file) == described(from_saved_model)
    for _, _, shape, bound in described(from_saved_model):
        assert bound == (variable if -1 in shape else None)
    assert from_saved_model.max_batch_size == record["maxBatch"]
    assert from_saved_model.signature_name == "serving_default"


def test_batch_limit_defaults_when_the_model_leaves_it_open():
    assert kig.ModelSignature.from_saved_model(str(FIXTURES / "cnn_image" / "saved_model")).max_batch_size == 8


def test_variable_dimension_without_a_bound_is_an_error_naming_the_prop_and_the_fix():
    with pytest.raises(RuntimeError) as err:
        kig.ModelSignature.from_keras_file(str(FIXTURES / "text_tokens" / "model.keras"))
    message = str(err.value)
    assert "maxVariableDim" in message and "tokens" in message and "model.keras" in message
    assert "Fix:" in message


def test_a_file_read_signature_drives_a_service():
    stack = cdk.Stack(cdk.App(), "S", env=cdk.Environment(account="111111111111", region="us-east-1"))
    signature = kig.ModelSignature.from_saved_model(str(FIXTURES / "uint8_pixels" / "saved_model"), max_batch_size=4)
    kig.KerasInferenceService(
        stack, "Svc", profile=kig.InferenceProfile.from_file(str(ROOT / "examples/sagemaker-realtime-gpu/profile.json")),
        compute=kig.InferenceCompute.sage_maker_realtime(model=kig.ModelArtifact.from_s3_uri("s3://bucket/model.tar.gz")), signature=signature)
    template = cdk.assertions.Template.from_stack(stack)
    models = template.find_resources("AWS::ApiGateway::Model")
    schemas = json.dumps([m["Properties"]["Schema"] for m in models.values()])
    # uint8 pixels in the request schema: integers from 0 to 255, at most 4 instances.
    assert '"maximum": 255' in schemas and '"maxItems": 4' in schemas
