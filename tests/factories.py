"""Small factories that build records for tests, with sensible defaults."""
import itertools

from portal.auth.models import User
from portal.auth.services import hash_password

PASSWORD = "correct horse battery"
_counter = itertools.count(1)
_hash_cache = {}


def password_hash(password: str = PASSWORD) -> str:
    """Hash once per password per run: argon2 is slow on purpose."""
    if password not in _hash_cache:
        _hash_cache[password] = hash_password(password)
    return _hash_cache[password]


def make_user(role="member", password=PASSWORD, **fields) -> User:
    """A saved, active user with a unique e-mail."""
    n = next(_counter)
    fields.setdefault("email", f"{role}{n}@example.test")
    fields.setdefault("name", f"{role.capitalize()} Person {n}")
    fields.setdefault("department", "Operations")
    return User.create(role=role, password_hash=password_hash(password), **fields)


def make_project(state="active", manager=None, requester=None, members=(), **fields):
    """A saved project (or request) in `state`, with a code once past draft and `members` on its team.

    Each member is a user (a contributor) or a (user, role) pair.

    Written directly, without the workflow, so tests of later features start from any state.
    """
    import datetime
    from decimal import Decimal

    from portal.db import next_number
    from portal.projects.models import Project, ProjectMember

    n = next(_counter)
    manager = manager or make_user("manager")
    fields.setdefault("name", f"Project {n}")
    fields.setdefault("summary", f"Summary of project {n}.")
    fields.setdefault("department", "Operations")
    fields.setdefault("category", "Process improvement")
    fields.setdefault("start_date", datetime.date(2026, 1, 1))
    fields.setdefault("end_date", datetime.date(2026, 12, 31))
    fields.setdefault("budget", Decimal("50000"))
    if state != "draft":
        fields.setdefault("code", f"PRJ-2026-{next_number('project-2026'):03d}")
        fields.setdefault("submitted_at", datetime.datetime(2026, 1, 5, 9, 0))
        fields.setdefault("review_round", 1)
    project = Project.create(state=state, manager=manager, requester=requester or manager, **fields)
    for user in members:  # a user (a contributor) or a (user, role) pair
        user, role = user if isinstance(user, tuple) else (user, "contributor")
        ProjectMember.create(project=project, user=user, role=role)
    return project


def make_ticket(requester=None, subject="How do I fill in the RAG status?", body="Which colour when late?",
                category="methodology", priority="normal", **fields):
    """A saved help-desk ticket with the next number, asked by `requester` (a new member if None)."""
    from portal.helpdesk.services import create_ticket
    from portal.helpdesk.sla import BusinessCalendar
    requester = requester or make_user("member")
    ticket = create_ticket(requester, subject, body, category, priority, None, BusinessCalendar(),
                           now=fields.pop("now", None))
    if fields:
        from portal.helpdesk.models import Ticket
        Ticket.update(**fields).where(Ticket.id == ticket.id).execute()
        ticket = Ticket.get_by_id(ticket.id)
    return ticket
