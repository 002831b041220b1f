"""Who may see compliance across projects and change the checks."""
from portal.permissions import permission


@permission("compliance.edit", "The compliance checks are set by PMO staff and admins.")
def can_edit_checks(user, obj=None):
    return user.role in ("admin", "pmo")
