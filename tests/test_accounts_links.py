""""Forgot password?" and invitations end to end, through a real SMTP server on loopback."""
import datetime as dt
import re
import socket
import time

import pytest
from click.testing import CliRunner

from portal.audit.models import AuditEvent
from portal.auth.models import AccountToken, LoginFailure, User
from portal.cli import main
from portal.notify.models import MailDelivery
from portal.notify.outbox import SENT_BODY, send_pending
from tests.factories import PASSWORD, make_user
from tests.mail_sink import link_in as path_in
from tests.mail_sink import smtp_sink, wait_for_mail

NEW_PASSWORD = "a fresh passphrase for me"


@pytest.fixture
def smtp(app):
    with smtp_sink(app) as inbox:
        yield inbox


def link_in(message) -> str:
    return path_in(message[1])


def forgot(client, email):
    return client.post("/login/forgot", data={"email": email})


def test_reset_end_to_end_and_the_link_works_once(app, client, smtp):
    user = make_user(email="rita.reset@example.test")
    other_browser = app.test_client()
    other_browser.post("/login", data={"email": user.email, "password": PASSWORD})
    assert "Forgot password?" in client.get("/login").get_data(as_text=True)
    response = forgot(client, " Rita.Reset@Example.test ")
    assert response.status_code == 200
    assert "If a portal account uses that address" in response.get_data(as_text=True)
    (recipients, mail), = wait_for_mail(smtp)
    assert recipients == [user.email] and "Set a new PMO Portal password" in mail
    path = link_in((recipients, mail))
    assert path.split("/")[-1] not in " ".join(e.summary for e in AuditEvent.select())
    assert AccountToken.select().where(AccountToken.token_hash == path.split("/")[-1]).count() == 0  # only a hash
    page = client.get(path)
    assert page.status_code == 200 and user.email in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    short = client.post(path, data={"new": "short", "confirm": "short"})
    assert short.status_code == 422 and "Use at least 10 characters." in short.get_data(as_text=True)
    done = client.post(path, data={"new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 303 and done.headers["Location"] == "/login"
    # Single use: the same link, again, changes nothing.
    assert client.get(path).status_code == 410
    again = client.post(path, data={"new": "an attacker's passphrase", "confirm": "an attacker's passphrase"})
    assert again.status_code == 410 and "no longer works" in again.get_data(as_text=True)
    # Old password gone, new one works; the other browser was signed out.
    assert other_browser.get("/").status_code == 302
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 401
    assert client.post("/login", data={"email": user.email, "password": NEW_PASSWORD}).status_code == 303
    actions = {e.action for e in AuditEvent.select().where(AuditEvent.object_id == str(user.id))}
    assert {"user.reset_requested", "user.password_reset"} <= actions


def test_the_answer_is_the_same_whether_the_account_exists_or_not(app, client, smtp):
    make_user(email="known@example.test")
    known = forgot(client, "known@example.test").get_data(as_text=True)
    unknown = forgot(app.test_client(), "unknown@example.test").get_data(as_text=True)
    strip = lambda page: re.sub(r'"X-CSRFToken": "[^"]*"|value="[^"]*"', "", page)  # noqa: E731
    assert strip(known) == strip(unknown)
    wait_for_mail(smtp)
    time.sleep(0.3)
    assert [r for r, _ in smtp.messages] == [["known@example.test"]]


def dead_port() -> int:
    """A loopback port nothing listens on: the mail server is down."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert condition()


def test_a_reset_asked_while_the_mail_server_is_down_is_sent_when_it_is_back(app, client, smtp):
    user = make_user()
    working_port, app.config["SMTP_PORT"] = app.config["SMTP_PORT"], dead_port()
    response = forgot(client, user.email)
    assert response.status_code == 200 and "If a portal account uses that address" in response.get_data(as_text=True)
    wait_until(lambda: MailDelivery.get().attempts == 1)  # tried at once, after the answer
    wait_until(lambda: MailDelivery.get().state == "pending")
    assert MailDelivery.get().last_error and smtp.messages == []
    app.config["SMTP_PORT"] = working_port
    with app.app_context():
        assert send_pending() == (1, 0)  # what the next `portal remind` does
    path = link_in(wait_for_mail(smtp)[0])
    sent = MailDelivery.get()
    assert sent.state == "sent" and path.split("/")[-1] not in sent.body  # no live link kept in the outbox
    assert sent.to_address == user.email and sent.notification_id is None
    assert client.post(path, data={"new": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 303


def test_the_page_does_not_wait_for_a_slow_mail_server(app, client, smtp):
    make_user(email="known@example.test")
    with socket.socket() as stalled:  # accepts connections and never greets: smtplib waits
        stalled.bind(("127.0.0.1", 0))
        stalled.listen(8)
        app.config["SMTP_PORT"] = stalled.getsockname()[1]
        started = time.monotonic()
        assert forgot(client, "known@example.test").status_code == 200
        assert time.monotonic() - started < 5  # the SMTP timeout is 20 s
        wait_until(lambda: MailDelivery.get().attempts == 1)
    wait_until(lambda: MailDelivery.get().state == "pending")  # the stalled server went away: retried later


def test_a_link_expires(app, client, smtp):
    user = make_user()
    forgot(client, user.email)
    path = link_in(wait_for_mail(smtp)[0])
    AccountToken.update(expires_at=dt.datetime(2020, 1, 1)).execute()
    response = client.post(path, data={"new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 410
    assert User.get_by_id(user.id).password_hash == user.password_hash


def test_a_newer_link_replaces_the_older_and_a_password_change_kills_both(app, client, smtp):
    user = make_user()
    forgot(client, user.email)
    first = link_in(wait_for_mail(smtp, 1)[0])
    forgot(client, user.email)
    second = link_in(wait_for_mail(smtp, 2)[1])
    assert client.get(first).status_code == 410 and client.get(second).status_code == 200
    from portal.auth.services import set_password
    set_password(user, "set by the operator now", None)
    assert client.get(second).status_code == 410


def test_requests_are_throttled_per_address_and_per_e_mail(app, client, smtp):
    app.config.update(RESET_MAX_PER_EMAIL=2, RESET_MAX_PER_ADDRESS=4)
    user = make_user()
    for _ in range(3):
        assert forgot(client, user.email).status_code == 200
    wait_for_mail(smtp, 2)
    time.sleep(0.3)
    assert len(smtp.messages) == 2  # the third asked too soon: same page, no mail
    forgot(client, "someone@example.test")
    response = forgot(client, "another@example.test")
    assert response.status_code == 429 and "Too many password reset requests" in response.get_data(as_text=True)
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.77"
    assert forgot(other, "another@example.test").status_code == 200


def test_a_directory_account_gets_no_link_but_directions(app, client, smtp):
    app.config.update(DIRECTORY_PASSWORD_HELP="Change it in the company directory.",
                      DIRECTORY_PASSWORD_URL="https://id.example.test/password")
    user = make_user(email="dora.directory@example.test")
    User.update(password_hash="").where(User.id == user.id).execute()
    page = forgot(client, user.email).get_data(as_text=True)
    assert "Change it in the company directory." in page and "https://id.example.test/password" in page
    (_, mail), = wait_for_mail(smtp)
    assert "/password/set/" not in mail and "https://id.example.test/password" in mail
    assert AccountToken.select().count() == 0


def test_without_mail_the_page_says_to_ask_an_admin(client):
    response = client.get("/login/forgot")
    assert "Ask an admin to set a new password" in response.get_data(as_text=True)


def test_a_reset_lifts_the_lock_for_new_devices(app, client, smtp):
    app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"] = 2
    user = make_user()
    for _ in range(2):
        client.post("/login", data={"email": user.email, "password": "wrong guess"})
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 429
    forgot(client, user.email)
    path = link_in(wait_for_mail(smtp)[0])
    client.post(path, data={"new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert LoginFailure.select().count() == 0
    assert client.post("/login", data={"email": user.email, "password": NEW_PASSWORD}).status_code == 303


def test_an_admin_invites_instead_of_typing_a_password(app, client, smtp, login):
    login("admin")
    response = client.post("/admin/users/new", data={"email": "ian.invited@example.test", "name": "Ian Invited",
                                                     "role": "manager", "department": "IT", "password": ""})
    assert response.status_code == 303
    (recipients, mail), = smtp.messages  # sent before the page answered
    assert recipients == ["ian.invited@example.test"] and "Your PMO Portal account" in mail
    path = link_in((recipients, mail))
    invitee = app.test_client()
    assert invitee.post(path, data={"new": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 303
    assert invitee.post("/login", data={"email": "ian.invited@example.test",
                                        "password": NEW_PASSWORD}).status_code == 303
    user = User.get(User.email == "ian.invited@example.test")
    assert user.role == "manager"
    actions = [e.action for e in AuditEvent.select().where(AuditEvent.object_id == str(user.id))]
    assert {"user.create", "user.invite", "user.invitation_accepted", "user.login"} <= set(actions)
    # An admin can send a fresh link from the account page.
    page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "Send a password link" in page
    assert client.post(f"/admin/users/{user.id}/invite", data={"version": user.version}).status_code == 303
    assert len(smtp.messages) == 2
    # With the mail server down the admin is told, and the invitation waits in the outbox.
    working_port, app.config["SMTP_PORT"] = app.config["SMTP_PORT"], dead_port()
    response = client.post(f"/admin/users/{user.id}/invite", data={"version": user.version})
    assert "could not be sent just now" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert MailDelivery.select().where(MailDelivery.state == "pending").count() == 1
    app.config["SMTP_PORT"] = working_port
    with app.app_context():
        assert send_pending() == (1, 0)
    assert len(smtp.messages) == 3
    assert all(d.body == SENT_BODY for d in MailDelivery.select())  # sent invitations keep no link


def test_invite_from_the_command_line(app, smtp, monkeypatch, database_url):
    monkeypatch.setenv("PORTAL_DATABASE_URL", database_url)
    monkeypatch.setenv("PORTAL_SECRET_KEY", "test-secret")
    monkeypatch.setenv("PORTAL_SMTP_HOST", app.config["SMTP_HOST"])
    monkeypatch.setenv("PORTAL_SMTP_PORT", str(app.config["SMTP_PORT"]))
    monkeypatch.setenv("PORTAL_BASE_URL", "https://pmo.example.test")
    runner = CliRunner()
    result = runner.invoke(main, ["users", "invite", "cli.person@example.test", "--role", "pmo",
                                  "--name", "Cli Person"])
    assert result.exit_code == 0, result.output
    assert "Invitation sent to cli.person@example.test." in result.output
    assert User.get(User.email == "cli.person@example.test").role == "pmo"
    assert "/password/set/" in smtp.messages[0][1]
    missing = runner.invoke(main, ["users", "invite", "nobody@example.test"])
    assert missing.exit_code == 1 and "give --role" in missing.output


@pytest.mark.parametrize("field", ["", "not-a-token", "x" * 200])
def test_forged_links_are_refused(client, field):
    assert client.get(f"/password/set/{field}").status_code in (404, 410)
