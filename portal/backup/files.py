"""The file side of a backup: copying folders, checksums, and whether a folder is in use."""
import hashlib
import os
import shutil
from pathlib import Path, PurePosixPath

CHUNK = 1024 * 1024


def sha256(path: Path) -> str:
    """The file's SHA-256 as hex, read in chunks (uploads can be large)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def visible_files(folder: Path) -> list[Path]:
    """Every file under `folder`, relative to it, sorted; hidden entries left out.

    Hidden names are the portal's half-written files (`.name.part`) and what a
    restore set aside: neither belongs in a backup.
    """
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                found.append((Path(dirpath) / name).relative_to(folder))
    return found


def copy_folder(source: Path, dest: Path, only: list[Path] | None = None) -> list[Path]:
    """Copy the visible files of `source` (or just `only`) into `dest`, times kept; the files copied."""
    copied = visible_files(source) if only is None else only
    for relative in copied:
        (dest / relative).parent.mkdir(parents=True, exist_ok=True)
        # copy2 keeps modification times: the knowledge base compares them to
        # know whether a file changed since it read it.
        shutil.copy2(source / relative, dest / relative)
    dest.mkdir(parents=True, exist_ok=True)
    return copied


def describe(root: Path, relative: Path) -> dict:
    """The manifest entry of one file: path (POSIX, relative), size, SHA-256."""
    path = root / relative
    return {"path": relative.as_posix(), "size": path.stat().st_size, "sha256": sha256(path)}


def safe_relative(text: str) -> PurePosixPath | None:
    """A manifest path that stays inside the backup folder, or None (absolute, `..`, empty)."""
    path = PurePosixPath(text)
    if not text or path.is_absolute() or any(part in ("", "..") for part in path.parts) or "\\" in text:
        return None
    return path


def set_aside(folder: Path, label: str) -> Path | None:
    """Move the visible entries of `folder` into a hidden `folder/.{label}/`; None when there were none.

    Moving inside the folder works when it is a mount point, keeps the old
    contents on the same disk, and the portal ignores hidden entries.
    """
    entries = [e for e in folder.iterdir() if not e.name.startswith(".")] if folder.is_dir() else []
    if not entries:
        return None
    aside = folder / f".{label}"
    aside.mkdir()
    for entry in entries:
        os.rename(entry, aside / entry.name)
    return aside
