"""Who may read and change a project's risks and issues; registered with the portal's permission table."""
from portal.permissions import permission
from portal.projects.permissions import FINAL, PMO, contributes, leads


def is_team_member(user, project) -> bool:
    """True for the project's manager and the team members who may write (viewers only read)."""
    return contributes(user, project)


@permission("risks.write", "Only the project's contributors, deputies, its manager and the PMO may change its risks and issues.")
def can_write(user, project):
    if project is None or project.state in FINAL:
        return False
    return user.role in PMO or is_team_member(user, project)


@permission("risks.escalate", "Only the project's manager, a deputy and the PMO may escalate a risk to the PMO.")
def can_escalate(user, project):
    if project is None or project.state in FINAL:
        return False
    return user.role in PMO or leads(user, project)
