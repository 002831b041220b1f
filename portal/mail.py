"""Outgoing e-mail over SMTP, configured by the PORTAL_SMTP_* settings."""
import smtplib
from email.message import EmailMessage

from flask import current_app


def one_line(text: str) -> str:
    """`text` with every line break and control character folded into single spaces."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text or "").split())


def send_mail(to: str, subject: str, body: str, config=None, request_id: str | None = None,
              headers: dict | None = None) -> None:
    """Send one plain-text message; raises OSError, smtplib.SMTPException or ValueError when it cannot.

    X-Request-ID carries the request that caused the message (or this run), as in the logs.
    `headers` adds more (Message-ID, In-Reply-To, References, Reply-To, Auto-Submitted);
    empty values are left out.
    """
    from portal.logs import accept_request_id, current_request_id
    config = config or current_app.config
    message = EmailMessage()
    message["X-Request-ID"] = accept_request_id(request_id or current_request_id())
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    # A header with a line break would be refused (or, worse, inject headers): fold it.
    message["Subject"] = one_line(subject)
    for name, value in (headers or {}).items():
        if value:
            message[name] = one_line(value)
    message.set_content(body)
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=20) as smtp:
        if config.get("SMTP_STARTTLS"):
            smtp.starttls()
        if config.get("SMTP_USER"):
            smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
        smtp.send_message(message)


def mail_domain(config=None) -> str:
    """The domain of the portal's sender address: the right-hand side of the Message-IDs it makes."""
    config = config or current_app.config
    domain = config["MAIL_FROM"].rpartition("@")[2].strip(" >") or "localhost"
    return "".join(ch for ch in domain if ch.isalnum() or ch in ".-") or "localhost"
