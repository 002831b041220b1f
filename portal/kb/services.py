"""Articles: keeping the DB in step with the folder, rendering, editing with revisions."""
import difflib
import time
from collections import OrderedDict

from flask import abort, current_app, url_for
from markupsafe import Markup

from portal.audit.services import record
from portal.db import db, locked, utcnow
from portal.errors import InvalidInput, Stale
from portal.kb import files
from portal.kb.files import ROOT_SECTION
from portal.kb.models import Article, Revision
from portal.kb.search import clear_index, index_article, unindex_article
from portal.markdown import RenderedArticle, render_article
from portal.pagination import paginate
from portal.sqlfunc import PreparedQuery

SYNC_INTERVAL = 5.0  # seconds between folder scans in one worker
_last_sync: dict[str, float] = {}
_render_cache: "OrderedDict[tuple, RenderedArticle | dict]" = OrderedDict()  # HTML and front matter
RENDER_CACHE_SIZE = 256


def _stale(article: Article) -> Stale:
    """Someone saved the article since the editor loaded it; `current` is the article as it is now."""
    return Stale(f"{article.title} was changed by someone else (now revision {article.revision}).",
                 when=article.updated_at, current=article)


# --- syncing with the folder ---------------------------------------------------

def sync_if_due(force: bool = False) -> int:
    """Pick up files added, changed or removed on disk; returns how many articles changed.

    Each worker scans the folder (one stat per file, no reads) at most every
    SYNC_INTERVAL seconds and compares mtimes with those stored in the
    database, so every worker converges on the same state and the only
    per-process memory is the time of its last scan. Changed files are read
    and parsed outside the transaction; the write re-checks the stored mtime,
    so two workers noticing the same change record it once.
    """
    root = files.knowledge_root()
    now = time.monotonic()
    interval = current_app.config.get("KB_SYNC_SECONDS", SYNC_INTERVAL)
    if not force and now - _last_sync.get(str(root), -1e9) < interval:
        return 0
    _last_sync[str(root)] = now
    on_disk = files.scan(root)
    stored = {p: (i, m, d) for p, i, m, d in
              Article.select(Article.path, Article.id, Article.file_mtime_ns, Article.deleted).tuples()}
    changed = 0
    for path, mtime in on_disk.items():
        known = stored.get(path)
        if known is None or known[1] != mtime or known[2]:
            changed += _import_file(root, path, mtime)
    for path, (article_id, mtime, deleted) in stored.items():
        if path not in on_disk and mtime is not None and not deleted:
            with db.atomic():
                Article.update(deleted=True, updated_at=utcnow()).where(Article.id == article_id).execute()
                unindex_article(article_id)
            changed += 1
    return changed


def _import_file(root, path: str, mtime: int) -> int:
    """Record a new or changed file as a revision (author None); 1 if anything changed."""
    full = files.safe_path(path, root)
    if full is None:
        return 0
    try:
        text = files.read_text(full)
    except OSError:
        return 0
    section, slug = files.section_and_slug(path)
    with db.atomic():
        article = _lock(Article.select().where(Article.path == path))
        if article is not None and article.file_mtime_ns == mtime and not article.deleted:
            return 0  # another worker got there first
        if article is not None and article.text == text and not article.deleted:
            Article.update(file_mtime_ns=mtime).where(Article.id == article.id).execute()
            return 0
        if article is None:
            if Article.select().where((Article.section == section) & (Article.slug == slug)).exists():
                current_app.logger.warning("Knowledge file %s clashes with another article's URL", path)
                return 0
            article = Article(path=path, section=section, slug=slug, title="", revision=0)
        article.deleted = False
        article.file_mtime_ns = mtime
        _apply_text(article, text, None, "Changed on disk" if article.id else "Added on disk")
    return 1


def _lock(query):
    """The row, locked for update on PostgreSQL (SQLite transactions are IMMEDIATE already)."""
    return locked(query).first()


def _apply_text(article: Article, text: str, author, message: str, status: str = "published") -> Revision:
    """Store `text` as the next revision; published text also updates the article and index."""
    parsed = files.parse(text, article.path)
    article.revision += 1
    if status == "published":
        meta = parsed.meta
        article.text, article.draft_text = text, None
        article.title = parsed.title
        article.summary, article.owner, article.audience = meta["summary"], meta["owner"], meta["audience"]
        article.tags = ",".join(meta["tags"])
        article.doc_version, article.review_by = meta["version"], meta["review_by"]
        article.mandatory = meta["mandatory"] and article.section == "standards"
        article.training_path = meta["path"] or (
            article.slug.split("/")[0].replace("-", " ").capitalize()
            if article.section == "training" and "/" in article.slug else
            "Project management essentials" if article.section == "training" else "")
        article.module_order = meta["module"]
        article.warnings = "\n".join(parsed.warnings)
    else:
        article.draft_text = text
    article.updated_at = utcnow()
    article.save()
    if status == "published":
        index_article(article, parsed.body)
    return Revision.create(article=article, number=article.revision, author=author,
                           message=message[:300], text=text, status=status)


def reindex_all() -> int:
    """Rescan the folder and rebuild the search index from the stored articles."""
    sync_if_due(force=True)
    count = 0
    with db.atomic():
        clear_index()
        for article in Article.visible().iterator():
            index_article(article, files.parse(article.text, article.path).body)
            count += 1
    return count


# --- reading -------------------------------------------------------------------

def url_for_path(relative: str) -> str:
    """The portal URL of a knowledge file: an article page or a downloadable file."""
    if relative.endswith(".md"):
        section, slug = files.section_and_slug(relative)
        return url_for("kb.article", section=section, slug=slug)
    return url_for("kb.download", path=relative)


def rendered(article: Article, text: str | None = None, key: str = "published") -> RenderedArticle:
    """An article's HTML, cached per worker by (id, revision) so page views do not re-render."""
    cache_key = (article.id, article.revision, key, current_app.config["KNOWLEDGE_DIR"])
    hit = _render_cache.get(cache_key)
    if hit is not None:
        _render_cache.move_to_end(cache_key)
        return hit
    body = files.split_front_matter(text if text is not None else article.text)[1]
    result = render_article(body, article.path, url_for_path)
    _render_cache[cache_key] = result
    if len(_render_cache) > RENDER_CACHE_SIZE:
        _render_cache.popitem(last=False)
    return result


def front_matter(article: Article) -> dict:
    """An article's cleaned front matter, cached per worker by (id, revision) like its HTML.

    Parsing the YAML cost an article page about a quarter of its time. Callers only read it.
    """
    cache_key = (article.id, article.revision, "front matter", current_app.config["KNOWLEDGE_DIR"])
    hit = _render_cache.get(cache_key)
    if hit is not None:
        _render_cache.move_to_end(cache_key)
        return hit
    meta = files.parse(article.text, article.path).meta
    _render_cache[cache_key] = meta
    if len(_render_cache) > RENDER_CACHE_SIZE:
        _render_cache.popitem(last=False)
    return meta


def preview(text: str, path: str = "preview.md") -> Markup:
    """Render unsaved editor text (never cached)."""
    return render_article(files.split_front_matter(text)[1], path, url_for_path).html


# Every article view starts here: its SQL is built once.
_VISIBLE_ARTICLE = PreparedQuery(lambda section, slug: Article.visible().where(
    (Article.section == section) & (Article.slug == slug)).limit(1))


def load_article(section: str, slug: str) -> Article:
    """The visible article at /kb/<section>/<slug>, or 404."""
    article = _VISIBLE_ARTICLE.first(section, slug)
    if article is None:
        abort(404)
    return article


def article_id(section: str, slug: str) -> int | None:
    """The id of the visible article at /kb/<section>/<slug>, or None (one index lookup)."""
    found = _VISIBLE_ARTICLE.first(section, slug)
    return found.id if found is not None else None


def load_article_by_id(article_id: int) -> Article:
    """A visible article by id, or 404."""
    article = Article.visible().where(Article.id == article_id).first()
    if article is None:
        abort(404)
    return article


def sections() -> list[tuple[str, int]]:
    """(section, article count), the usual PMO sections first."""
    from peewee import fn
    rows = (Article.visible().select(Article.section, fn.COUNT(Article.id))
            .group_by(Article.section).tuples())
    order = {s: i for i, s in enumerate(files.SECTION_ORDER)}
    return sorted(rows, key=lambda r: (order.get(r[0], 99), r[0]))


def section_articles(section: str, page: int, per_page: int = 50):
    """One Page of a section's articles, training modules in order, the rest by title."""
    query = Article.visible().where(Article.section == section)
    order = ((Article.training_path, Article.module_order, Article.title) if section == "training"
             else (Article.title,))
    return paginate(query.order_by(*order), page, per_page, count=False)


def recently_updated(limit: int = 8):
    """The latest changed articles."""
    return list(Article.visible().order_by(Article.updated_at.desc(), Article.id.desc()).limit(limit))


def revisions(article: Article, page: int = 1, per_page: int = 50):
    """One Page of an article's revisions, newest first, with their authors."""
    from peewee import JOIN

    from portal.auth.models import User
    return paginate(Revision.select(Revision, User).join(User, JOIN.LEFT_OUTER, on=(Revision.author == User.id))
                    .where(Revision.article == article).order_by(Revision.number.desc()), page, per_page, count=False)


def get_revision(article: Article, number: int) -> Revision:
    """One revision of an article, or 404."""
    rev = Revision.get_or_none((Revision.article == article) & (Revision.number == number))
    if rev is None:
        abort(404)
    return rev


def diff(old: Revision, new: Revision) -> list[tuple[str, str]]:
    """Line diff as (kind, line) with kind in ' ', '+', '-', '@'."""
    out = []
    for line in difflib.unified_diff(old.text.splitlines(), new.text.splitlines(), lineterm="", n=3):
        if line.startswith(("---", "+++")):
            continue
        out.append((line[0] if line[:1] in "+-@ " else " ", line))
    return out[:5000]


# --- editing -------------------------------------------------------------------

def _write_file(article_id: int) -> str | None:
    """Write the article's published text to its file and note the file's mtime; why it failed, or None.

    Two saves can finish close together. The write happens under the article's
    row lock and always takes the text from the row, so the last file written
    carries the newest revision and the stored mtime is that file's; a short
    file write inside the lock is the price of the folder never going back.
    """
    with db.atomic():
        current = _lock(Article.select().where(Article.id == article_id))
        if current is None or current.deleted:
            return None
        full = files.safe_path(current.path)
        if full is None:
            return "its address is outside the knowledge folder"
        try:
            mtime = files.write_atomic(full, current.text)
        except OSError as exc:
            current_app.logger.warning("Knowledge file %s not written: %s", full, exc)
            return exc.strerror or str(exc)
        Article.update(file_mtime_ns=mtime).where(Article.id == current.id).execute()
    return None


def _with_file(result, article_id: int | None):
    """`result` with `file_problem` set: why the file could not be written (None when it was, or for a draft)."""
    result.file_problem = _write_file(article_id) if article_id is not None else None
    return result


def save_article(article: Article, user, expected_version: int, text: str, message: str,
                 draft: bool = False, new_version: bool = False) -> Revision:
    """Save an edit as a revision; a draft of a standard waits, anything else is published.

    Raises Stale when the article moved on since `expected_version`.
    """
    if new_version and not draft:
        text = files.set_version(text, files.next_version(files.parse(text, article.path).meta["version"]))
    with db.atomic():
        current = _lock(Article.select().where(Article.id == article.id))
        if current is None or current.version != expected_version:
            raise _stale(current or article)
        if not current.save_if_current(expected_version):
            raise _stale(current)
        current.version = expected_version + 1
        status = "draft" if draft and current.section == "standards" else "published"
        rev = _apply_text(current, text, user, message or ("Draft saved" if status == "draft" else "Edited"), status)
        record(user, "kb.save", "article", current.id, f"{current.path} revision {rev.number} ({status})")
    article.__data__.update(current.__data__)
    return _with_file(rev, current.id if status == "published" else None)


def publish_draft(article: Article, user, expected_version: int) -> Revision:
    """Publish the pending draft of a standard."""
    if article.draft_text is None:
        raise InvalidInput("There is no draft to publish.")
    return save_article(article, user, expected_version, article.draft_text, "Published draft")


def restore_revision(article: Article, user, expected_version: int, number: int) -> Revision:
    """Publish the text of an old revision as a new revision."""
    old = get_revision(article, number)
    return save_article(article, user, expected_version, old.text, f"Restored revision {number}")


def reserved_sections() -> set[str]:
    """Section names the knowledge base's own pages use as their first URL segment (files, article, search…)."""
    from portal.kb import bp
    prefix = bp.url_prefix.rstrip("/") + "/"
    names = set()
    for rule in current_app.url_map.iter_rules():
        if rule.endpoint.startswith(f"{bp.name}.") and rule.rule.startswith(prefix):
            first = rule.rule[len(prefix):].split("/", 1)[0]
            if first and "<" not in first:
                names.add(first)
    return names


def _check_target(section: str, slug: str) -> str:
    """The file path for a new address, or InvalidInput naming the field at fault."""
    section, slug = section.strip().strip("/"), slug.strip().strip("/")
    if not section or "/" in section or files.safe_path(section) is None:
        raise InvalidInput({"section": "Use one folder name of letters, digits and dashes; no '/', '..' or "
                                       "leading dot."})
    if len(section) > files.MAX_SECTION:
        raise InvalidInput({"section": f"Use at most {files.MAX_SECTION} characters for the section."})
    if len(slug) > files.MAX_SLUG:
        raise InvalidInput({"slug": f"Use at most {files.MAX_SLUG} characters for the address."})
    path = f"{slug}.md" if section == ROOT_SECTION else f"{section}/{slug}.md"
    if files.safe_path(path) is None or not slug:
        raise InvalidInput({"slug": "Use letters, digits, dashes and / between folders; no '..' or leading dots."})
    if any(len(part.encode("utf-8")) > files.MAX_NAME_BYTES for part in path.split("/")):
        raise InvalidInput({"slug": "A folder or file name in this address is too long for the file system; "
                                    "shorten it."})
    real_section, real_slug = files.section_and_slug(path)
    if real_section in reserved_sections():
        # /kb/<that name>/… belongs to one of the portal's own pages, so the article could not be opened.
        raise InvalidInput({"section" if real_section == section else "slug":
                            f"'{real_section}' is the address of a portal page; choose another section name."})
    if Article.select().where((Article.path == path) | ((Article.section == real_section) & (Article.slug == real_slug))
                              ).where(Article.deleted == False).exists():  # noqa: E712
        raise InvalidInput({"slug": "An article with this address exists already."})
    return path


def create_article(user, section: str, slug: str, text: str, message: str = "") -> Article:
    """Create a new article (and its file)."""
    path = _check_target(section, slug)
    with db.atomic():
        Article.delete().where((Article.path == path) & (Article.deleted == True)).execute()  # noqa: E712
        section_, slug_ = files.section_and_slug(path)
        article = Article(path=path, section=section_, slug=slug_, title="", revision=0)
        _apply_text(article, text, user, message or "Created")
        record(user, "kb.create", "article", article.id, path)
    return _with_file(article, article.id)


def move_article(article: Article, user, expected_version: int, section: str, slug: str) -> Article:
    """Move an article to another section or address; its history moves with it."""
    path = _check_target(section, slug)
    old_full = files.safe_path(article.path)
    with db.atomic():
        current = _lock(Article.select().where(Article.id == article.id))
        if current is None or not current.save_if_current(expected_version):
            raise _stale(current or article)
        Article.delete().where((Article.path == path) & (Article.deleted == True)).execute()  # noqa: E712
        old_path = current.path
        current.version = expected_version + 1
        current.path = path
        current.section, current.slug = files.section_and_slug(path)
        # No file at the new path yet: a scan must not take the old file's mtime as this one's and,
        # if the write below fails, mark the article deleted.
        current.file_mtime_ns = None
        _apply_text(current, current.text, user, f"Moved from {old_path}")
        record(user, "kb.move", "article", current.id, f"{old_path} -> {path}")
    _with_file(current, current.id)
    if old_full is not None and old_full.exists():
        files.remove_file(old_full)
    return current
