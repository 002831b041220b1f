"""One page argument, one page object, one pager: bounded numbers, right figures, links that keep the filters."""
import re

import pytest

from portal.auth.models import User
from portal.pagination import MAX_PAGE, Page, paginate, parse_page
from tests.factories import make_project, make_user
from tests.risk_helpers import make_risk


@pytest.mark.parametrize("raw,expected", [
    (None, 1), ("", 1), ("abc", 1), ("0", 1), ("-4", 1), ("1.5", 1), ("1e3", 1), ("1_000", 1), ("²", 1),
    ("٣", 1), ("0x10", 1), (" 7 ", 7), ("3", 3), ("007", 7), (str(MAX_PAGE), MAX_PAGE),
    (str(MAX_PAGE + 1), MAX_PAGE), ("99999999999999999999", MAX_PAGE), ("9" * 5000, MAX_PAGE),
])
def test_page_argument_is_a_bounded_positive_number(raw, expected):
    assert parse_page(raw) == expected


def test_page_figures_from_a_counted_list():
    first = paginate(list(range(120)), 1, 50)
    assert (first.rows, first.total, first.pages) == (list(range(50)), 120, 3)
    assert first.has_next and not first.has_prev
    last = paginate(list(range(120)), 3, 50)
    assert last.rows == list(range(100, 120)) and last.has_prev and not last.has_next
    beyond = paginate(list(range(120)), 9, 50)
    assert beyond.rows == [] and beyond.has_prev and not beyond.has_next
    empty = paginate([], 1)
    assert (empty.total, empty.pages, empty.has_next, empty.has_prev) == (0, 1, False, False)


def test_uncounted_pages_know_only_whether_another_follows():
    exactly_full = paginate(list(range(50)), 1, 50, count=False)
    assert exactly_full.total is None and exactly_full.pages is None and not exactly_full.has_next
    more = paginate(list(range(51)), 1, 50, count=False)
    assert len(more) == 50 and more.has_next


def test_a_query_is_counted_and_cut_in_the_database(app):
    for i in range(7):
        make_user("member", name=f"Paged {i}")
    query = User.select().where(User.name.startswith("Paged ")).order_by(User.name)
    page = paginate(query, 2, 3)
    assert [u.name for u in page] == ["Paged 3", "Paged 4", "Paged 5"]
    assert (page.total, page.pages, page.has_next) == (7, 3, True)
    uncounted = paginate(query, 3, 3, count=False)
    assert [u.name for u in uncounted] == ["Paged 6"] and not uncounted.has_next and uncounted.total is None
    huge = paginate(query, 10**12, 3)  # clamped before it reaches OFFSET
    assert huge.page == MAX_PAGE and huge.rows == []


def _links(html):
    return {rel: href.replace("&amp;", "&") for href, rel in re.findall(r'<a href="([^"]+)"[^>]*rel="(prev|next)"', html)}


def test_pager_links_keep_the_filters_on_a_full_page_and_a_fragment(client, hx, login):
    admin = login("admin")
    for i in range(120):
        make_user("member", name=f"Member {i:03d}")
    html = client.get("/admin/users?role=member&q=Member&page=2").get_data(as_text=True)
    assert "Page 2 of 3" in html
    links = _links(html)
    assert "role=member" in links["prev"] and "q=Member" in links["prev"] and "page=1" in links["prev"]
    assert "role=member" in links["next"] and "page=3" in links["next"]
    fragment = hx.get("/admin/users?role=member&q=Member&page=2").get_data(as_text=True)
    assert "<html" not in fragment
    assert 'hx-target="#users-table"' in fragment and 'hx-push-url="true"' in fragment
    assert _links(fragment) == links
    assert admin.name not in fragment  # the filter applied, not only carried


def test_pager_under_a_project_keeps_its_reference(client, login):
    user = login("pmo")
    project = make_project(manager=user)
    from portal.risks.views import PER_PAGE
    for i in range(PER_PAGE + 5):
        make_risk(project, title=f"Risk {i}")
    html = client.get(f"/projects/{project.code}/risks/?status=open").get_data(as_text=True)
    assert "Page 1 of 2" in html
    assert _links(html)["next"].startswith(f"/projects/{project.code}/risks/?")


@pytest.mark.parametrize("url", ["/admin/users", "/projects/", "/dashboard/", "/resources/", "/helpdesk/",
                                 "/notifications/", "/kb/reports/training", "/admin/audit", "/risks/", "/lessons/"])
def test_junk_page_arguments_never_fail(client, login, url):
    login("admin")
    for value in ("abc", "-4", "0", "99999999999999999999", "%E2%91%A0", "1e9", "2%2C3"):
        response = client.get(f"{url}?page={value}")
        assert response.status_code == 200, (url, value, response.status_code)


def test_uncounted_pager_shows_newer_and_older(client, login):
    user = login("member")
    from portal.notify.models import Notification
    for i in range(51):
        Notification.create(user=user, text=f"Notice {i}", url="/")
    html = client.get("/notifications/").get_data(as_text=True)
    assert "Older →" in html and "← Newer" not in html and "Page 1</span>" in html
    second = client.get("/notifications/?page=2").get_data(as_text=True)
    assert "← Newer" in second and "Older →" not in second


def test_page_object_is_iterable_like_its_rows():
    page = Page(["a", "b"], 1)
    assert list(page) == ["a", "b"] and len(page) == 2 and bool(Page([], 1)) is False
