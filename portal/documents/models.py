"""Project documents and their versions."""
import peewee

from portal.auth.models import User
from portal.db import BaseModel, utcnow
from portal.projects.models import Project

FOLDERS = {"management": "Management", "plans": "Plans and schedules", "deliverables": "Deliverables",
           "meetings": "Meetings", "other": "Other"}


class Document(BaseModel):
    """One named file in a project folder; its content lives in its versions, the newest is `latest`."""

    project = peewee.ForeignKeyField(Project, backref="documents", on_delete="CASCADE")
    folder = peewee.CharField(max_length=20, default="other")
    name = peewee.CharField(max_length=255)
    # lower(name) while the document is live, NULL once deleted: a unique index then
    # lets a deleted name be used again while two live documents can never share one.
    live_key = peewee.CharField(max_length=255, null=True)
    latest = peewee.IntegerField(default=0)
    size = peewee.BigIntegerField(default=0)
    created_at = peewee.DateTimeField(default=utcnow)
    created_by = peewee.ForeignKeyField(User, null=True, backref="+")
    updated_at = peewee.DateTimeField(default=utcnow)
    updated_by = peewee.ForeignKeyField(User, null=True, backref="+")
    deleted_at = peewee.DateTimeField(null=True)
    deleted_by = peewee.ForeignKeyField(User, null=True, backref="+")

    class Meta:
        indexes = ((("project", "folder", "live_key"), True), (("project", "deleted_at", "folder"), False))


class DocumentVersion(BaseModel):
    """One upload of a document: who, when, why, and where the bytes are stored."""

    document = peewee.ForeignKeyField(Document, backref="versions", on_delete="CASCADE")
    number = peewee.IntegerField()
    filename = peewee.CharField(max_length=255)
    stored_name = peewee.CharField(max_length=64)
    size = peewee.BigIntegerField()
    content_type = peewee.CharField(max_length=100, default="application/octet-stream")
    note = peewee.CharField(max_length=500, default="")
    uploaded_by = peewee.ForeignKeyField(User, null=True, backref="+")
    uploaded_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("document", "number"), True),)
