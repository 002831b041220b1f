"""The knowledge base in a real browser: search as you type, read, acknowledge, train, edit, history."""
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_sign_in
from tests.factories import make_user

pytestmark = pytest.mark.browser


def test_manager_finds_reads_acknowledges_and_trains(page, app):
    manager = make_user("manager", name="Marco Manager")
    browser_sign_in(page, manager)
    page.goto("/kb/")
    expect(page.get_by_text("Standards awaiting your acknowledgement")).to_be_visible()
    page.get_by_role("searchbox", name="Search the knowledge base").press_sequentially("RAG", delay=50)
    results = page.locator("#kb-results")
    expect(results.get_by_role("link", name="Status reporting")).to_be_visible()
    expect(results.locator("mark").first).to_have_text(re.compile("RAG", re.I))
    expect(page).to_have_url(re.compile(r"/kb/search\?q=RAG"))
    results.get_by_role("link", name="Status reporting").click()
    expect(page.get_by_role("heading", name="RAG definitions")).to_be_visible()
    page.get_by_role("button", name="I have read and understood version 3").click()
    expect(page.get_by_text("You acknowledged version 3 of this standard.")).to_be_visible()

    page.goto("/kb/training/01-basics")
    page.get_by_label("Sponsor").check()
    page.get_by_role("button", name="Mark module complete").click()
    expect(page.get_by_text("You completed this module.")).to_be_visible()
    page.goto("/kb/")
    expect(page.get_by_text("1 of 2 modules complete")).to_be_visible()
    awaiting = page.locator("article", has_text="Standards awaiting your acknowledgement")
    expect(awaiting).to_contain_text("Risk management")
    expect(awaiting).not_to_contain_text("Status reporting")


def test_pmo_edits_with_live_preview_and_sees_the_revision(page, app):
    editor = make_user("pmo", name="Pia PMO")
    browser_sign_in(page, editor)
    page.goto("/kb/standards/status-reporting")
    page.get_by_role("link", name="Edit", exact=True).click()
    page.wait_for_url("**/edit")
    page.wait_for_load_state()  # the live preview is wired by htmx once the page has loaded
    text = page.get_by_label("Markdown (front matter and body)")
    text.press("End")
    text.press("Control+End")
    text.type("\n\n## Exceptions to reporting\n")
    expect(page.locator("#kb-preview").get_by_role("heading", name="Exceptions to reporting")).to_be_visible()
    page.get_by_label("What changed").fill("Add exceptions section")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved revision 2.")).to_be_visible()
    expect(page.get_by_role("heading", name="Exceptions to reporting")).to_be_visible()
    page.get_by_role("link", name="History").click()
    expect(page.get_by_role("cell", name="Add exceptions section")).to_be_visible()
    page.get_by_role("button", name="Compare selected").click()
    expect(page.locator(".kb-diff-add", has_text="## Exceptions to reporting")).to_be_visible()
