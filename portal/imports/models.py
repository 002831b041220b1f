"""A spreadsheet uploaded for import, kept in the database between the preview and the confirmation."""
import peewee

from portal.auth.models import User
from portal.db import BaseModel, utcnow


class ImportUpload(BaseModel):
    """The file as uploaded (any worker or host can read it back); removed once imported or after a day."""

    kind = peewee.CharField(max_length=10)  # projects, risks
    filename = peewee.CharField(max_length=255)
    data = peewee.BlobField()
    size = peewee.IntegerField()
    uploaded_by = peewee.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    created_at = peewee.DateTimeField(default=utcnow)
