"""Who may edit the knowledge base and read its reports."""
from portal.permissions import permission


@permission("kb.edit", "Editing the knowledge base is open to PMO staff and admins.")
def _edit(user, obj):
    return user.role in ("pmo", "admin")


@permission("kb.report", "Knowledge reports are open to PMO staff and admins.")
def _report(user, obj):
    return user.role in ("pmo", "admin")
