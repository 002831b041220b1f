"""Uploaded files: stored outside the web root under generated names, served only as downloads."""
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from flask import send_file

from portal.errors import InvalidInput

MAX_NAME = 255


@dataclass
class SavedFile:
    """A file written to the upload folder, not yet recorded in the database."""

    stored_name: str
    filename: str
    size: int
    content_type: str


def clean_name(filename: str, default: str = "attachment") -> str:
    """The name shown and offered on download: no folders, quotes or control characters."""
    name = os.path.basename((filename or "").replace("\\", "/")).strip().strip(".")
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>|:*?')
    return (name or default)[:MAX_NAME]


def _write(folder: Path, write) -> tuple[str, int]:
    """Write through `write(path)` to a temporary name, then rename: a reader never sees half a file."""
    folder.mkdir(parents=True, exist_ok=True)
    stored = uuid.uuid4().hex
    temp = folder / f".{stored}.part"
    try:
        write(temp)
        size = temp.stat().st_size
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    if size == 0:
        temp.unlink(missing_ok=True)
        raise InvalidInput("The file is empty.")
    os.replace(temp, folder / stored)
    return stored, size


def save(upload, upload_dir: str) -> SavedFile | None:
    """Write an uploaded file (werkzeug FileStorage) under a generated name; None when none was sent.

    Call `discard` if the database write that records it fails.
    """
    if upload is None or not upload.filename:
        return None
    stored, size = _write(Path(upload_dir), upload.save)
    return SavedFile(stored, clean_name(upload.filename), size,
                     (upload.mimetype or "application/octet-stream")[:100])


def save_bytes(data: bytes, filename: str, upload_dir: str, content_type: str = "application/octet-stream") -> SavedFile:
    """Store `data` (a copied template, demo content) exactly as an upload would be stored."""
    stored, size = _write(Path(upload_dir), lambda path: path.write_bytes(data))
    return SavedFile(stored, clean_name(filename), size, content_type[:100])


def discard(saved: SavedFile | None, upload_dir: str) -> None:
    """Remove a saved file whose database record was not written."""
    if saved is not None:
        (Path(upload_dir) / saved.stored_name).unlink(missing_ok=True)


def stored_path(stored_name: str, upload_dir: str) -> Path:
    """Where a stored file lives; generated names never contain a separator."""
    return Path(upload_dir) / os.path.basename(stored_name)


def download(path: Path, filename: str):
    """The file as a download: never rendered inline, never sniffed, sandboxed if opened anyway."""
    response = send_file(path, mimetype="application/octet-stream", as_attachment=True,
                         download_name=filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
