"""Where the help desk meets the knowledge base: suggestions, deflections, linked articles, FAQ drafts."""
from flask import url_for

from portal.auth.models import User
from portal.db import db
from portal.helpdesk.models import ArticleLink, Deflection, Reply, Ticket
from portal.helpdesk.services import AGENT_ROLES, HelpdeskError, is_agent
from portal.kb.models import Article
from portal.kb.search import search
from portal.kb.services import sync_if_due
from portal.markdown import slugify


def link_article(ticket: Ticket, user, article: str, title: str) -> None:
    """Link a knowledge article to the ticket (once)."""
    if not is_agent(user):
        raise HelpdeskError("Only PMO staff link articles.")
    with db.atomic():
        ArticleLink.insert(ticket=ticket.id, article=article, title=title[:200], linked_by=user.id) \
            .on_conflict_ignore().execute()


def record_deflection(user, subject: str, article: str) -> None:
    """'This answered my question': count it, no ticket needed."""
    with db.atomic():
        Deflection.create(user=user.id, subject=subject[:200], article=article[:255])


def suggest_articles(subject: str, limit: int = 5) -> list[dict]:
    """Knowledge articles that may answer a question with this subject, best first."""
    if len(subject.strip()) < 3:
        return []
    sync_if_due()  # cheap when nothing changed: keeps suggestions in step with the files
    return [{"title": hit.article.title, "summary": hit.article.summary, "path": hit.article.path,
             "url": url_for("kb.article", section=hit.article.section, slug=hit.article.slug)}
            for hit in search(subject, per_page=limit, any_word=True)[:limit]]


def faq_draft(ticket: Ticket) -> tuple[str, str]:
    """(slug, Markdown) for a draft FAQ article from the question and the last public answer."""
    answer = (Reply.select().join(User, on=(Reply.author == User.id))
              .where((Reply.ticket == ticket.id) & (Reply.internal == False)  # noqa: E712
                     & (User.role.in_(AGENT_ROLES)))
              .order_by(Reply.created_at.desc(), Reply.id.desc()).first())
    title = ticket.subject.replace('"', "'")
    text = (f'---\ntitle: "{title}"\nsummary: ""\ntags: [faq, {ticket.category}]\nowner: PMO\n'
            f"audience: All staff\nversion: 1\nreview_by: \n---\n\n# {ticket.subject}\n\n"
            f"## Question\n\n{ticket.body.strip()}\n\n## Answer\n\n"
            f"{answer.body.strip() if answer else 'Write the answer here.'}\n\n"
            f"_From help-desk ticket [{ticket.reference}](/helpdesk/{ticket.number})._\n")
    return slugify(ticket.subject)[:80], text


def find_article(reference: str):
    """The knowledge article for '/kb/<section>/<slug>', '<section>/<slug>' or a file path; or None."""
    ref = (reference or "").strip()
    if "://" in ref:
        ref = ref.split("://", 1)[1].split("/", 1)[-1]
    ref = ref.split("?", 1)[0].split("#", 1)[0].strip("/").removeprefix("kb/")
    if not ref:
        return None
    section, _, slug = ref.rpartition("/")
    return (Article.visible()
            .where((Article.path == ref) | (Article.path == f"{ref}.md")
                   | ((Article.section == section) & (Article.slug == slug.removesuffix(".md"))))
            .first())
