"""Resources: load arithmetic across week boundaries, the grid, bookings behind a cell, booking
conflicts, permissions and the once-only over-allocation notice."""
import datetime as dt

import pytest

from portal.notify.models import Notification
from portal.resources.load import buckets, load_class, peak
from portal.resources.models import Allocation
from portal.resources.reminders import conflict_reminders
from tests.factories import make_project, make_user
from tests.resource_helpers import book

D = dt.date.fromisoformat
MON = D("2026-03-02")  # a Monday


# --- load arithmetic (no database) --------------------------------------------------

def test_bookings_that_meet_mid_week_do_not_conflict():
    bookings = [(D("2026-03-02"), D("2026-03-04"), 60), (D("2026-03-05"), D("2026-03-13"), 60)]
    assert peak(bookings, MON, MON + dt.timedelta(6)) == 60


def test_bookings_overlapping_on_one_day_conflict_in_that_week_only():
    bookings = [(D("2026-03-02"), D("2026-03-04"), 60), (D("2026-03-04"), D("2026-03-10"), 50)]
    assert peak(bookings, MON, MON + dt.timedelta(6)) == 110
    assert peak(bookings, D("2026-03-09"), D("2026-03-15")) == 50


def test_weekend_days_carry_no_load_and_partial_weeks_count_their_working_days():
    weekend = [(D("2026-03-07"), D("2026-03-08"), 80), (D("2026-03-02"), D("2026-03-31"), 50)]
    assert peak(weekend, MON, MON + dt.timedelta(6)) == 50
    starts_friday = [(D("2026-03-06"), D("2026-03-20"), 70), (D("2026-03-02"), D("2026-03-06"), 40)]
    assert peak(starts_friday, MON, MON + dt.timedelta(6)) == 110


def test_buckets_are_monday_weeks_or_calendar_months():
    assert buckets(D("2026-03-04"), "week", 2) == [(MON, D("2026-03-08")), (D("2026-03-09"), D("2026-03-15"))]
    assert buckets(D("2026-02-14"), "month", 2) == [(D("2026-02-01"), D("2026-02-28")),
                                                    (D("2026-03-01"), D("2026-03-31"))]
    assert [load_class(p) for p in (0, 25, 26, 75, 100, 101)] == ["load-0", "load-1", "load-2", "load-3",
                                                                   "load-4", "over"]


# --- pages ------------------------------------------------------------------------

@pytest.fixture
def overbooked(app):
    """Dana on two projects: 60% all March and 50% from Wednesday 4 March to 10 March (110% that week)."""
    dana = make_user("member", name="Dana Overbooked")
    calm = make_user("member", name="Carl Calm")
    alpha, beta = make_project(name="Alpha"), make_project(name="Beta")
    book(dana, alpha, "2026-03-02", "2026-03-31", 60)
    book(dana, beta, "2026-03-04", "2026-03-10", 50)
    book(calm, alpha, "2026-03-02", "2026-03-31", 40)
    return dana, calm, alpha, beta


def test_grid_colours_cells_and_highlights_the_over_allocated_week(client, login, overbooked):
    dana, calm, alpha, beta = overbooked
    login("pmo")
    html = client.get("/resources/?start=2026-03-02").get_data(as_text=True)
    row = html.split(f'data-person="{dana.id}"')[1].split("</tr>")[0]
    assert 'class="over"' in row and "110%" in row
    assert row.count('class="over"') == 2  # weeks of 2 and 9 March, both touched by Beta
    calm_row = html.split(f'data-person="{calm.id}"')[1].split("</tr>")[0]
    assert "over" not in calm_row and "load-2" in calm_row


def test_cell_lists_the_bookings_behind_it_as_fragment_and_page(client, hx, login, overbooked):
    dana, _, alpha, beta = overbooked
    login("pmo")
    url = f"/resources/cell?person={dana.id}&from=2026-03-02&to=2026-03-08"
    fragment = hx.get(url).get_data(as_text=True)
    assert alpha.code in fragment and beta.code in fragment and "<html" not in fragment
    assert "<html" in client.get(url).get_data(as_text=True)
    assert client.get(f"/resources/cell?person={dana.id}&from=x&to=2026-03-08").status_code == 400


def test_conflicts_list_says_who_when_how_much_and_where(client, login, overbooked):
    dana, calm, alpha, beta = overbooked
    login("pmo")
    html = client.get("/resources/conflicts?start=2026-03-02").get_data(as_text=True)
    assert "Dana Overbooked" in html and "Carl Calm" not in html
    assert "2026-03-02 – 2026-03-15" in html and "10%" in html and alpha.code in html and beta.code in html


# --- booking -----------------------------------------------------------------------

def _booking(person, percent, start="2026-03-02", end="2026-03-13", **extra):
    return {"person": person.id, "role": "Tester", "percent": percent, "start_date": start, "end_date": end,
            **extra}


def test_manager_books_and_releases_on_their_project(client, login):
    manager = login("manager")
    project = make_project(manager=manager)
    person = make_user("member")
    response = client.post(f"/projects/{project.code}/resources/", data=_booking(person, 50))
    assert response.status_code == 303
    allocation = Allocation.get(Allocation.person == person.id)
    assert allocation.percent == 50 and allocation.project_id == project.id and allocation.created_by_id == manager.id
    client.post(f"/projects/{project.code}/resources/{allocation.id}/release")
    assert not Allocation.select().exists()


def test_booking_beyond_100_shows_the_conflict_and_saves_nothing(client, login):
    manager = login("manager")
    project, other = make_project(manager=manager), make_project()
    person = make_user("member")
    book(person, other, "2026-03-02", "2026-03-31", 80)
    response = client.post(f"/projects/{project.code}/resources/", data=_booking(person, 30))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "week of 2026-03-02: 110%" in html
    assert Allocation.select().count() == 1
    # A manager cannot force it through.
    forced = client.post(f"/projects/{project.code}/resources/", data=_booking(person, 30, allow_over="y", note="x"))
    assert forced.status_code == 422 and Allocation.select().count() == 1


def test_pmo_may_overbook_with_a_note_only(client, login):
    login("pmo")
    project, other = make_project(), make_project()
    person = make_user("member")
    book(person, other, "2026-03-02", "2026-03-31", 80)
    no_note = client.post(f"/projects/{project.code}/resources/", data=_booking(person, 30, allow_over="y"))
    assert no_note.status_code == 422 and "Say why" in no_note.get_data(as_text=True)
    ok = client.post(f"/projects/{project.code}/resources/",
                     data=_booking(person, 30, allow_over="y", note="Launch week"))
    assert ok.status_code == 303
    assert Allocation.get(Allocation.note == "Launch week").percent == 30


@pytest.mark.parametrize("data, message", [
    ({"percent": 0}, "between 1 and 100"), ({"percent": 101}, "between 1 and 100"),
    ({"end_date": "2026-03-01"}, "on or after the start"), ({"start_date": "soon"}, "Not a valid date"),
])
def test_invalid_booking_is_refused_next_to_the_field(client, login, data, message):
    manager = login("manager")
    project = make_project(manager=manager)
    response = client.post(f"/projects/{project.code}/resources/", data={**_booking(make_user(), 10), **data})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert not Allocation.select().exists()


def test_project_fields_cannot_be_forced_through_the_form(client, login):
    manager = login("manager")
    project, other = make_project(manager=manager), make_project()
    client.post(f"/projects/{project.code}/resources/", data=_booking(make_user(), 20, project=other.id))
    assert Allocation.get().project_id == project.id


# --- permissions -------------------------------------------------------------------

def test_member_sees_only_their_own_load(client, login, overbooked):
    dana, calm, alpha, _ = overbooked
    from tests.conftest import sign_in
    sign_in(client, calm)
    html = client.get("/resources/?start=2026-03-02").get_data(as_text=True)
    assert f'data-person="{calm.id}"' in html and f'data-person="{dana.id}"' not in html
    assert client.get(f"/resources/people/{dana.id}").status_code == 404
    assert client.get(f"/resources/cell?person={dana.id}&from=2026-03-02&to=2026-03-08").status_code == 404
    assert client.get(f"/resources/people/{calm.id}").status_code == 200
    assert "Dana" not in client.get("/resources/conflicts?start=2026-03-02").get_data(as_text=True)


def test_manager_sees_their_people_and_not_names_of_projects_they_cannot_see(client, overbooked):
    dana, calm, alpha, beta = overbooked
    from tests.conftest import sign_in
    sign_in(client, alpha.manager)
    html = client.get("/resources/?start=2026-03-02").get_data(as_text=True)
    assert f'data-person="{dana.id}"' in html and f'data-person="{calm.id}"' in html
    cell = client.get(f"/resources/cell?person={dana.id}&from=2026-03-02&to=2026-03-08").get_data(as_text=True)
    assert alpha.code in cell and beta.code not in cell and "Another project" in cell
    sign_in(client, beta.manager)
    assert f'data-person="{calm.id}"' not in client.get("/resources/?start=2026-03-02").get_data(as_text=True)


@pytest.mark.parametrize("role, status", [("member", 403), ("executive", 403), ("manager", 404)])
def test_only_the_projects_manager_or_pmo_book(client, login, role, status):
    user = login(role)
    project = make_project(members=[user] if role == "member" else ())
    response = client.post(f"/projects/{project.code}/resources/", data=_booking(make_user(), 10))
    assert response.status_code == status and not Allocation.select().exists()


def test_release_of_another_projects_booking_is_404(client, login):
    manager = login("manager")
    mine, other = make_project(manager=manager), make_project()
    allocation = book(make_user(), other, "2026-03-02", "2026-03-06", 20)
    assert client.post(f"/projects/{mine.code}/resources/{allocation.id}/release").status_code == 404
    assert Allocation.select().count() == 1


# --- reminders ---------------------------------------------------------------------

def test_managers_involved_are_told_once_per_new_conflict(app, overbooked):
    dana, _, alpha, beta = overbooked
    now = dt.datetime(2026, 3, 1, 8, 0)
    with app.app_context():
        _told_once(now, dana, alpha, beta)


def _told_once(now, dana, alpha, beta):
    assert len(conflict_reminders(now)) == 1
    assert conflict_reminders(now) == []
    for manager in (alpha.manager, beta.manager):
        notes = list(Notification.select().where(Notification.user == manager.id))
        assert len(notes) == 1 and "Dana Overbooked" in notes[0].text
    gamma = make_project()
    book(dana, gamma, "2026-03-23", "2026-03-27", 50)  # a new conflict later in March
    assert len(conflict_reminders(now)) == 1
    assert Notification.select().where(Notification.user == gamma.manager.id).count() == 1
    assert Notification.select().where(Notification.user == beta.manager.id).count() == 1


def test_the_grid_pages_by_25_people_with_one_plain_link_a_busy_cell(client, login):
    project = make_project(name="Crowded")
    people = [make_user("member", name=f"Grid person {n:02d}") for n in range(27)]
    for person in people:
        book(person, project, "2026-03-02", "2026-03-06", 40)
    login("pmo")
    first = client.get("/resources/?start=2026-03-02", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert first.count("<tr data-person=") == 25 and "Grid person 24" in first and "Grid person 25" not in first
    assert f'href="/resources/cell?person={people[0].id}&amp;from=2026-03-02&amp;to=2026-03-08">40%</a>' in first
    assert "hx-get" not in first.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    second = client.get("/resources/?start=2026-03-02&page=2", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert second.count("<tr data-person=") == 2 and "Grid person 26" in second
    assert 'src="/static/resources.' in client.get("/resources/").get_data(as_text=True)
