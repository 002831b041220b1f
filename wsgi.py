"""The WSGI entry point: `gunicorn wsgi:app`."""
import gc

from portal import create_app

app = create_app()
# Everything loaded so far (modules, templates, the app) lives as long as the worker: keep it out of
# the collector's full passes, which otherwise paused a request for ~100 ms every hundred or so.
gc.freeze()
