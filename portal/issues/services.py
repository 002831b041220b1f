"""Adding and editing issues; loading them inside their project."""
import datetime

from flask import abort
from peewee import JOIN

from portal.audit.services import record, snapshot
from portal.auth.models import User
from portal.db import db, utcnow
from portal.errors import InvalidInput, Stale
from portal.risks.models import ISSUE_STATUSES, Issue, Risk
from portal.risks.services import project_people

FIELDS = ("title", "description", "priority", "owner", "due_date", "status", "resolution")
TEXT_LIMITS = {"title": 200, "description": 5000, "resolution": 5000}
AUDIT_FIELDS = ("title", "description", "priority", "owner_id", "due_date", "status", "resolution")
PRIORITIES = {1: "1 · Negligible", 2: "2 · Minor", 3: "3 · Moderate", 4: "4 · Major", 5: "5 · Severe"}


def load_issue(project, issue_id: int) -> Issue:
    """The issue `issue_id` of `project`, with owner and linked risk title; 404 when it is another project's."""
    issue = (Issue.select(Issue, User.name.alias("owner_name"), Risk.title.alias("risk_title"))
             .join(User, on=(Issue.owner == User.id)).switch(Issue)
             .join(Risk, join_type=JOIN.LEFT_OUTER, on=(Issue.risk == Risk.id))
             .where((Issue.id == issue_id) & (Issue.project == project.id)).objects().first())
    if issue is None:
        abort(404)
    issue.project = project
    return issue


def clean_issue(values: dict, project) -> dict:
    """Check and normalise issue fields (only FIELDS kept); raises InvalidInput naming each bad field."""
    out, errors = {}, {}
    for name, limit in TEXT_LIMITS.items():
        text = (values.get(name) or "").strip()
        if name == "title" and not text:
            errors[name] = "Give the issue a short title."
        elif len(text) > limit:
            errors[name] = f"Use at most {limit:,} characters."
        out[name] = text
    priority = str(values.get("priority") or "")
    if not priority.isdigit() or int(priority) not in PRIORITIES:
        errors["priority"] = "Choose a priority from 1 to 5."
    else:
        out["priority"] = int(priority)
    out["status"] = values.get("status") or "open"
    if out["status"] not in ISSUE_STATUSES:
        errors["status"] = "Choose open, in progress, resolved or closed."
    due = values.get("due_date") or None
    if due is not None and not isinstance(due, datetime.date):
        errors["due_date"] = "Enter a date as YYYY-MM-DD."
    out["due_date"] = due
    try:
        owner = int(values.get("owner") or 0)
    except (TypeError, ValueError):
        owner = 0
    if owner not in {i for i, _ in project_people(project)}:
        errors["owner"] = "Choose the project's manager, sponsor or someone on its team."
    out["owner"] = owner
    if errors:
        raise InvalidInput(errors)
    return out


def create_issue(project, user, values: dict) -> Issue:
    """Add an issue to `project`'s log."""
    clean = clean_issue(values, project)
    with db.atomic():
        issue = Issue.create(project=project.id, created_by=user.id, updated_by=user.id, **clean)
        record(user, "issue.created", "issue", issue.id, f"Issue I-{issue.id} added to {project.ref}",
               after=snapshot(issue, AUDIT_FIELDS), project=project)
    return issue


def update_issue(issue, user, expected_version: int, values: dict) -> Issue:
    """Edit an issue; refused with Stale when someone saved since `expected_version`."""
    clean = clean_issue(values, issue.project)
    with db.atomic():
        current = Issue.get_or_none(Issue.id == issue.id)
        if current is None or current.version != expected_version or not current.save_if_current(
                expected_version, **clean, updated_at=utcnow(), updated_by=user.id):
            latest = (Issue.select(Issue.updated_at, User.name).join(User, on=(Issue.updated_by == User.id))
                      .where(Issue.id == issue.id).tuples().first())
            who = f"{latest[1]} saved it at {latest[0]:%Y-%m-%d %H:%M} UTC" if latest else "Someone saved it"
            raise Stale(f"{who}, after you opened it. Your changes are kept below: reload to see theirs, "
                        "then apply yours again.", who=latest[1] if latest else None,
                        when=latest[0] if latest else None)
        record(user, "issue.updated", "issue", issue.id, f"Issue I-{issue.id} edited",
               before=snapshot(current, AUDIT_FIELDS), after=snapshot(Issue.get_by_id(issue.id), AUDIT_FIELDS),
               project=current.project_id)
    return load_issue(issue.project, issue.id)
