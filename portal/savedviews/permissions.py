"""Who may share a saved view with everyone: PMO staff and admins, who keep the shared menu short."""
from portal.permissions import permission


@permission("views.share", "Only PMO staff and admins share views with everyone.")
def can_share(user, obj=None):
    return user.role in ("pmo", "admin")
