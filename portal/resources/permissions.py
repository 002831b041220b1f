"""Who may see whose load and book people on which projects."""
from portal.permissions import permission
from portal.projects.permissions import leads

SEE_ALL = ("admin", "pmo", "executive")
PMO = ("admin", "pmo")


@permission("resources.all", "Everyone's load is open to the PMO, admins and executives.")
def can_see_all(user, obj=None):
    return user.role in SEE_ALL


@permission("pmo.views", "The PMO's own views are for PMO staff and admins.")
def can_use_pmo_views(user, obj=None):
    return user.role in PMO


@permission("resources.overbook", "Only the PMO may book someone beyond 100%.")
def can_overbook(user, obj=None):
    return user.role in PMO


@permission("resources.book", "Only the project's manager or the PMO may book people on it.")
def can_book(user, project):
    if project is None or project.state not in ("approved", "active", "on_hold"):
        return False
    return user.role in PMO or leads(user, project)
