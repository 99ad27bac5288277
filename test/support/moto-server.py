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

    python moto-server.py -H 127.0.0.1 -p PORT
"""
import argparse
import io
import json
import threading

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple

parser = argparse.ArgumentParser()
parser.add_argument("-H", "--host", default="127.0.0.1")
parser.add_argument("-p", "--port", type=int, required=True)
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


def app(environ, start_response):
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    lock = dynamodb if target.startswith("DynamoDB_") else sqs if target.startswith("AmazonSQS.") and not long_poll(environ) else None
    if lock is None:
        return moto_app(environ, start_response)
    with lock:
        # The whole response is produced under the lock.
        return list(moto_app(environ, start_response))


run_simple(args.host, args.port, app, threaded=True)
