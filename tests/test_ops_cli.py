"""The `portal` command for operators: schema refusal, downgrade, remind's exit code, demo's refusal."""
import socket

from tests.test_cli import empty_database_url, portal  # noqa: F401  (fixtures)


def _sql(statement):
    from portal.db import db
    with db.connection_context():
        db.execute_sql(statement)


def _applied(portal_run):
    return [line.split()[-1] for line in portal_run("db", "status").output.splitlines() if line.startswith("applied")]


def test_a_newer_database_is_refused_by_everything_but_db(portal):  # noqa: F811
    assert portal("db", "upgrade").exit_code == 0
    _sql("INSERT INTO schema_migration (name, applied) VALUES ('0099_from_the_future', '2030-01-01')")
    status = portal("db", "status")
    assert status.exit_code == 1
    assert "Up to date." not in status.output and "0099_from_the_future" in status.output
    assert "newer release" in status.output
    refused = portal("users", "list")
    assert refused.exit_code != 0 and "does not know" in refused.output
    assert portal("remind").exit_code != 0
    upgrade = portal("db", "upgrade")
    assert upgrade.exit_code != 0 and "newer release" in upgrade.output
    assert portal("users", "--help").exit_code == 0


def test_pending_migrations_are_refused_too(portal):  # noqa: F811
    result = portal("users", "list")
    assert result.exit_code != 0 and "portal db upgrade" in result.output


def test_downgrade_dry_run_then_refusal_then_yes(portal):  # noqa: F811
    portal("db", "upgrade")
    before = _applied(portal)
    dry = portal("db", "downgrade", "--to", "0011_risk_reviews", "--dry-run")
    assert dry.exit_code == 0 and "0013_request_id" in dry.output and "nothing was changed" in dry.output
    assert _applied(portal) == before
    refused = portal("db", "downgrade", "--to", "0011_risk_reviews")
    assert refused.exit_code != 0 and "--yes" in refused.output
    assert _applied(portal) == before
    done = portal("db", "downgrade", "--to", "0011_risk_reviews", "--yes")
    assert done.exit_code == 0, done.output
    after = _applied(portal)
    assert after[-1] == "0011_risk_reviews" and "0013_request_id" not in after
    assert portal("db", "upgrade").exit_code == 0  # and forward again
    assert "Up to date." in portal("db", "status").output


def test_upgrade_marks_the_upload_folder(portal, tmp_path):  # noqa: F811
    result = portal("db", "upgrade")
    assert "marked" in result.output
    assert (tmp_path / "uploads" / ".portal-upload-folder").exists()


def test_demo_refuses_a_database_with_real_accounts(portal):  # noqa: F811
    portal("db", "upgrade")
    portal("users", "create", "real@example.org", "--role", "admin", "--password", "a long enough pass")
    refused = portal("demo")
    assert refused.exit_code != 0 and "1 real account" in refused.output
    assert "demo.pmo" not in portal("users", "list").output
    forced = portal("demo", "--force")
    assert forced.exit_code == 0 and "demo.pmo" in portal("users", "list").output


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_remind_exits_1_while_mail_cannot_be_sent_and_0_once_it_is(portal, monkeypatch):  # noqa: F811
    from aiosmtpd.controller import Controller

    from tests.test_notify_mail import Inbox
    portal("db", "upgrade")
    portal("users", "create", "owner@example.org", "--role", "manager", "--password", "a long enough pass")
    port = _free_port()
    monkeypatch.setenv("PORTAL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PORTAL_SMTP_PORT", str(port))
    _queue_mail("owner@example.org")
    down = portal("remind")
    assert down.exit_code == 1 and "could not be sent" in down.output
    assert "Reminder run finished, 1 e-mail(s) unsent" in down.output  # the log line, for cron's mail or the journal
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        up = portal("remind")
    finally:
        controller.stop()
    assert up.exit_code == 0, up.output
    assert len(inbox.messages) == 1
    assert "X-Request-ID: req-from-the-web" in inbox.messages[0][1]  # the request that queued it


def _queue_mail(email):
    from portal.auth.models import User
    from portal.db import db
    from portal.notify.models import MailDelivery, Notification
    with db.connection_context():
        user = User.get(User.email == email)
        note = Notification.create(user=user, text="Your report is due", url="/")
        MailDelivery.create(notification=note, to_address=email, subject="Your report is due", body="Due.",
                            request_id="req-from-the-web")
