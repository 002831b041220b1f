"""Logging: one access line per request, application and security events, request ids; text or JSON.

Everything goes through the standard `logging` module under the `portal` logger
(Flask's `app.logger`): `portal.access`, `portal.security`, `portal.health` and
`portal.events`. PORTAL_LOG_FORMAT=json writes one JSON object a line
(python-json-logger); the default is plain text.
"""
import logging
import re
import sys
import time
import uuid

from flask import g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

access_log = logging.getLogger("portal.access")
security_log = logging.getLogger("portal.security")
event_log = logging.getLogger("portal.events")

# An id from the proxy is kept only when short and plain: it is echoed in a
# header and written to logs, so nothing that could split a line or a header.
_SAFE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
# Addresses under /calendar/ carry a feed's secret: logged as /calendar/*** instead.
_SECRET_SEGMENT = re.compile(r"^/calendar/.+$", re.DOTALL)
# Outside a request (CLI, cron) one id per process ties its lines together.
_PROCESS_ID = uuid.uuid4().hex

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s%(fields)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"
# Events an operator may want to alert on are warnings; the rest are information.
WARN_EVENTS = {"login_failed", "login_throttled", "login_locked", "reset_throttled", "forbidden", "sso_error",
               "proxy_header_ignored"}
# Record attributes logging always sets; anything else passed in `extra` is an event field.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "request_id",
                                                                         "fields", "taskName"}


def current_request_id() -> str:
    """The id of the request being served, or this process's id outside a request."""
    if has_request_context():
        return g.get("request_id") or _PROCESS_ID
    return _PROCESS_ID


def mask_path(path: str) -> str:
    """`path` fit for a log line: a secret carried in the address is replaced by ***."""
    return "/calendar/***" if _SECRET_SEGMENT.match(path or "") else (path or "")


def accept_request_id(value: str | None) -> str:
    """The proxy's X-Request-ID when it is short and made of safe characters, else a new id."""
    if value and _SAFE_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


class _RequestIdFilter(logging.Filter):
    """Puts the request id (and, for text, the event fields) on every record."""

    def filter(self, record):
        record.request_id = current_request_id()
        extra = {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}
        record.fields = "".join(f" {k}={v}" for k, v in extra.items())
        return True


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (gunicorn, cron mail, a test's capture)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


def configure(log_format: str = "text", level: str = "INFO") -> None:
    """Install the portal's one handler on the `portal` logger (replacing an earlier one)."""
    logger = logging.getLogger("portal")
    for handler in [h for h in logger.handlers if getattr(h, "_portal", False)]:
        logger.removeHandler(handler)
    handler = _StderrHandler()
    handler._portal = True
    handler.addFilter(_RequestIdFilter())
    if log_format == "json":
        handler.setFormatter(JsonFormatter(JSON_FIELDS, rename_fields={"levelname": "level", "name": "logger",
                                                                       "asctime": "time"},
                                           reserved_attrs=list(_STANDARD - {"message"})))
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    logger.addHandler(handler)
    logger.setLevel(level)


def security_event(event: str, message: str, **fields) -> None:
    """Log a security event (sign-in, lockout, 403, role change) under `portal.security`.

    Callers pass who and what, never a password, token or secret.
    """
    level = logging.WARNING if event in WARN_EVENTS else logging.INFO
    security_log.log(level, message, extra={"event": event, **fields})


def _user_id():
    """The signed-in user's id if flask-login already loaded them; never a query of its own."""
    user = g.get("_login_user") or g.get("api_user")  # a page's session user, or an API token's owner
    return getattr(user, "id", None)


def init_app(app) -> None:
    """Configure logging and register the request id and access line hooks (register before the database)."""
    configure(app.config.get("LOG_FORMAT", "text"), app.config.get("LOG_LEVEL", "INFO"))

    @app.before_request
    def _start():
        g.request_started = time.perf_counter()
        g.request_id = accept_request_id(request.headers.get("X-Request-ID"))

    @app.after_request
    def _access_line(response):
        response.headers["X-Request-ID"] = current_request_id()
        started = g.get("request_started")
        duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
        route = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
        g.access_route = route
        path = mask_path(request.path)
        access_log.info("%s %s %s", request.method, path, response.status_code, extra={
            "event": "request", "method": request.method, "route": route, "path": path,
            "status": response.status_code, "duration_ms": duration_ms, "user_id": _user_id(),
            "bytes": response.calculate_content_length(), "remote_addr": request.remote_addr})
        return response
