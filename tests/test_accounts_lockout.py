"""Sign-in throttling with device cookies: strangers are slowed and blocked, the owner on a known device is not."""
import datetime as dt

import pytest
from click.testing import CliRunner

from portal.audit.models import AuditEvent
from portal.auth.models import LoginFailure
from portal.cli import main
from tests.factories import PASSWORD, make_user

OWNER_HOME = "192.0.2.10"
ATTACKER = "203.0.113.66"
OFFICE_NAT = "198.51.100.7"


def client_at(app, address):
    """A browser of its own (own cookies) at `address`."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def post_login(client, email, password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


@pytest.fixture
def limits(app):
    """Small limits, so a test needs few (slow, argon2-checked) attempts."""
    app.config.update(LOGIN_MAX_FAILURES_PER_ACCOUNT=3, LOGIN_MAX_FAILURES_PER_DEVICE=3,
                      LOGIN_MAX_FAILURES_PER_ADDRESS=5)
    return app.config


def known_device(app, user, address=OWNER_HOME):
    """The owner's browser after one successful sign-in and a sign-out: it keeps its device cookie."""
    browser = client_at(app, address)
    assert post_login(browser, user.email).status_code == 303
    assert browser.get_cookie("portal_device") is not None
    browser.post("/logout")
    return browser


def test_an_attacker_is_blocked_but_the_owner_on_a_known_device_signs_in(app, limits):
    owner = make_user()
    laptop = known_device(app, owner)
    attacker = client_at(app, ATTACKER)
    for _ in range(3):
        assert post_login(attacker, owner.email, "guess number one").status_code == 401
    blocked = post_login(attacker, owner.email)  # even the right password: the attacker's device is locked out
    assert blocked.status_code == 429
    page = blocked.get_data(as_text=True)
    assert "Try again in 15 minutes" in page and "Forgot password?" in page and "ask an admin" in page
    assert 800 <= int(blocked.headers["Retry-After"]) <= 901
    # The owner's laptop is not affected.
    assert post_login(laptop, owner.email).status_code == 303
    # A forged device cookie counts as no cookie.
    forger = client_at(app, "203.0.113.67")
    forger.set_cookie("portal_device", laptop.get_cookie("portal_device").value[:-4] + "AAAA")
    assert post_login(forger, owner.email).status_code == 429


def test_the_owner_on_a_new_device_waits_or_resets_and_the_lock_ends_by_itself(app, limits):
    owner = make_user()
    attacker = client_at(app, ATTACKER)
    for _ in range(3):
        post_login(attacker, owner.email, "wrong guess")
    phone = client_at(app, "192.0.2.11")
    response = post_login(phone, owner.email)
    assert response.status_code == 429
    assert "Devices you have signed in on before still work" in response.get_data(as_text=True)
    # Fifteen minutes later the failures are out of the window.
    LoginFailure.update(at=dt.datetime(2020, 1, 1)).execute()
    assert post_login(phone, owner.email).status_code == 303


def test_a_known_device_has_its_own_allowance(app, limits):
    owner = make_user()
    laptop = known_device(app, owner)
    desktop = known_device(app, owner, "192.0.2.12")
    for _ in range(3):
        assert post_login(laptop, owner.email, "typo typo typo").status_code == 401
    assert post_login(laptop, owner.email).status_code == 429
    assert "on this device" in post_login(laptop, owner.email).get_data(as_text=True)
    # Its failures lock neither the owner's other known device nor new devices.
    assert post_login(desktop, owner.email).status_code == 303
    assert post_login(client_at(app, "192.0.2.13"), owner.email).status_code == 303


def test_an_office_behind_one_address_is_not_locked_out_by_one_attacker(app, limits):
    honest = [make_user() for _ in range(3)]
    devices = [known_device(app, user, OFFICE_NAT) for user in honest]
    # Successful sign-ins do not count against the address: more than its limit of 5 sign in.
    for user, device in zip(honest, devices, strict=True):
        assert post_login(device, user.email).status_code == 303
        device.post("/logout")
    # An attacker inside the same office tries other people's accounts until the address is blocked.
    attacker = client_at(app, OFFICE_NAT)
    for i in range(5):
        post_login(attacker, f"victim{i}@example.test", "guess")
    assert post_login(attacker, "victim9@example.test", "guess").status_code == 429
    # Colleagues on devices they signed in on before still get in; a new device at that address waits.
    for user, device in zip(honest, devices, strict=True):
        assert post_login(device, user.email).status_code == 303
        device.post("/logout")
    newcomer = make_user()
    response = post_login(client_at(app, OFFICE_NAT), newcomer.email)
    assert response.status_code == 429 and "from your network" in response.get_data(as_text=True)
    # People elsewhere are not affected.
    assert post_login(client_at(app, "192.0.2.50"), newcomer.email).status_code == 303


def test_default_limits_let_an_office_make_typos(app):
    """Twenty-one typos across one office used to lock it out; the address limit is now far higher."""
    assert app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] >= 100
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 100
    people = [make_user() for _ in range(3)]
    for i in range(21):
        LoginFailure.create(email=people[i % 3].email, address=OFFICE_NAT, device="",
                            at=dt.datetime.now(dt.UTC).replace(tzinfo=None))
    LoginFailure.delete().where(LoginFailure.email == people[0].email).execute()  # below the account limit
    assert post_login(client_at(app, OFFICE_NAT), people[0].email).status_code == 303


def test_unlock_from_the_command_line_lets_a_new_device_in(app, limits, monkeypatch, database_url):
    owner = make_user()
    attacker = client_at(app, ATTACKER)
    for _ in range(3):
        post_login(attacker, owner.email, "wrong guess")
    assert post_login(client_at(app, "192.0.2.11"), owner.email).status_code == 429
    monkeypatch.setenv("PORTAL_DATABASE_URL", database_url)
    monkeypatch.setenv("PORTAL_SECRET_KEY", "test-secret")
    result = CliRunner().invoke(main, ["users", "unlock", owner.email.upper()])
    assert result.exit_code == 0, result.output
    assert "is unlocked (3 recent failed sign-in(s) forgotten)" in result.output
    assert CliRunner().invoke(main, ["users", "unlock", "nobody@example.test"]).exit_code == 1
    assert post_login(client_at(app, "192.0.2.11"), owner.email).status_code == 303


def test_an_admin_unlocks_from_the_account_page(app, client, limits, login):
    owner = make_user()
    attacker = client_at(app, ATTACKER)
    for _ in range(3):
        post_login(attacker, owner.email, "wrong guess")
    login("admin")
    page = client.get(f"/admin/users/{owner.id}").get_data(as_text=True)
    assert "Unlock sign-in" in page and "Devices" in page
    assert client.post(f"/admin/users/{owner.id}/unlock", data={"version": owner.version}).status_code == 303
    assert "Unlock sign-in" not in client.get(f"/admin/users/{owner.id}").get_data(as_text=True)
    assert post_login(client_at(app, "192.0.2.11"), owner.email).status_code == 303
    assert AuditEvent.select().where(AuditEvent.action == "user.unlock").count() == 1


def test_sign_in_events_are_audited_and_logged_without_passwords(app, limits, caplog):
    owner = make_user()
    laptop = known_device(app, owner)
    attacker = client_at(app, ATTACKER)
    for _ in range(3):
        post_login(attacker, owner.email, "s3cret-guess-xyz")
    post_login(attacker, "nobody@example.test", "s3cret-guess-xyz")
    post_login(attacker, owner.email)
    assert post_login(laptop, owner.email).status_code == 303
    actions = [e.action for e in AuditEvent.select().where(AuditEvent.object_id == str(owner.id))
               .order_by(AuditEvent.id)]
    assert actions.count("user.login_failed") == 3 and actions.count("user.locked") == 1
    assert actions.count("user.login") == 2 and actions[-1] == "user.login"
    events = {getattr(r, "event", None) for r in caplog.records}
    assert {"login_failed", "login_locked", "login_throttled"} <= events
    assert "s3cret-guess-xyz" not in caplog.text and PASSWORD not in caplog.text


def test_failures_older_than_a_day_are_pruned(app):
    LoginFailure.create(email="old@example.test", address=ATTACKER, device="", at=dt.datetime(2020, 1, 1))
    post_login(client_at(app, ATTACKER), "new@example.test", "wrong guess")
    assert [f.email for f in LoginFailure.select()] == ["new@example.test"]
