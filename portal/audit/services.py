"""Recording and reading the audit trail; every feature calls `record`."""
import datetime
import decimal
import json

from peewee import JOIN

from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.logs import current_request_id
from portal.pagination import paginate


def _plain(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def snapshot(obj, fields) -> dict:
    """The values of `fields` on `obj`, ready to store as before/after."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def record(actor, action: str, obj_type: str, obj_id, summary: str = "",
           before: dict | None = None, after: dict | None = None, project=None) -> AuditEvent:
    """Write one audit event; call inside the transaction that makes the change.

    `project` (a Project or its id) puts the event in that project's activity feed.
    """
    dump = lambda d: json.dumps(d, default=_plain, sort_keys=True) if d is not None else None  # noqa: E731
    return AuditEvent.create(
        actor=actor.id if actor is not None else None,
        action=action, object_type=obj_type, object_id=str(obj_id),
        summary=summary[:255], before=dump(before), after=dump(after),
        project_id=getattr(project, "id", project), request_id=current_request_id())


def history(obj_type: str, obj_id, limit: int = 100):
    """Events about one record, newest first, with their actors in one query."""
    return (AuditEvent.select(AuditEvent, User)
            .join(User, join_type=JOIN.LEFT_OUTER, on=(AuditEvent.actor == User.id))
            .where((AuditEvent.object_type == obj_type) & (AuditEvent.object_id == str(obj_id)))
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(limit))


def _trail(object_type: str | None = None):
    query = (AuditEvent.select(AuditEvent, User)
             .join(User, join_type=JOIN.LEFT_OUTER, on=(AuditEvent.actor == User.id))
             .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()))
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    return query


def recent(page: int = 1, per_page: int = 50, object_type: str | None = None):
    """The whole trail, newest first, one Page at a time (uncounted: the trail is long)."""
    return paginate(_trail(object_type), page, per_page, count=False)


TRAIL_COLUMNS = ["at", "actor", "action", "object_type", "object_id", "summary", "before", "after", "request_id"]


def trail_rows(object_type: str | None = None):
    """The trail (of one object type, or all), newest first, as TRAIL_COLUMNS values from a server-side cursor."""
    query = _trail(object_type).select(AuditEvent.at, User.name, AuditEvent.action, AuditEvent.object_type,
                                       AuditEvent.object_id, AuditEvent.summary, AuditEvent.before,
                                       AuditEvent.after, AuditEvent.request_id).tuples()
    yield from query.iterator()
