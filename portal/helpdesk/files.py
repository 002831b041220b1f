"""Attachments: stored outside the web root under generated names, never served inline."""
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from portal.helpdesk.models import Attachment

MAX_NAME = 255


class AttachmentError(ValueError):
    """An upload that cannot be stored; the message says why."""


@dataclass
class SavedFile:
    """A file written to the upload folder, not yet recorded in the database."""

    stored_name: str
    filename: str
    size: int
    content_type: str


def clean_name(filename: str) -> str:
    """The name shown and offered on download: no folders, quotes or control characters."""
    name = os.path.basename((filename or "").replace("\\", "/")).strip().strip(".")
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>|:*?')
    return (name or "attachment")[:MAX_NAME]


def save(upload, upload_dir: str) -> SavedFile | None:
    """Write an uploaded file (werkzeug FileStorage) under a generated name; None when none was sent.

    Written to a temporary name and renamed, so a reader never sees half a file.
    Call `discard` if the database write that records it fails.
    """
    if upload is None or not upload.filename:
        return None
    folder = Path(upload_dir)
    folder.mkdir(parents=True, exist_ok=True)
    stored = uuid.uuid4().hex
    temp = folder / f".{stored}.part"
    upload.save(temp)
    size = temp.stat().st_size
    if size == 0:
        temp.unlink(missing_ok=True)
        raise AttachmentError("The file is empty.")
    os.replace(temp, folder / stored)
    return SavedFile(stored, clean_name(upload.filename), size,
                     (upload.mimetype or "application/octet-stream")[:100])


def discard(saved: SavedFile | None, upload_dir: str) -> None:
    """Remove a saved file whose database record was not written."""
    if saved is not None:
        (Path(upload_dir) / saved.stored_name).unlink(missing_ok=True)


def record(saved: SavedFile | None, ticket, user, reply=None) -> Attachment | None:
    """The database row for a saved file; call inside the transaction that writes the ticket or reply."""
    if saved is None:
        return None
    return Attachment.create(ticket=ticket.id, reply=reply.id if reply else None, filename=saved.filename,
                             stored_name=saved.stored_name, size=saved.size,
                             content_type=saved.content_type, uploaded_by=user.id)


def path_of(attachment: Attachment, upload_dir: str) -> Path:
    return Path(upload_dir) / attachment.stored_name
