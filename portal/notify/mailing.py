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


def queue_mail_to(to_address: str, subject: str, body: str, in_reply_to: str | None = None,
                  reply_to: str | None = None, auto_submitted: str = "auto-generated",
                  forget_body: bool = False) -> MailDelivery:
    """Put an e-mail to a plain address in the outbox (no notification: the address need not be a person's).

    Call inside the transaction that makes the mail true (a link issued, a mail recorded), so the
    mail exists exactly when that does; `outbox.send_pending` delivers it after commit and retries it
    until sent. `auto_submitted` is its RFC 3834 Auto-Submitted header ("auto-replied" for an
    answer to a mail received); `forget_body` blanks the stored body once sent (a one-time link).
    """
    if auto_submitted not in ("auto-generated", "auto-replied"):
        raise ValueError(f"Auto-Submitted must be auto-generated or auto-replied, not {auto_submitted!r}")
    return MailDelivery.create(notification=None, to_address=one_line(to_address)[:255],
                               subject=one_line(subject)[:255], body=body, created_at=utcnow(),
                               request_id=current_request_id(), message_id=message_id_in(None),
                               in_reply_to=in_reply_to or None, reply_to=reply_to or None,
                               auto_submitted=auto_submitted, forget_body=forget_body)
