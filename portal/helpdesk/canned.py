"""Canned answers: reusable replies the PMO keeps, with a few placeholders."""
from portal.audit.services import record
from portal.db import db, utcnow
from portal.errors import InvalidInput, Stale
from portal.helpdesk.models import CannedAnswer

PLACEHOLDERS = {
    "{name}": "the requester's full name",
    "{first_name}": "the requester's first name",
    "{ticket}": "the ticket number, e.g. PMO-1042",
    "{agent}": "your name",
}


def fill(answer: CannedAnswer, ticket, agent) -> str:
    """The answer's text with placeholders replaced (plain replacement: no format-string tricks)."""
    requester = ticket.requester
    values = {"{name}": requester.name, "{first_name}": requester.name.split(" ")[0],
              "{ticket}": ticket.reference, "{agent}": agent.name}
    text = answer.body
    for key, value in values.items():
        text = text.replace(key, value)
    return text


def save_answer(user, title: str, body: str, answer: CannedAnswer | None = None,
                expected_version: int | None = None) -> CannedAnswer:
    """Create or change a canned answer; titles are unique; stale edits are refused."""
    title = title.strip()
    with db.atomic():
        clash = CannedAnswer.select().where(CannedAnswer.title == title)
        if answer is not None:
            clash = clash.where(CannedAnswer.id != answer.id)
        if clash.exists():
            raise InvalidInput(f"A canned answer called “{title}” exists already.")
        if answer is None:
            answer = CannedAnswer.create(title=title, body=body, updated_by=user.id)
            record(user, "canned.create", "canned", answer.id, f"Added canned answer “{title}”")
            return answer
        if not answer.save_if_current(expected_version, title=title, body=body, updated_by=user.id,
                                      updated_at=utcnow()):
            raise Stale("Someone else changed this answer since you opened it; reload to see it.")
        record(user, "canned.update", "canned", answer.id, f"Changed canned answer “{title}”")
    return CannedAnswer.get_by_id(answer.id)


def delete_answer(user, answer: CannedAnswer) -> None:
    with db.atomic():
        answer.delete_instance()
        record(user, "canned.delete", "canned", answer.id, f"Deleted canned answer “{answer.title}”")
