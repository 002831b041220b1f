"""A project's documents: the folder list, uploads, version history, downloads and deletion."""
from flask import abort, current_app, flash, request, url_for
from flask_login import current_user, login_required

from portal import uploads
from portal.documents import bp
from portal.documents import services as svc
from portal.documents.forms import ActionForm, TemplateForm, UploadForm
from portal.documents.models import FOLDERS
from portal.errors import PortalError
from portal.pagination import page_arg
from portal.permissions import can, check
from portal.projects.services import load_project
from portal.web import apply_error, redirect_to, render

BASE = "/projects/<ref>/documents"


def _project(ref, write=False):
    """The project if the user may see it (else 404); 403 when writing is refused."""
    project = load_project(ref, current_user)
    if write:
        check("collab.write", project)
    return project


def _index(project, upload_form=None, template_form=None, status=200):
    folder = request.args.get("folder", "")
    page = svc.project_documents(project, folder, page=page_arg())
    deleted = svc.project_documents(project, deleted=True).rows
    templates = svc.template_files(current_app.config["KNOWLEDGE_DIR"])
    template_form = template_form or TemplateForm(formdata=None)
    template_form.template.choices = [(t, t) for t in templates]
    return render("documents/page.html", fragment="documents/_list.html", status=status, project=project,
                  rows=page.rows, total=page.total, page=page, folder=folder,
                  folders=FOLDERS, deleted=deleted, writable=can(current_user, "collab.write", project),
                  upload_form=upload_form or UploadForm(formdata=None), template_form=template_form,
                  templates=templates, max_mb=current_app.config["MAX_DOCUMENT_LENGTH"] // (1024 * 1024))


@bp.get(f"{BASE}/")
@login_required
def index(ref):
    """The project's documents by folder; htmx gets only the list."""
    return _index(_project(ref))


@bp.post(f"{BASE}/")
@login_required
def upload(ref):
    """Upload a document, or a new version of one with the same name in the same folder."""
    project = _project(ref, write=True)
    form = UploadForm()
    if form.validate_on_submit():
        try:
            doc, version = svc.upload_document(project, current_user, form.folder.data, form.file.data,
                                               form.note.data, current_app.config["UPLOAD_DIR"])
        except PortalError as exc:
            return _index(project, upload_form=form, status=apply_error(form, exc))
        flash(f"{doc.name}: version {version.number} uploaded.", "success")
        return redirect_to(url_for("documents.detail", ref=project.ref, doc_id=doc.id))
    return _index(project, upload_form=form, status=422)


@bp.post(f"{BASE}/from-template")
@login_required
def from_template(ref):
    """Start a document from a knowledge-base template (copied as version 1)."""
    project = _project(ref, write=True)
    form = TemplateForm()
    if form.validate_on_submit():
        try:
            doc, _ = svc.start_from_template(project, current_user, form.template.data or "",
                                             current_app.config["KNOWLEDGE_DIR"], current_app.config["UPLOAD_DIR"])
        except PortalError as exc:
            return _index(project, template_form=form, status=apply_error(form, exc))
        flash(f"{doc.name} started from the template.", "success")
        return redirect_to(url_for("documents.detail", ref=project.ref, doc_id=doc.id))
    return _index(project, template_form=form, status=422)


@bp.get(f"{BASE}/<int:doc_id>")
@login_required
def detail(ref, doc_id):
    """One document: every version with who, when and why; htmx gets only the versions."""
    project = _project(ref)
    doc = svc.load_document(project, doc_id)
    return render("documents/detail.html", fragment="documents/_versions.html", project=project, doc=doc,
                  versions=svc.versions(doc), folders=FOLDERS, form=ActionForm(),
                  writable=can(current_user, "collab.write", project) and doc.deleted_at is None,
                  upload_form=UploadForm(formdata=None, folder=doc.folder))


@bp.get(f"{BASE}/<int:doc_id>/download", defaults={"number": None})
@bp.get(f"{BASE}/<int:doc_id>/v<int:number>/download")
@login_required
def download(ref, doc_id, number):
    """The latest (or a given) version as a download, for those who may see the project."""
    project = _project(ref)
    version = svc.load_version(svc.load_document(project, doc_id), number)
    path = uploads.stored_path(version.stored_name, current_app.config["UPLOAD_DIR"])
    uploads.require_file(path)
    return uploads.download(path, version.filename)


@bp.post(f"{BASE}/<int:doc_id>/delete")
@login_required
def delete(ref, doc_id):
    """Take a document out of its folder (after confirming); its history stays."""
    project = _project(ref, write=True)
    doc = svc.load_document(project, doc_id)
    if not ActionForm().validate_on_submit():
        abort(400, description="The form was incomplete; reload the page and try again.")
    try:
        svc.delete_document(doc, current_user)
    except PortalError as exc:
        abort(exc.status, description=str(exc))
    flash(f"{doc.name} was deleted; it stays in the history below.", "success")
    return redirect_to(url_for("documents.index", ref=project.ref))
