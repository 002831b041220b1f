"""The help desk in a real browser: ask, pick up, answer with a canned reply, note, resolve, rate, FAQ."""

import pytest
from playwright.sync_api import expect

from portal.helpdesk.models import CannedAnswer, Reply, Ticket
from tests.conftest import browser_sign_in
from tests.factories import make_user

pytestmark = pytest.mark.browser


def test_question_to_answer_to_rating_to_faq(page, _browser, live_server):
    member = make_user("member", name="Mei Lin")
    agent = make_user("pmo", name="Priya Patel")
    CannedAnswer.create(title="RAG guidance", body="Hi {first_name}, see the RAG table in the standard.")

    # The member asks; the knowledge base suggests articles while they type.
    browser_sign_in(page, member)
    page.goto("/helpdesk/new")
    page.get_by_label("Subject").press_sequentially("RAG status reporting", delay=20)
    expect(page.locator("#suggestions")).to_contain_text("This answered my question")
    page.get_by_label("Your question").fill("When is a project **amber** rather than red?")
    page.get_by_role("button", name="Send question").click()
    expect(page.get_by_text("Your question is PMO-1001")).to_be_visible()

    # The agent picks it up, inserts the canned answer, adds a note, then resolves.
    context = _browser.new_context(base_url=live_server)
    desk = context.new_page()
    browser_sign_in(desk, agent)
    desk.goto("/helpdesk/?view=unassigned")
    desk.get_by_role("link", name="PMO-1001").click()
    desk.get_by_role("button", name="Assign to me").click()
    expect(desk.get_by_text("PMO-1001 is yours.")).to_be_visible()
    desk.wait_for_load_state()  # htmx binds the canned-answer select once the page has loaded
    desk.get_by_label("Insert a canned answer").select_option(label="RAG guidance")
    expect(desk.locator("#reply-body")).to_have_value("Hi Mei, see the RAG table in the standard.")
    desk.get_by_label("Then").select_option("resolved")
    desk.get_by_role("button", name="Send").click()
    expect(desk.get_by_text("Reply sent.")).to_be_visible()
    desk.locator("#reply-body").fill("Check whether the standard needs a clearer example.")
    desk.get_by_label("Internal note (PMO only)").check()
    desk.get_by_role("button", name="Send").click()
    expect(desk.get_by_text("Internal note added.")).to_be_visible()
    ticket = Ticket.get()
    assert ticket.status == "resolved" and ticket.assignee_id == agent.id

    # The member sees the answer, not the note, and rates it.
    page.reload()
    expect(page.get_by_text("Hi Mei, see the RAG table in the standard.")).to_be_visible()
    expect(page.get_by_text("clearer example")).to_have_count(0)
    page.get_by_label("5 — excellent").check()
    page.get_by_role("button", name="Rate the answer").click()
    expect(page.get_by_text("Thank you for rating the answer.")).to_be_visible()
    assert Ticket.get().rating == 5

    # The agent turns the answer into a draft FAQ article in the knowledge-base editor.
    desk.reload()
    desk.get_by_role("link", name="Turn into an FAQ article…").click()
    expect(desk.locator("textarea")).to_contain_text("Hi Mei, see the RAG table in the standard.")
    expect(desk.locator("textarea")).to_contain_text("/helpdesk/1001")
    context.close()
    assert Reply.select().count() == 2
