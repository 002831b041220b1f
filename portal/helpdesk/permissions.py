"""Help-desk permissions."""
from portal.permissions import permission


@permission("helpdesk.work", "Working the help-desk queue is for PMO staff.")
def _work_queue(user, obj):
    return user.role in ("pmo", "admin")


@permission("helpdesk.ask", "Asking the help desk needs an account that can sign in.")
def _ask(user, obj):
    # Executives read; everyone else, executives included, may still ask a question.
    return True


@permission("helpdesk.canned", "Canned answers are kept by PMO staff.")
def _canned(user, obj):
    return user.role in ("pmo", "admin")
