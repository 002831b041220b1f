"""The token pages: make a token (seen once), list and revoke your own; admins see and revoke anyone's;
`portal tokens create` prints a working token."""
import re

import pytest
from click.testing import CliRunner

from portal.audit.models import AuditEvent
from portal.tokens.models import ApiToken
from tests.api_helpers import call, token_for
from tests.factories import make_user

SECRET = re.compile(r'value="(pmo_[A-Za-z0-9_-]{40,})"')


def _create(client, name="Finance Power BI", days="30"):
    return client.post("/account/tokens", data={"name": name, "days": days})


def test_a_person_makes_a_token_sees_it_once_and_it_works(app, client, login):
    user = login("member")
    page = client.get("/account/tokens")
    assert page.status_code == 200 and "You have no tokens yet." in page.get_data(as_text=True)
    created = _create(client)
    html = created.get_data(as_text=True)
    secret = SECRET.search(html).group(1)
    assert "Copy it now" in html and "Finance Power BI" in html
    token = ApiToken.get(ApiToken.user == user.id)
    assert token.secret_hash != secret and secret not in token.secret_hash and token.prefix == secret[:12]
    assert (token.expires_at - token.created_at).days == 30
    again = client.get("/account/tokens").get_data(as_text=True)
    assert secret not in again
    assert f"{token.prefix}…" in again and "Never" in again
    me = call(client, "/me", secret, environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert me.get_json()["data"]["email"] == user.email
    assert "from 10.0.0.7" in client.get("/account/tokens").get_data(as_text=True)


@pytest.mark.parametrize("data, field", [({"name": "", "days": "30"}, "Give the token a name"),
                                         ({"name": "x" * 81, "days": "30"}, "at most 80"),
                                         ({"name": "ok", "days": "9999"}, "Not a valid choice")])
def test_bad_token_forms_are_refused_with_a_message(app, client, login, data, field):
    login("member")
    response = client.post("/account/tokens", data=data)
    assert response.status_code == 422 and field in response.get_data(as_text=True)
    assert ApiToken.select().count() == 0


def test_revoking_stops_the_token_and_only_the_owner_may(app, client, login):
    other = make_user("member")
    theirs = token_for(other)
    user = login("manager")
    _create(client)
    mine = ApiToken.get(ApiToken.user == user.id)
    their_row = ApiToken.get(ApiToken.user == other.id)
    assert client.post(f"/account/tokens/{their_row.id}/revoke").status_code == 404
    assert call(client, "/me", theirs).status_code == 200
    response = client.post(f"/account/tokens/{mine.id}/revoke")
    assert response.status_code == 303
    assert "Revoked" in client.get("/account/tokens").get_data(as_text=True)
    assert ApiToken.get_by_id(mine.id).revoked_at is not None
    assert {"token.create", "token.revoke"} <= {e.action for e in AuditEvent.select()}


def test_revoke_needs_the_form_token(app, client, login):
    user = login("member")
    _create(client)
    token = ApiToken.get(ApiToken.user == user.id)
    assert client.post(f"/account/tokens/{token.id}/revoke", csrf=False).status_code == 400
    assert ApiToken.get_by_id(token.id).revoked_at is None


def test_admins_see_and_revoke_anyone_s_tokens(app, client, login):
    owner = make_user("member", name="Tina Token")
    secret = token_for(owner, name="Tina's sheet")
    login("pmo")
    assert client.get("/admin/tokens").status_code == 403
    login("admin")
    page = client.get("/admin/tokens").get_data(as_text=True)
    assert "<td>Tina Token<br>" in page and "Tina&#39;s sheet" in page and secret not in page
    token = ApiToken.get(ApiToken.user == owner.id)
    assert client.post(f"/admin/tokens/{token.id}/revoke").status_code == 303
    assert call(client, "/me", secret).status_code == 401
    assert "<td>Tina Token<br>" not in client.get("/admin/tokens?live=1").get_data(as_text=True)


def test_the_api_help_page_is_linked_from_the_token_page(app, client, login):
    login("member")
    assert 'href="/api/"' in client.get("/account/tokens").get_data(as_text=True)
    page = client.get("/api/").get_data(as_text=True)
    assert "Authorization: Bearer" in page and "Power Query" in page and "Power BI" in page
    assert "/api/v1/openapi.json" in page


def test_portal_tokens_create_prints_a_working_token(app, client, database_url, monkeypatch, tmp_path):
    from portal.cli import main
    user = make_user("executive", email="eva@example.test")
    monkeypatch.setenv("PORTAL_DATABASE_URL", database_url)
    monkeypatch.setenv("PORTAL_SECRET_KEY", "cli-test")
    monkeypatch.setenv("PORTAL_KNOWLEDGE_DIR", str(tmp_path / "knowledge"))
    monkeypatch.setenv("PORTAL_UPLOAD_DIR", str(tmp_path / "uploads"))
    runner = CliRunner()
    result = runner.invoke(main, ["tokens", "create", "EVA@example.test", "--name", "Board pack", "--days", "7"],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[-1]
    assert secret.startswith("pmo_")
    assert call(client, "/me", secret).get_json()["data"]["email"] == user.email
    unknown = runner.invoke(main, ["tokens", "create", "nobody@example.test", "--name", "x"])
    assert unknown.exit_code != 0 and "No account" in unknown.output
    bad = runner.invoke(main, ["tokens", "create", "eva@example.test", "--name", "x", "--days", "0"])
    assert bad.exit_code != 0 and "1 to 365" in bad.output
