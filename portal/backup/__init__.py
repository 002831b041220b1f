"""Backup and restore: one dated folder with the database, the uploads, the knowledge folder and a manifest.

A set is written under a hidden temporary name and renamed when complete, so a
folder named `portal-backup-…` is always whole. The database goes first: uploads
are written once under new names and never changed, so every file the copied
database refers to is already on disk when the folders are copied after it.
"""
import datetime
import json
import shutil
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from portal.backup import database, files
from portal.backup.errors import BackupError

__all__ = ["BackupError", "Instance", "create_backup", "restore_backup"]

MANIFEST = "manifest.json"
FORMAT = 1
FOLDERS = ("uploads", "knowledge")


@dataclass
class Instance:
    """Where one portal keeps its data: the database URL and the two folders."""

    database_url: str
    upload_dir: Path
    knowledge_dir: Path
    pg_bin_dir: str = ""

    @classmethod
    def from_config(cls, config) -> "Instance":
        """The instance the Flask configuration describes."""
        return cls(config["DATABASE_URL"], Path(config["UPLOAD_DIR"]), Path(config["KNOWLEDGE_DIR"]),
                   config.get("PG_BIN_DIR", ""))

    def folder(self, name: str) -> Path:
        """The live folder stored in a backup under `name`."""
        return {"uploads": self.upload_dir, "knowledge": self.knowledge_dir}[name]


def portal_version() -> str:
    """The installed release, or 'unknown' when running from a checkout that was never installed."""
    try:
        return metadata.version("pmo-portal")
    except metadata.PackageNotFoundError:
        return "unknown"


def known_migrations() -> list[str]:
    """The migrations this code ships, in order."""
    from portal.db import MIGRATIONS_DIR
    return sorted(p.stem for p in MIGRATIONS_DIR.glob("[0-9]*.py"))


# --- backup ------------------------------------------------------------------------

def create_backup(dest: str, instance: Instance, now: datetime.datetime | None = None) -> Path:
    """Write one complete set into `dest/portal-backup-YYYYmmdd-HHMMSS/`; its path."""
    dest = Path(dest)
    if not dest.is_dir():
        raise BackupError(f"{dest} is not a folder. Create it (or mount the backup disk) first.")
    for name in FOLDERS:
        if not instance.folder(name).is_dir():
            raise BackupError(f"The {name} folder {instance.folder(name)} does not exist; check "
                              f"PORTAL_{'UPLOAD' if name == 'uploads' else 'KNOWLEDGE'}_DIR (on several hosts: "
                              f"is the shared storage mounted?).")
    now = now or datetime.datetime.now(datetime.UTC)
    final = dest / f"portal-backup-{now:%Y%m%d-%H%M%S}"
    if final.exists():
        raise BackupError(f"{final} exists already; wait a second and run again.")
    work = dest / f".{final.name}.partial"
    work.mkdir()
    try:
        with database.errors_explained():
            db_info = database.dump(instance.database_url, work, instance.pg_bin_dir)
        listed = [files.describe(work, Path(db_info["file"]))]
        for name in FOLDERS:
            for relative in files.copy_folder(instance.folder(name), work / name):
                listed.append(files.describe(work, Path(name) / relative))
        manifest = {
            "format": FORMAT,
            "created_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "portal_version": portal_version(),
            "database": {k: v for k, v in db_info.items() if k != "migrations"},
            "migrations": db_info["migrations"],
            "folders": list(FOLDERS),
            "files": listed,
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return final


# --- restore -----------------------------------------------------------------------

def read_manifest(source: Path) -> dict:
    """The set's manifest, after checking every file it lists against its size and checksum."""
    if not source.is_dir():
        raise BackupError(f"{source} is not a folder.")
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{source} has no {MANIFEST}: it is not a backup set (or not a complete one).") from None
    except ValueError as exc:
        raise BackupError(f"{source / MANIFEST} is not valid JSON: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{source} is in backup format {manifest.get('format')!r}; this release reads {FORMAT}.")
    problems = []
    for entry in manifest.get("files", []):
        relative = files.safe_relative(entry.get("path", ""))
        if relative is None:
            problems.append(f"{entry.get('path')!r}: not a path inside the set")
            continue
        path = source / relative
        if not path.is_file():
            problems.append(f"{relative}: missing")
        elif path.stat().st_size != entry.get("size"):
            problems.append(f"{relative}: size {path.stat().st_size}, expected {entry.get('size')}")
        elif files.sha256(path) != entry.get("sha256"):
            problems.append(f"{relative}: checksum does not match")
    if problems:
        raise BackupError(f"{source} is damaged:\n  " + "\n  ".join(problems))
    return manifest


def check_target(manifest: dict, instance: Instance, force: bool) -> None:
    """Refuse a restore this code or this instance cannot take; nothing is written yet."""
    unknown = [m for m in manifest.get("migrations", []) if m not in known_migrations()]
    if unknown:
        raise BackupError(f"The backup's schema is newer than this release (unknown migrations: "
                          f"{', '.join(unknown)}). Restore with release {manifest.get('portal_version')} or later.")
    kind = database.database_kind(instance.database_url)
    if manifest["database"]["kind"] != kind:
        raise BackupError(f"The backup holds a {manifest['database']['kind']} database; "
                          f"the portal is configured for {kind}.")
    database.check_restorable(instance.database_url, instance.pg_bin_dir)
    if force:
        return
    in_use = database.tables_in_use(instance.database_url)
    if in_use:
        raise BackupError(f"The database already holds data (tables {', '.join(in_use[:5])}"
                          f"{', …' if len(in_use) > 5 else ''}). Restore into an empty instance, "
                          f"or pass --force to replace it.")
    if instance.upload_dir.is_dir() and files.visible_files(instance.upload_dir):
        raise BackupError(f"The upload folder {instance.upload_dir} has files. Restore into an empty "
                          f"instance, or pass --force to add the backup's files to them.")


def restore_backup(source: str, instance: Instance, force: bool = False) -> list[str]:
    """Verify the set in `source`, then restore database, uploads and knowledge; lines to report."""
    source = Path(source)
    manifest = read_manifest(source)
    with database.errors_explained():
        check_target(manifest, instance, force)
    verified = (f"Verified {len(manifest['files'])} file(s) from {manifest['created_at']} "
                f"(release {manifest['portal_version']}).")
    report = [verified]
    with database.errors_explained():
        database.restore(instance.database_url, source / manifest["database"]["file"], instance.pg_bin_dir)
    report.append(f"Restored the {manifest['database']['kind']} database "
                  f"({len(manifest['migrations'])} migration(s) applied).")
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
    # The knowledge folder of a new instance holds the shipped articles: they make way for
    # the backup's, and are kept aside (hidden, on the same disk) in case they were wanted.
    aside = files.set_aside(instance.knowledge_dir, f"before-restore-{stamp}")
    if aside:
        report.append(f"The knowledge folder's previous contents are in {aside}.")
    for name in FOLDERS:
        # Only what the manifest lists (and so was just verified) is copied back.
        listed = [Path(e["path"]).relative_to(name) for e in manifest["files"] if e["path"].startswith(name + "/")]
        copied = files.copy_folder(source / name, instance.folder(name), listed)
        report.append(f"Restored {len(copied)} file(s) into {instance.folder(name)}.")
    pending = [m for m in known_migrations() if m not in manifest["migrations"]]
    if pending:
        report.append(f"{len(pending)} migration(s) of this release are not applied yet: run `portal db upgrade`.")
    return report
