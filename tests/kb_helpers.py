"""Helpers for knowledge base tests."""
import os
from pathlib import Path


def kdir(app) -> Path:
    """The test's knowledge folder."""
    return Path(app.config["KNOWLEDGE_DIR"])


def write(app, relative: str, text: str) -> Path:
    """Write a knowledge file and push its mtime forward so a scan surely sees the change."""
    path = kdir(app) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    old = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    new = max(old + 1_000_000_000, path.stat().st_mtime_ns)
    os.utime(path, ns=(new, new))
    return path


def article(section, slug):
    from portal.kb.models import Article
    return Article.get((Article.section == section) & (Article.slug == slug))
