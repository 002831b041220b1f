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
    return project.state in ("approved", "active", "on_hold") and user.id == project.manager_id


def locked_fields(user, project) -> tuple[str, ...]:
    """The fields `user` may not change on `project`: after approval only the PMO changes what was approved."""
    if project is not None and project.state in APPROVED and user.role not in PMO:
        return GOVERNED_FIELDS
    return ()


@permission("projects.score", "Only PMO staff and admins score requests, and never their own.")
def can_score(user, project):
    return project is not None and user.role in PMO and not is_owner(user, project)


@permission("projects.team", "Only the project's manager or the PMO may change its team.")
def can_manage_team(user, project):
    if project is None or project.state in FINAL:
        return False
    return user.role in PMO or user.id == project.manager_id


@permission("intake.review", "Reviewing project requests is for PMO staff and admins.")
def can_review(user, obj=None):
    return user.role in PMO


@permission("intake.view", "The intake queue is for PMO staff, admins and executives.")
def can_view_intake(user, obj=None):
    return user.role in PMO or user.role == "executive"


@permission("rules.edit", "Governance rules are set by PMO staff and admins.")
def can_edit_rules(user, obj=None):
    return user.role in PMO
