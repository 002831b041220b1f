"""Help-desk demo data: a realistic queue for the demo, and 50,000 tickets for the benchmark."""
import datetime as dt
import uuid

from portal.auth.models import User
from portal.db import Counter, db, next_number, utcnow
from portal.helpdesk.models import CannedAnswer, Deflection, Reply, Ticket
from portal.helpdesk.services import FIRST_NUMBER
from portal.helpdesk.sla import BusinessCalendar, due_times

QUESTIONS = [
    ("methodology", "When does a project need a full business case?", "Our change is about 80k. Is the short form enough?"),
    ("methodology", "How do we re-baseline after a scope change?", "The sponsor approved two extra features."),
    ("templates", "Where is the latest charter template?", "The one on the shared drive looks old."),
    ("templates", "Status report: what goes under 'decisions needed'?", "We have a vendor choice pending."),
    ("tools", "I cannot see my project's risk log", "Marco added me to the team yesterday."),
    ("tools", "Access to the portfolio dashboard for our CFO", "She needs read-only access."),
    ("governance", "Which approvals do we need above 250k?", "Budget estimate is 310k."),
    ("governance", "Can the sponsor approve a two-week slip alone?", "Milestone 3 will be late."),
    ("training", "Is there a course on risk scoring?", "New team members keep asking how to score."),
    ("training", "Certificate for the PM basics path?", "HR asks for proof of completion."),
    ("other", "Lessons learned workshop facilitator", "Could someone from the PMO run ours?"),
    ("methodology", "Amber or red when the forecast slips 10%?", "The RAG guidance is not clear to us."),
]
CANNED = [
    ("Charter template", "Hi {first_name},\n\nthe current charter template is in the knowledge base under "
                         "*Templates → Project charter*. Fill in sections 1–5 before the intake review.\n\n{agent}, PMO"),
    ("Access request", "Hi {first_name},\n\naccess is granted by the project manager from the project page "
                       "(Team → Add member). If that does not work, reply here and we will sort it out.\n\n{agent}"),
    ("RAG guidance", "Hi {first_name},\n\nthe status-reporting standard defines amber and red precisely: "
                     "see the RAG table in *Standards → Status reporting*. In short: red when the "
                     "forecast misses a committed date without an agreed recovery plan.\n\n{agent}"),
]
STATES = ["new", "new", "open", "open", "open", "waiting", "resolved", "resolved", "closed", "open", "new", "waiting"]


def _people():
    staff = list(User.select().where(User.role.in_(("pmo", "admin")) & (User.active == True)))  # noqa: E712
    askers = list(User.select().where(User.role.in_(("manager", "member")) & (User.active == True)))  # noqa: E712
    return staff, askers


def demo_helpdesk(scale: str, rng) -> str:
    """Load the help-desk part of the demo (idempotent for the small demo)."""
    if scale == "large":
        return _large(rng)
    if Ticket.select().exists():
        return "help desk: already loaded"
    staff, askers = _people()
    if not staff or not askers:
        return "help desk: no demo people"
    calendar, now = BusinessCalendar(), utcnow()
    rows = 0
    with db.atomic():
        Counter.insert(name="ticket", value=FIRST_NUMBER).on_conflict_ignore().execute()
        for title, body in CANNED:
            CannedAnswer.create(title=title, body=body, updated_by=staff[0].id)
        for i in range(36):
            category, subject, body = QUESTIONS[i % len(QUESTIONS)]
            status = STATES[i % len(STATES)]
            created = now - dt.timedelta(hours=rng.randint(2, 24 * 40))
            if i % 9 == 0:
                created = now - dt.timedelta(days=rng.randint(8, 20))  # some breach their SLA
            priority = rng.choice(["low", "normal", "normal", "high", "urgent" if i % 7 == 0 else "normal"])
            first_due, resolve_due = due_times(calendar, created, priority)
            requester, agent = askers[i % len(askers)], staff[i % len(staff)]
            answered = status != "new"
            number = next_number("ticket")
            ticket = Ticket.create(
                number=number, subject=subject if i < len(QUESTIONS) else f"{subject} ({i // len(QUESTIONS) + 1})",
                body=body, category=category, priority=priority, status=status, requester=requester.id,
                assignee=agent.id if answered or i % 3 else None, created_at=created, updated_at=created,
                first_response_due=first_due, resolution_due=resolve_due,
                first_response_at=created + dt.timedelta(hours=1) if answered else None,
                first_response_seconds=3600 if answered else None,
                resolution_seconds=8 * 3600 if status in ("resolved", "closed") else None,
                waiting_since=now - dt.timedelta(hours=3) if status == "waiting" else None,
                resolved_at=created + dt.timedelta(hours=20) if status in ("resolved", "closed") else None,
                closed_at=created + dt.timedelta(days=3) if status == "closed" else None,
                rating=rng.choice([3, 4, 5, 5]) if status == "closed" else None)
            if answered:
                Reply.create(ticket=ticket.id, author=agent.id, created_at=created + dt.timedelta(hours=1),
                             client_token=uuid.uuid4().hex,
                             body=f"Hi {requester.name.split()[0]}, thanks for asking. Looking into it now.")
                Reply.create(ticket=ticket.id, author=agent.id, internal=True, client_token=uuid.uuid4().hex,
                             created_at=created + dt.timedelta(hours=2),
                             body="Internal: check whether the intake standard covers this; FAQ candidate.")
                rows += 2
        Deflection.create(user=askers[0].id, subject="RAG colours", article="standards/status-reporting.md")
    return f"help desk: 36 tickets, {rows} replies and notes, {len(CANNED)} canned answers"


def _large(rng) -> str:
    """50,000 tickets with 150,000 replies, in bulk."""
    staff, askers = _people()
    if Ticket.select().count() >= 50_000:
        return "help desk: large set already loaded"
    calendar, now = BusinessCalendar(), utcnow()
    Counter.insert(name="ticket", value=FIRST_NUMBER).on_conflict_ignore().execute()
    start = Counter.get_by_id("ticket").value
    total, batch = 50_000, 1_000
    statuses = ["closed"] * 6 + ["resolved", "open", "waiting", "new"]
    for offset in range(0, total, batch):
        tickets = []
        for i in range(offset, offset + batch):
            category, subject, body = QUESTIONS[i % len(QUESTIONS)]
            created = now - dt.timedelta(minutes=rng.randint(10, 60 * 24 * 365))
            priority = rng.choice(["low", "normal", "normal", "high", "urgent"])
            first_due, resolve_due = due_times(calendar, created, priority)
            status = rng.choice(statuses)
            first_hours, resolve_hours = rng.randint(1, 30), rng.randint(2, 90)
            tickets.append({
                "number": start + i + 1, "subject": f"{subject} #{i}", "body": body, "category": category,
                "priority": priority, "status": status, "requester": rng.choice(askers).id,
                "assignee": rng.choice(staff).id if status != "new" else None, "created_at": created,
                "updated_at": created, "first_response_due": first_due, "resolution_due": resolve_due,
                "first_response_at": created + dt.timedelta(hours=first_hours) if status != "new" else None,
                "first_response_seconds": first_hours * 1200 if status != "new" else None,
                "resolved_at": created + dt.timedelta(hours=resolve_hours) if status in ("resolved", "closed") else None,
                "resolution_seconds": resolve_hours * 1200 if status in ("resolved", "closed") else None,
                "rating": rng.choice([None, 3, 4, 5]) if status == "closed" else None})
        with db.atomic():
            Ticket.insert_many(tickets).execute()
            ids = dict(Ticket.select(Ticket.number, Ticket.id)
                       .where(Ticket.number.between(start + offset + 1, start + offset + batch)).tuples())
            replies = []
            for t in tickets:
                for k in range(3):
                    replies.append({"ticket": ids[t["number"]], "author": t["assignee"] or t["requester"],
                                    "body": "Thanks — here is what the standard says.", "internal": k == 2,
                                    "created_at": t["created_at"] + dt.timedelta(hours=k + 1),
                                    "client_token": uuid.uuid4().hex})
            Reply.insert_many(replies).execute()
    Counter.update(value=start + total).where(Counter.name == "ticket").execute()
    return f"help desk: {total} tickets and {total * 3} replies added"
