"""Builds the Keras models the test suite reads, with the pinned Keras 3 and TensorFlow CPU.

Each model is written twice, as Keras writes it for serving and for keeping:
  <out>/<name>/saved_model/   model.export(...)  (TF SavedModel, what TF Serving loads)
  <out>/<name>/model.keras    model.save(...)    (Keras 3 archive: config.json + weights)
  <out>/<name>/keras.json     what Keras itself reports about the model (inputs, parameters)
  <out>/<name>/request.json   a request at the model's batch limit, values drawn at random
  <out>/<name>/largest.json   the largest request a client writes at that limit: json.dumps of
                              numpy arrays at each dtype's widest value (variable length at its bound)
and <out>/manifest.json lists the models. Usage: python keras-fixtures.py OUT_DIR
"""
import json
import os
import shutil
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

keras.utils.set_random_seed(7)
MAX_BATCH = 4
MAX_TOKENS = 64  # the text model's longest request (its input length is variable)


def cnn_image():
    """A small CNN on 28x28 grey images (float32)."""
    x = keras.Input(shape=(28, 28, 1), name="image")
    h = keras.layers.Conv2D(32, 3, activation="relu")(x)
    h = keras.layers.MaxPooling2D()(h)
    h = keras.layers.Conv2D(64, 3, activation="relu")(h)
    h = keras.layers.MaxPooling2D()(h)
    h = keras.layers.Flatten()(h)
    h = keras.layers.Dense(128, activation="relu")(h)
    y = keras.layers.Dense(10, activation="softmax", name="digit")(h)
    return keras.Model(x, y, name="cnn_image")


def multi_input():
    """An image and a vector of tabular features, joined before the head."""
    image = keras.Input(shape=(32, 32, 3), name="photo")
    table = keras.Input(shape=(12,), name="features")
    h = keras.layers.Conv2D(16, 3, activation="relu")(image)
    h = keras.layers.GlobalAveragePooling2D()(h)
    t = keras.layers.Dense(32, activation="relu")(table)
    j = keras.layers.Concatenate()([h, t])
    j = keras.layers.Dense(256, activation="relu")(j)
    j = keras.layers.Dense(256, activation="relu")(j)
    y = keras.layers.Dense(1, activation="sigmoid", name="score")(j)
    return keras.Model({"photo": image, "features": table}, y, name="multi_input")


def text_tokens():
    """Token ids of variable length (int32) through an embedding."""
    tokens = keras.Input(shape=(None,), dtype="int32", name="tokens")
    h = keras.layers.Embedding(5000, 32)(tokens)
    h = keras.layers.GlobalAveragePooling1D()(h)
    h = keras.layers.Dense(64, activation="relu")(h)
    y = keras.layers.Dense(3, activation="softmax", name="label")(h)
    return keras.Model(tokens, y, name="text_tokens")


def uint8_pixels():
    """Raw 8-bit pixels (uint8), scaled inside the model."""
    pixels = keras.Input(shape=(24, 24, 3), dtype="uint8", name="pixels")
    h = keras.layers.Rescaling(1.0 / 255)(pixels)
    h = keras.layers.Flatten()(h)
    h = keras.layers.Dense(128, activation="relu")(h)
    y = keras.layers.Dense(5, activation="softmax", name="kind")(h)
    return keras.Model(pixels, y, name="uint8_pixels")


MODELS = [cnn_image, multi_input, text_tokens, uint8_pixels]


def random_instance(rng, tensor, length):
    shape = [length if d is None else d for d in tensor.shape[1:]]
    dtype = tensor.dtype
    if dtype == "uint8":
        return rng.integers(0, 256, size=shape).tolist()
    if dtype.startswith("int"):
        return rng.integers(0, 5000, size=shape).tolist()
    return np.round(rng.random(size=shape), 6).tolist()


# The value of each dtype whose JSON text (json.dumps of array.tolist()) is the widest.
WIDEST = {"float16": -1.1920929e-07, "float32": -1.1754942e-38, "float64": -2.2250738585072014e-308,
          "int8": -128, "uint8": 255, "int32": -2147483648, "int64": -9007199254740991, "bool": False}


def widest_instance(tensor, length):
    shape = [length if d is None else d for d in tensor.shape[1:]]
    dtype = str(tensor.dtype)
    return np.full(shape, WIDEST[dtype], dtype=dtype).tolist()


def main(out):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(7)
    manifest = []
    for build in MODELS:
        model = build()
        name = model.name
        target = os.path.join(out, name)
        shutil.rmtree(target, ignore_errors=True)
        os.makedirs(target)
        model.export(os.path.join(target, "saved_model"), verbose=False)
        model.save(os.path.join(target, "model.keras"))
        weights = {}
        for w in model.weights:
            dt = str(w.dtype)
            v = np.asarray(w.numpy())
            entry = weights.setdefault(dt, {"count": 0, "bytes": 0})
            entry["count"] += int(v.size)
            entry["bytes"] += int(v.nbytes)
        inputs = [{"name": t.name, "dtype": str(t.dtype), "shape": list(t.shape)} for t in model.inputs]
        record = {
            "name": name,
            "keras": keras.__version__,
            "tensorflow": tf.__version__,
            "inputs": inputs,
            "outputs": [{"name": t.name, "dtype": str(t.dtype), "shape": list(t.shape)} for t in model.outputs],
            "params": int(model.count_params()),
            "weights": weights,
            "maxBatch": MAX_BATCH,
            "maxVariableDim": MAX_TOKENS,
        }
        with open(os.path.join(target, "keras.json"), "w") as f:
            json.dump(record, f, indent=2)
        rows = []
        for _ in range(MAX_BATCH):
            if len(model.inputs) == 1:
                rows.append(random_instance(rng, model.inputs[0], MAX_TOKENS))
            else:
                rows.append({t.name: random_instance(rng, t, MAX_TOKENS) for t in model.inputs})
        with open(os.path.join(target, "request.json"), "w") as f:
            json.dump({"instances": rows}, f)
        if len(model.inputs) == 1:
            widest = [widest_instance(model.inputs[0], MAX_TOKENS)] * MAX_BATCH
        else:
            widest = [{t.name: widest_instance(t, MAX_TOKENS) for t in model.inputs}] * MAX_BATCH
        with open(os.path.join(target, "largest.json"), "w") as f:
            f.write(json.dumps({"instances": widest}))
        manifest.append(name)
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump({"models": manifest, "keras": keras.__version__, "tensorflow": tf.__version__}, f, indent=2)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: keras-fixtures.py OUT_DIR")
    main(sys.argv[1])
