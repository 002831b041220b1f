"""Where the help desk meets the knowledge base: suggestions, deflections, linked articles, FAQ drafts."""
from flask import abort, flash, request, url_for
from flask_login import current_user, login_required

from portal.errors import PortalError
from portal.helpdesk import bp
from portal.helpdesk.forms import FaqDraftForm, FaqPublishForm
from portal.helpdesk.knowledge import find_article, link_article, record_deflection, suggest_articles
from portal.helpdesk.services import load_ticket
from portal.kb.services import preview
from portal.web import apply_error, redirect_to, render


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


@bp.route("/<number>/faq", methods=["GET", "POST"])
@login_required
def faq(number):
    """Start an FAQ draft from this ticket: PMO staff review it; nobody else sees it until it is published."""
    from portal.helpdesk import faq as faqs
    from portal.permissions import check
    ticket = load_ticket(number, current_user, need="work")
    check("kb.edit")
    existing = faqs.draft_for(ticket)
    if existing is not None:
        return redirect_to(url_for("helpdesk.faq_draft", draft_id=existing.id))
    form = FaqDraftForm(data=faqs.proposed_draft(ticket, current_user) if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            draft = faqs.save_draft(ticket, current_user, form.title.data, form.slug.data, form.body.data,
                                    form.owner.data, form.review_by.data)
        except PortalError as exc:
            status = apply_error(form, exc)
        else:
            flash("FAQ draft saved. Only PMO staff see it until it is published.", "success")
            return redirect_to(url_for("helpdesk.faq_draft", draft_id=draft.id))
    else:
        status = 422 if request.method == "POST" else 200
    return render("helpdesk/faq_draft.html", form=form, ticket=ticket, draft=None, publish_form=None,
                  preview=preview(form.body.data or ""), status=status)


def _load_draft(draft_id: int):
    from portal.helpdesk.models import FaqDraft
    from portal.permissions import check
    check("helpdesk.work")
    check("kb.edit")
    draft = FaqDraft.get_or_none(FaqDraft.id == draft_id)
    if draft is None:
        abort(404)
    return draft


@bp.route("/faq/<int(max=2147483647):draft_id>", methods=["GET", "POST"])
@login_required
def faq_draft(draft_id):
    """Review and edit an FAQ draft (PMO only); publishing is a separate, explicit step."""
    from portal.helpdesk import faq as faqs
    draft = _load_draft(draft_id)
    ticket = draft.ticket
    form = FaqDraftForm(obj=draft if request.method == "GET" else None)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                draft = faqs.save_draft(ticket, current_user, form.title.data, form.slug.data, form.body.data,
                                        form.owner.data, form.review_by.data, form.version.data)
            except PortalError as exc:
                status = apply_error(form, exc)
            else:
                flash("Draft saved. It is still visible to PMO staff only.", "success")
                return redirect_to(url_for("helpdesk.faq_draft", draft_id=draft.id))
        else:
            status = 422
    return render("helpdesk/faq_draft.html", form=form, ticket=ticket, draft=draft,
                  publish_form=FaqPublishForm(version=draft.version), preview=preview(form.body.data or ""),
                  status=status)


@bp.post("/faq/<int(max=2147483647):draft_id>/publish")
@login_required
def faq_publish(draft_id):
    """Publish the draft to everyone, as an article in the FAQ section."""
    from portal.helpdesk import faq as faqs
    draft = _load_draft(draft_id)
    form = FaqPublishForm()
    if not form.validate_on_submit():
        abort(400, description="The form was incomplete; reload the page and try again.")
    try:
        article = faqs.publish(draft, current_user, form.version.data, form.checked.data)
    except PortalError as exc:
        status = apply_error(form, exc)
        return render("helpdesk/faq_draft.html", form=FaqDraftForm(obj=draft), ticket=draft.ticket, draft=draft,
                      publish_form=form, preview=preview(draft.body), status=status)
    flash(f"Published “{article.title}” in the FAQ.", "success")
    return redirect_to(url_for("kb.article", section=article.section, slug=article.slug))


@bp.get("/faq/")
@login_required
def faq_drafts():
    """FAQ drafts waiting for review (PMO only)."""
    from portal.helpdesk import faq as faqs
    from portal.permissions import check
    check("helpdesk.work")
    check("kb.edit")
    return render("helpdesk/faq_drafts.html", drafts=faqs.open_drafts())
