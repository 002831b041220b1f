"""The activity feed built from the audit trail, and what a person's page shows."""
from flask import abort
from peewee import JOIN

from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.pagination import paginate
from portal.projects.models import Project, ProjectMember
from portal.projects.permissions import PMO
from portal.risks.models import OPEN_ISSUE, OPEN_RISK, Issue, Risk

PER_PAGE = 50
# Audit object types as the feed's filter names them; unknown types show under their own name.
KINDS = {"project": "Project and team", "status_report": "Status reports", "risk": "Risks", "issue": "Issues",
         "document": "Documents", "comment": "Comments", "benefit": "Benefits", "lesson": "Lessons",
         "decision": "Decisions", "change": "Change requests", "gate": "Gates"}


def _events():
    return (AuditEvent.select(AuditEvent, User)
            .join(User, JOIN.LEFT_OUTER, on=(AuditEvent.actor == User.id)))


def project_activity(project, kind: str = "", page: int = 1):
    """One page of the project's changes, newest first, with who made them, as a Page."""
    query = _events().where(AuditEvent.project_id == project.id)
    if kind:
        query = query.where(AuditEvent.object_type == kind)
    return paginate(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()), page, PER_PAGE)


def project_kinds(project) -> dict[str, str]:
    """The kinds of change this project has had, for the filter."""
    present = [t for (t,) in AuditEvent.select(AuditEvent.object_type).distinct()
               .where(AuditEvent.project_id == project.id).tuples()]
    return {t: KINDS.get(t, t.replace("_", " ").capitalize()) for t in sorted(present, key=lambda t: KINDS.get(t, t))}


def _projects_of(person):
    """The condition for projects `person` manages, sponsors or is on the team of."""
    member_of = ProjectMember.select(ProjectMember.project).where(ProjectMember.user == person.id)
    return (Project.manager == person.id) | (Project.sponsor == person.id) | Project.id.in_(member_of)


def load_person(person_id: int, viewer) -> User:
    """The person if `viewer` may see their page: themselves, the PMO, or a manager of a project they are on; else 404."""
    person = User.get_or_none(User.id == person_id)
    if person is None:
        abort(404)
    if viewer.id == person.id or viewer.role in PMO:
        return person
    manages_them = Project.select().where((Project.manager == viewer.id) & _projects_of(person)).exists()
    if not manages_them:
        abort(404)
    return person


def person_projects(person, viewer, limit: int = PER_PAGE):
    """The projects `person` is on that `viewer` may see, by name."""
    return list(Project.visible_to(viewer).where(_projects_of(person)).order_by(Project.name).limit(limit))


def person_risks_and_issues(person, viewer, limit: int = PER_PAGE):
    """Open risks and issues `person` owns, in projects `viewer` may see (two queries)."""
    visible = Project.visible_to(viewer).select(Project.id)
    risks = list(Risk.select(Risk, Project).join(Project)
                 .where((Risk.owner == person.id) & Risk.status.in_(OPEN_RISK) & Risk.project.in_(visible))
                 .order_by(Risk.score.desc(), Risk.id).limit(limit))
    issues = list(Issue.select(Issue, Project).join(Project)
                  .where((Issue.owner == person.id) & Issue.status.in_(OPEN_ISSUE) & Issue.project.in_(visible))
                  .order_by(Issue.priority.desc(), Issue.id).limit(limit))
    return risks, issues


def person_tickets(person, viewer, limit: int = PER_PAGE):
    """Tickets `person` asked or handles, as far as `viewer` may see them, newest first."""
    from portal.helpdesk.models import Ticket
    from portal.helpdesk.services import visible_tickets
    return list(visible_tickets(viewer)
                .where((Ticket.requester == person.id) | (Ticket.assignee == person.id))
                .order_by(Ticket.number.desc()).limit(limit))


def person_activity(person, viewer, limit: int = 30):
    """What `person` changed recently in projects `viewer` may see."""
    visible = Project.visible_to(viewer).select(Project.id)
    return list(_events().where((AuditEvent.actor == person.id) & AuditEvent.project_id.in_(visible))
                .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit))
