"""Who may see the portfolio dashboard, and its PMO-internal details."""
from portal.permissions import permission

PMO = ("admin", "pmo")


@permission("dashboard.view", "The portfolio dashboard needs an account that can sign in.")
def can_view_dashboard(user, obj=None):
    # Everyone may open it; what it lists is scoped by Project.visible_to.
    return True


@permission("dashboard.internal", "Reminder and escalation details are internal to the PMO.")
def can_see_internal(user, obj=None):
    return user.role in PMO
