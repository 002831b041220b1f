"""Who may do what: one table of named permissions, asked by views and templates alike."""
from functools import wraps

from flask import abort
from flask_login import current_user

_RULES: dict[str, tuple[callable, str]] = {}


def permission(action: str, needs: str):
    """Register the predicate `fn(user, obj)` for `action`; `needs` explains a refusal."""
    def decorator(fn):
        _RULES[action] = (fn, needs)
        return fn
    return decorator


def can(user, action: str, obj=None) -> bool:
    """True when `user` may perform `action` (on `obj`). Unknown actions are refused."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    rule = _RULES.get(action)
    if rule is None:
        raise KeyError(f"unknown permission {action!r}")
    return bool(rule[0](user, obj))


def check(action: str, obj=None, user=None):
    """Abort unless the user may `action`: anonymous users are sent to sign in, others get a 403 saying what is missing."""
    user = user if user is not None else current_user
    if not getattr(user, "is_authenticated", False):
        from portal.web import login_required_response
        abort(login_required_response())
    if not can(user, action, obj):
        abort(403, description=_RULES[action][1])


def require(action: str):
    """View decorator: `check(action)` before the view runs."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            check(action)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def has_role(user, *roles) -> bool:
    """True when the user holds one of `roles`."""
    return getattr(user, "role", None) in roles


@permission("admin.users", "Managing users needs the admin role.")
def _manage_users(user, obj):
    return user.role == "admin"


@permission("admin.audit", "The audit trail is open to admins and PMO staff.")
def _read_audit(user, obj):
    return user.role in ("admin", "pmo")
