"""Results computed from the database, kept by each worker while the tables they read are unchanged.

`remember(key, compute)` returns what `compute()` returned the last time it ran for `key`,
provided no committed write has touched any table that computation read since; otherwise
it computes again. The tables are the ones its SQL named (collected by the database,
portal/db.py ChangeTracking), so nothing has to be declared and nothing can be forgotten;
the check is one query for their change tokens. A write commits its tables' new tokens
in the same transaction as its data, and a result is stored under the tokens read *before*
it was computed, so a result is never trusted past a write it did not see — in this worker,
another worker or another host. What is not in the database must be in the key: the user's
visibility scope, the filters, the day (or the minute, for figures that move with the
clock).

Each worker keeps at most MAX_ENTRIES results and MAX_BYTES of kept pages (least recently used go first). Values are
shared between requests: callers must treat them as read-only (tuples, or lists and dicts
nobody mutates).
"""
import functools
import secrets
import threading
from collections import OrderedDict

from flask import Response, current_app, g, make_response, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from portal.db import db, utcnow
from portal.web import is_fragment_request

MAX_ENTRIES = 512
MAX_BYTES = 8 * 1024 * 1024  # of kept pages' HTML per worker (other results count as 1 KB each)


class Memo:
    """One worker's kept results: key → (tables read, their tokens then, value, weight)."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES):
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = self.weight = 0

    def remember(self, key, compute, weigh=None):
        database = db.obj
        if not database.tracks_changes() or database.writing():
            # Without tokens nothing can be checked; and a transaction's own writes are not
            # committed (their tokens not replaced yet): what it reads must neither come from
            # nor go into the store.
            return compute()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
        if entry is not None:
            tables, tokens, value, _ = entry
            if _tokens_of(database, tables) == tokens:
                self.hits += 1
                outer = getattr(database._state, "reads", None)
                if outer is not None:  # kept inside a result being computed: that one read these tables too
                    outer.update(tables)
                return value
        self.misses += 1
        # The tokens are read before the computation: a write committing meanwhile leaves
        # the result stored under the older tokens, to be recomputed on the next call.
        before = database.tokens()
        with database.reading() as read:
            value = compute()
        tables = tuple(sorted(read))
        tokens = tuple(before.get(t) for t in tables)
        weight = weigh(value) if weigh else 1024
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.weight -= old[3]
            self._entries[key] = (tables, tokens, value, weight)
            self.weight += weight
            while len(self._entries) > self.max_entries or (self.weight > self.max_bytes and len(self._entries) > 1):
                self.weight -= self._entries.popitem(last=False)[1][3]
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.weight = 0


def _tokens_of(database, tables) -> tuple:
    found = database.tokens(tables)
    return tuple(found.get(t) for t in tables)


def memo() -> Memo:
    """This app's kept results (one store per app, so each test's app starts empty)."""
    store = current_app.extensions.get("memo")
    if store is None:
        store = current_app.extensions.setdefault("memo", Memo())
    return store


def remember(key, compute, weigh=None):
    """`compute()`'s result for `key`, reused while no table it read has changed (see the module's text).

    `weigh(value)` gives its size in bytes for the store's budget (1 KB when not given). With
    KEEP_RESULTS off (PORTAL_KEEP_RESULTS=0) every call computes.
    """
    if not current_app.config.get("KEEP_RESULTS", True):
        return compute()
    return memo().remember(key, compute, weigh)


# Stands in for the CSRF token while a kept page is rendered; each answer gets its reader's own.
_TOKEN_MARK = "csrf-" + secrets.token_hex(12)
_CLOCKS = {"day": lambda now: now.date(), "minute": lambda now: now.replace(second=0, microsecond=0)}
# What a kept answer may carry besides its body; an answer setting anything else is not kept.
_PLAIN_HEADERS = {"content-type", "content-length", "vary"}


class _NotKept(Exception):
    """The view's answer cannot be kept (it wrote, touched the session, or is not a plain page)."""

    def __init__(self, response):
        self.response = response


def kept_page(clock: str = "day"):
    """Keep a GET view's HTML per person, URL and htmx variant until a table it read changes.

    For read-only pages whose content depends only on the database, the signed-in person, the URL
    (host included: absolute links differ by the name it was reached by), the htmx headers and the
    clock (`clock`: "day" for dates, "minute" for SLA timers and "due in" texts). The page is
    rendered with a stand-in for the CSRF token, replaced by the reader's own token on every
    answer. Not kept, and simply answered as usual: an answer other than a 200 HTML page, one that
    sets a header of its own, a view that wrote to the database or changed the session (a view
    counter, a flash message), and any request while the session holds flash messages to show.
    """
    bucket = _CLOCKS[clock]

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if request.method != "GET" or "_flashes" in session or not current_user.is_authenticated:
                return view(*args, **kwargs)
            user = current_user._get_current_object()
            headers = request.headers
            key = ("page", request.endpoint, request.host_url, request.full_path, is_fragment_request(),
                   headers.get("HX-Request"), headers.get("HX-Target"), headers.get("HX-Trigger"), user.id, user.role,
                   bucket(utcnow()))
            try:
                body, mimetype = remember(key, lambda: _render_for_keeping(view, args, kwargs), _weigh_page)
            except _NotKept as not_kept:
                return not_kept.response
            if _TOKEN_MARK in body:
                body = body.replace(_TOKEN_MARK, generate_csrf())
            response = Response(body, mimetype=mimetype)
            response.vary.add("HX-Request")
            return response
        return wrapper
    return decorate


def _weigh_page(value) -> int:
    return len(value[0]) + 512


def _render_for_keeping(view, args, kwargs):
    """(body, mimetype) of the view's answer rendered with the token's stand-in, or _NotKept."""
    state = db.obj._state
    state.wrote = False
    session_was_modified = session.modified
    session.modified = False
    token_before = g.pop("csrf_token", None)
    g.csrf_token = _TOKEN_MARK
    try:
        reads = getattr(state, "reads", None)
        if reads is not None:  # read by the sign-in before the view; the layout shows the name and role
            reads.add("user")
        response = make_response(view(*args, **kwargs))
    finally:
        g.pop("csrf_token", None)
        if token_before is not None:
            g.csrf_token = token_before
        wrote, state.wrote = getattr(state, "wrote", False), False
        modified = session.modified
        session.modified = session.modified or session_was_modified
    if (wrote or modified or response.status_code != 200 or response.mimetype != "text/html"
            or response.direct_passthrough or response.is_streamed or not set(k.lower() for k in response.headers.keys()) <= _PLAIN_HEADERS):
        raise _NotKept(_with_real_token(response))
    return response.get_data(as_text=True), response.mimetype


def _with_real_token(response):
    """An answer rendered with the stand-in, as it must be sent: with the reader's own token.

    A file or a streamed body is sent as it is (no kept view streams a page with a form).
    """
    if response.direct_passthrough or response.is_streamed:
        return response
    body = response.get_data(as_text=True)
    if _TOKEN_MARK in body:
        response.set_data(body.replace(_TOKEN_MARK, generate_csrf()))
    return response
