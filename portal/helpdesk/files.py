"""Help-desk attachments: the shared upload store (portal.uploads) plus the Attachment record."""
from contextlib import contextmanager
from pathlib import Path

from portal.helpdesk.models import Attachment
from portal.uploads import MAX_NAME, SavedFile, clean_name, discard, download, require_file, save  # noqa: F401


def record(saved: SavedFile | None, ticket, user, reply=None) -> Attachment | None:
    """The database row for a saved file; call inside the transaction that writes the ticket or reply."""
    if saved is None:
        return None
    return Attachment.create(ticket=ticket.id, reply=reply.id if reply else None, filename=saved.filename,
                             stored_name=saved.stored_name, size=saved.size,
                             content_type=saved.content_type, uploaded_by=user.id)


@contextmanager
def removed_on_failure(saved: SavedFile | None, upload_dir: str):
    """Remove the saved file again if the block that records it fails: no file without its row."""
    try:
        yield saved
    except BaseException:
        discard(saved, upload_dir)
        raise


def path_of(attachment: Attachment, upload_dir: str) -> Path:
    return Path(upload_dir) / attachment.stored_name
