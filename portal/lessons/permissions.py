"""Who may record benefits and lessons, and who reviews benefits."""
from portal.permissions import permission
from portal.projects.permissions import PMO, leads

LIVE = ("approved", "active", "on_hold", "closed")


@permission("benefits.record", "Only the project's manager and the PMO record its benefits.")
def can_record_benefits(user, project):
    return project is not None and project.state in LIVE and (user.role in PMO or leads(user, project))


@permission("benefits.review", "The PMO reviews benefits once a project is closed.")
def can_review_benefits(user, project):
    return project is not None and project.state == "closed" and user.role in PMO


@permission("lessons.add", "Only the project's team, manager, sponsor and the PMO add its lessons.")
def can_add_lessons(user, project):
    from portal.permissions import can
    return project is not None and project.state in ("active", "on_hold", "closed") and can(user, "collab.write", project)
