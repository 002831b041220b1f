"""Signing in against a real OpenLDAP directory: search, bind, groups → role, accounts made and refreshed."""
import logging

import pytest

from portal.audit.models import AuditEvent
from portal.auth import directory as ldap_sign_in
from portal.auth.models import LoginFailure, User
from portal.auth.provisioning import SignInRefused, role_for
from tests.factories import make_user
from tests.slapd import MANAGERS_GROUP, PASSWORD, PEOPLE, PMO_GROUP, directory  # noqa: F401  (fixture)


@pytest.fixture
def ldap_app(app, directory):  # noqa: F811
    app.config.update(directory.portal_config())
    return app


def sign_in(app, login, password=PASSWORD):
    return ldap_sign_in.authenticate(login, password, "10.1.2.3", app.config)


def test_first_sign_in_creates_the_account_from_the_directory(ldap_app):
    user = sign_in(ldap_app, "pete")
    assert (user.email, user.name, user.department, user.role) == ("pete@example.test", "Pete Planner", "PMO", "pmo")
    assert user.auth_source == "ldap" and len(user.external_id) == 36  # the entry's entryUUID
    assert user.password_hash == ""  # a directory account has no local password
    created = AuditEvent.get(AuditEvent.action == "user.create", AuditEvent.object_id == str(user.id))
    assert "ldap" in created.summary and "pmo" in created.summary


def test_people_in_no_mapped_group_become_members_and_mail_works_as_login(ldap_app):
    assert sign_in(ldap_app, "mary@example.test").role == "member"
    assert sign_in(ldap_app, "alice").role == "admin"
    assert User.select().where(User.auth_source == "ldap").count() == 2


def test_later_sign_in_refreshes_name_and_role_from_groups_and_audits_it(ldap_app, directory, caplog):  # noqa: F811
    first = sign_in(ldap_app, "manny")
    assert first.role == "manager"
    admin = directory.admin()
    dn = f"uid=manny,{PEOPLE}"
    try:
        admin.modify(dn, {"displayName": [("MODIFY_REPLACE", ["Manny Mayer"])]})
        admin.modify(MANAGERS_GROUP, {"member": [("MODIFY_DELETE", [dn])]})
        admin.modify(PMO_GROUP, {"member": [("MODIFY_ADD", [dn])]})
        with caplog.at_level(logging.INFO, logger="portal.security"):
            again = sign_in(ldap_app, "manny")
    finally:
        admin.modify(dn, {"displayName": [("MODIFY_REPLACE", ["Manny Manager"])]})
        admin.modify(PMO_GROUP, {"member": [("MODIFY_DELETE", [dn])]})
        admin.modify(MANAGERS_GROUP, {"member": [("MODIFY_ADD", [dn])]})
        admin.unbind()
    assert again.id == first.id
    assert (again.name, again.role) == ("Manny Mayer", "pmo")
    assert again.session_version == first.session_version + 1  # other sessions take the new role at once
    change = AuditEvent.select().where(AuditEvent.action == "user.update",
                                       AuditEvent.object_id == str(first.id)).get()
    assert ("role", "manager", "pmo") in change.changes() and ("name", "Manny Manager", "Manny Mayer") in change.changes()
    events = [r for r in caplog.records if getattr(r, "event", "") == "role_changed"]
    assert len(events) == 1 and events[0].new_role == "pmo" and events[0].source == "ldap"
    assert PASSWORD not in caplog.text


def test_wrong_password_unknown_person_and_disabled_account_are_refused_and_logged(ldap_app, caplog):
    with caplog.at_level(logging.INFO, logger="portal.security"):
        assert sign_in(ldap_app, "pete", "not the password") is None
        assert sign_in(ldap_app, "nobody") is None
        assert sign_in(ldap_app, "dave") is None  # userAccountControl 514: disabled in the directory
        assert sign_in(ldap_app, "pete", "") is None  # never an anonymous bind
    reasons = [r.reason for r in caplog.records if getattr(r, "event", "") == "login_failed"]
    assert reasons == ["wrong password", "unknown account", "disabled in the directory", "empty password"]
    assert "not the password" not in caplog.text
    assert LoginFailure.select().count() == 4
    assert not User.select().where(User.auth_source == "ldap").exists()


def test_a_strangers_guesses_lock_new_devices_out_of_a_directory_account_but_not_its_known_device(ldap_app, caplog):
    ldap_app.config.update(LOGIN_MAX_FAILURES_PER_ACCOUNT=3, LOGIN_MAX_FAILURES_PER_DEVICE=3,
                           LOGIN_MAX_FAILURES_PER_ADDRESS=50)
    laptop = ldap_app.test_client()
    laptop.environ_base["REMOTE_ADDR"] = "192.0.2.10"
    assert laptop.post("/login", data={"email": "pete", "password": PASSWORD}).status_code == 303
    assert laptop.get_cookie("portal_device") is not None  # the directory sign-in made this a known device
    laptop.post("/logout")
    attacker = ldap_app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "203.0.113.66"
    with caplog.at_level(logging.INFO, logger="portal.security"):
        # The user name and the e-mail are one account: their failures add up.
        for login in ("pete", "pete@example.test", "PETE"):
            assert attacker.post("/login", data={"email": login, "password": "a guess"}).status_code == 401
        blocked = attacker.post("/login", data={"email": "pete", "password": PASSWORD})
    assert blocked.status_code == 429
    assert 800 <= int(blocked.headers["Retry-After"]) <= 901
    assert "Devices you have signed in on before still work" in blocked.get_data(as_text=True)
    assert attacker.get("/").status_code == 302  # not signed in
    # The person's own laptop signs in, the stranger's failures notwithstanding, and they keep counting.
    assert laptop.post("/login", data={"email": "pete", "password": PASSWORD}).status_code == 303
    assert laptop.get("/").status_code == 200
    assert attacker.post("/login", data={"email": "pete", "password": PASSWORD}).status_code == 429
    pete = User.get(User.email == "pete@example.test")
    actions = [e.action for e in AuditEvent.select().where(AuditEvent.object_id == str(pete.id))]
    assert actions.count("user.login_failed") == 3 and "user.locked" in actions and actions.count("user.login") == 2
    events = {(r.event, getattr(r, "source", "")) for r in caplog.records}
    assert {("login_failed", "ldap"), ("login_locked", "ldap"), ("login_throttled", "ldap")} <= events


def test_deactivated_portal_account_cannot_sign_in_through_the_directory(ldap_app):
    user = sign_in(ldap_app, "mary")
    User.update(active=False).where(User.id == user.id).execute()
    with pytest.raises(SignInRefused, match="deactivated"):
        sign_in(ldap_app, "mary")


def test_a_local_member_is_linked_but_a_local_admin_keeps_its_password(ldap_app):
    local = make_user("member", email="mary@example.test", name="Mary M.")
    linked = sign_in(ldap_app, "mary")
    assert linked.id == local.id and linked.auth_source == "ldap" and linked.password_hash == ""
    assert AuditEvent.select().where(AuditEvent.action == "user.link").count() == 1
    make_user("admin", email="alice@example.test")
    with pytest.raises(SignInRefused, match="already exists"):
        sign_in(ldap_app, "alice")


def test_admin_sees_where_an_account_signs_in(ldap_app, login, client):
    person = sign_in(ldap_app, "mary")
    login("admin")
    page = client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert "Signs in through the directory (LDAP), which sets name, department and role" in page


def test_login_form_uses_the_directory_and_keeps_local_accounts_working(ldap_app, client):
    page = client.get("/login")
    assert "E-mail or user name" in page.get_data(as_text=True)
    response = client.post("/login", data={"email": "pete", "password": PASSWORD})
    assert response.status_code == 303
    assert client.get("/").status_code == 200
    breakglass = make_user("admin", email="root@portal.local")
    other = ldap_app.test_client()
    assert other.post("/login", data={"email": breakglass.email, "password": "correct horse battery"}).status_code == 303
    refused = ldap_app.test_client().post("/login", data={"email": "pete", "password": "wrong"})
    assert refused.status_code == 401 and "do not match" in refused.get_data(as_text=True)


def test_directory_down_gives_a_clear_message_not_a_server_error(ldap_app, client):
    ldap_app.config["LDAP_URL"] = "ldap://127.0.0.1:9"  # nothing listens there
    response = client.post("/login", data={"email": "pete", "password": PASSWORD})
    assert response.status_code == 400
    assert "directory cannot be reached" in response.get_data(as_text=True)


def test_starttls_with_the_directory_certificate(ldap_app, directory):  # noqa: F811
    ldap_app.config.update(LDAP_TLS="starttls", LDAP_CA_FILE=str(directory.cert))
    assert sign_in(ldap_app, "alice").role == "admin"
    ldap_app.config["LDAP_CA_FILE"] = ""  # the system store does not know the test certificate: refused
    with pytest.raises(ldap_sign_in.DirectoryUnavailable):
        sign_in(ldap_app, "alice")


def test_role_for_takes_the_highest_mapped_role():
    mapping = (("member", "staff"), ("pmo", "PMO-Office"), ("admin", "admins"))
    assert role_for(["staff", "pmo-office"], mapping) == "pmo"
    assert role_for(["nobody"], mapping) == "member"
    assert role_for([], ()) == "member"
