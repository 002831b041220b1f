"""Webhooks cannot be aimed into the portal's own network (refused on save and again at delivery, after the
name is resolved), never follow a redirect, give up on a receiver that trickles, and keep their secrets encrypted."""
import ipaddress
import socket
import time

import pytest

from portal.db import db
from portal.webhooks import delivery as delivery_module
from portal.webhooks.addresses import is_internal
from portal.webhooks.delivery import deliver_pending
from portal.webhooks.models import Webhook, WebhookDelivery
from portal.webhooks.payloads import verify
from portal.webhooks.services import create_webhook
from tests.factories import make_ticket, make_user
from tests.webhook_receiver import Receiver

SECRET = "s3cret-for-the-receiver-only"
INTERNAL = ["https://127.0.0.1/hook", "https://169.254.169.254/latest/meta-data/", "https://[::1]/hook",
            "https://10.1.2.3/hook", "https://192.168.0.10/hook", "https://172.16.5.4/hook", "https://0.0.0.0/hook",
            "https://[fc00::1]/hook", "https://[fe80::1]/hook", "https://[::ffff:127.0.0.1]/hook",
            "https://100.64.0.1/hook", "https://localhost/hook", "https://2130706433/hook", "https://0x7f.1/hook"]


def _form(url):
    return {"name": "Hook", "url": url, "format": "json", "events": ["ticket.created"], "active": "y"}


def _hook(app, url, secret=SECRET):
    with app.app_context():
        hook, _ = create_webhook({"name": "Receiver", "url": url, "format": "json", "events": ["ticket.created"],
                                  "secret": secret, "active": True}, make_user("pmo"))
    return hook


@pytest.mark.parametrize("url", INTERNAL)
def test_an_internal_address_is_refused_on_save(app, client, login, url):
    login("pmo")
    r = client.post("/pmo/webhooks/new", data=_form(url))
    assert r.status_code == 422
    assert "private, loopback or link-local" in r.get_data(as_text=True)
    assert Webhook.select().count() == 0


def test_a_host_name_resolving_inside_is_refused_on_save_and_on_edit(app, client, login, monkeypatch):
    real = socket.getaddrinfo

    def fake(host, *args, **kwargs):
        if host == "gateway.corp.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 443)),
                    (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", 443))]
        return real(host, *args, **kwargs)
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    login("pmo")
    r = client.post("/pmo/webhooks/new", data=_form("https://gateway.corp.example/hook"))
    assert r.status_code == 422 and "gateway.corp.example leads to 10.0.0.7" in r.get_data(as_text=True)
    hook = _hook(app, "https://example.test/hook")
    r = client.post(f"/pmo/webhooks/{hook.id}", data={**_form("https://gateway.corp.example/x"), "version": "1"})
    assert r.status_code == 422 and Webhook.get_by_id(hook.id).url == "https://example.test/hook"


def test_plain_http_needs_its_setting_and_intranet_addresses_theirs(app, client, login):
    login("pmo")
    r = client.post("/pmo/webhooks/new", data=_form("http://example.test/hook"))
    assert r.status_code == 422 and "PORTAL_WEBHOOK_ALLOW_HTTP" in r.get_data(as_text=True)
    app.config["WEBHOOK_ALLOW_HTTP"] = True
    assert client.post("/pmo/webhooks/new", data=_form("http://example.test/hook")).status_code == 201
    assert client.post("/pmo/webhooks/new", data=_form("https://10.1.2.3/hook")).status_code == 422
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    assert client.post("/pmo/webhooks/new", data=_form("https://10.1.2.3/hook")).status_code == 201


@pytest.mark.parametrize("url", ["https://example.test:99999/hook", "https://example.test:x/hook",
                                 "https://example.test:0/hook"])
def test_a_bad_port_is_a_form_error(app, client, login, url):
    login("pmo")
    r = client.post("/pmo/webhooks/new", data=_form(url))
    assert r.status_code == 422 and "port" in r.get_data(as_text=True)


def test_a_loopback_receiver_is_refused_at_delivery_without_the_setting(app, client, login, caplog):
    app.config.update(WEBHOOK_ALLOW_PRIVATE=True, WEBHOOK_ALLOW_HTTP=True)
    with Receiver() as receiver:
        hook = _hook(app, receiver.url)  # saved while intranet receivers were allowed
        app.config["WEBHOOK_ALLOW_PRIVATE"] = False
        with app.app_context():
            make_ticket()
            assert deliver_pending() == (0, 1)
        assert receiver.received == []
    d = WebhookDelivery.get()
    # Not retried: only a change of settings helps (then Replay).
    assert (d.state, d.attempts, d.last_status) == ("failed", 1, None)
    assert d.last_error.startswith("Refused: 127.0.0.1 is a private, loopback or link-local address")
    assert "PORTAL_WEBHOOK_ALLOW_PRIVATE" in caplog.text
    login("pmo")
    log = client.get(f"/pmo/webhooks/{hook.id}/deliveries").get_data(as_text=True)
    assert "Refused: 127.0.0.1 is a private, loopback or link-local address" in log


def test_a_name_that_resolves_inside_only_at_delivery_is_refused(app, monkeypatch):
    """DNS rebinding: public when saved, the metadata service when sent."""
    app.config["WEBHOOK_ALLOW_HTTP"] = True
    answers = iter(["93.184.216.34", "169.254.169.254"])
    real = socket.getaddrinfo

    def fake(host, port, *args, **kwargs):
        if host == "rebind.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]
        return real(host, port, *args, **kwargs)
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    _hook(app, "http://rebind.example/latest/meta-data/")
    with app.app_context():
        make_ticket()
        assert deliver_pending() == (0, 1)
    assert WebhookDelivery.get().last_error.startswith("Refused: rebind.example leads to 169.254.169.254")


def test_the_delivery_connects_to_the_address_it_checked_under_the_name_it_was_given(app, monkeypatch):
    """One lookup per delivery: the connection goes to the checked address, the Host header names the host."""
    app.config.update(WEBHOOK_ALLOW_PRIVATE=True, WEBHOOK_ALLOW_HTTP=True)
    lookups = []
    real = socket.getaddrinfo

    def fake(host, port, *args, **kwargs):
        if host == "teams-gateway.intranet":
            lookups.append(host)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real(host, port, *args, **kwargs)
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    with Receiver() as receiver:
        port = receiver.url.split(":")[2].split("/")[0]
        _hook(app, f"http://teams-gateway.intranet:{port}/hook?channel=pmo")
        lookups.clear()
        with app.app_context():
            make_ticket()
            assert deliver_pending() == (1, 0)
        headers, body = receiver.received[0]
    assert lookups == ["teams-gateway.intranet"]
    assert headers["host"] == f"teams-gateway.intranet:{port}"
    assert verify(SECRET, headers["x-portal-signature"], body, int(time.time()))


def test_a_redirect_is_not_followed(app):
    app.config.update(WEBHOOK_ALLOW_PRIVATE=True, WEBHOOK_ALLOW_HTTP=True)
    with Receiver(answers=[302]) as receiver:
        _hook(app, receiver.url)
        with app.app_context():
            make_ticket()
            assert deliver_pending() == (0, 1)
        assert len(receiver.received) == 1  # nothing sent to /hook/elsewhere
    d = WebhookDelivery.get()
    assert (d.state, d.last_status, d.last_error) == ("pending", 302, "The receiver answered HTTP 302.")


def test_a_receiver_that_trickles_its_answer_is_cut_off(app, monkeypatch):
    app.config.update(WEBHOOK_ALLOW_PRIVATE=True, WEBHOOK_ALLOW_HTTP=True)
    monkeypatch.setattr(delivery_module, "TIMEOUT", 1)
    with Receiver(trickle=0.05) as receiver:  # each byte well within the socket timeout; the whole far beyond
        _hook(app, receiver.url)
        with app.app_context():
            make_ticket()
            started = time.monotonic()
            assert deliver_pending() == (0, 1)
            took = time.monotonic() - started
    assert took < 5
    d = WebhookDelivery.get()
    assert d.state == "pending" and d.last_error == "TimeoutError: no answer within 1 seconds"


@pytest.mark.parametrize("address,internal", [
    ("127.0.0.1", True), ("10.0.0.1", True), ("169.254.169.254", True), ("::1", True), ("fd12::1", True),
    ("fe80::1", True), ("0.0.0.0", True), ("224.0.0.1", True), ("::ffff:10.0.0.1", True), ("2002:a00:1::", True),
    ("64:ff9b::7f00:1", True), ("93.184.216.34", False), ("2606:2800:220:1::", False), ("::ffff:93.184.216.34", False)])
def test_which_addresses_count_as_internal(address, internal):
    assert is_internal(ipaddress.ip_address(address)) is internal


def test_the_secret_is_stored_encrypted_and_a_changed_key_fails_the_delivery_clearly(app, client, login):
    app.config.update(WEBHOOK_ALLOW_PRIVATE=True, WEBHOOK_ALLOW_HTTP=True)
    with Receiver() as receiver:
        hook = _hook(app, receiver.url)
        stored = db.execute_sql('SELECT secret FROM "webhook" WHERE id = ' + str(hook.id)).fetchone()[0]
        assert SECRET not in stored and stored.startswith("gAAAAA")  # a Fernet token
        app.config["WEBHOOK_KEY"] = "a new key, set after the secret was saved"
        with app.app_context():
            make_ticket()
            assert deliver_pending() == (0, 1)
        assert receiver.received == []
    d = WebhookDelivery.get()
    assert d.state == "failed" and "cannot be decrypted" in d.last_error and "new secret" in d.last_error
    # A new secret, entered on the form, is sealed with the key in force and signs again.
    login("pmo")
    data = {**_form(hook.url), "secret": "another-secret-of-sixteen", "version": "1"}
    assert client.post(f"/pmo/webhooks/{hook.id}", data=data).status_code == 303
    with app.app_context():
        assert Webhook.get_by_id(hook.id).signing_secret() == "another-secret-of-sixteen"


def test_migration_0025_encrypts_existing_secrets_and_its_downgrade_decrypts_them(app):
    from portal.db import migration_runner
    migration = next(m for m in migration_runner().migrations() if m.name == "0025_webhook_secrets").load()
    app.config.update(WEBHOOK_ALLOW_PRIVATE=True, WEBHOOK_ALLOW_HTTP=True)
    for n in ("a", "b"):
        _hook(app, f"http://127.0.0.1:9/{n}", secret=f"{n}-secret-" + "x" * 240)
    ids = [h.id for h in Webhook.select().order_by(Webhook.id)]
    with app.app_context():
        with db.atomic():
            migration.down(None, db.obj)
        plain = [s for (s,) in db.execute_sql('SELECT secret FROM "webhook" ORDER BY id').fetchall()]
        assert plain == [f"{n}-secret-" + "x" * 240 for n in ("a", "b")]
        with db.atomic():
            migration.up(None, db.obj)
        sealed = {w.id: w for w in Webhook.select()}
        assert [sealed[i].signing_secret() for i in ids] == plain
        assert all(len(w.sealed_secret) > 255 and "secret" not in w.sealed_secret for w in sealed.values())
