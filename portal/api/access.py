"""Who is calling: a Bearer token on every request (never the session cookie), the per-token
rate limit, and errors as JSON.

Under /api/v1 the session interface opens Flask's null session instead of reading the cookie, so
a signed-in browser's cookie is neither accepted nor refreshed: an API answer never sets a cookie.
"""
from flask import current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

from portal.api import bp
from portal.tokens import services as tokens

PREFIX = "/api/v1"
# The description is readable without a token: it holds no data.
PUBLIC_ENDPOINTS = {"api.openapi_document"}
CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "invalid_parameter",
         429: "rate_limited", 500: "server_error", 503: "unavailable"}


def is_api_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def is_api_request() -> bool:
    """True for every address under /api/v1, routed or not: those answer in JSON, never HTML."""
    return is_api_path(request.path)


class _NoSessionUnderApi:
    """Wraps the app's session interface: API addresses get the null session (nothing read, nothing saved)."""

    def __init__(self, inner):
        self.inner = inner

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def open_session(self, app, request):
        if is_api_path(request.path):
            return self.inner.make_null_session(app)
        return self.inner.open_session(app, request)


def keep_sessions_off_the_api(app) -> None:
    """Install the wrapper (call after anything else has chosen the session interface)."""
    app.session_interface = _NoSessionUnderApi(app.session_interface)


def error_response(status: int, message: str, fields: dict | None = None, headers: dict | None = None):
    """The one shape of an API error: {"error": {"status", "code", "message", "fields"?}}."""
    body = {"status": status, "code": CODES.get(status, "error"), "message": message}
    if fields:
        body["fields"] = dict(fields)
    response = jsonify(error=body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def error_for(exc) -> object:
    """A JSON answer for an exception the app's handlers caught on an API address."""
    if isinstance(exc, HTTPException):
        headers = {}
        if exc.code == 405 and exc.valid_methods:
            headers["Allow"] = ", ".join(sorted(exc.valid_methods))
        messages = {404: "There is no such resource, or none this token's owner may see.",
                    405: "The API is read-only: use GET."}
        return error_response(exc.code, messages.get(exc.code) or exc.description or exc.name, headers=headers)
    status = getattr(exc, "status", None)
    if status:  # a PortalError
        return error_response(status, str(exc), getattr(exc, "errors", None))
    return error_response(500, "The portal hit an unexpected error. Try again; tell the PMO if it keeps happening.")


def _unauthorized(message: str, reason: str):
    tokens.refused(reason, request.remote_addr or "")
    return error_response(401, message, headers={
        "WWW-Authenticate": f'Bearer realm="PMO Portal", error="invalid_token", error_description="{reason}"'
        if reason != "missing" else 'Bearer realm="PMO Portal"'})


@bp.before_request
def authenticate():
    """Refuse anything without a live token; count the call against the token's minute."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return _unauthorized("Send a personal access token: `Authorization: Bearer <token>`. "
                             "Make one at /account/tokens.", "missing")
    found = tokens.token_user(secret.strip())
    if found is None:
        return _unauthorized("This token is not valid: unknown, revoked or expired, or its owner is deactivated.",
                             "invalid")
    token, user = found
    wait = tokens.count_call(token, current_app.config["API_CALLS_PER_MINUTE"])
    if wait is not None:
        return error_response(429, f"Too many calls with this token: at most "
                                   f"{current_app.config['API_CALLS_PER_MINUTE']} a minute. "
                                   f"Try again in {wait} seconds.", headers={"Retry-After": str(wait)})
    tokens.touch(token, request.remote_addr or "")
    g.api_user, g.api_token = user, token
    return None


@bp.after_request
def api_headers(response):
    """Answers depend on the token; clients may keep them but must ask again (ETag makes that cheap)."""
    response.headers.setdefault("Cache-Control", "private, no-cache")
    response.vary.add("Authorization")
    return response
