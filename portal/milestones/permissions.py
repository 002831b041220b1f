"""Who may keep a project's milestones."""
from portal.permissions import permission
from portal.projects.permissions import leads


@permission("milestones.edit", "Only the project's manager or the PMO may keep its milestones.")
def can_edit_milestones(user, project):
    if project is None or project.state in ("rejected", "closed", "cancelled", "draft"):
        return False
    return user.role in ("admin", "pmo") or leads(user, project)
