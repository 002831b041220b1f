"""The foundation in a real browser: sign in, navigate, flash, htmx with CSRF, sign out."""
import re

import pytest
from playwright.sync_api import expect

from portal.auth.models import User
from tests.conftest import browser_sign_in
from tests.factories import make_user

pytestmark = pytest.mark.browser


def test_sign_in_navigate_and_sign_out(page):
    user = make_user("admin", name="Ada Admin")
    browser_sign_in(page, user)
    expect(page.get_by_text("Welcome, Ada Admin.")).to_be_visible()
    expect(page.get_by_role("heading", name="Good to see you, Ada")).to_be_visible()
    page.get_by_role("navigation").get_by_role("link", name="Admin").click()
    expect(page).to_have_url(re.compile(r"/admin/users$"))
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    page.get_by_text("Ada Admin", exact=True).first.click()  # the account menu
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    page.goto("/admin/users")
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_wrong_password_shows_a_message_next_to_the_form(page):
    user = make_user()
    page.goto("/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("do not match an active account")


def test_live_filter_on_users_uses_htmx_and_keeps_the_url(page):
    admin = make_user("admin", name="Ada Admin")
    make_user("pmo", name="Pia Planner")
    make_user("member", name="Max Member")
    browser_sign_in(page, admin)
    page.goto("/admin/users")
    page.get_by_role("searchbox", name="Search users").fill("Pia")
    expect(page.locator("#users-table")).to_contain_text("Pia Planner")
    expect(page.locator("#users-table")).not_to_contain_text("Max Member")
    expect(page).to_have_url(re.compile(r"q=Pia"))


def test_admin_deactivates_a_user_after_confirming(page):
    admin = make_user("admin", name="Ada Admin")
    target = make_user("member", name="Max Member")
    browser_sign_in(page, admin)
    page.goto(f"/admin/users/{target.id}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Deactivate account").click()
    expect(page.get_by_text("is deactivated")).to_be_visible()
    assert User.get_by_id(target.id).active is False
