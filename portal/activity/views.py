"""The project activity feed and the person page."""
from flask import request, url_for
from flask_login import current_user, login_required

from portal.activity import bp
from portal.activity import services as svc
from portal.pagination import page_arg
from portal.projects.services import load_project
from portal.projects.workflow import STATE_LABELS
from portal.web import render

# Where an event's record can be opened, by audit object type (others are not linked).
LINKS = {"risk": lambda ref, oid: url_for("risks.detail", ref=ref, risk_id=oid),
         "issue": lambda ref, oid: url_for("issues.detail", ref=ref, issue_id=oid),
         "document": lambda ref, oid: url_for("documents.detail", ref=ref, doc_id=oid),
         "change": lambda ref, oid: url_for("changes.detail", ref=ref, change_id=oid),
         "decision": lambda ref, oid: url_for("decisions.project_page", ref=ref) + f"#decision-{oid}"}


def event_url(ref: str, event) -> str | None:
    """A link to the record an event is about, when it has a page."""
    link = LINKS.get(event.object_type)
    return link(ref, int(event.object_id)) if link and event.object_id.isdigit() else None


@bp.get("/projects/<ref>/activity")
@login_required
def project_feed(ref):
    """Everything that changed in the project, newest first, filterable by kind; htmx gets only the list."""
    project = load_project(ref, current_user)
    kinds = svc.project_kinds(project)
    kind = request.args.get("kind", "")
    kind = kind if kind in kinds else ""
    page = svc.project_activity(project, kind, page_arg())
    return render("activity/page.html", fragment="activity/_feed.html", project=project, events=page.rows,
                  total=page.total, page=page, kinds=kinds, kind=kind, event_url=event_url)


@bp.get("/people/<int:person_id>")
@login_required
def person(person_id):
    """A person's projects, open risks and issues, tickets and recent activity (themselves, their managers, the PMO)."""
    person = svc.load_person(person_id, current_user)
    risks, issues = svc.person_risks_and_issues(person, current_user)
    return render("activity/person.html", person=person, projects=svc.person_projects(person, current_user),
                  risks=risks, issues=issues, tickets=svc.person_tickets(person, current_user),
                  events=svc.person_activity(person, current_user), labels=STATE_LABELS)
