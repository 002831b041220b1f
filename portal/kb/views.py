"""Knowledge base pages: browse, search, read, acknowledge, train."""
from flask import abort, flash, request, send_file, url_for
from flask_login import current_user, login_required

from portal.db import utcnow
from portal.errors import InvalidInput
from portal.kb import bp, files, learning, services
from portal.kb.forms import AcknowledgeForm, quiz_form
from portal.kb.models import count_view
from portal.kb.search import search as run_search
from portal.memo import kept_page
from portal.pagination import Page, page_arg
from portal.permissions import can
from portal.web import apply_error, redirect_to, render

PER_PAGE = 50
SEARCH_PER_PAGE = 20  # results are re-sent as the reader types: a page stays under 10 KB
DOWNLOAD_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
                  ".webp": "image/webp"}


@bp.before_request
@login_required
def _before():
    """Every knowledge page needs a signed-in user and a folder in step with the database."""
    services.sync_if_due()


@bp.get("/")
@kept_page()
def index():
    """Sections, recent changes, the user's training progress and standards awaiting acknowledgement."""
    return render("kb/index.html", sections=services.sections(), recent=services.recently_updated(),
                  progress=learning.progress(current_user),
                  awaiting=learning.awaiting_acknowledgement(current_user),
                  overdue=learning.overdue_reviews(current_user, can(current_user, "kb.report")))


@bp.get("/search")
@kept_page()
def search():
    """Ranked results with highlighted snippets; htmx gets only the results."""
    query = request.args.get("q", "")[:10_000]
    page = page_arg()
    hits = run_search(query, page, SEARCH_PER_PAGE)  # one row more than a page: is there a next one?
    return render("kb/search.html", fragment="kb/_results.html", q=query, hits=hits[:SEARCH_PER_PAGE],
                  page=Page(hits[:SEARCH_PER_PAGE], page, SEARCH_PER_PAGE, more=len(hits) > SEARCH_PER_PAGE))


@bp.get("/files/<path:path>")
def download(path):
    """An image or template document from the knowledge folder (never served inline if active).

    Articles are read on their pages: the raw file would hand out front matter such as quiz answers.
    """
    full = files.safe_path(path)
    if full is None or full.suffix.lower() == ".md" or not full.is_file():
        abort(404)
    mimetype = DOWNLOAD_TYPES.get(full.suffix.lower())
    response = send_file(full, mimetype=mimetype or "application/octet-stream",
                         as_attachment=mimetype is None, download_name=full.name, max_age=300)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/<section>/")
def section(section):
    """One section's articles."""
    page = services.section_articles(section, page_arg(), PER_PAGE)
    if not page.rows and page.page == 1:
        abort(404)
    return render("kb/section.html", section=section, articles=page.rows, page=page)


def _article_context(article, quiz=None, ack_form=None):
    meta = services.front_matter(article)
    is_training = article.section == "training"
    return dict(article=article, doc=services.rendered(article), meta=meta,
                ack_form=ack_form or AcknowledgeForm(doc_version=article.doc_version),
                acknowledged=article.mandatory and learning.has_acknowledged(current_user, article),
                quiz=quiz if quiz is not None else (quiz_form(meta["quiz"]) if is_training else None),
                completed=is_training and learning.is_complete(current_user, article),
                next_module=learning.next_module(article) if is_training else None)


@bp.get("/<section>/<path:slug>")
def article(section, slug):
    """An article with its table of contents; each view adds one to the day's counter.

    The page itself is kept (portal/memo.py); the counter is written on every view, outside it.
    """
    response = _article_page(section, slug)
    if response.status_code == 200:
        found = services.article_id(section, slug)
        if found is not None:
            count_view(found, utcnow().date())
    return response


@kept_page()
def _article_page(section, slug):
    return render("kb/article.html", **_article_context(services.load_article(section, slug)))


@bp.post("/article/<int:article_id>/acknowledge")
def acknowledge(article_id):
    """Record "read and understood" for the version the reader saw."""
    article = services.load_article_by_id(article_id)
    form = AcknowledgeForm()
    if not article.mandatory:
        abort(404)
    if not form.validate_on_submit():
        return render("kb/article.html", status=422, **_article_context(article, ack_form=form))
    if form.doc_version.data != article.doc_version:
        flash(f"This standard is now at version {article.doc_version}: please read it again before acknowledging.",
              "warning")
    else:
        learning.acknowledge(current_user, article)
        flash(f"Thank you: you acknowledged {article.title}, version {article.doc_version}.", "success")
    return redirect_to(url_for("kb.article", section=article.section, slug=article.slug))


@bp.post("/article/<int:article_id>/complete")
def complete(article_id):
    """Mark a training module complete, after its quiz if it has one."""
    article = services.load_article_by_id(article_id)
    if article.section != "training":
        abort(404)
    quiz = services.front_matter(article)["quiz"]
    form = quiz_form(quiz, request.form)
    if not form.validate():
        return render("kb/article.html", status=422, **_article_context(article, quiz=form))
    try:
        learning.complete_module(current_user, article, quiz, {k: form.data[k] for k in form.data})
    except InvalidInput as exc:
        apply_error(form, exc)
        return render("kb/article.html", status=422, **_article_context(article, quiz=form))
    flash(f"Module complete: {article.title}.", "success")
    return redirect_to(url_for("kb.article", section=article.section, slug=article.slug))
