"""Who may hold API tokens and a calendar feed, and who sees everyone's tokens."""
from portal.permissions import permission


@permission("tokens.own", "Signed-in people manage their own API tokens and calendar feed.")
def can_hold_tokens(user, obj=None):
    return True


@permission("tokens.all", "Only admins see and revoke everyone's API tokens.")
def can_manage_all(user, obj=None):
    return user.role == "admin"
