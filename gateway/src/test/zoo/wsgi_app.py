"""Zoo backend: Python's WSGI reference server (wsgiref, PEP 3333).

Answers with each name in ZOO_NAMES as a WSGI application reads it, environ['HTTP_X_USER_ID'],
and every HTTP_* variable it was given. Usage: python3 wsgi_app.py PORT
"""
import json
import os
import sys
from wsgiref.simple_server import WSGIRequestHandler, make_server

NAMES = os.environ["ZOO_NAMES"].split(",")


def app(environ, start_response):
    read = {n: environ.get("HTTP_" + n.upper().replace("-", "_")) for n in NAMES}
    seen = {k: v for k, v in environ.items() if k.startswith("HTTP_")}
    body = json.dumps({"read": read, "seen": seen}).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


make_server("127.0.0.1", int(sys.argv[1]), app, handler_class=QuietHandler).serve_forever()
