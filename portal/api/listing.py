"""Pages of records by key (a cursor, never an offset), incremental loads, and JSON answers with ETags."""
import base64
import datetime
import hashlib
import json

from flask import request

from portal.errors import InvalidInput

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_KEY = 2**53


def limit_arg() -> int:
    text = request.args.get("limit", "").strip()
    if not text:
        return DEFAULT_LIMIT
    if not (text.isascii() and text.isdigit() and len(text) <= 4 and 1 <= int(text) <= MAX_LIMIT):
        raise InvalidInput({"limit": f"Use a whole number from 1 to {MAX_LIMIT}."})
    return int(text)


def encode_cursor(key: int) -> str:
    """The opaque cursor that starts the page after the record with `key`."""
    return base64.urlsafe_b64encode(f"k{key}".encode()).decode().rstrip("=")


def after_arg() -> int:
    """The key the requested page starts after (0 for the first page)."""
    text = request.args.get("cursor", "").strip()
    if not text:
        return 0
    try:
        raw = base64.urlsafe_b64decode(text[:40] + "=" * (-len(text[:40]) % 4)).decode("ascii")
    except (ValueError, UnicodeDecodeError):
        raw = ""
    digits = raw[1:]
    if not (raw.startswith("k") and digits.isascii() and digits.isdigit() and len(digits) <= 16
            and int(digits) < MAX_KEY):
        raise InvalidInput({"cursor": "This cursor is not one the API gave out: copy it from the Link header."})
    return int(digits)


def since_arg() -> datetime.datetime | None:
    """`updated_since` as a naive UTC time (how times are stored), or None."""
    text = request.args.get("updated_since", "").strip()
    if not text:
        return None
    try:
        value = datetime.datetime.fromisoformat(text[:40].replace("z", "Z"))
    except ValueError:
        raise InvalidInput({"updated_since": "Use an ISO 8601 time such as 2026-03-01T00:00:00Z."}) from None
    if value.tzinfo is not None:
        value = value.astimezone(datetime.UTC).replace(tzinfo=None)
    return value


def date_arg(name: str) -> datetime.date | None:
    text = request.args.get(name, "").strip()
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text[:10]) if len(text) == 10 else _bad_date(name)
    except ValueError:
        return _bad_date(name)


def _bad_date(name):
    raise InvalidInput({name: "Use a date such as 2026-03-31."})


def since(query, column):
    """`query` narrowed to rows whose `column` is at or after `updated_since`, when given."""
    value = since_arg()
    return query.where(column >= value) if value is not None else query


def keyset(query, key_column, limit: int | None = None):
    """One page of `query` ordered by `key_column`: (rows, cursor of the next page or None)."""
    limit = limit or limit_arg()
    rows = list(query.where(key_column > after_arg()).order_by(key_column).limit(limit + 1).objects())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode_cursor(getattr(rows[-1], key_column.name)) if more else None)


def keyset_list(rows: list, key, limit: int | None = None):
    """The same over a list built in Python (sorted here by `key`)."""
    limit, after = limit or limit_arg(), after_arg()
    rows = sorted((r for r in rows if key(r) > after), key=key)
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode_cursor(key(rows[-1])) if more else None)


def json_answer(payload: dict, next_cursor: str | None = None):
    """`payload` as JSON with a weak ETag (304 when the client has it) and a Link to the next page."""
    from flask import Response

    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf8")
    etag = hashlib.sha256(body).hexdigest()[:32]
    response = Response(body, mimetype="application/json")
    response.set_etag(etag, weak=True)
    if next_cursor:
        args = request.args.to_dict()
        args["cursor"] = next_cursor
        from urllib.parse import urlencode
        response.headers["Link"] = f'<{request.base_url}?{urlencode(args)}>; rel="next"'
    if etag in request.if_none_match or request.if_none_match.contains_weak(etag):
        response.status_code = 304
        response.set_data(b"")
    return response
