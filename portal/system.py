"""Small facts the portal keeps about itself (upload folder id, last reminder run), one row per key."""
import peewee

from portal.db import BaseModel, db, utcnow

UPLOAD_FOLDER_ID = "upload_folder_id"
REMIND_LAST_SUCCESS = "remind_last_success"


class SystemValue(BaseModel):
    """One named value, with when it was last written."""

    key = peewee.CharField(primary_key=True, max_length=64)
    value = peewee.CharField(max_length=255)
    updated_at = peewee.DateTimeField(default=utcnow)


def get_value(key: str) -> SystemValue | None:
    """The row for `key`, or None when it was never written (or the table is not there yet)."""
    try:
        return SystemValue.get_or_none(SystemValue.key == key)
    except (peewee.OperationalError, peewee.ProgrammingError):
        return None  # before migration 0013 the table is not there yet


def set_value(key: str, value: str) -> None:
    """Write `value` under `key` (insert or replace)."""
    with db.atomic():
        (SystemValue.insert(key=key, value=value, updated_at=utcnow())
         .on_conflict(conflict_target=[SystemValue.key],
                      update={SystemValue.value: value, SystemValue.updated_at: utcnow()})
         .execute())
