"""Sign-in by a trusted reverse proxy's header: honoured only through the configured proxy, never from a client."""
import logging

import pytest

from portal import create_app
from portal.audit.models import AuditEvent
from portal.auth.models import User
from tests.conftest import PortalClient

PROXY = {"REMOTE_ADDR": "127.0.0.1"}  # the proxy connects from loopback (PORTAL_AUTH_PROXY_FROM's default)


@pytest.fixture
def proxy_app(app):
    """The portal behind one trusted proxy that names the user in X-Remote-User."""
    application = create_app({**app.config, "TESTING": True, "TRUST_PROXY": 1, "AUTH_PROXY_HEADER": "X-Remote-User",
                              "AUTH_PROXY_EMAIL_DOMAIN": "example.test"})
    application.test_client_class = PortalClient
    return application


def via_proxy(user, client_address="10.20.30.40"):
    return {"X-Remote-User": user, "X-Forwarded-For": client_address}


def test_the_proxy_signs_a_person_in_and_creates_the_account(proxy_app, caplog):
    client = proxy_app.test_client()
    with caplog.at_level(logging.INFO, logger="portal.security"):
        response = client.get("/", headers=via_proxy("CORP\\jdoe"), environ_base=PROXY)
    assert response.status_code == 200
    user = User.get(User.email == "jdoe@example.test")
    assert (user.auth_source, user.external_id, user.role, user.password_hash) == ("proxy", "jdoe", "member", "")
    assert AuditEvent.select().where(AuditEvent.action == "user.create").count() == 1
    signed_in = [r for r in caplog.records if getattr(r, "event", "") == "login_succeeded"]
    assert signed_in and signed_in[0].remote_addr == "10.20.30.40"  # the client's address, from the proxy
    # The session carries on without a second account; another name from the proxy switches person.
    assert client.get("/", headers=via_proxy("jdoe"), environ_base=PROXY).status_code == 200
    assert client.get("/", headers=via_proxy("asmith@example.test"), environ_base=PROXY).status_code == 200
    assert User.select().where(User.auth_source == "proxy").count() == 2
    # One audited sign-in per session the proxy started, not one per request.
    assert AuditEvent.select().where(AuditEvent.action == "user.login").count() == 2


def test_the_header_is_ignored_from_a_client_that_bypasses_the_proxy(proxy_app, caplog):
    client = proxy_app.test_client()
    with caplog.at_level(logging.INFO, logger="portal.security"):
        # Straight from another host, with a forged X-Forwarded-For as well:
        direct = client.get("/", headers=via_proxy("admin"), environ_base={"REMOTE_ADDR": "192.0.2.7"})
        # From the proxy's host but without the hop the proxy adds:
        no_hop = client.get("/", headers={"X-Remote-User": "admin"}, environ_base=PROXY)
    assert direct.status_code == 302 and no_hop.status_code == 302  # to the login page: nobody signed in
    assert not User.select().where(User.auth_source == "proxy").exists()
    assert [r.event for r in caplog.records if getattr(r, "event", "") == "proxy_header_ignored"] == \
        ["proxy_header_ignored"] * 2


def test_the_header_needs_a_trusted_proxy_count_to_start(app):
    with pytest.raises(ValueError, match="PORTAL_TRUST_PROXY"):
        create_app({**app.config, "AUTH_PROXY_HEADER": "X-Remote-User", "TRUST_PROXY": 0})


def test_the_header_is_ignored_when_the_setting_is_off(app):
    client = app.test_client()
    assert client.get("/", headers=via_proxy("jdoe"), environ_base=PROXY).status_code == 302
    assert not User.select().exists()


def test_a_deactivated_proxy_account_gets_a_clear_refusal(proxy_app):
    client = proxy_app.test_client()
    client.get("/", headers=via_proxy("jdoe"), environ_base=PROXY)
    User.update(active=False).where(User.email == "jdoe@example.test").execute()
    refused = proxy_app.test_client().get("/", headers=via_proxy("jdoe"), environ_base=PROXY)
    assert refused.status_code == 403 and "deactivated" in refused.get_data(as_text=True)


def test_a_name_without_domain_needs_the_email_domain_setting(proxy_app):
    proxy_app.config["AUTH_PROXY_EMAIL_DOMAIN"] = ""
    refused = proxy_app.test_client().get("/", headers=via_proxy("jdoe"), environ_base=PROXY)
    assert refused.status_code == 403 and "PORTAL_AUTH_PROXY_EMAIL_DOMAIN" in refused.get_data(as_text=True)
    assert proxy_app.test_client().get("/", headers=via_proxy("j.doe@corp.example"), environ_base=PROXY).status_code \
        == 200
