"""E-mail copies of notices: whether mail is on, the message body, and queuing a copy in the outbox."""
import uuid

from flask import current_app, has_app_context

from portal.db import utcnow
from portal.logs import current_request_id
from portal.mail import mail_domain, one_line
from portal.notify.models import MailDelivery, Notification


def mail_enabled() -> bool:
    """True when an SMTP host is configured; otherwise (or outside the app) notices stay in the portal."""
    return has_app_context() and bool(current_app.config.get("SMTP_HOST"))


def mail_body(text: str, url: str, detail: str = "") -> str:
    """The plain-text e-mail for a notice: the text, `detail` (if any), the link into the portal, a signature."""
    link = current_app.config["BASE_URL"].rstrip("/") + url
    more = f"\n\n{detail.strip()}" if detail and detail.strip() else ""
    return f"{text}{more}\n\n{link}\n\n-- \nPMO Portal"


def message_id_in(thread: str | None) -> str:
    """A new Message-ID; in a conversation (`thread`, '<local@domain>') one of the form
    '<local.RANDOM@domain>', so that a reply to any message names the conversation."""
    token = uuid.uuid4().hex[:16]
    if thread and thread.startswith("<") and thread.endswith(">") and "@" in thread:
        local, _, domain = thread[1:-1].rpartition("@")
        return f"<{local}.{token}@{domain}>"
    return f"<{uuid.uuid4().hex}@{mail_domain()}>"


def queue_mail(note: Notification, to_address: str, subject: str, body: str, thread: str | None = None,
               reply_to: str | None = None) -> MailDelivery:
    """Put an e-mail for `note` in the outbox; `outbox.send_pending` delivers it after commit.

    Its Message-ID is fixed now, so a retry is the same message; `thread` becomes its
    In-Reply-To and References, `reply_to` its Reply-To.
    """
    return MailDelivery.create(notification=note, to_address=to_address, subject=one_line(subject)[:255],
                               body=body, created_at=utcnow(), request_id=current_request_id(),
                               message_id=message_id_in(thread), in_reply_to=thread or None,
                               reply_to=reply_to or None)
