"""Each role's day in a real browser (1280×800): the executive's decision, a lost session that loses nothing,
search as you type in the knowledge base and across the portal, and a saved view."""
import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from portal.projects.review import decide
from portal.projects.services import create_request, submit_request
from tests.conftest import browser_sign_in
from tests.factories import PASSWORD, make_project, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def tab(page):
    page.set_viewport_size({"width": 1280, "height": 800})
    return page


def _request(manager, name):
    values = {"name": name, "summary": "Move the data centre.", "manager": manager.id, "department": "IT",
              "category": "Process improvement", "start_date": datetime.date(2026, 3, 1),
              "end_date": datetime.date(2026, 9, 30), "budget": Decimal(400000), "reporting_cadence": "monthly"}
    return submit_request(create_request(values, manager), manager)


def test_the_executive_decides_only_after_the_pmo_review_and_may_return(tab):
    manager, pmo = make_user("manager"), make_user("pmo")
    executive = make_user("executive", name="Eva Schmidt")
    early = _request(manager, "Data centre move")
    reviewed = _request(manager, "Cloud landing zone")
    decide(reviewed, pmo, "approve", "Scored and fits")

    browser_sign_in(tab, executive)
    tab.get_by_role("link", name=re.compile("project decision\\(s\\) waiting for your approval")).click()
    expect(tab).to_have_url(re.compile(r"/intake/\?waiting=me"))
    expect(tab.locator("#intake-queue")).to_contain_text("Cloud landing zone")
    expect(tab.locator("#intake-queue")).not_to_contain_text("Data centre move")

    tab.goto(f"/projects/{early.code}")
    expect(tab.locator("#review-waits")).to_contain_text("after the PMO review")
    expect(tab.get_by_role("button", name="Approve (executive)")).to_have_count(0)

    tab.goto(f"/projects/{reviewed.code}")
    tab.get_by_role("button", name="Return for changes").click()
    expect(tab.get_by_text("Say what needs to change.")).to_be_visible()
    tab.get_by_label("Comment (required to reject or return)").fill("Phase the budget over two years.")
    tab.get_by_role("button", name="Return for changes").click()
    expect(tab.locator("#project-state")).to_have_text("Returned")
    expect(tab.locator("#history")).to_contain_text("Phase the budget over two years.")


def test_a_form_sent_after_the_session_ended_is_sent_after_signing_in_again(tab):
    member = make_user("member")
    browser_sign_in(tab, member)
    tab.goto("/helpdesk/new")
    tab.get_by_label("Subject").fill("Where is the lessons template?")
    tab.get_by_label("Your question").fill("I looked in the knowledge base twice.")
    tab.wait_for_timeout(600)  # the suggestions for the subject have come back
    tab.wait_for_load_state("networkidle")
    tab.context.clear_cookies()  # the session ends while the person types
    tab.get_by_role("button", name="Send question").click()
    expect(tab.get_by_role("heading", name="Your session ended before this was sent")).to_be_visible()
    tab.get_by_label("E-mail").fill(member.email)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in and send").click()
    tab.wait_for_url(re.compile(r"/helpdesk/\d+$"))
    expect(tab.get_by_text("I looked in the knowledge base twice.")).to_be_visible()


def test_an_htmx_comment_after_the_session_ended_comes_back_after_signing_in(tab):
    member = make_user("member")
    project = make_project(members=[member])
    browser_sign_in(tab, member)
    tab.goto(f"/projects/{project.code}/discussion/")
    tab.wait_for_load_state()
    box = tab.locator("form.comment-form textarea")
    box.fill("The vendor confirmed the new date.")
    tab.wait_for_timeout(800)  # the live preview has come back
    tab.wait_for_load_state("networkidle")
    tab.context.clear_cookies()
    tab.get_by_role("button", name="Comment").click()
    tab.wait_for_url(re.compile(r"/login\?next="))
    tab.get_by_label("E-mail").fill(member.email)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url(re.compile(r"/discussion/"))
    expect(tab.locator("#draft-restored")).to_be_visible()
    expect(tab.locator("form.comment-form textarea")).to_have_value("The vendor confirmed the new date.")


def test_knowledge_search_finds_half_typed_words_without_flooding_history(tab):
    browser_sign_in(tab, make_user("member"))
    tab.goto("/kb/")
    before = tab.evaluate("history.length")
    box = tab.get_by_label("Search the knowledge base")
    box.press_sequentially("scori", delay=120)
    expect(tab.locator("#kb-results")).to_contain_text("Risk management")
    expect(tab.locator("#kb-results mark").first).to_be_visible()
    expect(tab).to_have_url(re.compile(r"q=scori"))
    assert tab.evaluate("history.length") == before


def test_slash_focuses_the_search_box_and_results_come_as_you_type(tab):
    member = make_user("member")
    make_project(name="Quokka migration", members=[member])
    make_project(name="Quokka secret")
    browser_sign_in(tab, member)
    tab.goto("/")
    tab.keyboard.press("/")
    expect(tab.locator("#global-search")).to_be_focused()
    tab.keyboard.type("quokka", delay=60)
    results = tab.locator("#global-search-results")
    expect(results).to_contain_text("Quokka migration")
    expect(results).not_to_contain_text("Quokka secret")
    tab.keyboard.press("Enter")  # the page of its own
    tab.wait_for_url(re.compile(r"/search/\?q=quokka"))
    expect(tab.locator("#search-results")).to_contain_text("Quokka migration")


def test_a_saved_view_brings_back_the_filters_and_can_be_deleted(tab):
    manager = make_user("manager")
    make_project(name="Active one", manager=manager)
    make_project(name="Paused one", manager=manager, state="on_hold")
    browser_sign_in(tab, manager)
    tab.goto("/projects/")
    tab.get_by_label("State").select_option("on_hold")
    expect(tab).to_have_url(re.compile(r"state=on_hold"))
    tab.locator(".saved-views summary").click()
    tab.get_by_placeholder("View name").fill("Paused")
    tab.get_by_role("button", name="Save view").click()
    expect(tab.locator(".flash-success")).to_contain_text("Saved the view")
    tab.goto("/projects/")
    tab.locator(".saved-views summary").click()
    tab.get_by_role("link", name="Paused").click()
    expect(tab).to_have_url(re.compile(r"state=on_hold"))
    expect(tab.locator("#projects-table")).to_contain_text("Paused one")
    expect(tab.locator("#projects-table")).not_to_contain_text("Active one")
    tab.once("dialog", lambda dialog: dialog.accept())
    tab.locator(".saved-views summary").click()
    tab.get_by_role("button", name="Delete the view Paused").click()
    expect(tab.locator(".flash-success")).to_contain_text("Deleted the view")


def test_mentions_are_picked_with_the_keyboard_and_unknown_ones_pointed_out(tab):
    author = make_user("member", name="Ada Byron")
    project = make_project(members=[author, make_user("member", name="Mei Lin"),
                                    make_user("member", name="Mark Twain")])
    browser_sign_in(tab, author)
    tab.goto(f"/projects/{project.code}/discussion/")
    tab.wait_for_load_state()
    box = tab.locator("form.comment-form textarea")
    box.click()
    box.press_sequentially("Ask @M", delay=80)
    options = tab.locator(".mention-list [data-mention]")
    expect(options).to_have_count(3)  # the manager too
    box.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("data-selected", "true")
    box.press("Enter")
    expect(box).to_have_value(re.compile(r"^Ask @(Mei Lin|Mark Twain) $"))
    box.press_sequentially("and @xyz", delay=60)
    expect(tab.locator(".mention-check")).to_contain_text("@xyz matches nobody on this project")
