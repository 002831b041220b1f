"""Saved views: a person names the current filters of a list page, shares it (PMO) and deletes their own."""
import pytest

from portal.errors import InvalidInput, NotFound
from portal.savedviews.models import SavedView
from portal.savedviews.services import delete_view, save_view, views_for
from tests.factories import make_project, make_user


def test_a_view_keeps_the_query_string_without_the_page_number(app):
    manager = make_user("manager")
    view = save_view(manager, "projects", "My red ones", "?state=active&department=IT&page=3&sort=budget")
    assert view.query == "state=active&department=IT&sort=budget"
    again = save_view(manager, "projects", "My red ones", "state=on_hold")  # same name replaces
    assert again.id == view.id and SavedView.get_by_id(view.id).query == "state=on_hold"


@pytest.mark.parametrize("page,name,shared,field", [("nowhere", "x", False, "page"), ("projects", " ", False, "name"),
                                                   ("projects", "x" * 81, False, "name"),
                                                   ("projects", "All", True, "shared")])
def test_bad_views_are_refused_with_the_reason(app, page, name, shared, field):
    with pytest.raises(InvalidInput) as caught:
        save_view(make_user("manager"), page, name, "state=active", shared)
    assert field in caught.value.errors


def test_shared_views_reach_everyone_private_ones_only_their_owner(app):
    pmo, manager, other = make_user("pmo"), make_user("manager"), make_user("member")
    save_view(pmo, "risks", "Escalated", "escalated=1", shared=True)
    save_view(manager, "risks", "Mine", "owner=5")
    assert [v.name for v in views_for(manager, "risks")] == ["Mine", "Escalated"]
    assert [v.name for v in views_for(other, "risks")] == ["Escalated"]
    assert views_for(other, "projects") == []


def test_only_the_owner_deletes_a_view(app):
    pmo, manager = make_user("pmo"), make_user("manager")
    shared = save_view(pmo, "helpdesk", "Breaching", "view=breaching", shared=True)
    with pytest.raises(NotFound):
        delete_view(manager, shared.id)
    delete_view(pmo, shared.id)
    assert SavedView.select().count() == 0


def test_the_menu_saves_lists_and_deletes_through_the_pages(client, login):
    make_project(name="Payroll", department="HR")
    user = login("manager")
    page = client.get("/projects/?department=HR&sort=budget").get_data(as_text=True)
    assert "Saved views" in page and 'value="department=HR&amp;sort=budget"' in page
    assert "Share with everyone" not in page  # managers keep views to themselves
    saved = client.post("/views/", data={"page": "projects", "name": "HR by budget", "back": "/projects/",
                                         "query": "department=HR&sort=budget"})
    assert saved.status_code == 303 and saved.headers["Location"].endswith("/projects/?department=HR&sort=budget")
    page = client.get("/projects/").get_data(as_text=True)
    assert 'href="/projects/?department=HR&amp;sort=budget">HR by budget</a>' in page
    view = SavedView.get(SavedView.owner == user.id)
    refused = client.post("/views/", data={"page": "projects", "name": "", "back": "//evil.example/x", "query": ""})
    assert refused.status_code == 303 and refused.headers["Location"] == "/"
    other = make_user("manager")
    from tests.conftest import sign_in
    sign_in(client, other)
    assert client.post(f"/views/{view.id}/delete", data={"back": "/projects/"}).status_code == 404
    sign_in(client, user)
    assert client.post(f"/views/{view.id}/delete", data={"back": "/projects/"}).status_code == 303
    assert SavedView.select().count() == 0


@pytest.mark.parametrize("url", ["/dashboard/", "/risks/", "/helpdesk/"])
def test_each_list_page_offers_its_menu(client, login, url):
    login("pmo")
    page = client.get(url).get_data(as_text=True)
    assert "Save the current filters as" in page and "Share with everyone" in page
