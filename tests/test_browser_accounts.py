"""In a real browser: "Forgot password?" to the e-mailed link to a new password to signing in; local sign-in."""
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_sign_in
from tests.factories import make_user
from tests.mail_sink import link_in, smtp_sink, wait_for_mail

pytestmark = pytest.mark.browser
NEW_PASSWORD = "my new office passphrase"


@pytest.fixture
def smtp(app):
    with smtp_sink(app) as inbox:
        yield inbox


def test_forgot_password_mail_new_password_sign_in(page, smtp):
    user = make_user(name="Fiona Forgetful")
    page.goto("/login")
    page.get_by_role("link", name="Forgot password?").click()
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("status")).to_contain_text("If a portal account uses that address")
    (_, mail), = wait_for_mail(smtp)
    path = link_in(mail)
    page.goto(path)
    expect(page.get_by_role("heading", name="Choose your password")).to_be_visible()
    page.get_by_label(re.compile(r"^New password")).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_text("Your password is set.")).to_be_visible()
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Welcome, Fiona Forgetful.")).to_be_visible()
    # The link worked once.
    page.goto(path)
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()


def test_local_sign_in_still_works_and_remembers_the_device(page):
    user = make_user(name="Lola Local")
    browser_sign_in(page, user)
    expect(page.get_by_text("Welcome, Lola Local.")).to_be_visible()
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["portal_device"]["httpOnly"] is True
