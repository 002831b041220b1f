"""Every endpoint of the API, with its parameters and the fields of what it returns: one list that
routes the requests, writes the JSON and describes both in OpenAPI 3.1.

A field names its JSON key, its type and where its value comes from; the same field writes the
value and its schema, so the description cannot drift from the answers.
"""
import datetime
import decimal
from dataclasses import dataclass, field
from operator import attrgetter

# type -> JSON Schema (the date types are strings with a format)
SCHEMAS = {
    "string": {"type": "string"}, "integer": {"type": "integer"}, "number": {"type": "number"},
    "boolean": {"type": "boolean"}, "date": {"type": "string", "format": "date"},
    "date-time": {"type": "string", "format": "date-time"}, "strings": {"type": "array", "items": {"type": "string"}},
}


@dataclass(frozen=True)
class Field:
    """One key of a record: `type` from SCHEMAS; `source` an attribute path or a function of the row."""

    name: str
    type: str
    description: str = ""
    source: object = None
    nullable: bool = True

    def value(self, row):
        if callable(self.source):
            value = self.source(row)
        elif isinstance(row, dict):
            value = row.get(self.source or self.name)
        else:
            value = attrgetter(self.source or self.name)(row)
        return plain(value, self.type)

    def schema(self) -> dict:
        schema = dict(SCHEMAS[self.type])
        if self.nullable:
            schema["type"] = [schema["type"], "null"]
        if self.description:
            schema["description"] = self.description
        return schema


def plain(value, kind: str):
    """`value` as JSON: ISO dates, UTC times ending in Z, numbers for decimals."""
    if value is None:
        return None
    if kind == "date-time":
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC).replace(tzinfo=None)
        return value.replace(microsecond=0).isoformat() + "Z"
    if kind == "date":
        return value.isoformat()
    if kind == "number" and isinstance(value, decimal.Decimal):
        return float(value)
    if kind == "boolean":
        return bool(value)
    return value


def record(fields, row) -> dict:
    """One row as a JSON object with exactly `fields`, in their order."""
    return {f.name: f.value(row) for f in fields}


@dataclass(frozen=True)
class Param:
    """A query parameter: its name, JSON Schema type and what it does."""

    name: str
    description: str
    type: str = "string"
    enum: tuple = ()

    def schema(self) -> dict:
        schema = {"type": self.type}
        if self.enum:
            schema["enum"] = list(self.enum)
        return schema


@dataclass
class Endpoint:
    path: str              # as Flask writes it: /projects/<code>
    name: str              # the view's name (endpoint api.<name>)
    summary: str
    fields: list
    params: list = field(default_factory=list)
    kind: str = "list"     # list (paged), item (one record), series (a short unpaged list)
    nested: dict = field(default_factory=dict)  # key -> fields of a list inside the one record
    tag: str = ""


ENDPOINTS: list[Endpoint] = []

PAGING = [Param("limit", "Records per page, 1–200 (default 50).", "integer"),
          Param("cursor", "Where the next page starts: copy it from the `Link` header (rel=next) or `next_cursor`.")]
SINCE = Param("updated_since", "Only records changed at or after this UTC time (ISO 8601, e.g. 2026-03-01T00:00:00Z).")


def openapi_path(path: str) -> str:
    """/projects/<code> and /tickets/<int:number> as OpenAPI writes them: {code}, {number}."""
    out = []
    for part in path.split("/"):
        if part.startswith("<") and part.endswith(">"):
            part = "{" + part[1:-1].split(":")[-1] + "}"
        out.append(part)
    return "/".join(out)


ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["status", "message"],
    "properties": {"status": {"type": "integer"}, "code": {"type": "string"}, "message": {"type": "string"},
                   "fields": {"type": "object", "additionalProperties": {"type": "string"}}}}}}
ERRORS = {
    "401": "No token, or a token that is unknown, revoked or expired, or whose owner is deactivated.",
    "403": "The token's owner may not see this (e.g. PMO figures for a non-PMO owner).",
    "404": "No such record, or none the token's owner may see.",
    "422": "A parameter is not valid; `fields` says which.",
    "429": "Too many calls with this token this minute; wait `Retry-After` seconds.",
}


def _object(fields) -> dict:
    return {"type": "object", "required": [f.name for f in fields],
            "properties": {f.name: f.schema() for f in fields}, "additionalProperties": False}


def _operation(ep: Endpoint, prefix: str) -> dict:
    item = _object(ep.fields)
    for key, fields in ep.nested.items():
        item["required"].append(key)
        item["properties"][key] = {"type": "array", "items": _object(fields)}
    params = [{"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
              for p in (s[1:-1].split(":")[-1] for s in ep.path.split("/") if s.startswith("<"))]
    query = list(ep.params) + (PAGING if ep.kind == "list" else [])
    params += [{"name": p.name, "in": "query", "required": False, "description": p.description,
                "schema": p.schema()} for p in query]
    if ep.kind == "item":
        body = {"type": "object", "required": ["data"], "properties": {"data": item}}
    else:
        body = {"type": "object", "required": ["data"],
                "properties": {"data": {"type": "array", "items": item}}}
        if ep.kind == "list":
            body["required"].append("next_cursor")
            body["properties"]["next_cursor"] = {"type": ["string", "null"]}
    ok = {"description": "OK", "content": {"application/json": {"schema": body}},
          "headers": {"ETag": {"schema": {"type": "string"}, "description": "Send it back in If-None-Match."}}}
    if ep.kind == "list":
        ok["headers"]["Link"] = {"schema": {"type": "string"}, "description": "The next page, rel=\"next\"."}
    responses = {"200": ok, "304": {"description": "Not modified since the ETag you sent."}}
    responses.update({code: {"description": text, "content": {"application/json": {"schema": {
        "$ref": "#/components/schemas/Error"}}}} for code, text in ERRORS.items()})
    return {"operationId": ep.name, "summary": ep.summary, "tags": [ep.tag] if ep.tag else [],
            "parameters": params, "responses": responses}


def openapi(prefix: str, server_url: str, version: str = "1.0.0") -> dict:
    """The OpenAPI 3.1 description of every registered endpoint."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "PMO Portal read API", "version": version,
                 "description": "Read-only. Every answer shows exactly what the token's owner sees in the portal. "
                                "Dates are ISO 8601; times are UTC and end in Z."},
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                                      "description": "A personal access token from /account/tokens."}},
                       "schemas": {"Error": ERROR}},
        "paths": {prefix + openapi_path(ep.path): {"get": _operation(ep, prefix)} for ep in ENDPOINTS},
    }
