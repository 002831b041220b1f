"""Who asks for a gate review, who decides it, and who sets the phase model."""
from portal.permissions import permission
from portal.projects.permissions import PMO, leads

LIVE = ("approved", "active", "on_hold")


@permission("gates.request", "Only the project's manager, a deputy and the PMO ask for a gate review.")
def can_request(user, project):
    return project is not None and project.state in LIVE and (user.role in PMO or leads(user, project))


@permission("gates.decide", "Gate reviews are decided by the PMO, and by the sponsor where the phase model says so.")
def can_decide(user, review):
    if review is None or review.state != "requested":
        return False
    if user.role in PMO:
        return True
    return review.sponsor_decides and user.id == review.project.sponsor_id


@permission("gates.model", "The phase model is set by PMO staff and admins.")
def can_edit_model(user, obj=None):
    return user.role in PMO
