"""Where the help desk meets the knowledge base: suggestions, deflections, linked articles, FAQ drafts."""
from flask import abort, flash, request, url_for
from flask_login import current_user, login_required

from portal.errors import PortalError
from portal.helpdesk import bp
from portal.helpdesk.knowledge import faq_draft, find_article, link_article, record_deflection, suggest_articles
from portal.helpdesk.services import load_ticket
from portal.web import redirect_to, render


@bp.get("/suggest")
@login_required
def suggest():
    """Knowledge articles matching the subject being typed (htmx fragment beside the form)."""
    subject = (request.args.get("subject") or "")[:200]
    return render("helpdesk/_suggestions.html", subject=subject, suggestions=suggest_articles(subject))


@bp.post("/deflect")
@login_required
def deflect():
    """'This answered my question': counted, and no ticket is opened."""
    subject = (request.form.get("subject") or "").strip()[:200]
    article = find_article(request.form.get("article") or "")
    if article is None:
        abort(400, description="Which article answered the question?")
    record_deflection(current_user, subject, article.path)
    flash("Glad the knowledge base helped. No ticket was opened.", "success")
    return redirect_to(url_for("kb.article", section=article.section, slug=article.slug))


@bp.post("/<number>/articles")
@login_required
def link(number):
    """Link a knowledge article to the ticket, by its address."""
    ticket = load_ticket(number, current_user, need="work")
    article = find_article(request.form.get("article") or "")
    if article is None:
        flash("No article at that address. Paste the article's link, e.g. /kb/standards/status-reporting.",
              "error")
    else:
        try:
            link_article(ticket, current_user, article.path, article.title)
        except PortalError as exc:
            abort(403, description=str(exc))
        flash(f"Linked “{article.title}”.", "success")
    return redirect_to(url_for("helpdesk.ticket", number=ticket.number))


@bp.get("/<number>/faq")
@login_required
def faq(number):
    """A draft FAQ article from this ticket, opened in the knowledge-base editor for review."""
    from portal.kb.forms import NewArticleForm
    from portal.kb.services import preview
    from portal.permissions import check
    ticket = load_ticket(number, current_user, need="work")
    check("kb.edit")
    slug, text = faq_draft(ticket)
    form = NewArticleForm(formdata=None, section="faq", slug=slug, text=text,
                          message=f"FAQ from {ticket.reference}")
    return render("kb/new.html", form=form, preview=preview(text))
