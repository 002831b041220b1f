"""Who may see, request, edit and staff projects; registered with the portal's permission table."""
from portal.permissions import permission
from portal.projects.models import Project

PMO = ("admin", "pmo")
FINAL = ("rejected", "closed", "cancelled")
APPROVED = ("approved", "active", "on_hold")
# What the approval was given for: the budget picks the approvers, the category the required fields.
GOVERNED_FIELDS = ("budget", "category")


def is_owner(user, project) -> bool:
    """True for the requester or the manager of `project`."""
    return user.id in (project.requester_id, project.manager_id)


def team_role(user, project) -> str | None:
    """`user`'s role on `project`'s team: manager, deputy, contributor, viewer, or None (one indexed query)."""
    from portal.projects.models import ProjectMember
    if project is None or user is None:
        return None
    if user.id == project.manager_id:
        return "manager"
    return (ProjectMember.select(ProjectMember.role)
            .where((ProjectMember.project == project.id) & (ProjectMember.user == user.id)).scalar())


def leads(user, project) -> bool:
    """True for the manager and the deputies: deputies do what the manager does, except closing."""
    return team_role(user, project) in ("manager", "deputy")


def contributes(user, project) -> bool:
    """True for the manager, deputies and contributors: viewers only read."""
    return team_role(user, project) in ("manager", "deputy", "contributor")


@permission("projects.create", "Requesting a project needs the manager, PMO or admin role.")
def can_create(user, obj=None):
    return user.role in ("manager", "pmo", "admin")


@permission("projects.view", "You are not on this project's team.")
def can_view(user, project):
    return project is not None and Project.visible_to(user).where(Project.id == project.id).exists()


@permission("projects.edit", "Only the project's manager or the PMO may edit it in this state.")
def can_edit(user, project):
    if project is None or project.state in FINAL:
        return False
    if user.role in PMO:
        return project.state != "draft" or is_owner(user, project)
    if project.state in ("draft", "returned"):
        return is_owner(user, project)
    return project.state in ("approved", "active", "on_hold") and leads(user, project)


def locked_fields(user, project) -> tuple[str, ...]:
    """The fields `user` may not change on `project`: after approval only the PMO changes what was approved."""
    if project is not None and project.state in APPROVED and user.role not in PMO:
        return GOVERNED_FIELDS
    return ()


@permission("projects.score", "Only PMO staff and admins score requests, and never their own.")
def can_score(user, project):
    return project is not None and user.role in PMO and not is_owner(user, project)


@permission("projects.team", "Only the project's manager, a deputy or the PMO may change its team.")
def can_manage_team(user, project):
    if project is None or project.state in FINAL:
        return False
    return user.role in PMO or leads(user, project)


@permission("intake.review", "Reviewing project requests is for PMO staff and admins.")
def can_review(user, obj=None):
    return user.role in PMO


@permission("intake.view", "The intake queue is for PMO staff, admins and executives.")
def can_view_intake(user, obj=None):
    return user.role in PMO or user.role == "executive"


@permission("rules.edit", "Governance rules are set by PMO staff and admins.")
def can_edit_rules(user, obj=None):
    return user.role in PMO
