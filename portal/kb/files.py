"""The knowledge folder on disk: safe paths, scanning, front matter, atomic writes."""
import datetime
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from flask import current_app

SECTION_ORDER = ["standards", "templates", "training", "faq"]
ROOT_SECTION = "general"  # articles at the top of the folder
MAX_FILE = 2_000_000  # bytes; larger files are skipped with a warning
# Limits for folders and file names the portal creates: file systems refuse names over
# 255 bytes, and a character can take four bytes in UTF-8.
MAX_SECTION = 60
MAX_SLUG = 120
MAX_NAME_BYTES = 200


def knowledge_root() -> Path:
    """The configured knowledge folder, resolved (symlinks followed once, here)."""
    return Path(current_app.config["KNOWLEDGE_DIR"]).resolve()


def safe_path(relative: str, root: Path | None = None) -> Path | None:
    """The file for `relative` inside the knowledge folder, or None if it would leave it.

    Rejects absolute paths, `..`, backslashes, NUL and anything whose resolved
    location (symlinks included) is outside the folder.
    """
    root = root or knowledge_root()
    if not relative or "\x00" in relative or "\\" in relative or relative.startswith("/"):
        return None
    parts = relative.split("/")
    if any(p in ("", ".", "..") or p.startswith(".") for p in parts):
        return None
    if len(relative.encode()) > 1024 or any(len(p.encode()) > 255 for p in parts):
        return None  # longer than any file system allows: no such file (and no OSError from a check)
    try:
        candidate = (root / relative).resolve()
    except (OSError, RuntimeError):
        return None
    if candidate != root and root not in candidate.parents:
        return None
    return candidate


def section_and_slug(relative: str) -> tuple[str, str]:
    """'standards/risk.md' -> ('standards', 'risk'); 'readme.md' -> ('general', 'readme')."""
    stem = relative[:-3] if relative.endswith(".md") else relative
    if "/" not in stem:
        return ROOT_SECTION, stem
    section, slug = stem.split("/", 1)
    return section, slug


def scan(root: Path | None = None) -> dict[str, int]:
    """Every Markdown file under the folder: relative path -> mtime in ns.

    Hidden entries are skipped; symlinks are followed only when they stay inside.
    """
    root = root or knowledge_root()
    found = {}
    if not root.is_dir():
        return found
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if name.startswith(".") or not name.lower().endswith(".md"):
                continue
            full = Path(dirpath) / name
            relative = full.relative_to(root).as_posix()
            if safe_path(relative, root) is None:
                continue
            try:
                stat = full.stat()
            except OSError:
                continue
            found[relative] = stat.st_mtime_ns
    return found


@dataclass
class Parsed:
    """An article's front matter (cleaned), body and the problems found reading it."""

    meta: dict
    body: str
    title: str
    warnings: list[str] = field(default_factory=list)


def split_front_matter(text: str) -> tuple[str | None, str]:
    """('yaml text' or None, body) for a file that may start with a --- block."""
    text = text.lstrip("\ufeff")
    if not text.startswith("---"):
        return None, text
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return None, text
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1:])
    return None, text


def _title_from(body: str, relative: str) -> str:
    for line in body.split("\n"):
        stripped = line.strip()
        if stripped.startswith("# "):
            return stripped[2:].strip().strip("#").strip()
    stem = relative.rsplit("/", 1)[-1]
    stem = stem[:-3] if stem.endswith(".md") else stem
    return stem.replace("-", " ").replace("_", " ").strip().capitalize() or "Untitled"


def _as_date(value, warnings):
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        warnings.append(f"review_by {value!r} is not a date (YYYY-MM-DD)")
        return None


def _as_text(value, limit) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(v) for v in value)
    return str(value).strip()[:limit]


def parse(text: str, relative: str) -> Parsed:
    """Read front matter safely; never raises. Missing fields get defaults and a warning."""
    warnings = []
    raw, body = split_front_matter(text)
    meta = {}
    if raw is None:
        warnings.append("no front matter")
    else:
        try:
            loaded = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            loaded = None
            warnings.append(f"front matter is not valid YAML: {str(exc).splitlines()[0]}")
        if isinstance(loaded, dict):
            meta = loaded
        elif loaded is not None:
            warnings.append("front matter is not a mapping")
    tags = meta.get("tags") or []
    if isinstance(tags, str):
        tags = [t.strip() for t in tags.split(",")]
    elif not isinstance(tags, list):
        tags = [str(tags)]
    quiz = meta.get("quiz")
    clean = {
        "title": _as_text(meta.get("title"), 300),
        "summary": _as_text(meta.get("summary"), 2000),
        "tags": [str(t).strip().lower()[:60] for t in tags if str(t).strip()][:30],
        "owner": _as_text(meta.get("owner"), 200),
        "audience": _as_text(meta.get("audience"), 200),
        "version": _as_text(meta.get("version"), 32) or "1",
        "review_by": _as_date(meta.get("review_by"), warnings),
        "mandatory": meta.get("mandatory") is True,
        "path": _as_text(meta.get("path"), 120),
        "module": meta.get("module") if isinstance(meta.get("module"), int) else 0,
        "quiz": _clean_quiz(quiz, warnings) if quiz else [],
    }
    if meta and not clean["title"]:
        warnings.append("front matter has no title")
    for key in ("summary", "owner", "review_by"):
        if meta and not meta.get(key):
            warnings.append(f"front matter has no {key}")
    title = clean["title"] or _title_from(body, relative)
    return Parsed(clean, body, title[:300], warnings)


def _clean_quiz(quiz, warnings) -> list[dict]:
    """Quiz questions as [{'question', 'options', 'answer'}]; malformed ones are dropped."""
    out = []
    for item in quiz if isinstance(quiz, list) else []:
        if not isinstance(item, dict):
            continue
        options = item.get("options")
        answer = item.get("answer")
        if (isinstance(item.get("question"), str) and isinstance(options, list) and options
                and isinstance(answer, int) and 0 <= answer < len(options)):
            out.append({"question": item["question"], "options": [str(o) for o in options], "answer": answer})
        else:
            warnings.append("a quiz question is malformed and was skipped")
    return out


def read_text(path: Path) -> str:
    """A file's text as UTF-8 (undecodable bytes replaced), at most MAX_FILE bytes."""
    with open(path, "rb") as fh:
        data = fh.read(MAX_FILE)
    return data.decode("utf-8", errors="replace")


def write_atomic(path: Path, text: str) -> int:
    """Replace `path` with `text` through a temp file and rename; the new mtime. Raises OSError."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".kb-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path.stat().st_mtime_ns


def remove_file(path: Path) -> None:
    """Delete a file after a move; a read-only folder is logged, not fatal."""
    try:
        path.unlink()
    except OSError as exc:
        current_app.logger.warning("Knowledge file %s not removed: %s", path, exc)


def set_version(text: str, version: str) -> str:
    """`text` with its front matter `version` replaced (front matter added if missing)."""
    raw, body = split_front_matter(text)
    meta = {}
    if raw is not None:
        try:
            loaded = yaml.safe_load(raw)
            meta = loaded if isinstance(loaded, dict) else {}
        except yaml.YAMLError:
            meta = {}
    meta["version"] = version
    dumped = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, default_flow_style=False)
    return f"---\n{dumped}---\n{body if raw is not None else text}"


def next_version(current: str) -> str:
    """'3' -> '4', '1.2' -> '1.3'; anything else gets '.1' appended."""
    head, _, last = current.rpartition(".")
    if last.isdigit():
        return f"{head + '.' if head else ''}{int(last) + 1}"
    return f"{current}.1"
