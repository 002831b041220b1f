"""Webhooks: configured by the PMO, queued with the change, signed, delivered to a real receiver, retried, replayed."""
import datetime as dt
import json
import socket
import time
from decimal import Decimal

import pytest

from portal.db import db, utcnow
from portal.errors import InvalidInput
from portal.webhooks.delivery import MAX_ATTEMPTS, deliver_pending
from portal.webhooks.events import emit
from portal.webhooks.models import Webhook, WebhookDelivery
from portal.webhooks.payloads import verify
from portal.webhooks.services import create_webhook
from tests.factories import make_project, make_ticket, make_user
from tests.webhook_receiver import Receiver

SECRET = "s3cret-for-the-receiver-only"


@pytest.fixture
def intranet(app):
    """Receivers on this machine's loopback over plain http, as an intranet gateway would be (the test receiver)."""
    app.config.update(WEBHOOK_ALLOW_PRIVATE=True, WEBHOOK_ALLOW_HTTP=True)
    return app


def _hook(app, url, events=("ticket.created",), fmt="json", secret=SECRET):
    with app.app_context():
        hook, _ = create_webhook({"name": "Receiver", "url": url, "format": fmt, "events": list(events),
                                  "secret": secret, "active": True}, make_user("pmo"))
    return hook


def _closed_port_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/hook"


def test_pmo_creates_a_webhook_and_sees_the_secret_once(app, client, login):
    login("pmo")
    r = client.post("/pmo/webhooks/new", data={"name": "Teams channel", "url": "https://example.test/hook",
                                                "format": "teams", "events": ["ticket.created", "status.red"],
                                                "secret": "", "active": "y"})
    assert r.status_code == 201
    hook = Webhook.get()
    with app.app_context():
        secret = hook.signing_secret()
    assert secret in r.get_data(as_text=True) and len(secret) >= 32
    assert secret not in hook.sealed_secret  # stored encrypted
    assert hook.event_list == ["ticket.created", "status.red"]
    for page in ("/pmo/webhooks/", f"/pmo/webhooks/{hook.id}"):
        shown = client.get(page)
        assert shown.status_code == 200 and secret not in shown.get_data(as_text=True)
    assert "A secret is set (••••••••" in shown.get_data(as_text=True)
    # Saving without a secret keeps it; the audit trail never holds it.
    r = client.post(f"/pmo/webhooks/{hook.id}", data={"name": "Teams", "url": "https://example.test/hook",
                                                       "format": "teams", "events": ["ticket.created"],
                                                       "secret": "", "active": "y", "version": "1"})
    assert r.status_code == 303
    with app.app_context():
        assert Webhook.get_by_id(hook.id).signing_secret() == secret
    from portal.audit.models import AuditEvent
    assert all(secret not in (e.after or "") + (e.before or "") for e in AuditEvent.select())


@pytest.mark.parametrize("url", ["ftp://example.test/x", "javascript:alert(1)", "example.test/hook", "https://",
                                 "https://user:pw@example.test/"])
def test_only_http_and_https_addresses_are_accepted(app, client, login, url):
    login("pmo")
    r = client.post("/pmo/webhooks/new", data={"name": "Bad", "url": url, "format": "json",
                                                "events": ["ticket.created"], "active": "y"})
    assert r.status_code == 422
    assert "http://" in r.get_data(as_text=True) or "passwords" in r.get_data(as_text=True)
    assert Webhook.select().count() == 0


@pytest.mark.parametrize("role", ["manager", "member", "executive"])
def test_only_pmo_and_admins_manage_webhooks(app, client, login, role):
    login(role)
    assert client.get("/pmo/webhooks/").status_code == 403
    assert client.post("/pmo/webhooks/new", data={}).status_code == 403


def test_ticket_created_is_delivered_signed_to_a_real_receiver(intranet, app):
    with Receiver() as receiver:
        _hook(app, receiver.url)
        with app.app_context():
            ticket = make_ticket(subject="Where is the RAG guide?", body="CANARY-BODY-TEXT")
            assert WebhookDelivery.select().count() == 1  # queued with the ticket, not sent yet
            assert receiver.received == []
            assert deliver_pending() == (1, 0)
        headers, body = receiver.received[0]
    assert verify(SECRET, headers["x-portal-signature"], body, int(time.time()))
    assert not verify("another secret", headers["x-portal-signature"], body, int(time.time()))
    assert not verify(SECRET, headers["x-portal-signature"], body + b" ", int(time.time()))
    assert not verify(SECRET, headers["x-portal-signature"], body, int(time.time()) + 3600)  # too old
    assert headers["x-portal-event"] == "ticket.created"
    message = json.loads(body)
    assert message["event"] == "ticket.created" and message["data"]["ticket"] == ticket.reference
    assert message["url"].endswith(f"/helpdesk/{ticket.number}")
    assert b"CANARY-BODY-TEXT" not in body and SECRET.encode() not in body
    delivery = WebhookDelivery.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 1, 200)


def test_a_rolled_back_change_announces_nothing(intranet, app):
    _hook(app, "http://127.0.0.1:9/hook")
    with app.app_context():
        with pytest.raises(RuntimeError), db.atomic():
            emit("ticket.created", "never", "/helpdesk/1", {})
            raise RuntimeError
    assert WebhookDelivery.select().count() == 0


def test_unfollowed_and_paused_webhooks_get_nothing(intranet, app):
    _hook(app, "http://127.0.0.1:9/a", events=("status.red",))
    paused = _hook(app, "http://127.0.0.1:9/b")
    Webhook.update(active=False).where(Webhook.id == paused.id).execute()
    with app.app_context():
        make_ticket()
    assert WebhookDelivery.select().count() == 0


def test_failures_are_retried_with_back_off_and_shown_in_the_log(intranet, app, client, login):
    with Receiver(answers=[500, 500, 200]) as receiver:
        hook = _hook(app, receiver.url)
        with app.app_context():
            make_ticket()
            start = utcnow()
            assert deliver_pending(start) == (0, 1)
            d = WebhookDelivery.get()
            assert (d.state, d.attempts, d.last_status) == ("pending", 1, 500)
            assert d.next_attempt_at == start + dt.timedelta(minutes=1)
            assert deliver_pending(start + dt.timedelta(seconds=30)) == (0, 0)  # not due yet
            assert deliver_pending(start + dt.timedelta(minutes=1)) == (0, 1)
            d = WebhookDelivery.get()
            assert d.attempts == 2 and d.next_attempt_at == start + dt.timedelta(minutes=1 + 2)
            login("pmo")
            log = client.get(f"/pmo/webhooks/{hook.id}/deliveries").get_data(as_text=True)
            assert "HTTP 500" in log and "2 of 8" in log
            assert deliver_pending(start + dt.timedelta(minutes=3)) == (1, 0)
        assert len(receiver.received) == 3
        # Each attempt is signed afresh over the same body.
        assert len({body for _, body in receiver.received}) == 1
    assert WebhookDelivery.get().state == "delivered"


def test_a_receiver_that_is_down_is_retried_then_given_up(intranet, app):
    hook = _hook(app, _closed_port_url())
    with app.app_context():
        make_ticket()
        now = utcnow()
        for _attempt in range(MAX_ATTEMPTS):
            assert deliver_pending(now) == (0, 1)
            now = WebhookDelivery.get().next_attempt_at
        assert deliver_pending(now + dt.timedelta(days=1)) == (0, 0)
    d = WebhookDelivery.get()
    assert (d.state, d.attempts, d.last_status) == ("failed", MAX_ATTEMPTS, None)
    assert "refused" in d.last_error.lower() or "error" in d.last_error.lower()
    assert d.webhook_id == hook.id


def test_replay_sends_the_same_body_again_as_a_new_log_entry(intranet, app, client, login):
    with Receiver() as receiver:
        hook = _hook(app, receiver.url)
        with app.app_context():
            make_ticket()
            deliver_pending()
            first = WebhookDelivery.get()
            login("pmo")
            r = client.post(f"/pmo/webhooks/{hook.id}/deliveries/{first.id}/replay")
            assert r.status_code == 303
            assert deliver_pending() == (1, 0)
        assert len(receiver.received) == 2 and receiver.received[0][1] == receiver.received[1][1]
    replayed = WebhookDelivery.select().order_by(WebhookDelivery.id.desc()).get()
    assert replayed.replay_of_id == first.id and replayed.state == "delivered"
    # Another webhook's delivery cannot be replayed through this one's URL.
    other = _hook(app, "http://127.0.0.1:9/other")
    assert client.post(f"/pmo/webhooks/{other.id}/deliveries/{first.id}/replay").status_code == 404


def test_send_test_queues_a_ping(intranet, app, client, login):
    with Receiver() as receiver:
        hook = _hook(app, receiver.url, fmt="slack")
        login("pmo")
        assert client.post(f"/pmo/webhooks/{hook.id}/test").status_code == 303
        with app.app_context():
            assert deliver_pending() == (1, 0)
        body = json.loads(receiver.received[0][1])
    assert body["text"].startswith("Test from PMO Portal")


def test_teams_payload_is_an_adaptive_card_message(intranet, app):
    with Receiver() as receiver:
        _hook(app, receiver.url, fmt="teams")
        with app.app_context():
            ticket = make_ticket(subject="Access <to> the & tool")
            deliver_pending()
        body = json.loads(receiver.received[0][1])
    assert body["type"] == "message"
    attachment = body["attachments"][0]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["body"][0]["type"] == "TextBlock" and card["body"][0]["text"] == "New help-desk ticket"
    facts = {f["title"]: f["value"] for f in card["body"][2]["facts"]}
    assert facts["Ticket"] == ticket.reference
    assert card["actions"][0]["type"] == "Action.OpenUrl" and card["actions"][0]["url"].startswith("http")


def test_slack_payload_has_fallback_text_and_escaped_blocks(intranet, app):
    with Receiver() as receiver:
        _hook(app, receiver.url, fmt="slack")
        with app.app_context():
            make_ticket(subject="Access <to> the & tool")
            deliver_pending()
        body = json.loads(receiver.received[0][1])
    assert body["text"].startswith("New help-desk ticket: ")
    section = body["blocks"][0]
    assert section["type"] == "section" and section["text"]["type"] == "mrkdwn"
    assert "&lt;to&gt; the &amp; tool" in section["text"]["text"]
    assert "<http" in section["text"]["text"]  # the link in Slack's <url|text> form
    assert all(f["type"] == "mrkdwn" for f in body["blocks"][1]["fields"]) and len(body["blocks"][1]["fields"]) <= 10


def test_features_emit_their_events(intranet, app):
    """Each event is queued where it happens: submitting, deciding, red report, escalation."""
    from portal.projects.review import decide
    from portal.projects.services import submit_request
    from portal.risks.services import escalate
    from portal.status.services import submit_report
    from tests.risk_helpers import make_risk
    from tests.status_helpers import due_now, form_data
    _hook(app, "http://127.0.0.1:9/all", events=("request.submitted", "request.decided", "status.filed",
                                            "status.red", "risk.escalated"))
    pmo = make_user("pmo")
    with app.app_context():
        request = make_project(state="draft", business_case="Because it pays.", benefits="Faster intake.",
                               sponsor=make_user("executive"))
        submit_request(request, request.manager)
        decide(request, pmo, "return", "Add the cost breakdown.")
        project = make_project()
        period = due_now(project)
        values = {k: v for k, v in form_data(period, rag_overall="red", reason_overall="Vendor failed.").items()
                  if k not in ("period_end", "version")}
        values.update(percent_complete=40, spent_to_date=Decimal("100"), forecast_finish=dt.date(2026, 12, 31))
        submit_report(project, project.manager, period, values, 0)
        escalate(make_risk(project), project.manager, "Please decide on the vendor.")
    events = [d.event for d in WebhookDelivery.select().order_by(WebhookDelivery.id)]
    assert events == ["request.submitted", "request.decided", "status.filed", "status.red", "risk.escalated"]
    decided = json.loads(WebhookDelivery.get(WebhookDelivery.event == "request.decided").body)
    assert decided["data"]["decision"] == "returned"


def test_sla_breach_is_emitted_once(intranet, app):
    from portal.helpdesk.reminders import sla_reminders
    _hook(app, "http://127.0.0.1:9/sla", events=("ticket.breaching",))
    monday_9 = dt.datetime(2026, 11, 30, 9, 0)
    with app.app_context():
        make_ticket(requester=make_user("admin"), priority="urgent", now=monday_9, status="open")
        sla_reminders(monday_9 + dt.timedelta(hours=5))
        sla_reminders(monday_9 + dt.timedelta(hours=6))
    assert [d.event for d in WebhookDelivery.select()] == ["ticket.breaching"]


def test_service_refuses_unknown_events():
    with pytest.raises(KeyError):
        emit("no.such.event", "x")


def test_create_webhook_validates_events_and_format(app):
    with pytest.raises(InvalidInput) as exc, app.app_context():
        create_webhook({"name": "x", "url": "https://example.test", "format": "xml", "events": ["nope"],
                        "secret": "short"}, make_user("pmo"))
    assert set(exc.value.errors) == {"format", "events", "secret"}


def test_deleting_a_webhook_asks_first_then_removes_its_log(intranet, app, client, login):
    login("pmo")
    assert "No webhooks yet." in client.get("/pmo/webhooks/").get_data(as_text=True)
    hook = _hook(app, "http://127.0.0.1:9/x")
    with app.app_context():
        make_ticket()
    confirm = client.get(f"/pmo/webhooks/{hook.id}/delete")
    assert confirm.status_code == 200 and "cannot be undone" in confirm.get_data(as_text=True)
    assert Webhook.select().count() == 1
    assert client.post(f"/pmo/webhooks/{hook.id}/delete").status_code == 303
    assert Webhook.select().count() == 0 and WebhookDelivery.select().count() == 0


def test_a_stale_edit_is_refused(intranet, app, client, login):
    login("pmo")
    hook = _hook(app, "http://127.0.0.1:9/x")
    data = {"name": "Renamed", "url": "https://example.test/hook", "format": "json", "events": ["ticket.created"],
            "secret": "", "active": "y", "version": "1"}
    assert client.post(f"/pmo/webhooks/{hook.id}", data=data).status_code == 303
    assert client.post(f"/pmo/webhooks/{hook.id}", data={**data, "name": "Again"}).status_code == 409
    assert Webhook.get_by_id(hook.id).name == "Renamed"


def test_the_reminder_run_delivers_what_was_queued(intranet, app):
    from portal.remind import run_reminders
    with Receiver() as receiver:
        _hook(app, receiver.url)
        with app.app_context():
            make_ticket()
            lines = run_reminders()
        assert len(receiver.received) == 1
    assert "webhooks: 1 delivered, 0 failed (retried with back-off; see the log)" in lines


def test_webhooks_deliver_command_exits_1_on_a_failure(intranet, app, database_url, monkeypatch, tmp_path):
    from click.testing import CliRunner

    from portal.cli import main
    _hook(app, _closed_port_url())
    with app.app_context():
        make_ticket()
    monkeypatch.setenv("PORTAL_DATABASE_URL", database_url)
    monkeypatch.setenv("PORTAL_SECRET_KEY", "test-secret")  # the app fixture's: the webhook's secret stays readable
    monkeypatch.setenv("PORTAL_WEBHOOK_ALLOW_PRIVATE", "1")
    monkeypatch.setenv("PORTAL_WEBHOOK_ALLOW_HTTP", "1")
    monkeypatch.setenv("PORTAL_UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.setenv("PORTAL_KNOWLEDGE_DIR", str(tmp_path / "knowledge"))
    result = CliRunner().invoke(main, ["webhooks", "deliver"], catch_exceptions=False)
    assert result.exit_code == 1 and "webhooks: 0 delivered, 1 failed" in result.output
    assert "ConnectionRefusedError" in WebhookDelivery.get().last_error  # tried, not refused by the checks


def test_a_milestone_put_at_risk_is_emitted_once_naming_both_projects(intranet, app):
    from portal.milestones.models import Milestone
    from portal.milestones.services import alert_at_risk
    from tests.status_helpers import make_report
    _hook(app, "http://127.0.0.1:9/ms", events=("milestone.at_risk",))
    platform, mobile = make_project(name="Platform"), make_project(name="Mobile")
    api = Milestone.create(project=platform, name="API ready", due_date=dt.date(2026, 4, 1))
    Milestone.create(project=mobile, name="App beta", due_date=dt.date(2026, 4, 15), depends_on=api)
    make_report(platform, dt.date(2026, 2, 27), rag="red")
    with app.app_context():
        alert_at_risk(dt.datetime(2026, 3, 1, 9))
        alert_at_risk(dt.datetime(2026, 3, 1, 10))
    (delivery,) = WebhookDelivery.select()
    data = json.loads(delivery.body)["data"]
    assert (data["project"], data["milestone"], data["waits_on_project"]) == (mobile.code, "App beta", platform.code)
    assert data["reason"] == "predecessor's project is red"


def test_the_address_token_stays_out_of_the_list_and_the_audit_trail(app, client, login):
    from portal.audit.models import AuditEvent
    login("pmo")
    url = "https://hooks.slack.com/services/T000/B000/TOKEN-IN-THE-PATH"
    client.post("/pmo/webhooks/new", data={"name": "Slack", "url": url, "format": "slack",
                                            "events": ["ticket.created"], "active": "y"})
    assert "TOKEN-IN-THE-PATH" not in client.get("/pmo/webhooks/").get_data(as_text=True)
    event = AuditEvent.get(AuditEvent.action == "webhook.create")
    assert "TOKEN-IN-THE-PATH" not in event.after and "hooks.slack.com" in event.after
