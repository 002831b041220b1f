"""Turning an answer into an FAQ: a draft only PMO staff see, with owner and review date, published on request."""
import datetime as dt

from portal.helpdesk.models import FaqDraft
from portal.helpdesk.services import add_reply
from portal.helpdesk.sla import BusinessCalendar
from portal.kb.models import Article
from tests.conftest import sign_in
from tests.factories import make_ticket, make_user


def _resolved_ticket(agent):
    ticket = make_ticket(subject="Amber or red for a slipping forecast?", body="Project PRJ-2026-007 slips 10%.")
    add_reply(ticket, agent, "Amber when recoverable within the stage, red otherwise.", "faq1", BusinessCalendar(),
              new_status="resolved")
    return ticket


def _draft_form(client, ticket, **changes):
    data = {"title": "Amber or red for a slipping forecast?", "slug": "amber-or-red",
            "body": "## Question\n\nWhen is a slipping forecast amber?\n\n## Answer\n\nAmber when recoverable.",
            "owner": "Priya Patel", "review_by": (dt.date.today() + dt.timedelta(days=90)).isoformat(), **changes}
    return client.post(f"/helpdesk/{ticket.number}/faq", data=data)


def test_turning_into_an_faq_makes_a_draft_nobody_else_sees_until_published(client, login, app):
    agent = login("pmo", name="Priya Patel")
    ticket = _resolved_ticket(agent)
    page = client.get(f"/helpdesk/{ticket.number}/faq").get_data(as_text=True)
    assert "Remove project-specific" in page and "Amber when recoverable within the stage" in page
    assert 'name="owner"' in page and "Priya Patel" in page and 'name="review_by"' in page
    response = _draft_form(client, ticket)
    assert response.status_code == 303
    draft = FaqDraft.get()
    assert draft.owner == "Priya Patel" and draft.published_at is None
    assert Article.visible().where(Article.slug == "amber-or-red").count() == 0  # not live

    # A member sees no draft: not the list, not the page, not the knowledge base.
    member = make_user("member")
    sign_in(client, member)
    assert client.get(f"/helpdesk/faq/{draft.id}").status_code == 403
    assert client.get("/helpdesk/faq/").status_code == 403
    assert client.get("/kb/faq/amber-or-red").status_code == 404

    # Publishing needs the explicit confirmation.
    sign_in(client, agent)
    refused = client.post(f"/helpdesk/faq/{draft.id}/publish", data={"version": draft.version})
    assert refused.status_code == 422 and "Confirm that project codes" in refused.get_data(as_text=True)
    assert FaqDraft.get().published_at is None
    published = client.post(f"/helpdesk/faq/{draft.id}/publish", data={"version": draft.version, "checked": "y"})
    assert published.status_code == 303 and published.headers["Location"].endswith("/kb/faq/amber-or-red")
    article = Article.visible().where(Article.slug == "amber-or-red").get()
    assert article.section == "faq" and article.owner == "Priya Patel"
    assert article.review_by == dt.date.today() + dt.timedelta(days=90)
    assert FaqDraft.get().article_path == "faq/amber-or-red.md"
    sign_in(client, member)
    assert "Amber when recoverable." in client.get("/kb/faq/amber-or-red").get_data(as_text=True)


def test_a_draft_needs_an_owner_and_a_future_review_date(client, login):
    agent = login("pmo")
    ticket = _resolved_ticket(agent)
    response = _draft_form(client, ticket, owner="", review_by="2020-01-01")
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and "Name who keeps this article up to date" in text
    assert "Choose a review date in the future" in text and FaqDraft.select().count() == 0


def test_a_stale_draft_edit_is_refused(client, login):
    agent = login("pmo")
    ticket = _resolved_ticket(agent)
    _draft_form(client, ticket)
    draft = FaqDraft.get()
    data = {"title": "T", "slug": "t", "body": "B", "owner": "O",
            "review_by": (dt.date.today() + dt.timedelta(days=9)).isoformat()}
    assert client.post(f"/helpdesk/faq/{draft.id}", data={**data, "version": draft.version}).status_code == 303
    stale = client.post(f"/helpdesk/faq/{draft.id}", data={**data, "title": "Other", "version": draft.version})
    assert stale.status_code == 409 and FaqDraft.get().title == "T"
