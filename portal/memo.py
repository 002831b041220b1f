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

Each worker keeps at most MAX_ENTRIES results (least recently used go first). Values are
shared between requests: callers must treat them as read-only (tuples, or lists and dicts
nobody mutates).
"""
import threading
from collections import OrderedDict

from flask import current_app

from portal.db import db

MAX_ENTRIES = 256


class Memo:
    """One worker's kept results: key → (tables read, their tokens then, value)."""

    def __init__(self, max_entries: int = MAX_ENTRIES):
        self.max_entries = max_entries
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def remember(self, key, compute):
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
            tables, tokens, value = entry
            if _tokens_of(database, tables) == tokens:
                self.hits += 1
                return value
        self.misses += 1
        # The tokens are read before the computation: a write committing meanwhile leaves
        # the result stored under the older tokens, to be recomputed on the next call.
        before = database.tokens()
        with database.reading() as read:
            value = compute()
        tables = tuple(sorted(read))
        tokens = tuple(before.get(t) for t in tables)
        with self._lock:
            self._entries[key] = (tables, tokens, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _tokens_of(database, tables) -> tuple:
    found = database.tokens(tables)
    return tuple(found.get(t) for t in tables)


def memo() -> Memo:
    """This app's kept results (one store per app, so each test's app starts empty)."""
    store = current_app.extensions.get("memo")
    if store is None:
        store = current_app.extensions.setdefault("memo", Memo())
    return store


def remember(key, compute):
    """`compute()`'s result for `key`, reused while no table it read has changed (see the module's text)."""
    return memo().remember(key, compute)
