"""Uploaded files: stored outside the web root under generated names, served only as downloads.

A file is written under a temporary name, renamed, and only then recorded in
the database, so a record never points at a missing or half-written file. A
worker killed in between leaves a file no record names; `check_store` (the
`portal uploads check` command) finds those once they are an hour old.
"""
import datetime
import logging
import os
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from flask import abort, send_file

from portal.errors import InvalidInput
from portal.system import UPLOAD_FOLDER_ID, get_value

MAX_NAME = 255
# A file in the shared upload folder whose content is the folder id stored in the
# database: a host whose share is not mounted sees an empty (or local) folder without
# it, and refuses to store files there instead of silently keeping them to itself.
MARKER = ".portal-upload-folder"
UNAVAILABLE = ("Files cannot be stored right now: the portal's file store is not available. "
               "Nothing was saved; try again later, and tell the PMO if it keeps happening.")
TEMP_SUFFIX = ".part"
# An upload in flight has its file before its record: younger files are never called orphans.
GRACE = datetime.timedelta(hours=1)
_STORED = re.compile(r"[0-9a-f]{32}")
_TEMP = re.compile(r"\.[0-9a-f]{32}" + re.escape(TEMP_SUFFIX))

log = logging.getLogger("portal.uploads")


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


def folder_problem(upload_dir: str, folder_id: str | None) -> str:
    """Why the upload folder cannot be used ('' when it can): missing, not writable, or not the shared one."""
    folder = Path(upload_dir)
    if not folder.is_dir():
        return f"upload folder {upload_dir} does not exist"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"upload folder {upload_dir} is not writable"
    if folder_id is None:
        return "no upload folder id in the database: run `portal db upgrade`"
    marker = folder / MARKER
    try:
        found = marker.read_text().strip()
    except OSError:
        return f"upload folder {upload_dir} has no {MARKER} file: it is not the shared folder (is it mounted?)"
    if found != folder_id:
        return f"upload folder {upload_dir} belongs to another installation ({MARKER} does not match)"
    return ""


def mark_folder(upload_dir: str, folder_id: str) -> None:
    """Create the folder if needed and write its marker (an operator's `portal db upgrade` does this)."""
    folder = Path(upload_dir)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text(folder_id + "\n")


def _usable_folder(folder: Path) -> None:
    """Refuse to write when an installation with a declared shared folder cannot see it."""
    declared = get_value(UPLOAD_FOLDER_ID)
    if declared is None:
        # No shared folder declared yet (a first start, a development copy): a local folder will do.
        folder.mkdir(parents=True, exist_ok=True)
        return
    problem = folder_problem(str(folder), declared.value)
    if problem:
        log.error("Upload refused: %s", problem, extra={"event": "upload_refused", "upload_dir": str(folder)})
        raise InvalidInput(UNAVAILABLE)


def _write(folder: Path, write) -> tuple[str, int]:
    """Write through `write(path)` to a temporary name, then rename: a reader never sees half a file."""
    _usable_folder(folder)
    stored = uuid.uuid4().hex
    temp = folder / f".{stored}{TEMP_SUFFIX}"
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


def require_file(path: Path) -> None:
    """Abort with 404 (and a log line for the operator) when a stored file is not on disk."""
    if not path.exists():
        log.error("Stored file missing: %s", path, extra={"event": "file_missing", "file_path": str(path)})
        abort(404, description="The file is missing from storage; tell the PMO.")


def download(path: Path, filename: str):
    """The file as a download: never rendered inline, never sniffed, sandboxed if opened anyway."""
    response = send_file(path, mimetype="application/octet-stream", as_attachment=True,
                         download_name=filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@dataclass
class StoreReport:
    """What `check_store` found: files without a record, unfinished uploads, records without a file."""

    orphans: list[Path] = field(default_factory=list)
    unfinished: list[Path] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    files: int = 0

    @property
    def problems(self) -> int:
        return len(self.orphans) + len(self.unfinished) + len(self.missing)


def check_store(upload_dir: str, recorded: dict[str, str], grace: datetime.timedelta = GRACE,
                now: float | None = None) -> StoreReport:
    """Compare the upload folder with `recorded` ({stored name: what the record is}).

    Only names the portal generates are looked at, so nothing else in the folder is ever touched.
    """
    folder, report = Path(upload_dir), StoreReport()
    cutoff = (now if now is not None else time.time()) - grace.total_seconds()
    present = set()
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if not path.is_file():
            continue
        if _STORED.fullmatch(path.name):
            present.add(path.name)
            report.files += 1
            if path.name not in recorded and path.stat().st_mtime < cutoff:
                report.orphans.append(path)
        elif _TEMP.fullmatch(path.name) and path.stat().st_mtime < cutoff:
            report.unfinished.append(path)
    report.missing = [f"{label}: {name}" for name, label in sorted(recorded.items(), key=lambda item: item[1])
                      if name not in present]
    return report


def remove_strays(report: StoreReport) -> int:
    """Delete the orphaned and unfinished files of `report`; how many were removed."""
    removed = 0
    for path in report.orphans + report.unfinished:
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            pass  # removed meanwhile: nothing left to do
    return removed
