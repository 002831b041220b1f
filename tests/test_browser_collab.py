"""Collaboration in a real browser: a second version, a mention, its notification, closing with lessons, the search."""
import pytest
from playwright.sync_api import expect

from tests.conftest import browser_sign_in
from tests.factories import make_project, make_user

pytestmark = pytest.mark.browser


def test_version_mention_notification_close_and_find_the_lesson(app, page, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    manager = make_user("manager", name="Marco Rossi")
    teammate = make_user("member", name="Mei Lin")
    project = make_project(manager=manager, members=[teammate], name="Warehouse robots")
    browser_sign_in(page, manager)

    page.goto(f"/projects/{project.code}")
    page.locator(".subnav").get_by_role("link", name="Documents").click()
    for text, note in ((b"robots: 4", ""), (b"robots: 6", "Two more robots")):
        page.get_by_label("File").set_input_files({"name": "plan.txt", "mimeType": "text/plain", "buffer": text})
        page.get_by_label("What changed").fill(note)
        page.get_by_role("button", name="Upload", exact=True).click()
        page.wait_for_url("**/documents/*")
        page.goto(f"/projects/{project.code}/documents/")
    page.get_by_role("link", name="plan.txt").click()
    expect(page.locator("#versions")).to_contain_text("v2")
    expect(page.locator("#versions")).to_contain_text("Two more robots")
    expect(page.locator("#versions tbody tr")).to_have_count(2)

    page.goto(f"/projects/{project.code}/discussion/")
    box = page.get_by_label("Comment")
    box.fill("Please review the plan ")
    box.press_sequentially("@Me")
    page.get_by_role("button", name="@Mei Lin").click()
    expect(box).to_have_value("Please review the plan @Mei Lin ")
    page.get_by_role("button", name="Comment", exact=True).click()
    expect(page.locator(".comment")).to_contain_text("Please review the plan @Mei Lin")

    browser_sign_in(page, teammate)
    page.goto("/notifications/")
    expect(page.locator(".notifications")).to_contain_text("Marco Rossi mentioned you on")

    browser_sign_in(page, manager)
    # A recorded benefit first: without one, closing waits for the PMO's sign-off.
    page.goto(f"/projects/{project.code}/lessons/")
    page.locator("summary", has_text="Add a benefit").click()
    page.get_by_role("textbox", name="Benefit", exact=True).fill("Picking twice as fast")
    page.get_by_role("textbox", name="Target", exact=True).fill("2x")
    page.get_by_role("button", name="Add benefit").click()
    expect(page.locator("#benefits")).to_contain_text("Picking twice as fast")
    page.goto(f"/projects/{project.code}")
    page.get_by_role("button", name="Close with lessons learned").click()
    page.get_by_label("Closing note").fill("Robots live in both warehouses")
    page.get_by_label("Category").select_option("suppliers")
    page.get_by_label("What to improve").fill("Order spare batteries with the robots")
    page.get_by_role("button", name="Close the project").click()
    expect(page.locator("#lessons")).to_contain_text("Order spare batteries with the robots")

    page.get_by_role("link", name="Lessons", exact=True).click()
    page.wait_for_url("**/lessons/")
    page.wait_for_load_state()  # live search is wired by htmx once the page has loaded
    page.get_by_label("Search lessons").fill("batteries")
    expect(page.locator("#lesson-results")).to_contain_text("Warehouse robots")
    expect(page.locator("#lesson-results")).to_contain_text("1 lesson")
