"""The audit event model."""
import json

import peewee

from portal.auth.models import User
from portal.db import BaseModel, utcnow


class AuditEvent(BaseModel):
    """One change to one record, by one person (or the system when actor is None)."""

    at = peewee.DateTimeField(default=utcnow, index=True)
    actor = peewee.ForeignKeyField(User, null=True, backref="audit_events")
    action = peewee.CharField(max_length=64, index=True)
    object_type = peewee.CharField(max_length=32)
    object_id = peewee.CharField(max_length=64)
    summary = peewee.CharField(max_length=255, default="")
    before = peewee.TextField(null=True)
    after = peewee.TextField(null=True)
    # The project the change belongs to (a plain id: the trail outlives deleted records).
    project_id = peewee.IntegerField(null=True)
    # The request (or CLI run) that made the change: the same id as its log lines.
    request_id = peewee.CharField(max_length=64, null=True)

    class Meta:
        indexes = ((("object_type", "object_id", "at"), False), (("project_id", "at"), False))

    def changes(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for each field that differs."""
        before = json.loads(self.before) if self.before else {}
        after = json.loads(self.after) if self.after else {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]
