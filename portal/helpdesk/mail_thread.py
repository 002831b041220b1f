"""Which ticket a mail belongs to: the Message-IDs the portal gives a ticket's mail, and reading them back."""
import hashlib
import hmac
import re

from flask import current_app

from portal.mail import mail_domain

# '[PMO-1042]' in a subject; bounded, so no backtracking over long subjects.
SUBJECT_REFERENCE = re.compile(r"\[PMO-([0-9]{1,9})\]", re.IGNORECASE)
# '<pmo-ticket-1042.<signature>[.<anything>]@domain>' as made by `ticket_thread` (and notify for each message).
_OWN_ID = re.compile(r"<?pmo-ticket-([0-9]{1,9})\.([0-9a-f]{12})(?:\.[0-9a-z]{1,40})?@([^>\s]{1,200})>?")


def _signature(number: int) -> str:
    """A keyed tag: only the portal makes Message-IDs that name a ticket, so a forged one names none."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"ticket-{number}".encode(), hashlib.sha256).hexdigest()[:12]


def ticket_thread(number: int) -> str:
    """The conversation Message-ID of ticket `number`: every mail about it replies to this one."""
    return f"<pmo-ticket-{number}.{_signature(number)}@{mail_domain()}>"


def help_desk_address() -> str | None:
    """Where replies to ticket mail go (Reply-To), when the help desk reads mail."""
    return current_app.config.get("MAIL_IN_ADDRESS") or None


def own_ticket_number(message_id: str) -> int | None:
    """The ticket a Message-ID made by the portal names; None for anyone else's (or a forged) id."""
    match = _OWN_ID.fullmatch((message_id or "").strip())
    if not match:
        return None
    number = int(match.group(1))
    return number if hmac.compare_digest(match.group(2), _signature(number)) else None


def referenced_tickets(message_ids: list[str]) -> list[int]:
    """Ticket numbers named by the portal's own ids among In-Reply-To and References, nearest first."""
    found = []
    for message_id in message_ids:
        number = own_ticket_number(message_id)
        if number is not None and number not in found:
            found.append(number)
    return found


def subject_ticket(subject: str) -> int | None:
    """The ticket named as [PMO-1042] in a subject, if any."""
    match = SUBJECT_REFERENCE.search((subject or "")[:1000])
    return int(match.group(1)) if match else None
