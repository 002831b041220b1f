"""Resources in a real browser: the PMO opens the grid, finds the conflict and opens the bookings behind it."""
import datetime as dt

import pytest
from playwright.sync_api import expect

from portal.db import utcnow
from tests.conftest import browser_sign_in
from tests.factories import make_project, make_user
from tests.resource_helpers import book

pytestmark = pytest.mark.browser


def test_pmo_finds_the_conflict_and_the_bookings_behind_it(page):
    pmo = make_user("pmo", name="Priya Patel")
    dana = make_user("member", name="Dana Busy")
    alpha, beta = make_project(name="Warehouse robots"), make_project(name="Portal relaunch")
    monday = utcnow().date() - dt.timedelta(days=utcnow().date().weekday())
    book(dana, alpha, monday + dt.timedelta(days=14), monday + dt.timedelta(days=60), 70)
    book(dana, beta, monday + dt.timedelta(days=16), monday + dt.timedelta(days=18), 50)

    browser_sign_in(page, pmo)
    page.get_by_role("link", name="Resources").first.click()
    row = page.locator(f'tr[data-person="{dana.id}"]')
    over = row.locator("td.over")
    expect(over).to_have_count(1)
    expect(over).to_have_text("120%")
    over.get_by_role("link").click()
    bookings = page.locator("#cell-bookings")
    expect(bookings).to_contain_text("Dana Busy")
    expect(bookings).to_contain_text(alpha.code)
    expect(bookings).to_contain_text(beta.code)
    expect(page.locator("#load-grid")).to_be_visible()  # swapped in place, the grid stays

    page.get_by_role("link", name="Conflicts").click()
    expect(page.locator("#conflicts")).to_contain_text("Dana Busy")
    expect(page.locator("#conflicts")).to_contain_text("20%")
