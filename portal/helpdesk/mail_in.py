"""The help desk by e-mail: one incoming mail becomes a ticket, a reply on a ticket, or nothing (with why).

Called by `portal mail fetch` (mail_fetch.py) for each mail in the mailbox, and
by the tests with raw bytes. Every mail leaves one InboundMail row saying what
became of it; its UNIQUE Message-ID makes a mail read twice one ticket.
"""
import datetime
import hashlib
import logging
from dataclasses import dataclass

from flask import current_app
from peewee import IntegrityError
from werkzeug.datastructures import FileStorage

from portal.auth.models import User
from portal.db import db, utcnow
from portal.errors import InvalidInput
from portal.helpdesk import files
from portal.helpdesk.mail_parse import ParsedMail, UnreadableMail, parse_mail
from portal.helpdesk.mail_thread import own_ticket_number, referenced_tickets, subject_ticket
from portal.helpdesk.models import CATEGORIES, InboundMail, Ticket
from portal.helpdesk.services import AGENT_ROLES, HelpdeskError, add_reply, create_ticket, is_agent, visible_tickets
from portal.helpdesk.sla import BusinessCalendar
from portal.mail import one_line
from portal.markdown import LIMITS
from portal.notify.mailing import queue_mail_to
from portal.notify.services import notify

log = logging.getLogger("portal.helpdesk.mail")
GENERAL = "other"  # the category of a mail nothing in it points elsewhere ("Other" in the lists)
CATEGORY_WORDS = {
    "tools": ("access", "account", "login", "log in", "password", "licence", "license", "tool", "permission"),
    "templates": ("template", "form ", "spreadsheet", "word document"),
    "training": ("training", "course", "learning", "workshop"),
    "governance": ("approval", "approve", "governance", "board", "budget", "business case", "gate"),
    "methodology": ("methodology", "rag", "status report", "risk", "milestone", "prince2", "agile", "scope"),
}
REPLY_PREFIXES = ("re:", "aw:", "sv:", "fw:", "fwd:", "wg:", "tr:")


@dataclass
class Outcome:
    """What became of one mail: `outcome` is one of models.MAIL_OUTCOMES."""

    outcome: str
    detail: str = ""
    ticket: Ticket | None = None
    message_id: str = ""
    sender: str = ""

    @property
    def line(self) -> str:
        where = f" {self.ticket.reference}" if self.ticket else ""
        return f"{self.outcome}{where}: {self.sender or '?'} {self.message_id} {self.detail}".rstrip()


def guess_category(subject: str, text: str) -> str:
    """The category the words of the mail point to (subject first), or the general one."""
    for words in (subject.lower(), text[:5000].lower()):
        for key, hints in CATEGORY_WORDS.items():
            if any(hint in f" {words} " for hint in hints):
                return key
    return GENERAL if GENERAL in dict(CATEGORIES) else CATEGORIES[-1][0]


def clean_subject(subject: str) -> str:
    """The subject for a new ticket: one line, without 'Re:'/'Fwd:' prefixes, never empty."""
    text = one_line(subject)
    while text.lower().startswith(REPLY_PREFIXES):
        text = text.split(":", 1)[1].strip()
    return (text or "(no subject)")[:200]


def _record(parsed_or_id, outcome: str, detail: str = "", ticket=None, now=None) -> Outcome:
    """Write the InboundMail row (once per Message-ID) and return the outcome."""
    message_id = getattr(parsed_or_id, "message_id", parsed_or_id)
    sender = getattr(parsed_or_id, "sender", "")
    subject = getattr(parsed_or_id, "subject", "")
    InboundMail.create(message_id=message_id, sender=sender[:255], subject=one_line(subject)[:200],
                       outcome=outcome, ticket=ticket.id if ticket else None, detail=detail[:255],
                       received_at=now or utcnow())
    return Outcome(outcome, detail, ticket, message_id, sender)


def _seen(message_id: str) -> bool:
    return InboundMail.select().where(InboundMail.message_id == message_id).exists()


def _own_addresses(config) -> set[str]:
    return {a.strip().lower() for a in (config.get("MAIL_FROM", ""), config.get("MAIL_IN_ADDRESS", ""),
                                        config.get("MAIL_IN_USER", "")) if a and "@" in a}


def receive(raw: bytes, now=None) -> Outcome:
    """Do what one incoming mail asks, if it may; raises UnreadableMail for a mail that cannot be read."""
    config = current_app.config
    now = now or utcnow()
    parsed = parse_mail(raw)
    with db.atomic():
        if _seen(parsed.message_id):
            return Outcome("duplicate", "read before", None, parsed.message_id, parsed.sender)
    if own_ticket_number(parsed.message_id) is not None or parsed.sender in _own_addresses(config):
        return _store(parsed, "loop", "the portal's own mail came back", now=now)
    if parsed.automatic:
        return _store(parsed, "automatic", parsed.automatic, now=now)
    user = User.get_or_none(User.email == parsed.sender)
    if user is None:
        return _unknown_sender(parsed, now)
    if not user.active:
        return _store(parsed, "refused", "the sender's account is deactivated", now=now)
    number = next(iter(referenced_tickets(parsed.references)), None) or subject_ticket(parsed.subject)
    if number is not None:
        ticket = Ticket.get_or_none(Ticket.number == number)
        if ticket is not None and not visible_tickets(user).where(Ticket.id == ticket.id).exists():
            return _store(parsed, "refused", f"the sender may not see PMO-{number}", now=now)
        if ticket is not None and ticket.status != "closed":
            return _reply(parsed, user, ticket, now)
        if ticket is not None:
            return _open(parsed, user, now, follow_up=ticket)
    return _open(parsed, user, now)


def _store(parsed: ParsedMail, outcome: str, detail: str = "", now=None) -> Outcome:
    try:
        with db.atomic():
            return _record(parsed, outcome, detail, now=now)
    except IntegrityError:
        return Outcome("duplicate", "read before", None, parsed.message_id, parsed.sender)


def _body(parsed: ParsedMail, notes: list[str], follow_up=None) -> str:
    """The ticket or reply text: the mail's own words, then what was left out and why."""
    text = parsed.text.strip() or "(The mail had no text.)"
    if follow_up is not None:
        text = f"Follow-up to {follow_up.reference}, which is closed.\n\n{text}"
    tail = "".join(f"\n\n_{note}_" for note in notes)
    limit = LIMITS["ticket"] - len(tail) - 100
    if len(text) > limit:
        text = text[:limit].rstrip() + "\n\n_(The rest of the mail was too long and is not shown.)_"
    return text + tail


def _save_attachments(parsed: ParsedMail, upload_dir: str) -> tuple[list, list[str]]:
    """Store the mail's files under the form's rules (the same size cap); (saved, notes on refused ones)."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    saved, notes = [], []
    try:
        for attachment in parsed.attachments:
            if len(attachment.data) > limit:
                notes.append(f"The attachment “{attachment.filename}” ({len(attachment.data) / 1048576:.1f} MB) "
                             f"was not added: files can be at most {limit // 1048576} MB.")
                continue
            if not attachment.data:
                continue
            upload = FileStorage(stream=_Bytes(attachment.data), filename=attachment.filename,
                                 content_type=attachment.content_type)
            try:
                saved.append(files.save(upload, upload_dir))
            except InvalidInput as exc:
                notes.append(f"The attachment “{attachment.filename}” was not added: {exc}")
    except BaseException:
        for item in saved:
            files.discard(item, upload_dir)
        raise
    return saved, notes


class _Bytes:
    """The little of a stream FileStorage.save needs, over bytes in memory."""

    def __init__(self, data: bytes):
        self.data, self.done = data, False

    def read(self, size: int = -1) -> bytes:
        if self.done:
            return b""
        self.done = True
        return self.data


def _open(parsed: ParsedMail, user, now, follow_up=None) -> Outcome:
    """A new ticket from a mail: subject, text, files; the category guessed."""
    upload_dir = current_app.config["UPLOAD_DIR"]
    calendar = BusinessCalendar.from_config(current_app.config)
    saved, notes = _save_attachments(parsed, upload_dir)
    subject = clean_subject(parsed.subject)
    try:
        with db.atomic():
            ticket = create_ticket(user, subject, _body(parsed, notes, follow_up),
                                   guess_category(subject, parsed.text), "normal", None, calendar, now=now)
            for item in saved:
                files.record(item, ticket, user)
            outcome = _record(parsed, "ticket", f"from {parsed.sender}", ticket, now)
    except IntegrityError:
        for item in saved:
            files.discard(item, upload_dir)
        return Outcome("duplicate", "read at the same time by another run", None, parsed.message_id, parsed.sender)
    except BaseException:
        for item in saved:
            files.discard(item, upload_dir)
        raise
    return outcome


def _reply(parsed: ParsedMail, user, ticket: Ticket, now) -> Outcome:
    """A public reply on `ticket` from its mail; a requester's reply reopens a resolved or waiting ticket."""
    upload_dir = current_app.config["UPLOAD_DIR"]
    calendar = BusinessCalendar.from_config(current_app.config)
    saved, notes = _save_attachments(parsed, upload_dir)
    token = "mail-" + hashlib.sha256(parsed.message_id.encode()).hexdigest()[:40]
    try:
        with db.atomic():
            reply = add_reply(ticket, user, _body(parsed, notes), token, calendar, now=now)
            fresh = Ticket.get_by_id(ticket.id)
            if fresh.status == "resolved" and not is_agent(user):
                # Someone allowed to see the ticket (its project's manager) says it is not done yet.
                reopened = fresh.status
                Ticket.update(status="open", resolved_at=None, resolution_seconds=None, updated_at=now,
                              version=Ticket.version + 1).where(Ticket.id == fresh.id).execute()
                log.info("%s reopened by mail from %s (was %s)", fresh.reference, user.email, reopened)
            for item in saved:
                files.record(item, fresh, user, reply)
            outcome = _record(parsed, "reply", f"from {parsed.sender}", fresh, now)
    except IntegrityError:
        for item in saved:
            files.discard(item, upload_dir)
        return Outcome("duplicate", "read at the same time by another run", None, parsed.message_id, parsed.sender)
    except HelpdeskError as exc:
        for item in saved:
            files.discard(item, upload_dir)
        return _store(parsed, "refused", str(exc), now=now)
    except BaseException:
        for item in saved:
            files.discard(item, upload_dir)
        raise
    return outcome


def _unknown_sender(parsed: ParsedMail, now) -> Outcome:
    """Mail from an address without an account: ignored, or answered once per period with how to get one."""
    config = current_app.config
    if config.get("MAIL_IN_UNKNOWN") != "invite" or not config.get("SMTP_HOST"):
        return _store(parsed, "unknown", "no account with this address", now=now)
    since = now - datetime.timedelta(days=config.get("MAIL_IN_INVITE_DAYS", 7))
    answered = InboundMail.select().where((InboundMail.sender == parsed.sender) & (InboundMail.outcome == "invited")
                                          & (InboundMail.received_at > since)).exists()
    if answered:
        return _store(parsed, "unknown", "no account; told how to get one recently", now=now)
    # The answer is queued with the record of the mail: both or neither, and the outbox retries it.
    try:
        with db.atomic():
            outcome = _record(parsed, "invited", "no account; told how to get one", now=now)
            queue_mail_to(parsed.sender, f"Re: {clean_subject(parsed.subject)}", _invitation(),
                          in_reply_to=parsed.message_id if parsed.message_id.startswith("<") else None,
                          reply_to=config.get("MAIL_IN_ADDRESS") or None, auto_submitted="auto-replied")
    except IntegrityError:
        return Outcome("duplicate", "read before", None, parsed.message_id, parsed.sender)
    return outcome


def _invitation() -> str:
    base = current_app.config["BASE_URL"].rstrip("/")
    return ("Thank you for writing to the PMO help desk.\n\n"
            "We could not find a PMO Portal account for the address you wrote from, so your mail did not "
            "open a ticket. Ask your manager or the PMO for an account, then write again from the address "
            f"registered there, or ask your question in the portal:\n\n{base}/helpdesk/new\n\n"
            "This answer is sent once; further mail from this address is not answered for a while.\n\n"
            "-- \nPMO Portal")


def report_unreadable(reason: str, folder: str) -> None:
    """Tell PMO staff (in the portal) that a mail could not be read and where it was put aside."""
    staff = [uid for (uid,) in User.select(User.id).where(User.role.in_(AGENT_ROLES) & User.active).tuples()]
    with db.atomic():
        notify(staff, f"A mail to the help desk could not be read and was moved to the folder “{folder}”: "
                      f"{reason}"[:250], "")
    log.warning("Unreadable mail moved to %s: %s", folder, reason)


__all__ = ["Outcome", "UnreadableMail", "receive", "report_unreadable", "guess_category", "clean_subject"]
