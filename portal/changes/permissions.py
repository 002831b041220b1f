"""Who raises change requests and who decides them (the sponsor within the rules' limits, the PMO always)."""
from portal.permissions import permission
from portal.projects.permissions import PMO, leads

LIVE = ("approved", "active", "on_hold")


@permission("changes.request", "Only the project's manager, a deputy and the PMO raise change requests, "
                               "while the project is approved, active or on hold.")
def can_request(user, project):
    return project is not None and project.state in LIVE and (user.role in PMO or leads(user, project))


@permission("changes.decide", "This change is decided by the PMO, or by the sponsor when the rules allow.")
def can_decide(user, change):
    if change is None or change.state != "submitted" or change.project.state not in LIVE:
        return False
    if user.role in PMO:
        return True
    return change.decider == "sponsor" and user.id == change.project.sponsor_id
