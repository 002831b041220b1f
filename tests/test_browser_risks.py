"""The risk log in a real browser: add a risk inline, move it on the heat map, convert it to an issue."""
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_sign_in
from tests.factories import make_project, make_user

pytestmark = pytest.mark.browser


def test_add_move_and_convert_a_risk(page):
    member = make_user("member", name="Mei Lin")
    project = make_project(members=[member], name="Warehouse robots")
    browser_sign_in(page, member)
    page.goto(f"/projects/{project.code}")
    page.locator(".subnav").get_by_role("link", name="Risks").click()
    expect(page.get_by_role("heading", name="Risk log")).to_be_visible()

    page.locator("#add-title").fill("Robot vendor may go bust")
    page.locator("#add-probability").select_option("3")
    page.locator("#add-impact").select_option("4")
    page.locator("#add-owner").select_option(label="Mei Lin")
    page.get_by_role("button", name="Add risk").click()
    row = page.locator("tr", has_text="Robot vendor may go bust")
    expect(row).to_contain_text("12")
    expect(page.locator('[data-cell="3-4"]')).to_have_text("1")

    row.get_by_role("button", name="Edit").click()
    page.get_by_label(re.compile(r"^Probability of R-")).select_option("5")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("tr", has_text="Robot vendor may go bust")).to_contain_text("20")
    expect(page.locator('[data-cell="5-4"]')).to_have_text("1")
    expect(page.locator('[data-cell="3-4"]')).to_have_text("")

    page.locator('[data-cell="5-4"] a').click()
    expect(page).to_have_url(re.compile(r"p=5&i=4"))
    page.locator("tr", has_text="Robot vendor may go bust").get_by_role("link", name=re.compile(r"^R-\d+")).click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="It occurred: convert to issue").click()
    expect(page.locator(".flash-success")).to_contain_text("is now issue")
    expect(page.locator("#linked-risk")).to_contain_text("Robot vendor may go bust")
    expect(page.locator("#issue-status")).to_have_text("Open")
    page.locator("#linked-risk a").click()
    expect(page.locator("#risk-status")).to_have_text("Occurred")


def test_a_rows_status_and_review_controls_replace_only_that_row(page):
    """The row's controls take their target from the table: each answer replaces its own row, nothing else."""
    from portal.risks.models import Risk
    from tests.risk_helpers import make_risk
    member = make_user("member", name="Mei Lin")
    project = make_project(members=[member], name="Warehouse robots")
    risk = make_risk(project, owner=member, title="Crane certificate lapses", review_date=None)
    make_risk(project, owner=member, title="Forklift lease ends early")
    browser_sign_in(page, member)
    page.goto(f"/projects/{project.code}/risks/")
    row = page.locator(f"#risk-{risk.id}")
    with page.expect_response(lambda r: r.url.endswith(f"/risks/{risk.id}/status?row=1")) as answer:
        row.get_by_label(f"Status of R-{risk.id}").select_option("monitoring")
    assert answer.value.status == 200
    expect(page.locator(f"#risk-{risk.id}")).to_have_count(1)
    expect(page.locator("tr tr")).to_have_count(0)
    expect(page.locator("tr", has_text="Forklift lease ends early")).to_have_count(1)
    with page.expect_response(lambda r: r.url.endswith(f"/risks/{risk.id}/review?row=1")) as answer:
        row.get_by_role("button", name="Reviewed today").click()
    assert answer.value.status == 200
    saved = Risk.get_by_id(risk.id)
    assert saved.status == "monitoring" and saved.review_date is not None
    expect(page.locator(f"#risk-{risk.id}")).to_contain_text(saved.review_date.isoformat())
    expect(page.locator("tr tr")).to_have_count(0)
    page.reload()
    expect(page.get_by_label(f"Status of R-{risk.id}")).to_have_value("monitoring")
