"""Knowledge base editing for PMO staff: edit with preview, drafts, history, restore, create, move."""
from flask import Response, flash, request, url_for
from flask_login import current_user

from portal.errors import InvalidInput, Stale
from portal.kb import bp, services
from portal.kb.forms import MAX_TEXT, EditForm, MoveForm, NewArticleForm, PreviewForm, VersionForm
from portal.numbers import parse_int
from portal.pagination import page_arg
from portal.permissions import require
from portal.web import apply_error, redirect_to, render


def _article_url(article):
    return url_for("kb.article", section=article.section, slug=article.slug)


def _flash_saved(message: str, result) -> None:
    """Confirm a save; warn when the database has it but the knowledge file could not be written."""
    flash(message, "success")
    if result.file_problem:
        flash(f"Saved in the portal, but the file could not be written: {result.file_problem}. "
              "Readers see the new text; tell whoever looks after the knowledge folder.", "warning")


@bp.route("/article/<int:article_id>/edit", methods=["GET", "POST"])
@require("kb.edit")
def edit(article_id):
    """Edit the Markdown with a live preview; a stale save is refused with both texts kept."""
    article = services.load_article_by_id(article_id)
    form = EditForm()
    if request.method == "GET":
        form.text.data = article.draft_text if article.draft_text is not None else article.text
        form.version.data = article.version
    status, conflict = 200, None
    if form.validate_on_submit():
        try:
            rev = services.save_article(article, current_user, form.version.data, form.text.data,
                                        form.message.data or "", draft=form.draft.data,
                                        new_version=form.new_version.data)
        except Stale as exc:
            conflict, status = exc.current, 409
            form.form_errors.append(
                f"Someone else saved this article while you were editing (now revision {exc.current.revision}, "
                f"{exc.current.updated_at:%Y-%m-%d %H:%M} UTC). Your text is kept below; compare it with "
                "theirs, merge, and save again.")
            form.version.data = exc.current.version
        else:
            _flash_saved(f"Saved revision {rev.number}{' as a draft' if rev.status == 'draft' else ''}.", rev)
            return redirect_to(_article_url(article))
    elif request.method == "POST":
        status = 422
    return render("kb/edit.html", form=form, article=article, conflict=conflict,
                  preview=services.preview(_previewable(form.text.data), article.path), status=status)


def _previewable(text):
    """Text over the article cap is refused by the form; its preview stays empty instead of costing a render."""
    return text if text and len(text) <= MAX_TEXT else ""


@bp.post("/preview")
@require("kb.edit")
def preview():
    """The rendered, sanitised HTML of the editor's text (for the live preview)."""
    form = PreviewForm()
    if not form.validate_on_submit():
        return Response(f"No preview: {form.text.errors[0] if form.text.errors else 'the form expired.'}", 422)
    return render("kb/_preview.html", preview=services.preview(form.text.data or ""))


@bp.route("/new", methods=["GET", "POST"])
@require("kb.edit")
def new():
    """Create an article in any section."""
    form = NewArticleForm()
    if request.method == "GET":
        form.section.data = request.args.get("section", "standards")[:120]
        form.text.data = ("---\ntitle: New article\nsummary: \ntags: []\nowner: PMO\naudience: All staff\n"
                          "version: 1\nreview_by: \n---\n\n# New article\n\n")
    status = 200
    if form.validate_on_submit():
        try:
            article = services.create_article(current_user, form.section.data, form.slug.data, form.text.data,
                                              form.message.data or "")
        except InvalidInput as exc:
            status = apply_error(form, exc)
        else:
            _flash_saved(f"Created {article.title}.", article)
            return redirect_to(_article_url(article))
    elif request.method == "POST":
        status = 422
    return render("kb/new.html", form=form, status=status,
                  preview=services.preview(_previewable(form.text.data)))


@bp.route("/article/<int:article_id>/move", methods=["GET", "POST"])
@require("kb.edit")
def move(article_id):
    """Move an article to another section or address."""
    article = services.load_article_by_id(article_id)
    form = MoveForm(data={"section": article.section, "slug": article.slug, "version": article.version})
    status = 200
    if form.validate_on_submit():
        try:
            moved = services.move_article(article, current_user, form.version.data, form.section.data,
                                          form.slug.data)
        except InvalidInput as exc:
            status = apply_error(form, exc)
        except Stale as exc:
            form.form_errors.append(str(exc) + " Reload the page and try again.")
            status = 409
        else:
            article = services.load_article_by_id(article_id)
            _flash_saved(f"Moved to {article.path}.", moved)
            return redirect_to(_article_url(article))
    elif request.method == "POST":
        status = 422
    return render("kb/move.html", form=form, article=article, status=status)


@bp.get("/article/<int:article_id>/history")
@require("kb.edit")
def history(article_id):
    """Every revision, newest first, with a diff between any two."""
    article = services.load_article_by_id(article_id)
    page = services.revisions(article, page_arg())
    return render("kb/history.html", article=article, revisions=page.rows, page=page, form=VersionForm(data={"version": article.version}))


@bp.get("/article/<int:article_id>/diff")
@require("kb.edit")
def diff(article_id):
    """The line diff between revisions `a` and `b`."""
    article = services.load_article_by_id(article_id)
    a = services.get_revision(article, request.args.get("a", 0, type=parse_int))
    b = services.get_revision(article, request.args.get("b", 0, type=parse_int))
    return render("kb/diff.html", article=article, a=a, b=b, lines=services.diff(a, b))


@bp.post("/article/<int:article_id>/restore/<int:number>")
@require("kb.edit")
def restore(article_id, number):
    """Publish an old revision's text as a new revision."""
    article = services.load_article_by_id(article_id)
    form = VersionForm()
    if not form.validate_on_submit():
        flash("The form was incomplete; reload and try again.", "error")
    else:
        try:
            rev = services.restore_revision(article, current_user, form.version.data, number)
        except Stale as exc:
            flash(str(exc) + " Reload the history and try again.", "error")
            page = services.revisions(article)
            return render("kb/history.html", article=article, revisions=page.rows, page=page,
                          form=VersionForm(data={"version": exc.current.version}), status=409)
        _flash_saved(f"Restored revision {number} as revision {rev.number}.", rev)
    return redirect_to(url_for("kb.history", article_id=article.id))


@bp.post("/article/<int:article_id>/publish")
@require("kb.edit")
def publish(article_id):
    """Publish a standard's pending draft."""
    article = services.load_article_by_id(article_id)
    form = VersionForm()
    if not form.validate_on_submit():
        flash("The form was incomplete; reload and try again.", "error")
        return redirect_to(_article_url(article))
    try:
        rev = services.publish_draft(article, current_user, form.version.data)
    except Stale as exc:
        flash(str(exc) + " Reload and try again.", "error")
    except InvalidInput as exc:
        flash(str(exc), "error")
    else:
        _flash_saved("Draft published.", rev)
    return redirect_to(_article_url(article))
