"""A model server on loopback that speaks TF Serving's REST predict API for one or more SavedModels.

TensorFlow's own loader (tf.saved_model.load) runs the model; this file only translates JSON:
  GET  /v1/models/<name>            -> {"model_version_status": [{"version": "1", "state": "AVAILABLE", ...}]}
  POST /v1/models/<name>:predict    {"signature_name"?: str, "instances": [...]} (row format)
                                    or {"inputs": ...} (columnar) -> {"predictions": ...} / {"outputs": ...}
Caller mistakes answer 400 with {"error": "..."}, as TF Serving does; an unknown model 404.
Usage: python tf-serving-rest.py --model-dir DIR --model-name NAME [--port N] (0 picks a free port;
the port is printed as "LISTENING <port>"), or with --model NAME=DIR once per model: one process
serves them all, as TF Serving does with a model config file, and loads TensorFlow once.
"""
import argparse
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


class BadRequest(Exception):
    pass


def load(model_dir):
    return tf.saved_model.load(model_dir)


def to_tensors(specs, body):
    """The request's tensors, each checked against the signature's dtype and shape."""
    if "instances" in body:
        rows = body["instances"]
        if not isinstance(rows, list) or not rows:
            raise BadRequest("'instances' must be a non-empty list")
        if len(specs) == 1:
            (name,) = specs.keys()
            columns = {name: rows if not isinstance(rows[0], dict) else [r.get(name) for r in rows]}
        else:
            if not all(isinstance(r, dict) for r in rows):
                raise BadRequest("with several inputs each instance must be an object keyed by input name")
            columns = {k: [r.get(k) for r in rows] for k in specs}
    elif "inputs" in body:
        inputs = body["inputs"]
        columns = inputs if isinstance(inputs, dict) else {next(iter(specs)): inputs}
    else:
        raise BadRequest("missing 'instances' or 'inputs' key")
    unknown = set(columns) - set(specs)
    if unknown:
        raise BadRequest(f"unknown inputs: {sorted(unknown)}")
    tensors = {}
    for name, spec in specs.items():
        value = columns.get(name)
        if value is None or any(v is None for v in (value if isinstance(value, list) else [value])):
            raise BadRequest(f"missing input {name!r}")
        try:
            array = np.array(value, dtype=spec.dtype.as_numpy_dtype)
        except (ValueError, TypeError, OverflowError) as e:
            raise BadRequest(f"input {name!r}: cannot convert to {spec.dtype.name}: {e}")
        if spec.dtype.is_integer and not np.array_equal(np.array(value, dtype=object).astype(float), array.astype(float)):
            raise BadRequest(f"input {name!r}: values out of range or not integers for {spec.dtype.name}")
        if not spec.shape.is_compatible_with(array.shape):
            raise BadRequest(f"input {name!r}: shape {list(array.shape)} does not match {spec.shape}")
        tensors[name] = tf.constant(array)
    return tensors


def jsonable(t):
    return t.numpy().tolist()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model-dir")
    ap.add_argument("--model-name")
    ap.add_argument("--model", action="append", default=[], metavar="NAME=DIR", help="a model to serve (repeatable)")
    ap.add_argument("--port", type=int, default=8501)
    args = ap.parse_args()
    dirs = dict(m.split("=", 1) for m in args.model)
    if args.model_dir or args.model_name:
        if not (args.model_dir and args.model_name):
            ap.error("--model-dir and --model-name go together")
        dirs[args.model_name] = args.model_dir
    if not dirs:
        ap.error("no model: give --model-dir and --model-name, or --model NAME=DIR")
    # The loaded objects stay referenced: their signatures read the objects' variables.
    models = {name: load(d) for name, d in dirs.items()}
    signatures_of = {name: dict(m.signatures.items()) for name, m in models.items()}

    def route(path):
        """(model name, verb: '' or 'predict') of a /v1/models/<name>[:<verb>] path of a served model, else None."""
        if not path.startswith("/v1/models/"):
            return None
        name, _, verb = path[len("/v1/models/"):].rstrip("/").partition(":")
        return (name, verb) if name in signatures_of else None

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def reply(self, status, obj):
            data = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            found = route(self.path)
            if found is not None and found[1] == "":
                return self.reply(200, {"model_version_status": [{"version": "1", "state": "AVAILABLE", "status": {"error_code": "OK", "error_message": ""}}]})
            self.reply(404, {"error": f"no route {self.path}"})

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            found = route(self.path)
            if found is None or found[1] != "predict":
                return self.reply(404, {"error": f"no route {self.path}"})
            signatures = signatures_of[found[0]]
            try:
                body = json.loads(raw)
                if not isinstance(body, dict):
                    raise BadRequest("the body must be a JSON object")
                name = body.get("signature_name", "serving_default")
                fn = signatures.get(name)
                if fn is None:
                    raise BadRequest(f"serving signature name {name!r} not found in the model")
                specs = fn.structured_input_signature[1]
                tensors = to_tensors(specs, body)
                out = fn(**tensors)
            except json.JSONDecodeError as e:
                return self.reply(400, {"error": f"JSON parse error: {e}"})
            except BadRequest as e:
                return self.reply(400, {"error": str(e)})
            except (tf.errors.InvalidArgumentError, ValueError, TypeError) as e:
                return self.reply(400, {"error": str(e).splitlines()[0]})
            keys = sorted(out)
            if "instances" in body:
                if len(keys) == 1:
                    predictions = jsonable(out[keys[0]])
                else:
                    cols = {k: jsonable(out[k]) for k in keys}
                    predictions = [{k: cols[k][i] for k in keys} for i in range(len(cols[keys[0]]))]
                return self.reply(200, {"predictions": predictions})
            return self.reply(200, {"outputs": jsonable(out[keys[0]]) if len(keys) == 1 else {k: jsonable(out[k]) for k in keys}})

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(f"LISTENING {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
