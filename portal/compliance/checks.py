"""The checks themselves, each evaluated for a whole set of projects in one or two queries.

Each takes the projects (dicts from `project_facts`), its threshold, today and `ids`: the projects' ids as a
subquery (or a list), so that a check over the whole portfolio sends the database one condition, not a
parameter per project.

Thresholds, by key: business_case, fewest characters of business case; report_on_time, days of grace
after a report falls due; risk_review, days since the risk log was last reviewed; high_risks_handled,
the lowest score counted as high; standards_ack, mandatory standards the manager may still owe;
allocations, fewest people booked on the project today; phase_duration, days of grace beyond the days the
phase model allows a phase.
"""
import datetime

from peewee import fn

from portal.auth.models import User
from portal.kb.models import Acknowledgement, Article
from portal.projects.models import Approval, Project, Transition
from portal.resources.models import Allocation
from portal.risks.models import OPEN_RISK, Risk
from portal.status.models import StatusReport
from portal.status.periods import latest_due

# key: (allowed threshold range, the endpoint that fixes a failure, extra url arguments)
RULES = {
    "business_case": ((0, 5000), "projects.detail", {}),
    "report_on_time": ((0, 60), "status.index", {}),
    "risk_review": ((1, 365), "risks.index", {}),
    "high_risks_handled": ((1, 25), "risks.index", {"band": "high"}),
    "standards_ack": ((0, 50), "kb.index", {}),
    "allocations": ((0, 50), "resources.project_page", {}),
    "phase_duration": ((0, 365), "gates.project_page", {}),
}


def _business_case(projects, threshold, today, ids):
    approved = {pid for (pid,) in Transition.select(Transition.project).where(
        Transition.project.in_(ids) & (Transition.to_state == "approved")).distinct().tuples()}
    approved |= {pid for (pid,) in Approval.select(Approval.project).where(Approval.project.in_(ids)).distinct().tuples()}
    out = {}
    for p in projects:
        if p["id"] not in approved:
            out[p["id"]] = (False, "The request has no recorded approval.")
        elif p["case_length"] < max(threshold, 1):
            out[p["id"]] = (False, f"The business case has {p['case_length']} characters; the PMO asks for {threshold}.")
        else:
            out[p["id"]] = (True, "Approved with a business case.")
    return out


def _report_on_time(projects, threshold, today, ids):
    latest = dict(StatusReport.select(StatusReport.project, fn.MAX(StatusReport.period_end))
                  .where(StatusReport.project.in_(ids)).group_by(StatusReport.project).tuples())
    out, dues = {}, {}  # a handful of cadences: each one's due date worked out once
    for p in projects:
        cadence = p["reporting_cadence"]
        due = dues[cadence] if cadence in dues else dues.setdefault(cadence, latest_due(cadence, today))
        if p["start_date"] and p["start_date"] > due:
            out[p["id"]] = (True, "No report due yet.")
        elif latest.get(p["id"]) and latest[p["id"]] >= due:
            out[p["id"]] = (True, f"The report for {due.isoformat()} is in.")
        elif (today - due).days <= threshold:
            out[p["id"]] = (True, f"The report for {due.isoformat()} is due; within {threshold} days' grace.")
        else:
            out[p["id"]] = (False, f"The report for the period ending {due.isoformat()} is overdue.")
    return out


def _risk_review(projects, threshold, today, ids):
    reviewed = fn.MAX(fn.COALESCE(Risk.last_reviewed_at, Risk.created_at))
    last = dict(Risk.select(Risk.project, reviewed).where(Risk.project.in_(ids)).group_by(Risk.project).tuples())
    since = datetime.datetime.combine(today - datetime.timedelta(days=threshold), datetime.time())
    out = {}
    for p in projects:
        when = last.get(p["id"])
        if isinstance(when, str):  # SQLite hands back MAX() over COALESCE as text
            when = datetime.datetime.fromisoformat(when)
        if when is None:
            out[p["id"]] = (False, "The risk log is empty.")
        elif when < since:
            out[p["id"]] = (False, f"The risk log was last reviewed on {when.date().isoformat()}, "
                                   f"over {threshold} days ago.")
        else:
            out[p["id"]] = (True, f"Reviewed on {when.date().isoformat()}.")
    return out


def _high_risks_handled(projects, threshold, today, ids):
    unhandled = dict(Risk.select(Risk.project, fn.COUNT(Risk.id)).join(User, on=(Risk.owner == User.id))
                     .where(Risk.project.in_(ids) & Risk.status.in_(OPEN_RISK) & (Risk.score >= threshold)
                            & ((fn.TRIM(Risk.mitigation) == "") | (User.active == False)))  # noqa: E712
                     .group_by(Risk.project).tuples())
    return {p["id"]: (False, f"{unhandled[p['id']]} open risk(s) scored {threshold} or more lack an active owner "
                             "or a mitigation.") if unhandled.get(p["id"]) else
            (True, f"Every open risk scored {threshold} or more has an owner and a mitigation.") for p in projects}


def _standards_ack(projects, threshold, today, ids):
    standards = list(Article.visible().select(Article.id, Article.doc_version)
                     .where(Article.mandatory == True).tuples())  # noqa: E712
    managers = {p["manager"] for p in projects}
    done = {}
    if standards and managers:
        done = dict(Acknowledgement.select(Acknowledgement.user, fn.COUNT(fn.DISTINCT(Acknowledgement.article)))
                    .join(Article, on=((Acknowledgement.article == Article.id)
                                       & (Acknowledgement.doc_version == Article.doc_version)))
                    .where(Acknowledgement.user.in_(list(managers))
                           & Acknowledgement.article.in_([a for a, _ in standards]))
                    .group_by(Acknowledgement.user).tuples())
    out = {}
    for p in projects:
        owed = len(standards) - done.get(p["manager"], 0)
        out[p["id"]] = ((True, "The manager acknowledged every current mandatory standard.") if owed <= threshold
                        else (False, f"The manager has not acknowledged the current version of {owed} mandatory "
                                     "standard(s)."))
    return out


def _allocations(projects, threshold, today, ids):
    booked = dict(Allocation.select(Allocation.project, fn.COUNT(fn.DISTINCT(Allocation.person)))
                  .where(Allocation.project.in_(ids) & (Allocation.start_date <= today) & (Allocation.end_date >= today))
                  .group_by(Allocation.project).tuples())
    need = max(threshold, 1)
    return {p["id"]: (True, f"{booked[p['id']]} person(s) booked today.") if booked.get(p["id"], 0) >= need else
            (False, f"{booked.get(p['id'], 0)} person(s) booked today; the PMO expects at least {need}.")
            for p in projects}


def _phase_duration(projects, threshold, today, ids):
    # Imported here: loading the gates package registers its views, which use these checks.
    from portal.gates.phases import current_phases, days_in_phase
    phases = current_phases([p["id"] for p in projects])
    out = {}
    for p in projects:
        phase = phases[p["id"]]
        days, limit = days_in_phase(phase, today), phase["max_days"]
        if days is None or limit is None:
            out[p["id"]] = (True, f"In {phase['name']}; the phase model sets no limit to check.")
        elif days > limit + threshold:
            out[p["id"]] = (False, f"In {phase['name']} for {days} days; the phase model allows {limit}.")
        else:
            out[p["id"]] = (True, f"In {phase['name']} for {days} of the {limit} days allowed.")
    return out


EVALUATORS = {"business_case": _business_case, "report_on_time": _report_on_time, "risk_review": _risk_review,
              "high_risks_handled": _high_risks_handled, "standards_ack": _standards_ack,
              "allocations": _allocations, "phase_duration": _phase_duration}


def project_facts(project_query) -> list[dict]:
    """The columns the checks read, for every project in `project_query` (one query)."""
    return list(project_query.select(Project.id, Project.code, Project.name, Project.manager,
                                      Project.reporting_cadence, Project.start_date,
                                      fn.LENGTH(fn.TRIM(Project.business_case)).alias("case_length"))
                .order_by(Project.code).dicts())
