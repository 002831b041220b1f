"""Adding, editing, reviewing, escalating and converting risks; loading them inside their project."""
import datetime

from flask import abort
from peewee import fn

from portal.audit.services import record, snapshot
from portal.auth.models import User
from portal.db import db, utcnow
from portal.errors import Conflict, InvalidInput, Stale
from portal.notify.services import notify
from portal.projects.models import ProjectMember
from portal.risks.models import CATEGORIES, OPEN_RISK, RESPONSES, Issue, Risk, band
from portal.sqlfunc import PreparedQuery
from portal.webhooks.events import emit

FIELDS = ("title", "description", "category", "probability", "impact", "residual_probability",
          "residual_impact", "owner", "response", "mitigation", "contingency", "trigger", "review_date")
TEXT_LIMITS = {"title": 200, "description": 5000, "mitigation": 5000, "contingency": 5000, "trigger": 500}
AUDIT_FIELDS = tuple(f + "_id" if f == "owner" else f for f in FIELDS) + (
    "score", "residual_score", "status", "escalated", "escalation_note")
# Which status a quick change may move to; `occurred` is reached only by converting to an issue.
TRANSITIONS = {"open": {"monitoring", "closed"}, "monitoring": {"open", "closed"}, "closed": {"open"},
               "occurred": set()}
# How often the standard asks for a review, by band.
REVIEW_DAYS = {"high": 7, "medium": 14, "low": 30}


def today() -> datetime.date:
    """Today's date in UTC, as review and due dates are compared."""
    return utcnow().date()


def load_risk(project, risk_id: int) -> Risk:
    """The risk `risk_id` of `project`, with its owner; 404 when it belongs to another project."""
    risk = (Risk.select(Risk, User.name.alias("owner_name")).join(User, on=(Risk.owner == User.id))
            .where((Risk.id == risk_id) & (Risk.project == project.id)).objects().first())
    if risk is None:
        abort(404)
    risk.project = project
    return risk


def _people(project_id: int, manager_id: int, sponsor_id: int):
    members = ProjectMember.select(ProjectMember.user).where(ProjectMember.project == project_id)
    return (User.select(User.id, User.name).where(User.id.in_([manager_id, sponsor_id]) | User.id.in_(members))
            .order_by(User.name).tuples())


# Every risk log and issue list asks it: its SQL is built once.
_PEOPLE = PreparedQuery(_people)


def project_people(project) -> list[tuple[int, str]]:
    """(id, name) of everyone who may own a risk or issue: manager, sponsor and team, by name."""
    # No account has id 0: a project without a manager or sponsor matches nobody in its place.
    return list(_PEOPLE(project.id, project.manager_id or 0, project.sponsor_id or 0))


def _int_1_5(value, name, errors):
    """A whole number 1–5, or None with a message in `errors`."""
    text = "" if value is None or isinstance(value, bool) else str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= 5:
        errors[name] = "Choose a whole number from 1 to 5."
        return None
    return int(text)


def _reload(risk, project=None) -> Risk:
    """The risk as saved now, with its owner's name, keeping the project already loaded."""
    fresh = (Risk.select(Risk, User.name.alias("owner_name")).join(User, on=(Risk.owner == User.id))
             .where(Risk.id == risk.id).objects().get())
    fresh.project = project or risk.project
    return fresh


def clean_risk(values: dict, project, current: Risk | None = None) -> dict:
    """Check and normalise risk fields (only FIELDS kept); raises InvalidInput naming each bad field."""
    merged = {name: getattr(current, name + "_id" if name == "owner" else name) for name in FIELDS} if current else {}
    merged.update({k: v for k, v in values.items() if k in FIELDS})
    out, errors = {}, {}
    for name, limit in TEXT_LIMITS.items():
        text = (merged.get(name) or "").strip()
        if name == "title" and not text:
            errors[name] = "Give the risk a short title."
        elif len(text) > limit:
            errors[name] = f"Use at most {limit:,} characters."
        out[name] = text
    out["category"] = merged.get("category") or "other"
    if out["category"] not in CATEGORIES:
        errors["category"] = "Choose a category from the list."
    out["response"] = merged.get("response") or "mitigate"
    if out["response"] not in RESPONSES:
        errors["response"] = "Choose avoid, mitigate, transfer or accept."
    out["probability"] = _int_1_5(merged.get("probability"), "probability", errors)
    out["impact"] = _int_1_5(merged.get("impact"), "impact", errors)
    residual = [merged.get("residual_probability"), merged.get("residual_impact")]
    if all(v in (None, "") for v in residual):
        out["residual_probability"] = out["residual_impact"] = None
    elif any(v in (None, "") for v in residual):
        errors["residual_impact" if residual[0] not in (None, "") else "residual_probability"] = \
            "Give both residual probability and impact, or neither."
    else:
        out["residual_probability"] = _int_1_5(residual[0], "residual_probability", errors)
        out["residual_impact"] = _int_1_5(residual[1], "residual_impact", errors)
    review = merged.get("review_date")
    if review in ("", None):
        review = None
    elif not isinstance(review, datetime.date):
        errors["review_date"] = "Enter a date as YYYY-MM-DD."
    out["review_date"] = review
    try:
        owner = int(merged.get("owner") or 0)
    except (TypeError, ValueError):
        owner = 0
    if owner not in {i for i, _ in project_people(project)}:
        errors["owner"] = "Choose the project's manager, sponsor or someone on its team."
    out["owner"] = owner
    if errors:
        raise InvalidInput(errors)
    out["score"] = out["probability"] * out["impact"]
    rp, ri = out["residual_probability"], out["residual_impact"]
    out["residual_score"] = rp * ri if rp and ri else None
    return out


def create_risk(project, user, values: dict) -> Risk:
    """Add a risk to `project`'s log; the score is computed here, never taken from the form."""
    clean = clean_risk(values, project)
    with db.atomic():
        risk = Risk.create(project=project.id, created_by=user.id, updated_by=user.id, status="open", **clean)
        record(user, "risk.created", "risk", risk.id, f"Risk R-{risk.id} added to {project.ref}",
               after=snapshot(risk, AUDIT_FIELDS), project=project)
    return risk


def _stale(risk_id: int):
    """The 409 for a stale save, saying who saved last and when."""
    latest = (Risk.select(Risk.updated_at, User.name).join(User, on=(Risk.updated_by == User.id))
              .where(Risk.id == risk_id).tuples().first())
    who = f"{latest[1]} saved it at {latest[0]:%Y-%m-%d %H:%M} UTC" if latest else "Someone saved it"
    return Stale(f"{who}, after you opened it. Your changes are kept below: reload to see theirs, "
                 "then apply yours again.", who=latest[1] if latest else None, when=latest[0] if latest else None)


def _update(risk, user, expected_version: int, changes: dict, action: str, summary: str) -> Risk:
    """Compare-and-set `changes` at `expected_version`, with the audit row in the same transaction."""
    with db.atomic():
        current = Risk.get_or_none(Risk.id == risk.id)
        if current is None or current.version != expected_version:
            raise _stale(risk.id)
        before = snapshot(current, AUDIT_FIELDS)
        changes = {**changes, "updated_at": utcnow(), "updated_by": user.id}
        if not current.save_if_current(expected_version, **changes):
            raise _stale(risk.id)
        fresh = Risk.get_by_id(risk.id)
        record(user, action, "risk", risk.id, summary, before=before, after=snapshot(fresh, AUDIT_FIELDS),
               project=fresh.project_id)
    return _reload(risk)


def update_risk(risk, user, expected_version: int, values: dict) -> Risk:
    """Edit a risk (all or some FIELDS); refused with Stale when someone saved since `expected_version`."""
    if risk.status not in OPEN_RISK and risk.status != "closed":
        raise Conflict("This risk has occurred and is now an issue; edit the issue instead.")
    clean = clean_risk(values, risk.project, current=risk)
    return _update(risk, user, expected_version, clean, "risk.updated", f"Risk R-{risk.id} edited")


def change_status(risk, user, expected_version: int, status: str) -> Risk:
    """A quick status change along TRANSITIONS (open, monitoring, closed)."""
    if status not in TRANSITIONS.get(risk.status, set()):
        raise InvalidInput({"status": f"A {risk.status} risk cannot be moved to {status or 'nothing'}."})
    return _update(risk, user, expected_version, {"status": status}, "risk.status",
                   f"Risk R-{risk.id}: {risk.status} → {status}")


def mark_reviewed(risk, user) -> Risk:
    """Record a review today and set the next review date by the standard's cadence for the band."""
    if risk.status not in OPEN_RISK:
        raise Conflict("Only open or monitored risks are reviewed.")
    next_review = today() + datetime.timedelta(days=REVIEW_DAYS[band(risk.score)])
    with db.atomic():
        before = snapshot(risk, ("review_date", "last_reviewed_at"))
        Risk.update(review_date=next_review, last_reviewed_at=utcnow(), version=Risk.version + 1).where(
            Risk.id == risk.id).execute()
        record(user, "risk.reviewed", "risk", risk.id, f"Risk R-{risk.id} reviewed; next review {next_review}",
               before=before, after={"review_date": next_review.isoformat(), "last_reviewed_at": utcnow()},
               project=risk.project_id)
    return _reload(risk)


def escalate(risk, user, note: str) -> None:
    """Flag a risk for the PMO's attention with a note; PMO staff are notified."""
    note = (note or "").strip()
    if not note or len(note) > 1000:
        raise InvalidInput({"note": "Say in up to 1,000 characters what the PMO should do."})
    with db.atomic():
        before = snapshot(risk, ("escalated", "escalation_note"))
        Risk.update(escalated=True, escalation_note=note, escalated_at=utcnow(), escalated_by=user.id,
                    version=Risk.version + 1).where(Risk.id == risk.id).execute()
        record(user, "risk.escalated", "risk", risk.id, f"Risk R-{risk.id} escalated to the PMO",
               before=before, after={"escalated": True, "escalation_note": note}, project=risk.project_id)
        pmo = User.select(User.id).where((User.role == "pmo") & User.active)
        notify([u.id for u in pmo], f"Risk escalated on {risk.project.ref}: {risk.title}",
               f"/projects/{risk.project.ref}/risks/{risk.id}")
        emit("risk.escalated", f"Risk escalated on {risk.project.ref}: {risk.title}",
             f"/projects/{risk.project.ref}/risks/{risk.id}",
             {"project": risk.project.ref, "risk": f"R-{risk.id}", "title": risk.title,
              "probability": risk.probability, "impact": risk.impact, "score": risk.probability * risk.impact,
              "status": risk.status, "note": note, "by": user.name})


def clear_escalation(risk, user) -> None:
    """Take a risk off the PMO's escalation list."""
    with db.atomic():
        Risk.update(escalated=False, version=Risk.version + 1).where(Risk.id == risk.id).execute()
        record(user, "risk.deescalated", "risk", risk.id, f"Risk R-{risk.id} no longer escalated",
               before={"escalated": True}, after={"escalated": False}, project=risk.project_id)


def convert_to_issue(risk, user) -> Issue:
    """The risk occurred: mark it so and open an issue linked to it, in one transaction."""
    with db.atomic():
        moved = (Risk.update(status="occurred", version=Risk.version + 1, updated_at=utcnow(), updated_by=user.id)
                 .where((Risk.id == risk.id) & Risk.status.in_(OPEN_RISK)).execute())
        if not moved:
            raise Conflict("Only an open or monitored risk can occur; this one has been closed or converted already.")
        issue = Issue.create(project=risk.project_id, title=risk.title,
                             description="\n\n".join(t for t in (risk.description, risk.contingency and
                                                                 f"Contingency: {risk.contingency}") if t),
                             priority=risk.impact, owner=risk.owner_id, due_date=today() + datetime.timedelta(days=7),
                             risk=risk.id, created_by=user.id, updated_by=user.id)
        record(user, "risk.occurred", "risk", risk.id, f"Risk R-{risk.id} occurred; became issue I-{issue.id}",
               before={"status": risk.status}, after={"status": "occurred", "issue": issue.id},
               project=risk.project_id)
        record(user, "issue.created", "issue", issue.id, f"Issue I-{issue.id} opened from risk R-{risk.id}",
               after={"title": issue.title, "priority": issue.priority, "owner_id": issue.owner_id,
                      "status": "open", "risk": risk.id}, project=risk.project_id)
    return issue


def open_high_risks(project_ids) -> dict[int, int]:
    """For the dashboard: open or monitored risks scoring 15 or more, per project (0 when none)."""
    ids = list(project_ids)
    counts = {pid: 0 for pid in ids}
    if ids:
        counts.update(Risk.select(Risk.project, fn.COUNT(Risk.id))
                      .where(Risk.project.in_(ids) & Risk.status.in_(OPEN_RISK) & (Risk.score >= 15))
                      .group_by(Risk.project).tuples())
    return counts


def overdue_reviews(project_ids) -> dict[int, int]:
    """For the dashboard: open or monitored risks whose review date has passed, per project (0 when none)."""
    ids = list(project_ids)
    counts = {pid: 0 for pid in ids}
    if ids:
        counts.update(Risk.select(Risk.project, fn.COUNT(Risk.id))
                      .where(Risk.project.in_(ids) & Risk.status.in_(OPEN_RISK) & (Risk.review_date < today()))
                      .group_by(Risk.project).tuples())
    return counts
