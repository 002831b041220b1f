"""Who may submit status reports."""
from portal.permissions import permission
from portal.projects.permissions import leads

PMO = ("admin", "pmo")


@permission("status.submit", "Only the project's manager or the PMO may submit its status reports, "
                             "and only while the project is active.")
def can_submit(user, project):
    return project is not None and project.state == "active" and (
        user.role in PMO or leads(user, project))
