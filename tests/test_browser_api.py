"""A person makes an API token in the browser, a script reads projects with it, the person revokes it in the
browser, and the script's next call is refused."""
import pytest
import requests
from playwright.sync_api import expect

from tests.conftest import browser_sign_in
from tests.factories import make_project, make_user

pytestmark = pytest.mark.browser


def test_token_made_and_revoked_in_the_browser_governs_a_script(page, live_server):
    manager = make_user("manager", name="Marco Rossi")
    project = make_project(manager=manager, name="Warehouse robots")
    browser_sign_in(page, manager)

    page.locator("summary", has_text="Marco Rossi").click()  # the account menu
    page.get_by_role("link", name="API tokens and calendar").click()
    expect(page.get_by_role("heading", name="API tokens")).to_be_visible()
    expect(page.get_by_text("You have no tokens yet.")).to_be_visible()
    page.get_by_label("Name").fill("Weekly workbook")
    page.get_by_label("Valid for").select_option("30")
    page.get_by_role("button", name="Create token").click()
    secret = page.locator("#new-token-value").input_value()
    assert secret.startswith("pmo_")

    # The script: what an Excel or Power BI refresh does.
    headers = {"Authorization": f"Bearer {secret}"}
    answer = requests.get(f"{live_server}/api/v1/projects", headers=headers, timeout=30)
    assert answer.status_code == 200
    assert [p["code"] for p in answer.json()["data"]] == [project.code]

    page.goto("/account/tokens")
    row = page.locator("tr", has_text="Weekly workbook")
    expect(row).to_contain_text(secret[:12])
    expect(row).to_contain_text("127.0.0.1")  # where it was last used
    expect(page.locator("body")).not_to_contain_text(secret)
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("Token “Weekly workbook” revoked.")).to_be_visible()
    expect(page.locator("tr", has_text="Weekly workbook")).to_contain_text("Revoked")

    refused = requests.get(f"{live_server}/api/v1/projects", headers=headers, timeout=30)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"
