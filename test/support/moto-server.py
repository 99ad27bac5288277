"""moto_server whose DynamoDB and SQS requests take effect one at a time.

DynamoDB applies each write to an item atomically: a conditional UpdateItem checks its condition
and writes in one step, so two concurrent `ADD admitted :one` with `admitted < :cap` can never both
pass on the same value. moto's server is threaded and its DynamoDB backend takes no lock, so on a
busy machine two such requests interleave and both succeed, which no DynamoDB table allows. This
wrapper serializes DynamoDB requests (a stricter order than DynamoDB's per-item one, with the same
outcomes for the tests).

SQS never loses a message that nobody deleted. moto's SQS backend does, when requests interleave:
DeleteMessage rebuilds the queue's message list by iterating over it, while a ReceiveMessage that
moves a message to the dead-letter queue (redrive policy) removes it from that same list. A
removal before the iterator's position shifts the list under it, so the rebuild skips a message
that was neither deleted nor moved: it vanishes (and a message deleted by a concurrent rebuild can
come back). So SQS requests of the AWS JSON protocol (X-Amz-Target: AmazonSQS.*, what the SDK
sends) are serialized too, under their own lock, except a ReceiveMessage that long-polls
(WaitTimeSeconds > 0): it waits for messages inside the backend and would hold the lock while it
waits. The tests' queues do not long-poll by default (ReceiveMessageWaitTimeSeconds 0).

Costs of moto_server that change no answer are removed, which more than halves the CPU the queue
tests spend in it (most of their run):
- the access log line werkzeug writes for every request (nobody reads it);
- `unix_time()` without an argument, which SQS calls for every message of a queue at each
  GetQueueAttributes and ReceiveMessage (visibility and delay checks): moto builds two datetimes
  and subtracts them; `time.time()` is the same number (seconds since the epoch, UTC);
- the list of moto's service folders, which moto's dispatcher reads from disk at every request;
- a queue's attributes (every message counted three times) built three times per attribute a
  GetQueueAttributes asks for (get_queue_attributes below): with it, the admission-bound and
  fairness tests took 89 s of CPU in place of 103 s;
- the map of node classes to methods that moto's expression traversers rebuild twice at every node
  of an UpdateItem's expressions (processing_map below);
- the listing of a response class's methods at every request (method_names_from_class below);
- the second parse of each UpdateItem's condition and update expressions, the same text parsed by
  the request handler and again by the backend (parse_condition, make_update below): with the two
  parses kept, the admission-bound and fairness tests took 79 and 89 s of CPU against 110 s;
- Flask's routing of requests of the AWS JSON protocol (DynamoDB, and SQS as the SDK calls it),
  whose X-Amz-Target header names the service: they go straight to moto's response class with the
  same arguments and error handling as moto's Flask view (direct below). bench/moto-calls.ts,
  alternating runs: 1.79-2.50 ms of moto_server CPU a call (median 2.04) against 2.40-3.08 ms
  (median 2.66).

It is served by waitress, not by werkzeug's development server: werkzeug answers every request with
`Connection: close` and starts a thread for each connection, so every SDK call paid a new TCP
connection on both sides and a new thread here. waitress keeps the SDK's connections open (HTTP/1.1
keep-alive) and serves them from a fixed pool of threads: for the same calls, less CPU a call on
both sides (`bench/moto-calls.ts` runs both servers and prints the figures, docs/benchmarks.md has
them; `--server werkzeug` keeps the old one for that comparison). The pool has more threads
than the tests have callers waiting on the locks below at once.

    python moto-server.py -H 127.0.0.1 -p PORT [--server waitress|werkzeug] [--route direct|flask]   # -p 0: prints the port it binds
"""
import argparse
import functools
import io
import json
import logging
import threading
import time

import moto.backends
import moto.core.responses
import moto.core.utils
import moto.sqs.models
import waitress.server
from botocore.exceptions import ClientError
from moto.dynamodb.comparisons import ConditionExpressionParser
from moto.dynamodb.parsing.ast_nodes import DepthFirstTraverser
from moto.dynamodb.parsing.expressions import UpdateExpressionParser
from moto.dynamodb.responses import DynamoHandler
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.sqs.responses import SQSResponse
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request as WerkzeugRequest, Response as WerkzeugResponse

_unix_time = moto.core.utils.unix_time


def unix_time(dt=None):
    """moto's unix_time: seconds since the epoch of `dt`, or of now (read from the clock directly)."""
    return time.time() if dt is None else _unix_time(dt)


def unix_time_millis(dt=None):
    return unix_time(dt) * 1000.0


for module in (moto.core.utils, moto.sqs.models):
    module.unix_time = unix_time
    module.unix_time_millis = unix_time_millis
_service_folders = tuple(moto.backends.list_of_moto_modules())
moto.backends.list_of_moto_modules = lambda: _service_folders


def get_queue_attributes(self, queue_name, attribute_names):
    """moto 5.2's SQSBackend.get_queue_attributes, with the queue's attributes built once a call.

    moto builds every attribute of the queue (each message counted three times over for the
    approximate counts) three times per attribute asked for: nine times for the three counts the
    tests and the admission handler read, at every depth read of a queue holding hundreds of jobs.
    The validation, the names returned and their values are moto's.
    """
    queue = self.get_queue(queue_name)
    if not attribute_names:
        return {}
    valid_names = ["All"] + queue.BASE_ATTRIBUTES + queue.FIFO_ATTRIBUTES + queue.KMS_ATTRIBUTES
    invalid_name = next((name for name in attribute_names if name not in valid_names), None)
    if invalid_name or invalid_name == "":
        raise moto.sqs.models.InvalidAttributeName(invalid_name)
    every = queue.attributes
    if "All" in attribute_names:
        return every
    return {name: every[name] for name in attribute_names if every.get(name) is not None}


moto.sqs.models.SQSBackend.get_queue_attributes = get_queue_attributes
# The attribute names moto turns into its property names (Queue.attributes, at every depth read):
# the same few dozen names, converted character by character each time.
moto.sqs.models.camelcase_to_underscores = functools.lru_cache(maxsize=None)(moto.core.utils.camelcase_to_underscores)
# The handler methods of a response class, which moto lists (inspect.getmembers) at every request to
# find the action's method: a class's methods do not change while the server runs. The list is only read.
moto.core.responses.method_names_from_class = functools.lru_cache(maxsize=None)(moto.core.utils.method_names_from_class)


def processing_map(traverser):
    """The traverser's _processing_map, built once per traverser rather than twice at every node.

    Each UpdateItem validates its expressions with about ten traversers created for that request,
    and moto's DepthFirstTraverser asks for its map (a new dict of bound methods) in
    `nodes_to_be_processed` and again in `process`, at every node of the expression's tree. A
    traverser's map never changes: each subclass returns the same node classes and methods of itself.
    """
    cached = traverser.__dict__.get("_kig_processing_map")
    if cached is None:
        mapping = traverser._processing_map()
        cached = (mapping, tuple(mapping))
        traverser.__dict__["_kig_processing_map"] = cached
    return cached


def nodes_to_be_processed(self):
    return processing_map(self)[1]


def process(self, node):
    for class_key, processor in processing_map(self)[0].items():
        if isinstance(node, class_key):
            return processor(node)


# moto parses each UpdateItem's expressions twice with the same arguments: in the request handler (to
# list the names and values they use) and again in the backend. DynamoDB requests are served one at a
# time (the lock below), so the backend's parse is the next parse of the same text: the last answer is
# kept for it. The syntax trees are only read (the update expression's validators work on a copy).
class LastAnswer:
    """The answer of the last call, kept for a call with the same key."""

    def __init__(self):
        self.key = self.answer = None
        self.held = False

    def get(self, key, compute):
        if not self.held or self.key != key:
            self.held = False
            self.answer = compute()
            self.key, self.held = key, True
        return self.answer


_last_condition = LastAnswer()
_parse_condition = ConditionExpressionParser.parse


def parse_condition(self):
    """ConditionExpressionParser.parse, answering a repeat of the last parse with what it found."""
    key = (self.condition_expression, json.dumps(self.expression_attribute_names, sort_keys=True, default=str),
           json.dumps(self.expression_attribute_values, sort_keys=True, default=str))
    op, names, values = _last_condition.get(
        key, lambda: (_parse_condition(self), list(self.expr_attr_names_found), list(self.expr_attr_values_found)))
    # A repeat: this parser has not parsed, so it records what the last parse found.
    if not self.expr_attr_names_found and not self.expr_attr_values_found:
        self.expr_attr_names_found.extend(names)
        self.expr_attr_values_found.extend(values)
    return op


_last_update = LastAnswer()
_make_update = UpdateExpressionParser.make.__func__


def make_update(cls, expression_str):
    """UpdateExpressionParser.make, answering a repeat of the last expression with the same tree."""
    return _last_update.get(expression_str, lambda: _make_update(cls, expression_str))


ConditionExpressionParser.parse = parse_condition
UpdateExpressionParser.make = classmethod(make_update)
DepthFirstTraverser.nodes_to_be_processed = nodes_to_be_processed
DepthFirstTraverser.process = process

parser = argparse.ArgumentParser()
parser.add_argument("-H", "--host", default="127.0.0.1")
# Port 0: the system picks a free port, and the line "listening on PORT" on stdout says which, once
# the socket is bound (no other process can take the port between the choice and the bind).
parser.add_argument("-p", "--port", type=int, required=True)
parser.add_argument("--server", choices=("waitress", "werkzeug"), default="waitress")
# --route flask: every request through moto's Flask apps, as moto_server routes them (for the test
# that holds the direct route to the same answers, test/tools/moto-server.test.ts).
parser.add_argument("--route", choices=("direct", "flask"), default="direct")
args = parser.parse_args()

moto_app = DomainDispatcherApplication(create_backend_app)
dynamodb = threading.Lock()
sqs = threading.Lock()


def long_poll(environ):
    """True for a ReceiveMessage with WaitTimeSeconds > 0 (the body is read and put back)."""
    if environ.get("HTTP_X_AMZ_TARGET") != "AmazonSQS.ReceiveMessage":
        return False
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    environ["wsgi.input"] = io.BytesIO(body)
    try:
        return int(json.loads(body or b"{}").get("WaitTimeSeconds", 0)) > 0
    except (ValueError, TypeError, AttributeError):
        return False


def direct(handler):
    """A WSGI app that hands a request straight to a moto response class, as moto's Flask view does.

    moto_server routes each request through a Flask app per service (moto's `create_backend_app`):
    the service is found from the host and headers, the Flask request context built, the URL
    matched, and the view (`convert_to_flask_response`) calls the service's `dispatch` with the
    request, its URL and headers, turning a ClientError into a 400 and the result into a response.
    For the AWS JSON protocol (an X-Amz-Target header names the service and action; every path is
    `/`) the service is known from the header, so the same call is made here on a werkzeug request,
    without the routing: the same handler, arguments and answer, for about a tenth less of moto's
    CPU a request.
    """
    def serve(environ, start_response):
        request = WerkzeugRequest(environ)
        try:
            result = handler(request, request.url, dict(request.headers))
        except ClientError as exc:
            result = 400, {}, exc.response["Error"]["Message"]
        except HTTPException as exc:
            # What moto raises outside an action (its RESTError is one): Flask answers with the
            # exception's own response, as werkzeug's exceptions are.
            return exc(environ, start_response)
        status, headers, content = result if len(result) == 3 else (200, {}, result)
        return WerkzeugResponse(response=content, status=status, headers=headers)(environ, start_response)
    return serve


dynamodb_app = direct(DynamoHandler.dispatch)
sqs_app = direct(SQSResponse().dispatch)


def app(environ, start_response):
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target.startswith("DynamoDB_"):
        lock, handler = dynamodb, dynamodb_app
    elif target.startswith("AmazonSQS."):
        lock, handler = (None if long_poll(environ) else sqs), sqs_app
    else:
        lock, handler = None, moto_app
    if args.route == "flask":
        handler = moto_app
    if lock is None:
        return handler(environ, start_response)
    with lock:
        # The whole response is produced under the lock.
        return list(handler(environ, start_response))


# waitress sets TCP_NODELAY on its sockets (its default socket_options): a response's headers and body,
# written separately, go out without waiting for the client's delayed ACK. It keeps no access log. Its
# "task queue depth" warnings (every thread busy, a request waits) are not errors here: the locks
# above make requests wait on purpose.
logging.getLogger("waitress.queue").setLevel(logging.ERROR)
if args.server == "waitress":
    server = waitress.server.create_server(app, host=args.host, port=args.port, threads=16)
    print(f"listening on {server.effective_port}", flush=True)
    server.run()
else:
    # For bench/moto-calls.ts only: werkzeug's development server, a thread and a connection per request.
    from werkzeug.serving import WSGIRequestHandler, make_server

    class NoDelayHandler(WSGIRequestHandler):
        disable_nagle_algorithm = True

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server(args.host, args.port, app, threaded=True, request_handler=NoDelayHandler)
    print(f"listening on {server.port}", flush=True)
    server.serve_forever()
