"""The intake flow in a real browser: draft, submit, return, fix, resubmit, two approvals, activate."""
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_sign_in
from tests.factories import make_user

pytestmark = pytest.mark.browser


def _as(page, user):
    browser_sign_in(page, user)


def test_request_goes_from_draft_to_active_project(page):
    manager = make_user("manager", name="Marco Rossi")
    pmo = make_user("pmo", name="Priya Patel")
    executive = make_user("executive", name="Eva Schmidt")

    _as(page, manager)
    page.goto("/projects/")
    page.get_by_role("button", name="Request a project").click()
    page.wait_for_url("**/projects/new")
    page.wait_for_load_state()  # the rules panel is wired by htmx once the page has loaded
    page.locator("#name").fill("Warehouse robots")
    page.get_by_label("Category").select_option("Process improvement")
    page.get_by_label("Budget").fill("400000")
    # The rules panel follows what is typed: a large budget needs a second approval.
    expect(page.locator("#rules-panel")).to_contain_text("needs executive approval as well as PMO review")
    expect(page.locator("#rules-panel")).to_contain_text("Summary is required before submitting.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("saved as a draft")).to_be_visible()

    page.get_by_role("button", name="Edit and submit").click()
    page.get_by_label("Summary").fill("Automate picking in the north warehouse.")
    page.get_by_label("Start date").fill("2026-03-01")
    page.get_by_label("End date").fill("2026-12-31")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".flash-success")).to_contain_text("submitted for review")
    code = re.search(r"PRJ-\d{4}-\d{3}", page.url).group(0)

    _as(page, pmo)
    page.goto("/intake/")
    page.get_by_role("link", name=code).click()
    page.get_by_label("Comment (required to reject or return)").fill("Add the rollout plan per site.")
    page.get_by_role("button", name="Return for changes").click()
    expect(page.locator("#project-state")).to_have_text("Returned")

    _as(page, manager)
    page.goto(f"/projects/{code}")
    expect(page.locator("#return-reason").get_by_text("Add the rollout plan per site.")).to_be_visible()
    page.get_by_role("button", name="Edit and submit").click()
    page.get_by_label("Known risks").fill("Rollout: north site first, then south.")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator("#project-state")).to_have_text("Submitted")

    _as(page, pmo)
    page.goto(f"/projects/{code}")
    page.get_by_role("button", name="Approve (pmo)").click()
    expect(page.locator("#approvals-needed")).to_have_text("executive")

    _as(page, executive)
    page.goto(f"/projects/{code}")
    page.get_by_role("button", name="Approve (executive)").click()
    expect(page.locator("#project-state")).to_have_text("Approved")

    _as(page, manager)
    page.goto(f"/projects/{code}")
    page.get_by_role("button", name="Activate").click()
    expect(page.locator("#project-state")).to_have_text("Active")
    page.goto("/projects/")
    page.get_by_label("State").select_option("active")
    expect(page).to_have_url(re.compile(r"state=active"))
    row = page.locator("#projects-table tr", has_text="Warehouse robots")
    expect(row).to_contain_text("Active")
    expect(page.locator(".bell")).to_be_visible()
