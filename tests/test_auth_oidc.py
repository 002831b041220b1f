"""OpenID Connect against a real provider: code flow with PKCE, state and nonce, verified ID token, JIT accounts."""
import logging
from urllib.parse import parse_qs, urlsplit

import pytest
from joserfc.jwk import RSAKey

from portal.audit.models import AuditEvent
from portal.auth import oidc
from portal.auth.models import User
from tests.factories import make_user
from tests.oidc_provider import CLIENT_SECRET, PASSWORD, OidcProvider

CALLBACK = "http://localhost/login/sso/callback"  # the test client's host


@pytest.fixture(scope="module")
def provider():
    server = OidcProvider([CALLBACK]).start()
    yield server
    server.stop()


@pytest.fixture
def sso_app(app, provider):
    app.config.update(provider.portal_config())
    oidc.init_app(app)
    return app


def start(client, next_url=""):
    response = client.post("/login/sso", data={"next": next_url})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def finish(client, callback_url):
    parts = urlsplit(callback_url)
    return client.get(f"{parts.path}?{parts.query}")


def test_login_page_offers_the_provider_and_lets_its_form_go_there(sso_app, client, provider):
    page = client.get("/login")
    assert "Sign in with Example Identity" in page.get_data(as_text=True)
    # Chromium applies form-action to the redirect the form ends in: the provider's origin is allowed, no other.
    assert f"form-action 'self' {provider.issuer};" in page.headers["Content-Security-Policy"]
    assert "form-action 'self';" in client.get("/healthz").headers["Content-Security-Policy"]


def test_authorization_request_uses_pkce_state_and_nonce(sso_app, client):
    query = parse_qs(urlsplit(start(client)).query)
    assert query["response_type"] == ["code"] and query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43 and query["state"][0] and query["nonce"][0]
    assert query["redirect_uri"] == [CALLBACK]


def test_first_sign_in_creates_the_account_with_the_mapped_role_then_refreshes(sso_app, client, provider, caplog):
    with caplog.at_level(logging.INFO, logger="portal.security"):
        response = finish(client, provider.sign_in(start(client, "/kb/"), "olivia"))
    assert response.status_code == 303 and response.headers["Location"].endswith("/kb/")
    user = User.get(User.email == "olivia@example.test")
    assert (user.name, user.department, user.role, user.auth_source) == ("Olivia Owner", "Strategy", "pmo", "oidc")
    assert user.external_id == "olivia" and user.password_hash == ""
    assert client.get("/").status_code == 200
    assert AuditEvent.select().where(AuditEvent.action == "user.create").count() == 1
    assert AuditEvent.get(AuditEvent.action == "user.login").object_id == str(user.id)  # sign-ins are audited
    # Later the admins change the mapping: the next sign-in brings the role into line and audits it.
    sso_app.config["OIDC_ROLE_MAP"] = (("manager", "pmo-staff"),)
    other = sso_app.test_client()
    with caplog.at_level(logging.INFO, logger="portal.security"):
        assert finish(other, provider.sign_in(start(other), "olivia")).status_code == 303
    assert User.get_by_id(user.id).role == "manager"
    change = AuditEvent.get(AuditEvent.action == "user.update")
    assert ("role", "pmo", "manager") in change.changes()
    assert any(getattr(r, "event", "") == "role_changed" for r in caplog.records)
    # The first browser's session ended with the role change.
    assert client.get("/").status_code == 302
    for secret in (CLIENT_SECRET, PASSWORD):
        assert secret not in caplog.text


def test_unmapped_person_becomes_a_member(sso_app, client, provider):
    assert finish(client, provider.sign_in(start(client), "sam")).status_code == 303
    assert User.get(User.email == "sam@example.test").role == "member"


def test_a_callback_from_another_browser_is_refused_for_its_state(sso_app, client, provider, caplog):
    callback = provider.sign_in(start(client), "sam")
    stranger = sso_app.test_client()  # a session that did not start this sign-in (login CSRF)
    with caplog.at_level(logging.INFO, logger="portal.security"):
        response = finish(stranger, callback)
    assert response.status_code == 400
    assert "not started in this browser" in response.get_data(as_text=True)
    assert [r.reason for r in caplog.records if getattr(r, "event", "") == "sso_error"] == ["state mismatch"]
    assert not User.select().where(User.email == "sam@example.test").exists()


def test_an_id_token_signed_by_another_key_is_refused(sso_app, client, provider):
    callback = provider.sign_in(start(client), "sam")
    with sso_app.app_context():
        sso = oidc.client()
        real = sso.fetch_jwk_set()
        kid = real["keys"][0]["kid"]
        forged = RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"})
        sso.server_metadata["jwks"] = {"keys": [forged.as_dict(private=False)]}
    response = finish(client, callback)
    assert response.status_code == 400 and "could not be verified" in response.get_data(as_text=True)
    assert not User.select().where(User.email == "sam@example.test").exists()


def test_provider_errors_and_an_unreachable_provider_give_clear_4xx_pages(sso_app, client):
    start(client)
    denied = client.get("/login/sso/callback?error=access_denied&state=x")
    assert denied.status_code == 400 and "did not sign you in (access_denied)" in denied.get_data(as_text=True)
    assert client.get("/login/sso/callback?code=abc&state=forged").status_code == 400
    sso_app.config["OIDC_ISSUER"] = "http://127.0.0.1:9"
    oidc.init_app(sso_app)  # discovery fails: nothing listens there
    down = client.post("/login/sso")
    assert down.status_code == 400 and "cannot be reached" in down.get_data(as_text=True)


def test_a_local_admin_with_the_same_email_is_not_taken_over(sso_app, client, provider):
    make_user("admin", email="olivia@example.test")
    response = finish(client, provider.sign_in(start(client), "olivia"))
    assert response.status_code == 403 and "already exists" in response.get_data(as_text=True)
    assert User.get(User.email == "olivia@example.test").auth_source == "local"


def test_sso_is_off_unless_configured(client):
    assert "Sign in with" not in client.get("/login").get_data(as_text=True)
    assert client.post("/login/sso").status_code == 404
    assert client.get("/login/sso/callback?code=x&state=y").status_code == 404
