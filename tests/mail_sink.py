"""A real SMTP server on a free loopback port that keeps what it receives (the Inbox of test_notify_mail)."""
import contextlib
import socket
import time

from tests.test_notify_mail import Inbox


@contextlib.contextmanager
def smtp_sink(app):
    """Serve SMTP on loopback and point the portal's mail settings at it; yields the Inbox."""
    from aiosmtpd.controller import Controller
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, BASE_URL="https://pmo.example.test")
    try:
        yield inbox
    finally:
        controller.stop()


def wait_for_mail(inbox, count=1, timeout=10.0):
    """The messages once `count` have arrived (password mail is sent from the outbox just after the request)."""
    deadline = time.monotonic() + timeout
    while len(inbox.messages) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(inbox.messages) >= count, f"expected {count} e-mail(s), got {len(inbox.messages)}"
    return inbox.messages


def link_in(raw: str) -> str:
    """The path of the password link in a received message (its body decoded, as a mail program shows it)."""
    import email
    import email.policy
    import re
    body = email.message_from_string(raw, policy=email.policy.default).get_content()
    return re.search(r"https://pmo\.example\.test(/password/set/[A-Za-z0-9_-]+)", body).group(1)
