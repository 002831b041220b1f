"""KPI figures: one query per figure over a window of months, folded by month in Python."""
import datetime
import statistics

from peewee import SQL, Case, fn

from portal.auth.models import User
from portal.compliance.models import ComplianceSnapshot
from portal.helpdesk.models import Deflection, Ticket
from portal.kb.models import ACK_ROLES, Acknowledgement, Article, ArticleViewDay, TrainingCompletion
from portal.projects.models import Project, Transition
from portal.sqlfunc import day_of, median_by, month_keys, month_of, months_back
from portal.status.figures import rag_mix
from portal.status.models import StatusReport

# COUNT(*), not COUNT(id): the same number (id is never NULL), and PostgreSQL can then answer from an index
# that holds the other columns without reading the table (SQLite's indexes carry the id anyway).
ROWS = fn.COUNT(SQL("*"))
COLUMNS = ["month", "intake_decisions", "intake_days", "reports", "reports_on_time_pct", "rag_green", "rag_amber",
           "rag_red", "compliance_avg", "tickets_resolved", "sla_pct", "median_first_response_h", "deflections",
           "training_completions", "acknowledgements", "article_views"]


def month_labels(today: datetime.date, months: int) -> tuple[datetime.date, list[str]]:
    """The first day of the window and its months as 'YYYY-MM', oldest first."""
    first = months_back(today, months)
    return first, month_keys(first, months)


def _key(value) -> str:
    return value.strftime("%Y-%m")


def _intake(since):
    out = {}
    rows = (Transition.select(Transition.at, Project.submitted_at).join(Project, on=(Transition.project == Project.id))
            .where((Transition.to_state.in_(("approved", "rejected"))) & (Transition.at >= since)
                   & Project.submitted_at.is_null(False)).tuples())
    for at, submitted in rows:
        out.setdefault(_key(at), []).append((at - submitted).total_seconds() / 86400)
    return {m: (len(v), round(statistics.mean(v), 1)) for m, v in out.items()}


def _reports(since):
    """{month of period end: (reports, percent submitted by their period end)}, counted in the database."""
    month = month_of(StatusReport.period_end)
    on_time = Case(None, [(day_of(StatusReport.submitted_at) <= StatusReport.period_end, 1)], 0)
    rows = (StatusReport.select(month, ROWS, fn.SUM(on_time))
            .where(StatusReport.period_end >= since.date()).group_by(month).tuples())
    return {m: (t, round(100 * (o or 0) / t)) for m, t, o in rows}


def _tickets(since):
    """{month resolved: (tickets, percent within the resolution SLA, median hours to first response)}."""
    month = month_of(Ticket.resolved_at)
    in_time = Case(None, [(Ticket.resolved_at <= Ticket.resolution_due, 1)], 0)
    where = Ticket.resolved_at >= since
    totals = Ticket.select(month, ROWS, fn.SUM(in_time)).where(where).group_by(month).tuples()
    medians = {m: first for m, (first,) in median_by(month, Ticket.first_response_seconds, where=where).items()}
    return {m: (n, round(100 * (ok or 0) / n), round(float(medians[m]) / 3600, 1) if medians.get(m) is not None
                else None) for m, n, ok in totals}


def _count_by_month(model, column, since, amount=None):
    month = month_of(column)
    return dict(model.select(month, amount or fn.COUNT(model.id)).where(column >= since).group_by(month).tuples())


def monthly(today: datetime.date, months: int = 6) -> list[dict]:
    """One row per month (oldest first) with every KPI; None where a month has no data."""
    first, labels = month_labels(today, months)
    since = datetime.datetime.combine(first, datetime.time())
    intake, reports, tickets = _intake(since), _reports(since), _tickets(since)
    mix = dict(rag_mix(_everyone(), {}, today, months))
    month = month_of(ComplianceSnapshot.day)
    compliance = dict(ComplianceSnapshot.select(month, fn.AVG(ComplianceSnapshot.score))
                      .where(ComplianceSnapshot.day >= first).group_by(month).tuples())
    deflections = _count_by_month(Deflection, Deflection.created_at, since)
    completions = _count_by_month(TrainingCompletion, TrainingCompletion.at, since)
    acks = _count_by_month(Acknowledgement, Acknowledgement.at, since)
    views = _count_by_month(ArticleViewDay, ArticleViewDay.day, first, fn.SUM(ArticleViewDay.views))
    rows = []
    for m in labels:
        n_intake, intake_days = intake.get(m, (0, None))
        n_reports, on_time = reports.get(m, (0, None))
        resolved, sla, first_h = tickets.get(m, (0, None, None))
        rows.append({"month": m, "intake_decisions": n_intake, "intake_days": intake_days, "reports": n_reports,
                     "reports_on_time_pct": on_time, "rag_green": mix.get(m, {}).get("green", 0),
                     "rag_amber": mix.get(m, {}).get("amber", 0), "rag_red": mix.get(m, {}).get("red", 0),
                     "compliance_avg": round(float(compliance[m]), 1) if m in compliance else None,
                     "tickets_resolved": resolved, "sla_pct": sla, "median_first_response_h": first_h,
                     "deflections": deflections.get(m, 0), "training_completions": completions.get(m, 0),
                     "acknowledgements": acks.get(m, 0), "article_views": int(views.get(m) or 0)})
    return rows


class _Everyone:
    """A stand-in reader who sees every project (the KPIs are the PMO's, over the whole portfolio)."""

    id, role = 0, "admin"


def _everyone():
    return _Everyone()


def rates() -> dict:
    """Today's training completion and standards acknowledgement rates, as percentages (None when nothing is due)."""
    modules = Article.visible().where(Article.section == "training").count()
    users = User.select().where(User.active == True).count()  # noqa: E712
    done = (TrainingCompletion.select().join(User, on=(TrainingCompletion.user == User.id))
            .switch(TrainingCompletion).join(Article, on=(TrainingCompletion.article == Article.id))
            .where((User.active == True) & (Article.section == "training") & (Article.deleted == False))  # noqa: E712
            .count())
    standards = list(Article.visible().select(Article.id).where(Article.mandatory == True).tuples())  # noqa: E712
    owing = User.select().where((User.active == True) & User.role.in_(ACK_ROLES)).count()  # noqa: E712
    acked = (Acknowledgement.select().join(Article, on=((Acknowledgement.article == Article.id)
                                                        & (Acknowledgement.doc_version == Article.doc_version)))
             .switch(Acknowledgement).join(User, on=(Acknowledgement.user == User.id))
             .where((Article.mandatory == True) & (Article.deleted == False) & (User.active == True)  # noqa: E712
                    & User.role.in_(ACK_ROLES)).count())
    return {"training_pct": round(100 * done / (modules * users)) if modules and users else None,
            "ack_pct": round(100 * acked / (len(standards) * owing)) if standards and owing else None}


def change(rows: list[dict], key: str):
    """The last month's value minus the one before (None when either is missing)."""
    if len(rows) < 2 or rows[-1][key] is None or rows[-2][key] is None:
        return None
    return round(rows[-1][key] - rows[-2][key], 1)
