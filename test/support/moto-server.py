"""moto_server whose DynamoDB requests take effect one at a time.

DynamoDB applies each write to an item atomically: a conditional UpdateItem checks its condition
and writes in one step, so two concurrent `ADD admitted :one` with `admitted < :cap` can never both
pass on the same value. moto's server is threaded and its DynamoDB backend takes no lock, so on a
busy machine two such requests interleave and both succeed, which no DynamoDB table allows. This
wrapper serializes DynamoDB requests (a stricter order than DynamoDB's per-item one, with the same
outcomes for the tests) and leaves every other service as moto_server runs it.

    python moto-server.py -H 127.0.0.1 -p PORT
"""
import argparse
import threading

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple

parser = argparse.ArgumentParser()
parser.add_argument("-H", "--host", default="127.0.0.1")
parser.add_argument("-p", "--port", type=int, required=True)
args = parser.parse_args()

moto_app = DomainDispatcherApplication(create_backend_app)
dynamodb = threading.Lock()


def app(environ, start_response):
    if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
        with dynamodb:
            # The whole response is produced under the lock.
            return list(moto_app(environ, start_response))
    return moto_app(environ, start_response)


run_simple(args.host, args.port, app, threaded=True)
