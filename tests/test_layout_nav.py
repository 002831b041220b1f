"""The main navigation: each role sees the links it may open, the PMO menu only for PMO staff, the current section marked."""
import re

import pytest

from tests.conftest import sign_in
from tests.factories import make_user


def bar(page: str) -> list[str]:
    """The labels of the bar's links and of the PMO menu, in order."""
    nav = page[page.index('<ul class="site-nav">'):page.index("</nav>")]
    return re.findall(r'<li><a href="[^"]+"[^>]*>([^<]+)</a></li>', nav)


@pytest.mark.parametrize("role, shown, hidden", [
    ("member", ["Knowledge", "Projects", "Dashboard"], ["Resources", "Webhooks", "Admin", "Intake"]),
    ("executive", ["Knowledge", "Intake"], ["Resources", "Webhooks", "Admin"]),
    ("pmo", ["Knowledge", "Intake", "Resources", "Webhooks", "Import"], ["Admin"]),
    ("admin", ["Knowledge", "Resources", "Admin"], []),
])
def test_each_role_sees_the_links_it_may_open(client, role, shown, hidden):
    sign_in(client, make_user(role))
    labels = bar(client.get("/kb/").get_data(as_text=True))
    assert all(label in labels for label in shown) and not any(label in labels for label in hidden)
    # The same links on every page, however many times the bar was built before.
    assert bar(client.get("/projects/").get_data(as_text=True)) == labels


def test_the_bar_follows_the_user_who_asks(client):
    member, pmo = make_user("member"), make_user("pmo")
    sign_in(client, pmo)
    assert "Resources" in bar(client.get("/kb/").get_data(as_text=True))
    sign_in(client, member)
    assert "Resources" not in bar(client.get("/kb/").get_data(as_text=True))


def test_the_current_section_and_menu_are_marked(client):
    sign_in(client, make_user("pmo"))
    page = client.get("/projects/").get_data(as_text=True)
    assert '<a href="/projects/" aria-current="page">Projects</a>' in page
    assert '<summary >PMO</summary>' in page
    page = client.get("/resources/").get_data(as_text=True)
    assert '<summary aria-current="page">PMO</summary>' in page
    assert '<a href="/projects/" >Projects</a>' in page
