"""Help-desk workflow: asking, answering, the status table, assignment, merging and rating."""
import re
from types import SimpleNamespace

from flask import abort
from peewee import JOIN

from portal.audit.services import record
from portal.auth.models import User
from portal.db import Counter, db, next_number, utcnow
from portal.errors import InvalidInput, NotAllowed, Stale
from portal.helpdesk import files
from portal.helpdesk.models import CATEGORIES, PRIORITIES, Reply, Ticket
from portal.helpdesk.sla import BusinessCalendar, due_times
from portal.markdown import too_long
from portal.notify.services import notify
from portal.sqlfunc import PreparedQuery
from portal.webhooks.events import emit

AGENT_ROLES = ("pmo", "admin")
FIRST_NUMBER = 1000  # the first ticket is PMO-1001

# Who may move a ticket from one status to another: PMO staff, or also the requester.
AGENT, ANYONE = "agent", "anyone"
TRANSITIONS = {
    "new": {"open": AGENT, "waiting": AGENT, "resolved": AGENT, "closed": AGENT},
    "open": {"waiting": AGENT, "resolved": AGENT, "closed": AGENT},
    "waiting": {"open": ANYONE, "resolved": AGENT, "closed": AGENT},
    "resolved": {"open": ANYONE, "closed": ANYONE},
    "closed": {},
}
CATEGORY_KEYS = {k for k, _ in CATEGORIES}
# `portal remind` warns and escalates once per clock; when the clock that matters
# changes (first response given, due times moved, ticket reopened) it may again.
SLA_CLAIMS_CLEARED = {"warned_at": None, "escalated_at": None}
PRIORITY_KEYS = {k for k, _ in PRIORITIES}


class HelpdeskError(InvalidInput):
    """A help-desk request that cannot be carried out (422); the message says why."""


def is_agent(user) -> bool:
    return getattr(user, "role", None) in AGENT_ROLES


def visible_tickets(user):
    """Tickets `user` may see: agents all; everyone else the ones they asked and those
    about projects they manage. The one scoped query every page, fragment and search uses."""
    from portal.projects.models import Project
    query = Ticket.select()
    if is_agent(user):
        return query
    managed = Project.select(Project.code).where((Project.manager == user.id) & Project.code.is_null(False))
    # The ids as a UNION of two index lookups, not `requester = ? OR project_code IN (...)`:
    # with an OR both databases scanned thousands of tickets by status or due time.
    asked = Ticket.select(Ticket.id).where(Ticket.requester == user.id)
    about_managed = Ticket.select(Ticket.id).where(Ticket.project_code.in_(managed))
    return query.where(Ticket.id.in_(asked | about_managed))


def resolve_project(code: str | None, user) -> str | None:
    """The code of a project `user` can see, or None for no project; unknown codes are refused."""
    from portal.projects.models import Project
    code = (code or "").strip().upper()
    if not code:
        return None
    if not Project.visible_to(user).where(Project.code == code).exists():
        raise HelpdeskError(f"There is no project {code} that you can see. Leave it empty if unsure.")
    return code


def parse_number(value) -> int | None:
    """A ticket number from '1042' or 'PMO-1042'; None for anything else (no overflow, no '²')."""
    text = str(value or "").strip().upper().removeprefix("PMO-")
    return int(text) if re.fullmatch(r"[0-9]{1,9}", text) else None


def _ticket_with_people(user_id: int, number: int, role: str):
    """The ticket by number as visible to a user with this id and role, its requester and assignee joined."""
    requester, assignee = User.alias("requester"), User.alias("assignee")
    return (visible_tickets(SimpleNamespace(id=user_id, role=role)).where(Ticket.number == number)
            .select_extend(requester, assignee)
            .join_from(Ticket, requester, on=(Ticket.requester == requester.id), attr="requester")
            .join_from(Ticket, assignee, JOIN.LEFT_OUTER, on=(Ticket.assignee == assignee.id), attr="assignee")
            .limit(1))


# The ticket's page: its SQL is built once per role (peewee took ~0.5 ms to build it, SQLite ~0.05 to run it).
_TICKET_WITH_PEOPLE = PreparedQuery(_ticket_with_people)


def load_ticket(number, user, need: str = "view", with_people: bool = False) -> Ticket:
    """The ticket with this number if `user` may see it (404 otherwise, like a missing one).

    need="work" also requires an agent (403 for a requester, who can see it).
    with_people reads the requester and the assignee in the same query (the ticket's page
    shows both; otherwise each is a query of its own when first used).
    """
    number = parse_number(number)
    if number is None:
        abort(404)
    if with_people:
        ticket = _TICKET_WITH_PEOPLE.first(user.id, number, shape=(getattr(user, "role", None),))
    else:
        ticket = visible_tickets(user).where(Ticket.number == number).first()
    if ticket is None:
        abort(404)
    if need == "work" and not is_agent(user):
        abort(403, description="Only PMO staff work on tickets.")
    return ticket


def _url(ticket) -> str:
    return f"/helpdesk/{ticket.number}"


def ticket_mail(ticket, detail: str = "") -> dict:
    """How a notice about `ticket` travels by e-mail: '[PMO-1042] subject', threaded on the ticket's
    conversation, with the help desk as Reply-To, so a reply from a mail client lands on the ticket."""
    from flask import has_app_context

    from portal.helpdesk.mail_thread import help_desk_address, ticket_thread
    mail = {"subject": f"[{ticket.reference}] {ticket.subject}", "detail": detail}
    if has_app_context():  # outside the app (some scripts, tests) nothing goes by mail anyway
        mail.update(thread=ticket_thread(ticket.number), reply_to=help_desk_address())
    return mail


def _validate_choice(value, allowed, what):
    if value not in allowed:
        raise HelpdeskError(f"Unknown {what} {value!r}.")


def _save_upload(upload, upload_dir: str) -> files.SavedFile | None:
    """Write an uploaded file (or nothing) ahead of the transaction that records it.

    A refused file (type, size) raises InvalidInput with the reason.
    """
    return files.save(upload, upload_dir)


def create_ticket(user, subject: str, body: str, category: str, priority: str,
                  project_code: str | None, calendar: BusinessCalendar, upload=None, upload_dir: str = "",
                  now=None) -> Ticket:
    """Open a ticket with the next number; requesters may not choose 'urgent'.

    `upload` (a file from the form, optional) is stored in `upload_dir` and
    removed again if the ticket is not saved.
    """
    _validate_choice(category, CATEGORY_KEYS, "category")
    _validate_choice(priority, PRIORITY_KEYS, "priority")
    _check_length(body)
    if priority == "urgent" and not is_agent(user):
        raise HelpdeskError("Urgent is set by the PMO; choose high if it cannot wait.")
    now = now or utcnow()
    project_code = resolve_project(project_code, user)
    first_due, resolve_due = due_times(calendar, now, priority)
    saved = _save_upload(upload, upload_dir)
    with files.removed_on_failure(saved, upload_dir), db.atomic():
        Counter.insert(name="ticket", value=FIRST_NUMBER).on_conflict_ignore().execute()
        number = next_number("ticket")
        ticket = Ticket.create(number=number, subject=subject.strip(), body=body, category=category,
                               priority=priority, requester=user.id, project_code=project_code,
                               created_at=now, updated_at=now, first_response_due=first_due,
                               resolution_due=resolve_due)
        files.record(saved, ticket, user)
        record(user, "ticket.create", "ticket", ticket.number, f"Asked {ticket.reference}: {ticket.subject}")
        # The body stays in the portal: a webhook carries what a queue row shows.
        emit("ticket.created", f"{ticket.reference} from {user.name}: {ticket.subject}", _url(ticket),
             {"ticket": ticket.reference, "subject": ticket.subject, "category": category, "priority": priority,
              "requester": user.name, "project": project_code, "first_response_due": first_due,
              "resolution_due": resolve_due})
    return ticket


def _apply_status(ticket: Ticket, new_status: str, now, calendar: BusinessCalendar) -> dict:
    """The field changes that moving to `new_status` implies (SLA pause, resolved/closed times)."""
    changes = {"status": new_status, "updated_at": now}
    if new_status == "open" and ticket.status != "new":
        changes.update(SLA_CLAIMS_CLEARED)  # back on the clock: warn and escalate afresh
    if ticket.status == "waiting" and new_status != "waiting" and ticket.waiting_since:
        # Waiting on the requester stops the resolution clock: push the due time back.
        paused = ticket.paused_seconds + int(calendar.between(ticket.waiting_since, now))
        changes["paused_seconds"] = paused
        changes["resolution_due"] = due_times(calendar, ticket.created_at, ticket.priority, paused)[1]
        changes["waiting_since"] = None
    if new_status == "waiting":
        changes["waiting_since"] = now
    if new_status == "resolved":
        changes["resolved_at"] = now
        paused = changes.get("paused_seconds", ticket.paused_seconds)
        changes["resolution_seconds"] = max(0, int(calendar.between(ticket.created_at, now)) - paused)
    if new_status == "closed":
        changes["closed_at"] = now
    if new_status == "open" and ticket.status in ("resolved", "closed"):
        changes["resolved_at"] = None
        changes["closed_at"] = None
        changes["resolution_seconds"] = None
    return changes


def _save(ticket: Ticket, expected_version: int, changes: dict) -> Ticket:
    if not ticket.save_if_current(expected_version, **changes):
        raise Stale("Someone else changed this ticket since you opened it. Reload to see the change; "
                    "your text is kept below.")
    return Ticket.get_by_id(ticket.id)


def check_transition(ticket: Ticket, user, new_status: str) -> None:
    """Raise HelpdeskError unless `user` may move `ticket` to `new_status` from where it is."""
    who = TRANSITIONS.get(ticket.status, {}).get(new_status)
    if who is None:
        raise HelpdeskError(f"A {ticket.status} ticket cannot become {new_status}.")
    if who == AGENT and not is_agent(user):
        raise HelpdeskError("Only PMO staff change a ticket's status.")
    if who == ANYONE and not (is_agent(user) or ticket.requester_id == user.id):
        raise HelpdeskError("Only the person who asked, or PMO staff, can do that.")


def change_status(ticket: Ticket, user, new_status: str, expected_version: int,
                  calendar: BusinessCalendar, now=None) -> Ticket:
    """Move the ticket along the status table, if this user may make that move from here."""
    now = now or utcnow()
    check_transition(ticket, user, new_status)
    with db.atomic():
        fresh = _save(ticket, expected_version, _apply_status(ticket, new_status, now, calendar))
        record(user, "ticket.status", "ticket", ticket.number, f"{ticket.reference}: {ticket.status} → {new_status}",
               before={"status": ticket.status}, after={"status": new_status})
        others = [u for u in (ticket.requester_id, ticket.assignee_id) if u != user.id]
        notify(others, f"{ticket.reference} is now {new_status}: {ticket.subject}", _url(ticket),
               **ticket_mail(ticket))
    return fresh


def update_ticket(ticket: Ticket, user, expected_version: int, calendar: BusinessCalendar,
                  assignee_id=None, priority=None, category=None, now=None) -> Ticket:
    """Change assignee, priority or category (agents only); priority recomputes the SLA."""
    if not is_agent(user):
        raise HelpdeskError("Only PMO staff change a ticket.")
    now = now or utcnow()
    changes, before, after = {"updated_at": now}, {}, {}
    if assignee_id is not None:
        assignee = User.get_or_none((User.id == assignee_id) & (User.role.in_(AGENT_ROLES)) & (User.active == True))  # noqa: E712
        if assignee_id and assignee is None:
            raise HelpdeskError("Tickets are assigned to active PMO staff only.")
        changes["assignee"] = assignee.id if assignee else None
        before["assignee"], after["assignee"] = ticket.assignee_id, changes["assignee"]
        if ticket.status == "new" and assignee:
            changes["status"] = "open"
    if priority is not None and priority != ticket.priority:
        _validate_choice(priority, PRIORITY_KEYS, "priority")
        changes["first_response_due"], changes["resolution_due"] = due_times(
            calendar, ticket.created_at, priority, ticket.paused_seconds)
        before["priority"], after["priority"] = ticket.priority, priority
        changes["priority"] = priority
        changes.update(SLA_CLAIMS_CLEARED)  # new due times: new warnings
    if category is not None and category != ticket.category:
        _validate_choice(category, CATEGORY_KEYS, "category")
        before["category"], after["category"] = ticket.category, category
        changes["category"] = category
    with db.atomic():
        fresh = _save(ticket, expected_version, changes)
        if after:
            record(user, "ticket.update", "ticket", ticket.number, f"Updated {ticket.reference}",
                   before=before, after=after)
        if after.get("assignee") and after["assignee"] != user.id:
            notify([after["assignee"]], f"{user.name} assigned {ticket.reference} to you: {ticket.subject}",
                   _url(ticket))
    return fresh


def work_ticket(ticket: Ticket, user, expected_version: int, calendar: BusinessCalendar, assignee_id,
                priority: str, category: str, status: str) -> Ticket:
    """The staff form: assignee, priority, category and status together, all or nothing."""
    if status != ticket.status:
        check_transition(ticket, user, status)
    with db.atomic():
        fresh = update_ticket(ticket, user, expected_version, calendar, assignee_id=assignee_id,
                              priority=priority, category=category)
        if status != fresh.status:
            fresh = change_status(fresh, user, status, fresh.version, calendar)
    return fresh


def _check_length(body: str) -> None:
    """Questions, replies and notes are Markdown with a documented cap (portal.markdown.LIMITS)."""
    message = too_long(body or "", "ticket")
    if message:
        raise HelpdeskError(message)


def assign_to_self(ticket: Ticket, user, calendar: BusinessCalendar) -> Ticket:
    """'Take it': assign the ticket to the acting agent."""
    return update_ticket(ticket, user, ticket.version, calendar, assignee_id=user.id)


def add_reply(ticket: Ticket, user, body: str, client_token: str, calendar: BusinessCalendar,
              internal: bool = False, new_status: str | None = None, upload=None, upload_dir: str = "",
              now=None) -> Reply:
    """Post a reply or internal note; stored once per form token, moves the status as it implies.

    An agent's first public reply is the first response; a requester's reply
    to a waiting or resolved ticket reopens it; closed tickets take no replies.
    `upload` (optional) is stored in `upload_dir`, and removed again if the reply
    is not saved or was a repeat.
    """
    now = now or utcnow()
    _check_length(body)
    if internal and not is_agent(user):
        raise HelpdeskError("Internal notes are for PMO staff.")
    if ticket.status == "closed":
        raise HelpdeskError("This ticket is closed. Ask a new question and mention "
                            f"{ticket.reference} in it.")
    saved = _save_upload(upload, upload_dir)
    with files.removed_on_failure(saved, upload_dir), db.atomic():
        existing = Reply.get_or_none(Reply.client_token == client_token)
        if existing is not None:
            existing.duplicate = True  # the same form sent twice (double click, retry)
            files.discard(saved, upload_dir)
            return existing
        fresh = Ticket.get_by_id(ticket.id)
        reply = Reply.create(ticket=fresh.id, author=user.id, body=body, internal=internal,
                             created_at=now, client_token=client_token)
        files.record(saved, fresh, user, reply)
        changes = {"updated_at": now}
        status = target = fresh.status
        answering = is_agent(user) and fresh.requester_id != user.id
        if answering and not internal and fresh.first_response_at is None:
            changes["first_response_at"] = now
            changes.update(SLA_CLAIMS_CLEARED)  # the resolution clock is the one to watch now
            changes["first_response_seconds"] = int(calendar.between(fresh.created_at, now))
        if answering:
            target = new_status or ("open" if status == "new" and not internal else status)
        elif status in ("waiting", "resolved") and fresh.requester_id == user.id:
            target = "open"  # the requester answered or came back: the PMO's turn again
        if target != status:
            if target not in TRANSITIONS[status]:
                raise HelpdeskError(f"A {status} ticket cannot become {target}.")
            changes.update(_apply_status(fresh, target, now, calendar))
        Ticket.update({getattr(Ticket, k): v for k, v in changes.items()} | {Ticket.version: Ticket.version + 1}) \
            .where(Ticket.id == fresh.id).execute()
        record(user, "ticket.note" if internal else "ticket.reply", "ticket", fresh.number,
               f"{'Internal note' if internal else 'Reply'} on {fresh.reference}")
        if not internal:
            # The requester hears of public replies only; the assignee of every reply but their own.
            audience = [fresh.requester_id] if answering else [fresh.assignee_id]
            # The e-mail carries the reply itself: public, so everyone it goes to may read it.
            notify([u for u in audience if u != user.id],
                   f"{user.name} replied on {fresh.reference}: {fresh.subject}", _url(fresh),
                   **ticket_mail(fresh, detail=body))
    reply.duplicate = False
    return reply


def rate(ticket: Ticket, user, rating: int, comment: str) -> Ticket:
    """The requester rates the answer (1–5) once the ticket is resolved or closed."""
    if ticket.requester_id != user.id:
        raise NotAllowed("Only the person who asked can rate the answer.")
    if ticket.status not in ("resolved", "closed"):
        raise HelpdeskError("You can rate the answer once the ticket is resolved.")
    if not 1 <= rating <= 5:
        raise HelpdeskError("Choose a rating from 1 to 5.")
    with db.atomic():
        Ticket.update(rating=rating, rating_comment=comment.strip()).where(Ticket.id == ticket.id).execute()
        record(user, "ticket.rate", "ticket", ticket.number, f"Rated {ticket.reference} {rating}/5")
    return Ticket.get_by_id(ticket.id)


def merge(ticket: Ticket, into_number: int, user, client_token: str, calendar: BusinessCalendar) -> Ticket:
    """Close `ticket` as a duplicate of another, with a note on the target; the requester is told."""
    if not is_agent(user):
        raise HelpdeskError("Only PMO staff merge tickets.")
    target = Ticket.get_or_none(Ticket.number == into_number)
    if target is None or target.id == ticket.id:
        raise HelpdeskError("Choose another existing ticket to merge into.")
    if target.merged_into_id:
        raise HelpdeskError(f"{target.reference} was itself merged; merge into the ticket it points to.")
    token = f"{client_token}-merge"
    now = utcnow()
    with db.atomic():
        if Reply.select().where(Reply.client_token == token).exists():
            return target  # the same merge sent twice
        if ticket.status == "closed" or ticket.merged_into_id:
            raise HelpdeskError(f"{ticket.reference} is closed already; only open tickets can be merged.")
        changes = _apply_status(ticket, "closed", now, calendar) | {"merged_into": target.id}
        _save(ticket, ticket.version, changes)
        Reply.create(ticket=target.id, author=user.id, internal=True, created_at=now, client_token=token,
                     body=f"{ticket.reference} ({ticket.subject}) was merged into this ticket.")
        record(user, "ticket.merge", "ticket", ticket.number, f"Merged {ticket.reference} into {target.reference}")
        notify([ticket.requester_id], f"{ticket.reference} was closed as a duplicate of {target.reference}; "
               "the PMO answers there.", _url(ticket))
    return target


def bulk_update(numbers: list[int], user, calendar: BusinessCalendar, assignee_id=None, status=None) -> int:
    """Assign or move several tickets at once; returns how many changed (others are skipped)."""
    if not is_agent(user):
        raise HelpdeskError("Only PMO staff work on tickets.")
    changed = 0
    for ticket in Ticket.select().where(Ticket.number.in_([n for n in numbers[:200] if 0 < n < 10**9])):
        try:
            if assignee_id is not None:
                ticket = update_ticket(ticket, user, ticket.version, calendar, assignee_id=assignee_id)
            if status and status != ticket.status:
                change_status(ticket, user, status, ticket.version, calendar)
            changed += 1
        except (HelpdeskError, Stale):
            continue
    return changed


def _replies(ticket_id: int, agent: bool):
    query = (Reply.select(Reply, User).join(User, on=(Reply.author == User.id))
             .where(Reply.ticket == ticket_id).order_by(Reply.created_at, Reply.id))
    return query if agent else query.where(Reply.internal == False)  # noqa: E712


# Read on every view of a ticket: their SQL is built once.
_REPLIES = PreparedQuery(_replies)
_AGENTS = PreparedQuery(lambda: User.select(User.id, User.name)
                        .where(User.role.in_(AGENT_ROLES) & (User.active == True)).order_by(User.name))  # noqa: E712


def replies_for(ticket: Ticket, user):
    """The conversation as `user` may see it: internal notes only for agents, authors joined."""
    return list(_REPLIES(ticket.id, shape=(is_agent(user),)))


def agents():
    """Active PMO staff, who can be assigned tickets (id and name: what the assignee pickers show)."""
    return list(_AGENTS())
