"""Who may submit status reports and see the portfolio dashboard."""
from portal.permissions import permission

PMO = ("admin", "pmo")


@permission("status.submit", "Only the project's manager or the PMO may submit its status reports, "
                             "and only while the project is active.")
def can_submit(user, project):
    return project is not None and project.state == "active" and (
        user.role in PMO or user.id == project.manager_id)


@permission("dashboard.view", "The portfolio dashboard needs an account that can sign in.")
def can_view_dashboard(user, obj=None):
    # Everyone may open it; what it lists is scoped by Project.visible_to.
    return True


@permission("dashboard.internal", "Reminder and escalation details are internal to the PMO.")
def can_see_internal(user, obj=None):
    return user.role in PMO
