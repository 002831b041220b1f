"""The shipped articles, copied once into an empty knowledge folder.

The starter knowledge base is the top-level `knowledge/` folder of a checkout,
which an installed package carries as `portal/knowledge/` (setup.py). The live
folder (PORTAL_KNOWLEDGE_DIR) is the PMO's: it gets the shipped articles only
while it is missing or empty, so an upgrade never overwrites an edit and an
edit never touches the installed code.
"""
import os
import shutil
import uuid
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
SHIPPED_DIR = next((p for p in (_PACKAGE / "knowledge", _PACKAGE.parent / "knowledge") if p.is_dir()),
                   _PACKAGE.parent / "knowledge")


def is_empty(folder: Path) -> bool:
    """True when `folder` is missing or holds nothing but hidden entries."""
    if not folder.is_dir():
        return True
    return not any(not entry.name.startswith(".") for entry in folder.iterdir())


def shipped_files(source: Path = SHIPPED_DIR) -> list[Path]:
    """The shipped files, relative to the shipped folder, hidden entries left out."""
    found = []
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            found.append(relative)
    return found


def seed_knowledge(folder: str | os.PathLike, source: Path = SHIPPED_DIR) -> int:
    """Copy the shipped articles into `folder` if it is missing or empty; the number of files copied.

    Each file is written under a temporary name and renamed, so a second process
    starting at the same moment (another worker, another host on shared storage)
    never reads half a file; the copies are identical, so whichever rename wins is right.
    """
    target = Path(folder)
    if target.resolve() == source.resolve() or not is_empty(target):
        return 0
    copied = 0
    for relative in shipped_files(source):
        dest = target / relative
        dest.parent.mkdir(parents=True, exist_ok=True)
        temp = dest.parent / f".{dest.name}.{uuid.uuid4().hex}.part"
        try:
            shutil.copy2(source / relative, temp)
            os.replace(temp, dest)
        finally:
            temp.unlink(missing_ok=True)
        copied += 1
    return copied
