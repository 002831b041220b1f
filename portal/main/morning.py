"""What each role acts on first thing: short lists (top few, each linking to where to act), bounded queries."""
import datetime

from flask import url_for
from peewee import fn

from portal.db import utcnow

TOP = 5
LIVE = ("active", "on_hold")


def red_projects(user, limit: int = TOP):
    """(count, top rows) of live projects `user` may see whose newest status report is red.

    Driven from the live projects: each one's newest report is one lookup in the (project, period_end)
    index, so the cost follows the portfolio, not the number of reports ever filed.
    """
    from portal.projects.models import Project
    from portal.status.models import StatusReport

    def newest(column):
        return (StatusReport.select(column).where(StatusReport.project == Project.id)
                .order_by(StatusReport.period_end.desc()).limit(1))

    live = (Project.visible_to(user).where(Project.state.in_(LIVE))
            .select(Project.code, Project.name, newest(StatusReport.rag_overall),
                    newest(StatusReport.period_end)).tuples())
    found = sorted(((_day(period_end), code, name) for code, name, rag, period_end in live if rag == "red"),
                   key=lambda row: (-row[0].toordinal(), row[1]))
    rows = [{"text": f"{code} {name}", "detail": f"red since the report of {period_end}",
             "url": url_for("status.index", ref=code)} for period_end, code, name in found[:limit]]
    return len(found), rows


def _day(value):
    """A date read through a subquery (SQLite gives its ISO text)."""
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value)[:10])


def top_risks(user, limit: int = TOP):
    """The highest-scoring open risks `user` may see."""
    from portal.risks.portfolio import top_risks as portfolio_top
    today = utcnow().date()
    return [{"text": r.title, "detail": f"{r.project_code} · score {r.score} · {r.owner_name}",
             "url": url_for("risks.detail", ref=r.project_code, risk_id=r.id)} for r in portfolio_top(user, today, limit)]


def escalated_risks(user, limit: int = TOP):
    """(count, newest) risks escalated to the PMO and still open."""
    from portal.risks.models import Risk
    from portal.risks.portfolio import visible_risks
    today = utcnow().date()
    query = visible_risks(user, {"escalated": "1"}, today)
    rows = [{"text": r.title, "detail": f"{r.project_code} · score {r.score}",
             "url": url_for("risks.detail", ref=r.project_code, risk_id=r.id)}
            for r in query.order_by(Risk.escalated_at.desc(), Risk.id).limit(limit).objects()]
    return query.count(), rows


def returned_requests(user, limit: int = TOP):
    """The person's requests returned for changes, each with the reason the reviewer gave."""
    from portal.auth.models import User
    from portal.projects.models import Project, Transition
    last = Transition.alias()
    newest = last.select(fn.MAX(last.id)).where((last.project == Transition.project) & (last.to_state == "returned"))
    rows = (Transition.select(Transition, Project.code, Project.name, User.name)
            .join(Project, on=(Transition.project == Project.id))
            .switch(Transition).join(User, on=(Transition.actor == User.id))
            .where((Project.state == "returned") & ((Project.manager == user.id) | (Project.requester == user.id))
                   & (Transition.id == newest))
            .order_by(Transition.at.desc()).limit(limit))
    return [{"text": f"{t.project.code} {t.project.name}", "detail": f"{t.actor.name}: {t.comment}"[:200],
             "url": url_for("projects.detail", ref=t.project.code)} for t in rows]


def reports_due(user, limit: int = TOP):
    """The live projects `user` manages whose report for the latest due period is missing."""
    from peewee import JOIN

    from portal.projects.models import Project
    from portal.status.models import StatusReport
    from portal.status.periods import latest_due
    today = utcnow().date()
    newest = (Project.select(Project.id, Project.code, Project.name, Project.reporting_cadence,
                             fn.MAX(StatusReport.period_end).alias("last"))
              .join(StatusReport, JOIN.LEFT_OUTER, on=(StatusReport.project == Project.id))
              .where((Project.manager == user.id) & Project.state.in_(LIVE))
              .group_by(Project.id, Project.code, Project.name, Project.reporting_cadence).order_by(Project.code))
    rows = []
    for p in newest.objects():
        due = latest_due(p.reporting_cadence, today)
        if p.last is None or p.last < due:
            rows.append({"text": f"{p.code} {p.name}", "detail": f"report for {due} is due",
                         "url": url_for("status.index", ref=p.code)})
    return len(rows), rows[:limit]


def overdue_reports_count() -> int:
    """How many live projects lack the report of their latest due period (one count per cadence)."""
    from portal.projects.models import CADENCES, Project
    from portal.status.models import StatusReport
    from portal.status.periods import latest_due
    today = utcnow().date()
    total = 0
    for cadence in CADENCES:
        covered = StatusReport.select(StatusReport.project).where(StatusReport.period_end >= latest_due(cadence, today))
        total += Project.select().where((Project.reporting_cadence == cadence) & (Project.state == "active")
                                        & Project.id.not_in(covered)).count()
    return total


def milestones_at_risk(user, limit: int = TOP):
    """Milestones of the projects `user` manages that wait on a slipped or red predecessor."""
    from portal.milestones.services import edges
    from portal.projects.models import Project
    rows = [e for e in edges((Project.manager == user.id) & Project.state.in_(LIVE)) if e["reasons"]]
    return len(rows), [{"text": f"{e['code']} {e['name']}", "detail": f"due {e['due_date']}: "
                        + (" and ".join({"slip": "its predecessor slipped", "red": "its predecessor's project is red"}[x]
                                        for x in e["reasons"])),
                        "url": url_for("milestones.project_page", ref=e["code"])} for e in rows[:limit]]


def over_allocations(user, limit: int = TOP):
    """People over 100 % in a week of the next twelve, in `user`'s scope (everyone for the PMO, the people a
    manager books), as the conflicts page counts them: one narrow query for the window's bookings."""
    from portal.resources.services import overallocated_people
    people = overallocated_people(user, utcnow().date())
    rows = [{"text": r["name"], "detail": f"{r['peak']} % from the week of {r['first']}",
             "url": url_for("resources.conflicts")} for r in people[:limit]]
    return len(people), rows


def my_open_work(user, limit: int = TOP):
    """The open risks and issues `user` owns, on projects they may see."""
    from portal.projects.models import Project
    from portal.risks.models import OPEN_ISSUE, OPEN_RISK, Issue, Risk
    visible = Project.visible_to(user).select(Project.id)
    risks = (Risk.select(Risk, Project.code).join(Project, on=(Risk.project == Project.id))
             .where((Risk.owner == user.id) & Risk.status.in_(OPEN_RISK) & Risk.project.in_(visible)))
    issues = (Issue.select(Issue, Project.code).join(Project, on=(Issue.project == Project.id))
              .where((Issue.owner == user.id) & Issue.status.in_(OPEN_ISSUE) & Issue.project.in_(visible)))
    rows = [{"text": r.title, "detail": f"risk · {r.project.code} · score {r.score}",
             "url": url_for("risks.detail", ref=r.project.code, risk_id=r.id)}
            for r in risks.order_by(Risk.score.desc(), Risk.id).limit(limit)]
    rows += [{"text": i.title, "detail": f"issue · {i.project.code}" + (f" · due {i.due_date}" if i.due_date else ""),
              "url": url_for("issues.detail", ref=i.project.code, issue_id=i.id)}
             for i in issues.order_by(Issue.due_date.asc(nulls="LAST"), Issue.id).limit(limit)]
    return risks.count() + issues.count(), rows


def stale_articles_count() -> int:
    """Knowledge articles past their review date."""
    from portal.kb.models import Article
    return Article.visible().where(Article.review_by < utcnow().date()).count()


def failing_compliance_count() -> int:
    """Live projects failing at least one compliance check now."""
    from portal.compliance.models import ComplianceFailure
    return (ComplianceFailure.select(ComplianceFailure.project).where(ComplianceFailure.cleared_on.is_null())
            .distinct().count())


def morning(user) -> list[dict]:
    """The home page's short lists for `user`'s role: [{title, count, rows, url}], empty lists left out."""
    sections = []

    def add(title, count, rows, url):
        if count:
            sections.append({"title": title, "count": count, "rows": rows, "url": url})

    if user.role in ("executive", "admin", "pmo"):
        count, rows = red_projects(user)
        add("Red projects", count, rows, url_for("dashboard.index"))
    if user.role in ("executive", "admin"):
        rows = top_risks(user)
        add("Top risks", len(rows), rows, url_for("risks.portfolio"))
    if user.role in ("pmo", "admin"):
        count, rows = escalated_risks(user)
        add("Risks escalated to the PMO", count, rows, url_for("risks.portfolio", escalated=1))
    if user.role in ("manager", "pmo", "admin"):
        rows = returned_requests(user)
        add("Your requests returned for changes", len(rows), rows, url_for("projects.index", state="returned"))
        count, rows = reports_due(user)
        add("Status reports due", count, rows, url_for("projects.index", state="active"))
        count, rows = milestones_at_risk(user)
        add("Milestones at risk", count, rows, url_for("milestones.index", at_risk=1))
        count, rows = over_allocations(user)
        add("Over-allocated people" if user.role in ("pmo", "admin") else "Bookings in conflict", count, rows,
            url_for("resources.conflicts"))
    count, rows = my_open_work(user)
    add("Your open risks and issues", count, rows, url_for("activity.person", person_id=user.id))
    return sections


def pmo_counts(user) -> list[dict]:
    """Extra counts for the PMO's attention list: overdue reports, failing compliance, stale articles."""
    if user.role not in ("pmo", "admin"):
        return []
    items = [(overdue_reports_count(), "active project(s) without their latest status report",
              url_for("dashboard.index")),
             (failing_compliance_count(), "project(s) failing a compliance check", url_for("compliance.index")),
             (stale_articles_count(), "knowledge article(s) past their review date", url_for("kb.reviews"))]
    return [{"count": c, "text": t, "url": u} for c, t, u in items if c]
