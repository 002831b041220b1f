"""The ticket queue: views, filters, sorting and pages, in one query per page."""
import datetime
import re

from peewee import JOIN, SQL, Case, Expression, fn

from portal.auth.models import User
from portal.db import is_sqlite, utcnow
from portal.helpdesk.models import NUMBER_PREFIX, OPEN_STATUSES, Ticket
from portal.helpdesk.services import is_agent, visible_tickets
from portal.pagination import MAX_PAGE, Page

AGENT_VIEWS = [("open", "All open"), ("unassigned", "Unassigned"), ("mine", "Assigned to me"),
               ("waiting", "Waiting on requester"), ("breaching", "Breaching SLA"), ("all", "All")]
REQUESTER_VIEWS = [("mine", "My questions"), ("all", "All my tickets")]
# "About to breach": due within this much wall time.
BREACH_WINDOW = datetime.timedelta(hours=4)
PRIORITY_RANK = Case(Ticket.priority, (("urgent", 0), ("high", 1), ("normal", 2), ("low", 3)), 4)
# "Due soonest" sorts by the deadline the SLA column shows: running clocks first (first response
# until it is given, then resolution), paused ones (waiting on the requester) after them, then the rest.
# Written with literal values, not bound parameters, so that both databases match them to the index of the
# same expressions (migration 0027) and read a page in order from it.
CLOCK_RANK = Case(Ticket.status, ((SQL("'new'"), SQL("0")), (SQL("'open'"), SQL("0")), (SQL("'waiting'"), SQL("1"))),
                  SQL("2"))
SHOWN_DUE = Case(None, ((Ticket.first_response_at.is_null(), Ticket.first_response_due),), Ticket.resolution_due)


def views_for(user):
    return AGENT_VIEWS if is_agent(user) else REQUESTER_VIEWS


def breaching_condition(now):
    """Open tickets whose first response or resolution is due within the window (or past)."""
    soon = now + BREACH_WINDOW
    return ((Ticket.status.in_(("new", "open")))
            & (((Ticket.first_response_at.is_null()) & (Ticket.first_response_due <= soon))
               | (Ticket.resolution_due <= soon)))


def text_match(text: str):
    """Tickets whose number, subject or body match `text`.

    Every word must appear (as the start of a word on PostgreSQL, which uses the
    full-text index; anywhere on SQLite, which scans). Internal notes are never searched.
    """
    from portal.kb.search import terms
    number = text.upper().removeprefix("PMO-")
    words = terms(text)
    if is_sqlite():
        match = Ticket.id.is_null(False) if words else Ticket.id.is_null()
        for word in words:
            match &= Ticket.subject.contains(word) | Ticket.body.contains(word)
    elif not words:
        match = Ticket.id.is_null()  # nothing searchable: no text match (a number may still match)
    else:
        tsquery = " & ".join(f"{w}:*" for w in words)
        document = fn.to_tsvector("simple", Ticket.subject.concat(" ").concat(Ticket.body))
        match = Expression(document, "@@", fn.to_tsquery("simple", tsquery))
    if re.fullmatch(r"[0-9]{1,9}", number):
        match = match | (Ticket.number == int(number))
    return match


def queue_query(user, view: str, q: str = "", category: str = "", priority: str = "", status: str = "",
                sort: str = "due", now=None):
    """The tickets of `view` matching the filters, with their order; returns (query, order, view)."""
    now = now or utcnow()
    query = visible_tickets(user)
    if view not in {key for key, _ in views_for(user)}:
        view = views_for(user)[0][0]
    if is_agent(user):
        if view == "open":
            query = query.where(Ticket.status.in_(OPEN_STATUSES))
        elif view == "unassigned":
            query = query.where(Ticket.assignee.is_null() & Ticket.status.in_(OPEN_STATUSES))
        elif view == "mine":
            query = query.where((Ticket.assignee == user.id) & Ticket.status.in_(OPEN_STATUSES))
        elif view == "waiting":
            query = query.where(Ticket.status == "waiting")
        elif view == "breaching":
            query = query.where(breaching_condition(now))
    elif view == "mine":
        query = query.where(Ticket.status.in_(OPEN_STATUSES + ("resolved",)))
    if q:
        query = query.where(text_match(q.strip()))
    if category:
        query = query.where(Ticket.category == category)
    if priority:
        query = query.where(Ticket.priority == priority)
    if status:
        query = query.where(Ticket.status == status)
    order = {
        "newest": (Ticket.created_at.desc(),),
        "oldest": (Ticket.created_at.asc(),),
        "priority": (PRIORITY_RANK, Ticket.resolution_due),
        "updated": (Ticket.updated_at.desc(),),
    }.get(sort, (CLOCK_RANK, SHOWN_DUE))
    return query, (*order, Ticket.id.desc()), view


def queue(user, view: str, q: str = "", category: str = "", priority: str = "", status: str = "",
          sort: str = "due", page: int = 1, per_page: int = 50, now=None):
    """One page of tickets for `view`, with requester and assignee joined; returns (Page, view)."""
    query, order, view = queue_query(user, view, q, category, priority, status, sort, now)
    # A deferred join: the page's ids are found on the ticket table alone (an index-only
    # scan for the default order), and only those rows are joined to their users, so a
    # deep page no longer joins and sorts the thousands of rows it skips.
    page = max(1, min(int(page), MAX_PAGE))
    ids = query.select(Ticket.id).order_by(*order).paginate(page, per_page)
    Assignee = User.alias()
    page_query = (Ticket.select(Ticket, User, Assignee)
                  .join(User, on=(Ticket.requester == User.id))
                  .switch(Ticket)
                  .join(Assignee, JOIN.LEFT_OUTER, on=(Ticket.assignee == Assignee.id), attr="assignee_user")
                  .where(Ticket.id.in_(ids))
                  .order_by(*order))
    # Counted before the joins: the count needs only the ticket table.
    return Page(list(page_query), page, per_page, query.count()), view


CSV_COLUMNS = ["ticket", "subject", "category", "priority", "status", "requester", "assignee", "project",
               "created_at", "updated_at", "first_response_due", "first_response_at", "resolution_due",
               "resolved_at", "rating"]


def queue_rows(user, view: str, **filters):
    """Every ticket of the queue view as CSV_COLUMNS values, in its order, one at a time (never bodies or notes)."""
    query, order, _ = queue_query(user, view, **filters)
    Requester, Assignee = User.alias(), User.alias()
    rows = (query.select(Ticket.number, Ticket.subject, Ticket.category, Ticket.priority, Ticket.status,
                         Requester.name, Assignee.name, Ticket.project_code, Ticket.created_at, Ticket.updated_at,
                         Ticket.first_response_due, Ticket.first_response_at, Ticket.resolution_due,
                         Ticket.resolved_at, Ticket.rating)
            .join(Requester, on=(Ticket.requester == Requester.id)).switch(Ticket)
            .join(Assignee, JOIN.LEFT_OUTER, on=(Ticket.assignee == Assignee.id))
            .order_by(*order).tuples())
    for row in rows.iterator():
        yield (f"{NUMBER_PREFIX}{row[0]}", *row[1:])
