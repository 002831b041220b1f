"""Status reporting in a real browser: a manager reports from the pre-filled form; an executive uses the dashboard."""
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_sign_in
from tests.factories import make_project, make_user
from tests.status_helpers import due_now, earlier, make_report

pytestmark = pytest.mark.browser


def test_manager_reports_and_executive_finds_it_on_the_dashboard(page):
    manager = make_user("manager", name="Marco Rossi")
    executive = make_user("executive", name="Eva Schmidt")
    project = make_project(manager=manager, name="Warehouse robots", reporting_cadence="weekly")
    calm = make_project(name="Calm project", reporting_cadence="weekly")
    make_report(project, earlier(project, due_now(project)), rag="green", percent=35,
                accomplishments="Robots ordered.")
    make_report(calm, due_now(calm), rag="green", percent=80)

    browser_sign_in(page, manager)
    page.goto(f"/projects/{project.code}/status/")
    page.get_by_role("button", name="Write this period's report").click()
    expect(page.get_by_label("Percent complete")).to_have_value("35")  # pre-filled from last time
    expect(page.get_by_label("Accomplishments")).to_have_value("Robots ordered.")
    hint = page.locator(".field", has=page.locator("#rag_overall")).locator(".was")
    expect(hint).to_be_hidden()
    page.locator("#rag_overall").select_option("red")
    expect(hint).to_have_text("Previous: Green")  # shown beside the changed field
    page.get_by_label("Percent complete").fill("40")
    page.get_by_role("button", name="Submit report").click()
    expect(page.locator("#reason_overall-error")).to_have_text("Say why it is red.")
    page.locator("#reason_overall").fill("The robot vendor slipped a month.")
    page.get_by_role("button", name="Submit report").click()
    expect(page.locator(".flash-success")).to_contain_text("submitted")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Status report: period ending")

    browser_sign_in(page, executive)
    page.goto("/dashboard/")
    expect(page.locator("#portfolio")).to_contain_text("2 active projects")
    page.get_by_label("RAG", exact=True).select_option("red")
    expect(page.locator("#portfolio")).to_contain_text("1 active project")
    expect(page).to_have_url(re.compile(r"rag=red"))
    # The RAG mix chart arrives after the table, and again after the filtered table is swapped in.
    expect(page.get_by_role("img", name="Portfolio RAG mix, last 12 months")).to_be_visible()
    expect(page.locator("#portfolio-table")).not_to_contain_text("Calm project")
    page.get_by_role("button", name=f"Show the latest report of {project.code}").click()
    expect(page.locator(f"#x-{project.code}")).to_contain_text("The robot vendor slipped a month.")
    with page.expect_download() as download:
        page.locator("#csv-link").click()
    text = open(download.value.path(), encoding="utf-8").read()
    assert project.code in text and calm.code not in text and ",red," in text
