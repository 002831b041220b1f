"""E-mail copies of notices: whether mail is on, the message body, and queuing a copy in the outbox."""
from flask import current_app, has_app_context

from portal.db import utcnow
from portal.logs import current_request_id
from portal.mail import one_line
from portal.notify.models import MailDelivery, Notification


def mail_enabled() -> bool:
    """True when an SMTP host is configured; otherwise (or outside the app) notices stay in the portal."""
    return has_app_context() and bool(current_app.config.get("SMTP_HOST"))


def mail_body(text: str, url: str) -> str:
    """The plain-text e-mail for a notice: the text, the link into the portal, a signature."""
    link = current_app.config["BASE_URL"].rstrip("/") + url
    return f"{text}\n\n{link}\n\n-- \nPMO Portal"


def queue_mail(note: Notification, to_address: str, subject: str, body: str) -> MailDelivery:
    """Put an e-mail for `note` in the outbox; `outbox.send_pending` delivers it after commit."""
    return MailDelivery.create(notification=note, to_address=to_address, subject=one_line(subject)[:255],
                               body=body, created_at=utcnow(), request_id=current_request_id())
