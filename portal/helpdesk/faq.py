"""FAQ drafts from tickets: made by PMO staff, seen only by them, published to everyone only on request."""
import datetime

import yaml

from portal.audit.services import record
from portal.db import db, utcnow
from portal.errors import InvalidInput, NotAllowed, Stale
from portal.helpdesk.knowledge import faq_draft
from portal.helpdesk.models import FaqDraft, Ticket
from portal.helpdesk.services import is_agent
from portal.markdown import LIMITS, slugify
from portal.permissions import can

REVIEW_AFTER = datetime.timedelta(days=182)  # a new FAQ is looked at again within six months
FAQ_SECTION = "faq"


def _check(user) -> None:
    if not (is_agent(user) and can(user, "kb.edit")):
        raise NotAllowed("FAQ drafts are for PMO staff who edit the knowledge base.")


def draft_for(ticket: Ticket):
    """The FAQ draft made from `ticket`, or None."""
    return FaqDraft.get_or_none(FaqDraft.ticket == ticket.id)


def proposed_draft(ticket: Ticket, user, today: datetime.date | None = None) -> dict:
    """What a new draft from `ticket` starts with: question and last public answer, owner, review date."""
    _check(user)
    slug, text = faq_draft(ticket)
    body = text.split("\n---\n", 1)[1].strip() if "\n---\n" in text else text
    body = body.split("\n", 1)[1].strip() if body.startswith("# ") else body  # the title is its own field
    return {"title": ticket.subject[:200], "slug": slug[:120] or f"ticket-{ticket.number}", "body": body,
            "owner": user.name[:200], "review_by": (today or utcnow().date()) + REVIEW_AFTER}


def _validate(title: str, slug: str, body: str, owner: str, review_by, today) -> dict:
    errors = {}
    title, slug, owner = (title or "").strip(), slugify(slug or "")[:120], (owner or "").strip()
    if not title:
        errors["title"] = "Give the article a title."
    if not slug:
        errors["slug"] = "Give the article an address (letters, digits and dashes)."
    if not owner:
        errors["owner"] = "Name who keeps this article up to date."
    if review_by is None or review_by <= today:
        errors["review_by"] = "Choose a review date in the future."
    if not (body or "").strip():
        errors["body"] = "Write the question and its answer."
    elif len(body) > LIMITS["article"]:
        errors["body"] = f"Use at most {LIMITS['article']:,} characters."
    if errors:
        raise InvalidInput(errors)
    return {"title": title[:200], "slug": slug, "body": body, "owner": owner[:200], "review_by": review_by}


def save_draft(ticket: Ticket, user, title: str, slug: str, body: str, owner: str, review_by,
               expected_version: int | None = None) -> FaqDraft:
    """Create the ticket's draft or save an edit of it (refused when someone saved in between)."""
    _check(user)
    now = utcnow()
    fields = _validate(title, slug, body, owner, review_by, now.date())
    with db.atomic():
        draft = draft_for(ticket)
        if draft is None:
            draft = FaqDraft.create(ticket=ticket.id, created_by=user.id, created_at=now, updated_at=now, **fields)
            record(user, "faq.draft", "ticket", ticket.number, f"FAQ draft from {ticket.reference}: {draft.title}")
            return draft
        if draft.published_at:
            raise InvalidInput("This FAQ is published already; edit the article in the knowledge base.")
        if expected_version is None or not draft.save_if_current(expected_version, updated_at=now, **fields):
            raise Stale("Someone else saved this draft since you opened it. Reload to see their change.")
    return FaqDraft.get_by_id(draft.id)


def article_text(draft: FaqDraft) -> str:
    """The article file: front matter (owner, review date, audience) and the reviewed text."""
    meta = {"title": draft.title, "summary": "", "tags": ["faq"], "owner": draft.owner, "audience": "All staff",
            "version": 1, "review_by": draft.review_by.isoformat()}
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True).strip()
    return f"---\n{front}\n---\n\n# {draft.title}\n\n{draft.body.strip()}\n"


def publish(draft: FaqDraft, user, expected_version: int, checked: bool):
    """Write the draft as a knowledge article everyone can read: only on a PMO member's explicit request,
    after they confirmed that project-specific details are gone."""
    from portal.kb.services import create_article
    _check(user)
    if not checked:
        raise InvalidInput({"checked": "Confirm that project codes, names and attachments were removed."})
    if draft.published_at:
        raise InvalidInput("This FAQ is published already.")
    if draft.version != expected_version:
        raise Stale("Someone else saved this draft since you opened it. Reload and check it again.")
    with db.atomic():
        if not draft.save_if_current(expected_version, published_at=utcnow(), published_by=user.id):
            raise Stale("Someone else saved this draft since you opened it. Reload and check it again.")
        article = create_article(user, FAQ_SECTION, draft.slug, article_text(draft),
                                 f"FAQ from PMO-{Ticket.get_by_id(draft.ticket_id).number}")
        FaqDraft.update(article_path=article.path).where(FaqDraft.id == draft.id).execute()
        record(user, "faq.publish", "ticket", draft.ticket_id, f"Published FAQ {article.path}")
    return article


def open_drafts():
    """Unpublished FAQ drafts, newest first, with their tickets (for the PMO's list)."""
    return list(FaqDraft.select(FaqDraft, Ticket).join(Ticket, on=(FaqDraft.ticket == Ticket.id))
                .where(FaqDraft.published_at.is_null()).order_by(FaqDraft.updated_at.desc()).limit(200))
