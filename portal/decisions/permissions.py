"""Who keeps a project's decision log."""
from portal.permissions import permission
from portal.projects.permissions import FINAL, PMO, leads


@permission("decisions.write", "Only the project's manager, a deputy, its sponsor and the PMO keep its decision log.")
def can_write(user, project):
    if project is None or project.state in FINAL or project.state == "draft":
        return False
    return user.role in PMO or user.id == project.sponsor_id or leads(user, project)
