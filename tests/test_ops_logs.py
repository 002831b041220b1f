"""Structured logs: one access line per request, security events, and the request id everywhere."""
import json

import pytest

from portal import config as portal_config
from portal import logs
from portal.audit.models import AuditEvent
from tests.factories import PASSWORD, make_user

ACCESS_KEYS = {"time", "level", "logger", "message", "request_id", "event", "method", "route", "path", "status",
               "duration_ms", "user_id", "bytes"}


@pytest.fixture
def json_lines(app, capsys):
    """Switch the portal to JSON logs; returns a function giving the lines written so far, parsed."""
    logs.configure("json")
    capsys.readouterr()

    def read():
        return [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    yield read
    logs.configure("text")


def test_log_format_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_LOG_FORMAT", "json")
    assert portal_config.load(str(tmp_path))["LOG_FORMAT"] == "json"
    monkeypatch.delenv("PORTAL_LOG_FORMAT")
    assert portal_config.load(str(tmp_path))["LOG_FORMAT"] == "text"


def test_one_json_access_line_per_request_with_route_user_and_id(client, login, json_lines):
    user = login("member")
    response = client.get("/kb/", headers={"X-Request-ID": "proxy-id-123"})
    assert response.headers["X-Request-ID"] == "proxy-id-123"
    access = [line for line in json_lines() if line["logger"] == "portal.access"]
    assert len(access) == 1
    line = access[0]
    assert ACCESS_KEYS <= set(line)
    assert (line["method"], line["route"], line["path"], line["status"]) == ("GET", "/kb/", "/kb/", 200)
    assert line["user_id"] == user.id and line["request_id"] == "proxy-id-123"
    assert isinstance(line["duration_ms"], float) and line["bytes"] == len(response.data)


def test_route_is_the_rule_not_the_raw_path(client, login, json_lines):
    manager = login("manager")
    from tests.factories import make_project
    project = make_project(manager=manager)
    client.get(f"/projects/{project.code}")
    line = next(x for x in json_lines() if x["logger"] == "portal.access")
    assert line["path"] == f"/projects/{project.code}" and "<" in line["route"]


@pytest.mark.parametrize("hostile", ["x" * 65, "<script>alert(1)</script>", "a b", "id;rm -rf"])
def test_hostile_request_id_is_replaced(client, hostile, json_lines):
    response = client.get("/healthz", headers={"X-Request-ID": hostile})
    echoed = response.headers["X-Request-ID"]
    assert echoed != hostile and len(echoed) == 32 and echoed.isalnum()
    assert hostile not in json.dumps(json_lines())


def test_request_id_is_generated_when_absent_and_differs_per_request(client):
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_request_id_reaches_the_audit_entry(client, login, json_lines):
    login("admin")
    target = make_user("member")
    response = client.post(f"/admin/users/{target.id}", data={
        "name": target.name, "role": "manager", "department": "", "version": "1"},
        headers={"X-Request-ID": "change-42"})
    assert response.status_code == 303
    event = AuditEvent.get(AuditEvent.action == "user.update")
    assert event.request_id == "change-42"
    lines = json_lines()
    role = next(x for x in lines if x.get("event") == "role_changed")
    assert role["request_id"] == "change-42" and role["new_role"] == "manager" and role["user_id"] == target.id


def test_sign_in_failure_and_success_are_security_events_without_the_password(client, json_lines):
    user = make_user("member")
    client.post("/login", data={"email": user.email, "password": "wrong password 123"})
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    lines = json_lines()
    events = [x["event"] for x in lines if x["logger"] == "portal.security"]
    assert events == ["login_failed", "login_succeeded"]
    failed = next(x for x in lines if x.get("event") == "login_failed")
    assert failed["email"] == user.email and failed["level"] == "WARNING" and failed["reason"] == "wrong password"
    text = json.dumps(lines)
    assert "wrong password 123" not in text and PASSWORD not in text


def test_lockout_and_forbidden_are_logged(app, client, login, json_lines):
    user = make_user("member")
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"] + 1):
        client.post("/login", data={"email": user.email, "password": "not it at all"})
    login("member")
    assert client.get("/admin/users").status_code == 403
    events = [x["event"] for x in json_lines() if x["logger"] == "portal.security"]
    assert "login_throttled" in events and events[-1] == "forbidden"


def test_text_format_is_the_default_and_carries_the_id(client, capsys):
    logs.configure("text")
    capsys.readouterr()
    client.get("/healthz", headers={"X-Request-ID": "plain-1"})
    err = capsys.readouterr().err
    assert "INFO portal.access [plain-1] GET /healthz 200" in err and "route=/healthz" in err


def test_queued_mail_carries_the_request_id_header(app, client, login):
    from portal.notify.models import MailDelivery
    from portal.notify.outbox import notify_and_mail
    app.config["SMTP_HOST"] = "127.0.0.1"  # queued only; not sent here
    with app.test_request_context("/", headers={"X-Request-ID": "mail-7"}):
        app.preprocess_request()
        notify_and_mail([make_user()], "Report due", "/")
    assert MailDelivery.get().request_id == "mail-7"
