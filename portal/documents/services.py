"""Uploading, versioning, deleting and listing a project's documents."""
from pathlib import Path

from flask import abort
from peewee import JOIN

from portal import uploads
from portal.audit.services import record
from portal.auth.models import User
from portal.db import db, utcnow
from portal.documents.models import FOLDERS, Document, DocumentVersion
from portal.errors import Conflict, InvalidInput
from portal.pagination import paginate
from portal.projects.workflow import lock

# Office documents, PDF and plain text; nothing a browser would run or render as a page.
EXTENSIONS = {".pdf", ".doc", ".docx", ".dot", ".dotx", ".xls", ".xlsx", ".xlsm", ".ppt", ".pptx", ".odt",
              ".ods", ".odp", ".rtf", ".txt", ".csv", ".md", ".vsd", ".vsdx", ".mpp", ".msg", ".eml"}
PER_PAGE = 50


def check_filename(filename: str) -> str:
    """The cleaned name of an acceptable office, PDF or text file; InvalidInput otherwise."""
    name = uploads.clean_name(filename, default="")
    if not name:
        raise InvalidInput({"file": "Choose a file to upload."})
    if Path(name).suffix.lower() not in EXTENSIONS:
        raise InvalidInput({"file": "Upload an office document, PDF, text or CSV file "
                                    f"({', '.join(sorted(e[1:] for e in EXTENSIONS))})."})
    return name


def _clean(folder: str, note: str) -> tuple[str, str]:
    note = (note or "").strip()
    if folder not in FOLDERS:
        raise InvalidInput({"folder": "Choose one of the folders."})
    if len(note) > 500:
        raise InvalidInput({"note": "Use at most 500 characters."})
    return folder, note


def _store(project, user, folder: str, saved: uploads.SavedFile, note: str, new_only: bool = False):
    """Record `saved` as the next version of the live document with its name (or as a new one)."""
    with db.atomic():
        lock(project.id)  # one upload per project at a time: version numbers never collide
        doc = Document.get_or_none((Document.project == project.id) & (Document.folder == folder)
                                   & (Document.live_key == saved.filename.lower()))
        now = utcnow()
        if doc is not None and new_only:
            raise InvalidInput({"template": f"{saved.filename} is in {FOLDERS[folder]} already; "
                                            "upload a new version of it instead."})
        if doc is None:
            doc = Document.create(project=project.id, folder=folder, name=saved.filename,
                                  live_key=saved.filename.lower(), created_by=user.id, updated_by=user.id)
        number = doc.latest + 1
        version = DocumentVersion.create(document=doc.id, number=number, filename=saved.filename,
                                         stored_name=saved.stored_name, size=saved.size,
                                         content_type=saved.content_type, note=note, uploaded_by=user.id,
                                         uploaded_at=now)
        Document.update(latest=number, size=saved.size, updated_at=now, updated_by=user.id).where(
            Document.id == doc.id).execute()
        record(user, "document.version" if number > 1 else "document.create", "document", doc.id,
               f"{saved.filename} version {number} in {FOLDERS[folder]}" + (f": {note}" if note else ""),
               after={"version": number, "size": saved.size}, project=project)
    doc.latest = number
    return doc, version


def upload_document(project, user, folder: str, upload, note: str, upload_dir: str):
    """Store an uploaded file as a new document or, when the folder has one of that name, its next version.

    The file is written first and removed again if the database write fails: nothing is left half-done.
    """
    folder, note = _clean(folder, note)
    if upload is None or not upload.filename:
        raise InvalidInput({"file": "Choose a file to upload."})
    upload.filename = check_filename(upload.filename)
    try:
        saved = uploads.save(upload, upload_dir)
    except InvalidInput as exc:  # an empty file
        raise InvalidInput({"file": str(exc)}) from exc
    try:
        return _store(project, user, folder, saved, note)
    except BaseException:
        uploads.discard(saved, upload_dir)
        raise


def template_files(knowledge_dir: str) -> list[str]:
    """File names offered as templates: the knowledge base's templates/files folder."""
    folder = Path(knowledge_dir) / "templates" / "files"
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")
                  and p.suffix.lower() in EXTENSIONS)


def start_from_template(project, user, name: str, knowledge_dir: str, upload_dir: str):
    """Copy a knowledge-base template into the Management folder as version 1 of a new document."""
    if name not in template_files(knowledge_dir):
        raise InvalidInput({"template": "Choose one of the templates listed."})
    root = (Path(knowledge_dir) / "templates" / "files").resolve()
    source = (root / name).resolve()
    if source.parent != root:  # a symlink pointing out of the knowledge folder
        raise InvalidInput({"template": "Choose one of the templates listed."})
    return store_content(project, user, "management", name, source.read_bytes(),
                         "Started from the knowledge base template", upload_dir, new_only=True)


def store_content(project, user, folder: str, name: str, data: bytes, note: str, upload_dir: str,
                  content_type: str = "application/octet-stream", new_only: bool = False):
    """Store `data` as the next version of document `name` in `folder` (or a new one), as an upload would be.

    With `new_only`, a document of that name in the folder is refused instead of
    versioned. The file is removed again if the database write fails.
    """
    saved = uploads.save_bytes(data, name, upload_dir, content_type)
    try:
        return _store(project, user, folder, saved, note, new_only=new_only)
    except BaseException:
        uploads.discard(saved, upload_dir)
        raise


def delete_document(doc, user) -> None:
    """Take a document out of its folder; its versions and history stay."""
    with db.atomic():
        updated = (Document.update(deleted_at=utcnow(), deleted_by=user.id, live_key=None)
                   .where((Document.id == doc.id) & Document.deleted_at.is_null()).execute())
        if not updated:
            raise Conflict("This document was deleted already.")
        record(user, "document.delete", "document", doc.id, f"Deleted {doc.name} from {FOLDERS[doc.folder]}",
               project=doc.project_id)


def project_documents(project, folder: str = "", deleted: bool = False, page: int = 1):
    """One page of the project's live (or deleted) documents with who changed them last (one query)."""
    editor = User.alias()
    query = (Document.select(Document, editor.name.alias("editor_name"))
             .join(editor, JOIN.LEFT_OUTER, on=(Document.updated_by == editor.id))
             .where((Document.project == project.id)
                    & (Document.deleted_at.is_null(False) if deleted else Document.deleted_at.is_null())))
    if folder in FOLDERS:
        query = query.where(Document.folder == folder)
    return paginate(query.order_by(Document.folder, Document.name).objects(), page, PER_PAGE)


def load_document(project, doc_id: int) -> Document:
    """The document `doc_id` of `project` (deleted ones too); 404 when it belongs to another project."""
    doc = Document.get_or_none((Document.id == doc_id) & (Document.project == project.id))
    if doc is None:
        abort(404)
    return doc


def versions(doc) -> list[DocumentVersion]:
    """Every version of `doc`, newest first, with its uploader (one query)."""
    return list(DocumentVersion.select(DocumentVersion, User)
                .join(User, JOIN.LEFT_OUTER, on=(DocumentVersion.uploaded_by == User.id))
                .where(DocumentVersion.document == doc.id).order_by(DocumentVersion.number.desc()))


def load_version(doc, number: int | None = None) -> DocumentVersion:
    """Version `number` of `doc` (the latest when None), or 404."""
    version = DocumentVersion.get_or_none((DocumentVersion.document == doc.id)
                                          & (DocumentVersion.number == (number or doc.latest)))
    if version is None:
        abort(404)
    return version


