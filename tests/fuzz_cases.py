"""Hostile requests for every rule of the URL map: path and query values, form bodies, non-form bodies, methods.

`all_cases(app, valid)` lists them in a fixed order, so a seeded sample is the same on every run.
`valid` maps a URL argument name to a value that reaches the view (the fuzzed project's code,
its risk's id...), so one argument at a time is hostile while the others lead somewhere real.
"""
import json
import re
from dataclasses import dataclass, field
from urllib.parse import quote

from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, FloatField, IntegerField

HUGE = str(10 ** 400)
ARGUMENT = re.compile(r"<(?:([a-z]+)(?:\([^)]*\))?:)?([a-z_]+)>")
HOSTILE = [
    HUGE, "-" + HUGE, "-1", "0", "9223372036854775808", "2147483648", "1e309", "NaN", "-inf", "1.5", "0x1f",
    "٣", "１２", "ü ñ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀 \u202eevil", "\u200b", "../../../../etc/passwd", "..%2f..%2fetc", "%", "%2e%2e",
    "x" * 6000, "{{7*7}}", "<script>alert(1)</script>", "' OR 1=1 --", "\\", "[]", "true", "null", " ",
    "", "2026-02-30", "99999-12-31", "\x01\x1f\r\n", "DRAFT-" + HUGE,
]
PATH_HOSTILE = [v for v in HOSTILE if v.strip() and "\r" not in v]  # an empty or bare-whitespace segment is another URL
# Query names every list or filter in the portal reads, plus a few it does not.
QUERY_NAMES = ["page", "q", "sort", "dir", "state", "department", "category", "manager", "owner", "status", "band",
               "months", "folder", "deleted", "person", "project", "week", "start", "weeks", "assignee", "priority",
               "queue", "mine", "overdue", "next", "kind", "target", "period", "version", "year", "unknown"]
QUERY_NUMBERS = ["page", "manager", "owner", "months", "person", "project", "week", "weeks", "assignee", "version",
                 "year", "start"]


@dataclass
class Case:
    """One request: method, path and what to send; `label` says what is hostile in it."""

    method: str
    path: str
    label: str
    kwargs: dict = field(default_factory=dict)
    home: str = ""  # the rule's URL with values that reach the view
    rule: str = ""

    def describe(self) -> str:
        text = f"{self.method} {self.path[:120]} [{self.label}]"
        return text if len(text) < 300 else text[:300] + "…"


def _form_fields():
    """Every field name of every form, and the names of the numeric and date ones."""
    names, numeric = set(), set()

    def walk(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)
    for form in walk(FlaskForm):
        for name in dir(form):
            unbound = getattr(form, name, None)
            field_class = getattr(unbound, "field_class", None)
            if field_class is None:
                continue
            names.add(name)
            if issubclass(field_class, (IntegerField, DecimalField, FloatField, DateField)):
                numeric.add(name)
    return sorted(names - {"csrf_token"}), sorted(numeric)


def _build(rule, values: dict) -> str:
    """The rule's URL with `values` quoted into its arguments (a path argument keeps its slashes)."""
    def fill(match):
        converter, name = match.group(1), match.group(2)
        return quote(str(values[name]), safe="/" if converter == "path" else "")
    return ARGUMENT.sub(fill, rule.rule)


def _valid_value(rule, name, valid):
    conv = rule._converters[name]
    choices = getattr(conv, "items", None)  # any(...) converter
    if choices:
        return sorted(choices)[0]
    return valid.get(name, 1 if "Integer" in type(conv).__name__ else "x")


def _methods(rule):
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def all_cases(app, valid: dict) -> list[Case]:
    """Every hostile request for every rule (static files and the sign-out excepted), in a fixed order."""
    names, numeric = _form_fields()
    cases = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in {"static", "auth.logout"}:
            continue
        arguments = sorted(rule._converters)  # not `rule.arguments`: that includes the defaults
        base = {n: _valid_value(rule, n, valid) for n in arguments}
        good_path = _build(rule, base)
        methods = _methods(rule)
        for method in methods:
            for name in arguments:
                for value in PATH_HOSTILE:
                    cases.append(Case(method, _build(rule, {**base, name: value}), f"path {name}={value[:40]!r}"))
        if "GET" in methods:
            cases += _query_cases(good_path, numeric)
        if "POST" in methods:
            cases += _body_cases(good_path, names, numeric)
        for method in ("GET", "POST", "PUT", "DELETE", "PATCH"):
            if method not in methods:
                cases.append(Case(method, good_path, "wrong method"))
        for case in cases:
            if not case.rule:
                case.home, case.rule = good_path, rule.rule
    return cases


def _query_cases(path, numeric):
    every = sorted(set(QUERY_NAMES) | set(numeric))
    cases = [Case("GET", path, f"every query name={v[:40]!r}", {"params": {n: v for n in every}})
             for v in HOSTILE]
    for name in QUERY_NUMBERS:  # alone too: one invalid filter may hide what another does
        cases.append(Case("GET", path, f"query {name}=10**400", {"params": {name: HUGE}}))
    cases.append(Case("GET", path, "query names repeated", {"params": [(n, v) for n in QUERY_NAMES
                                                                        for v in ("1", HUGE, "x")]}))
    return cases


def _body_cases(path, names, numeric):
    cases = [Case("POST", path, f"every field={v[:40]!r}", {"data": {n: v for n in names}})
             for v in HOSTILE]
    cases.append(Case("POST", path, "no fields", {"data": {}}))
    cases.append(Case("POST", path, "every field twice", {"data": [(n, v) for n in names for v in ("1", "x")]}))
    cases.append(Case("POST", path, "numeric fields 10**400, others valid-looking",
                      {"data": {n: (HUGE if n in numeric else "1") for n in names}}))
    for value in (10 ** 400, -1, 1.5, True, None, [1, 2], {"a": [True]}, "x" * 6000):
        body = json.dumps({n: value for n in names})
        cases.append(Case("POST", path, f"JSON every field={str(value)[:30]}",
                          {"data": body, "headers": {"Content-Type": "application/json"}}))
    cases.append(Case("POST", path, "JSON list", {"data": "[1, true, null]",
                                                  "headers": {"Content-Type": "application/json"}}))
    cases.append(Case("POST", path, "broken JSON", {"data": '{"a": ', "headers": {"Content-Type": "application/json"}}))
    cases.append(Case("POST", path, "text/plain body", {"data": "a=1&b=" + HUGE,
                                                        "headers": {"Content-Type": "text/plain"}}))
    cases.append(Case("POST", path, "multipart junk files",
                      {"data": {n: HUGE for n in names}, "files": {"file": ("../../x.exe", b"\x00\xff" * 100),
                                                                     "attachment": ("a" * 300, b"junk")}}))
    return cases
