"""Who may read and change a project's risks and issues; registered with the portal's permission table."""
from portal.permissions import permission
from portal.projects.permissions import FINAL, PMO


def is_team_member(user, project) -> bool:
    """True for the project's manager or someone on its team (one query for the team)."""
    from portal.projects.models import ProjectMember
    if user.id == project.manager_id:
        return True
    return ProjectMember.select().where((ProjectMember.project == project.id)
                                        & (ProjectMember.user == user.id)).exists()


@permission("risks.write", "Only the project's team, its manager and the PMO may change its risks and issues.")
def can_write(user, project):
    if project is None or project.state in FINAL:
        return False
    return user.role in PMO or is_team_member(user, project)


@permission("risks.escalate", "Only the project's manager and the PMO may escalate a risk to the PMO.")
def can_escalate(user, project):
    if project is None or project.state in FINAL:
        return False
    return user.role in PMO or user.id == project.manager_id
