"""Import pages for PMO staff: upload a file, check the column mapping and every row, then import at once."""
from flask import flash, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField

from portal.errors import InvalidInput, PortalError
from portal.imports import bp
from portal.imports import services as svc
from portal.imports.fields import FIELDS, KINDS, guess_mapping
from portal.imports.reading import MAX_ROWS, read_table
from portal.permissions import require
from portal.web import apply_error, redirect_to, render

PREVIEW_ROWS = 20
SHOWN_ERRORS = 500


class UploadForm(FlaskForm):
    kind = SelectField("What the file holds", choices=list(KINDS.items()))
    file = FileField("CSV or Excel file")


@bp.route("/", methods=["GET", "POST"])
@require("imports.run")
def index():
    """Upload a file of projects, or of risks and issues; a checked file goes to its preview."""
    form = UploadForm()
    status = 200
    if form.validate_on_submit():
        upload = request.files.get("file")
        data = upload.read() if upload else b""
        filename = (upload.filename if upload else "") or ""
        try:
            read_table(filename, data)
        except PortalError as exc:
            status = apply_error(form, exc)
        else:
            stored = svc.store_upload(form.kind.data, filename, data, current_user)
            return redirect_to(url_for("imports.preview", upload_id=stored.id))
    elif request.method == "POST":
        status = 422
    return render("imports/index.html", form=form, fields=FIELDS, kinds=KINDS, max_rows=MAX_ROWS, status=status)


def _mapping(source, kind: str, headers) -> dict:
    """The column chosen for each field (`col_<field>` = index, empty for none); guessed when none sent."""
    if not any(key.startswith("col_") for key in source):
        return guess_mapping(kind, headers)
    mapping = {}
    for f in FIELDS[kind]:
        raw = source.get(f"col_{f.name}", "")
        mapping[f.name] = int(raw) if raw.isdigit() and int(raw) < len(headers) else None
    return mapping


def _preview(upload, source, status=200):
    data = bytes(upload.data)
    try:
        headers, rows = read_table(upload.filename, data)
    except InvalidInput as exc:
        svc.discard_upload(upload)
        flash(str(exc), "error")
        return redirect_to(url_for("imports.index"))
    plan = svc.PLANNERS[upload.kind](headers, rows, _mapping(source, upload.kind, headers))
    sample = [(number, row) for number, row in rows[:PREVIEW_ROWS]]
    return render("imports/preview.html", upload=upload, plan=plan, fields=FIELDS[upload.kind],
                  kinds=KINDS, sample=sample, rows=len(rows), errors=plan.errors[:SHOWN_ERRORS],
                  form=FlaskForm(), status=status)


@bp.get("/<int:upload_id>")
@require("imports.run")
def preview(upload_id):
    """The file as the portal reads it: the column for each field (changeable) and every row's problems."""
    return _preview(svc.load_upload(upload_id, current_user), request.args)


@bp.post("/<int:upload_id>")
@require("imports.run")
def confirm(upload_id):
    """Import every row in one transaction, or (any problem) none of them."""
    upload = svc.load_upload(upload_id, current_user)
    if not FlaskForm().validate_on_submit():
        return _preview(upload, request.form, status=400)
    headers, rows = read_table(upload.filename, bytes(upload.data))
    plan = svc.PLANNERS[upload.kind](headers, rows, _mapping(request.form, upload.kind, headers))
    if plan.errors:
        return _preview(upload, request.form, status=422)
    created, updated = svc.RUNNERS[upload.kind](plan, current_user, upload.filename)
    svc.discard_upload(upload)
    flash(f"Imported {upload.filename}: {created} created, {updated} updated.", "success")
    return redirect_to(url_for("projects.index") if upload.kind == "projects" else url_for("risks.portfolio"))
