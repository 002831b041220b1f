"""The floor for `scripts/bench_server.py`: a hello-world Flask app under the same gunicorn.

Whatever the portal's pages cost is measured against this: the same server,
workers, load generator and machine, doing no work.
"""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    """A few bytes of HTML, nothing else."""
    return "<!doctype html><title>floor</title><p>Hello, world.</p>"
