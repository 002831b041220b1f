"""Signing in and out, throttling, redirects after sign-in, sessions that end."""
import pytest

from portal.auth.models import User
from tests.factories import PASSWORD, make_user


def post_login(client, email, password=PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def test_sign_in_with_the_right_password_reaches_home(client):
    user = make_user("manager", name="Marta Manager")
    response = post_login(client, user.email)
    assert response.status_code == 303
    home = client.get(response.headers["Location"])
    assert "Good to see you, Marta" in home.get_data(as_text=True)


def test_wrong_password_and_unknown_account_give_the_same_message(client):
    user = make_user()
    wrong = post_login(client, user.email, "not the password")
    unknown = post_login(client, "nobody@example.test", "not the password")
    message = "That e-mail and password do not match an active account."
    assert wrong.status_code == unknown.status_code == 401
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)


def test_deactivated_account_cannot_sign_in(client):
    user = make_user(active=False)
    assert post_login(client, user.email).status_code == 401


def test_email_is_case_insensitive(client):
    make_user(email="Casey@Example.test".lower())
    assert post_login(client, "  CASEY@example.TEST ").status_code == 303


def test_empty_form_shows_field_messages(client):
    response = client.post("/login", data={"email": "", "password": ""})
    assert response.status_code == 422
    assert "This field is required." in response.get_data(as_text=True)


def test_repeated_failures_lock_out_new_devices_even_with_the_right_password(client):
    user = make_user()
    for _ in range(5):
        assert post_login(client, user.email, "wrong password").status_code == 401
    response = post_login(client, user.email)
    assert response.status_code == 429
    assert "Too many failed sign-ins for this account" in response.get_data(as_text=True)


def test_failures_from_one_address_throttle_new_devices_there(client, app):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    user = make_user()
    for i in range(3):
        post_login(client, f"guess{i}@example.test", "wrong password")
    assert post_login(client, user.email).status_code == 429


def test_a_successful_sign_in_clears_the_failure_count(client):
    user = make_user()
    for _ in range(4):
        post_login(client, user.email, "wrong password")
    assert post_login(client, user.email).status_code == 303
    client.post("/logout")
    for _ in range(4):
        post_login(client, user.email, "wrong password")
    assert post_login(client, user.email).status_code == 303


@pytest.mark.parametrize("target", [
    "//evil.example/",
    "/\\evil.example",
    "\\/evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "%2F%2Fevil.example",
    "/%5Cevil.example",
    "%252F%252Fevil.example",
    "/\tevil",
])
def test_next_that_leaves_the_site_is_ignored(client, target):
    user = make_user()
    response = post_login(client, user.email, next=target)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_next_that_is_a_local_path_is_followed(client):
    user = make_user("admin")
    response = post_login(client, user.email, next="/admin/users?role=pmo")
    assert response.headers["Location"] == "/admin/users?role=pmo"


def test_anonymous_page_request_goes_to_login_with_next(client):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/admin/users")


def test_anonymous_htmx_request_gets_401_with_hx_redirect(hx):
    response = hx.get("/admin/users?q=x")
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login?next=")
    assert "<form" not in response.get_data(as_text=True)


def test_session_is_renewed_at_sign_in(client):
    user = make_user()
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    post_login(client, user.email)
    with client.session_transaction() as sess:
        assert "planted" not in sess


def test_logout_is_post_only(client, login):
    login()
    assert client.get("/logout").status_code == 405


def test_old_session_cookie_is_refused_after_logout(app, client, login):
    login("member")
    other = app.test_client()
    with client.session_transaction() as sess:
        stolen = dict(sess)
    with other.session_transaction() as sess:
        sess.update(stolen)
    assert other.get("/").status_code == 200
    assert client.post("/logout").status_code == 303
    # The copied cookie (another device, or a stolen one) no longer works.
    assert other.get("/").status_code == 302


def test_remember_me_cookie_stops_working_after_logout(app, client):
    user = make_user()
    post_login(client, user.email, remember="y")
    remember = client.get_cookie("remember_token")
    assert remember is not None
    other = app.test_client()
    other.set_cookie("remember_token", remember.value)
    assert other.get("/").status_code == 200
    client.post("/logout")
    third = app.test_client()
    third.set_cookie("remember_token", remember.value)
    assert third.get("/").status_code == 302


def test_password_change_ends_other_sessions_but_keeps_this_one(app, client):
    user = make_user()
    post_login(client, user.email)
    other = app.test_client()
    post_login(other, user.email)
    response = client.post("/account/password", data={
        "current": PASSWORD, "new": "a brand new passphrase", "confirm": "a brand new passphrase"})
    assert response.status_code == 303
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302
    client.post("/logout")
    assert post_login(client, user.email, "a brand new passphrase").status_code == 303


def test_password_change_with_wrong_current_password_is_refused(client, login):
    user = login()
    response = client.post("/account/password", data={
        "current": "wrong", "new": "a brand new passphrase", "confirm": "a brand new passphrase"})
    assert response.status_code == 422
    assert "Your current password is not correct." in response.get_data(as_text=True)
    assert User.get_by_id(user.id).password_hash == user.password_hash


def test_a_stolen_session_cannot_guess_the_password_on_the_change_form(app, client):
    app.config.update(LOGIN_MAX_FAILURES_PER_ACCOUNT=3, LOGIN_MAX_FAILURES_PER_DEVICE=3)
    user = make_user()
    assert post_login(client, user.email).status_code == 303  # the owner's browser: a known device
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)  # the session only, not the device
    assert thief.get("/").status_code == 200
    guess = {"new": "a brand new passphrase", "confirm": "a brand new passphrase"}
    for attempt in ("guess one", "guess two", "guess three"):
        assert thief.post("/account/password", data={"current": attempt, **guess}).status_code == 422
    refused = thief.post("/account/password", data={"current": PASSWORD, **guess})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "Too many failed sign-ins" in refused.get_data(as_text=True)
    assert User.get_by_id(user.id).password_hash == user.password_hash
    # The owner's own browser is not locked out by the thief's guesses.
    assert client.post("/account/password", data={"current": PASSWORD, **guess}).status_code == 303
    from portal.audit.models import AuditEvent
    actions = [e.action for e in AuditEvent.select().where(AuditEvent.object_id == str(user.id))]
    assert actions.count("user.login_failed") == 3 and "user.locked" in actions and "user.password" in actions
    client.post("/logout")
    assert AuditEvent.select().where(AuditEvent.action == "user.logout").count() == 1


def test_a_directory_account_is_told_where_to_change_its_password(app, client, login):
    app.config["DIRECTORY_PASSWORD_URL"] = "https://id.example.test/password"
    user = login()
    User.update(auth_source="ldap", password_hash="").where(User.id == user.id).execute()
    page = client.get("/account/password").get_data(as_text=True)
    assert "no password of its own" in page and "https://id.example.test/password" in page
    assert 'name="current"' not in page and "Change password</a>" not in page
    refused = client.post("/account/password", data={"current": "anything at all", "new": "a brand new passphrase",
                                                     "confirm": "a brand new passphrase"})
    assert refused.status_code == 409 and "no password of its own" in refused.get_data(as_text=True)
    from portal.auth.models import LoginFailure
    assert LoginFailure.select().count() == 0  # no failure counted against the person's directory sign-in


def test_password_change_rejects_mismatch_and_short_passwords(client, login):
    login()
    mismatch = client.post("/account/password", data={
        "current": PASSWORD, "new": "a brand new passphrase", "confirm": "something else entirely"})
    assert "The two new passwords differ." in mismatch.get_data(as_text=True)
    short = client.post("/account/password", data={"current": PASSWORD, "new": "short", "confirm": "short"})
    assert short.status_code == 422
    assert "Use at least 10 characters." in short.get_data(as_text=True)


def test_demo_accounts_show_on_login_page_only_in_demo_mode(app, client):
    assert "Demo accounts" not in client.get("/login").get_data(as_text=True)
    app.config["DEMO_MODE"] = True
    page = client.get("/login").get_data(as_text=True)
    assert "Demo accounts" in page and "manager@demo.pmo" in page


def test_an_unknown_account_costs_a_full_password_check(client, monkeypatch):
    """Without an account, the password is still checked against an argon2 hash made with today's parameters."""
    from portal.auth import services
    checked = []

    class Recording:
        def __getattr__(self, name):
            return getattr(hasher, name)

        def verify(self, stored, password):
            checked.append(stored)
            return hasher.verify(stored, password)

    hasher = services._hasher
    monkeypatch.setattr(services, "_hasher", Recording())
    assert post_login(client, "nobody@example.test", "not the password").status_code == 401
    assert len(checked) == 1 and checked[0].startswith("$argon2id$")
    assert not hasher.check_needs_rehash(checked[0])


def test_a_password_hashed_with_the_old_parameters_signs_in_and_is_rehashed(client):
    """Hashes made before the move to m=19 MiB, t=2, p=1 still work; the next sign-in replaces them."""
    from argon2 import PasswordHasher

    from portal.auth.services import _hasher
    old_hash = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4).hash(PASSWORD)
    user = make_user()
    User.update(password_hash=old_hash).where(User.id == user.id).execute()
    assert _hasher.check_needs_rehash(old_hash)
    assert post_login(client, user.email).status_code == 303
    new_hash = User.get_by_id(user.id).password_hash
    assert new_hash != old_hash and new_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert not _hasher.check_needs_rehash(new_hash)
    client.post("/logout")
    assert post_login(client, user.email).status_code == 303
    assert User.get_by_id(user.id).password_hash == new_hash  # current parameters: kept as is
