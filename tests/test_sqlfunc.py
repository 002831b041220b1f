"""The SQL date and median helpers give the same answers on SQLite and PostgreSQL; the project filter trio;
and the feature layering they made possible (nothing imports the dashboard or the KPIs)."""
import ast
import datetime
import pathlib
import statistics

import pytest
from peewee import fn

from portal.helpdesk.models import Ticket
from portal.projects.models import Project
from portal.sqlfunc import PreparedQuery, day_of, median_by, month_keys, month_of, months_back
from portal.status.models import StatusReport
from tests.factories import make_project, make_ticket, make_user


def test_a_prepared_query_finds_what_the_query_itself_finds_for_every_user(app):
    """Project and ticket lookups built once answer as the plain query would, role by role and value by value."""
    from portal.helpdesk.services import load_ticket, visible_tickets
    from portal.projects.services import load_project
    manager, member, outsider, pmo = make_user("manager"), make_user("member"), make_user("member"), make_user("pmo")
    active = make_project(manager=manager, members=[member])
    draft = make_project(state="draft", manager=manager)
    asked = make_ticket(requester=member)
    assigned = make_ticket(requester=outsider, assignee=pmo.id)
    for user in (manager, member, outsider, pmo):
        for ref in (active.code, f"DRAFT-{draft.id}", "PRJ-1999-999"):
            plain = Project.visible_to(user).where((Project.code == ref) if not ref.startswith("DRAFT-") else (
                (Project.id == int(ref[6:])) & Project.code.is_null())).first()
            try:
                found = load_project(ref, user)
            except Exception:  # 404
                found = None
            assert (found and found.id) == (plain and plain.id) and (found is None or found.name == plain.name)
        for ticket in (asked, assigned):
            plain = visible_tickets(user).where(Ticket.number == ticket.number).first()
            try:
                found = load_ticket(ticket.number, user, with_people=True)
            except Exception:  # 404
                found = None
            assert (found and found.id) == (plain and plain.id)
            if found:
                assert found.requester.name == plain.requester.name
                assert (found.assignee and found.assignee.name) == (plain.assignee and plain.assignee.name)


def test_a_prepared_query_is_built_once_and_refuses_sql_that_depends_on_its_values(app):
    built = []

    def by_code(code):
        built.append(code)
        return Project.select().where(Project.code == code).limit(1)

    first, second = make_project(), make_project()
    lookup = PreparedQuery(by_code)
    assert lookup.first(first.code).id == first.id
    assert lookup.first(second.code).id == second.id and lookup.first("PRJ-1999-999") is None
    assert len(built) == 2  # two placeholder builds on first use, none after

    from tests.status_helpers import make_report
    report = make_report(first, datetime.date(2026, 1, 30))
    by_period = PreparedQuery(lambda project_id, period_end: StatusReport.select().where(
        (StatusReport.project == project_id) & (StatusReport.period_end == period_end)).limit(1))
    assert by_period.first(first.id, datetime.date(2026, 1, 30)).id == report.id
    assert by_period.first(first.id, datetime.date(2026, 1, 31)) is None

    shaky = PreparedQuery(lambda number: Project.select().where(Project.id == number) if number % 2
                          else Project.select().where(Project.id > number))
    with pytest.raises(ValueError):
        shaky.first(first.id)


def test_months_back_and_month_keys_cross_year_ends():
    assert months_back(datetime.date(2026, 2, 17), 3) == datetime.date(2025, 12, 1)
    assert months_back(datetime.date(2026, 3, 31), 1) == datetime.date(2026, 3, 1)
    assert months_back(datetime.date(2026, 1, 1), 13) == datetime.date(2025, 1, 1)
    assert month_keys(datetime.date(2025, 11, 30), 4) == ["2025-11", "2025-12", "2026-01", "2026-02"]


def _ticket(created, first=None, resolution=None):
    return make_ticket(created_at=created, first_response_seconds=first, resolution_seconds=resolution)


def test_month_of_and_median_by_agree_with_python(app):
    jan, feb = datetime.datetime(2026, 1, 31, 23, 30), datetime.datetime(2026, 2, 1, 0, 15)
    for first, resolution in [(100, 1000), (300, None), (200, 4000), (None, None)]:
        _ticket(jan, first, resolution)
    _ticket(feb, 50, 7000)
    _ticket(feb, 150, 9000)
    _ticket(datetime.datetime(2026, 3, 2), None, None)  # a month with nothing to take a median of
    month = month_of(Ticket.created_at)
    counts = dict(Ticket.select(month, fn.COUNT(Ticket.id)).group_by(month).tuples())
    assert counts == {"2026-01": 4, "2026-02": 2, "2026-03": 1}
    medians = median_by(month, Ticket.first_response_seconds, Ticket.resolution_seconds,
                        where=Ticket.created_at >= datetime.datetime(2026, 1, 1))
    assert medians["2026-01"] == (200, 2500)  # NULLs left out of each column on its own
    assert medians["2026-02"] == (100, 8000)
    assert medians["2026-03"] == (None, None)
    only_feb = median_by(month, Ticket.first_response_seconds, where=Ticket.created_at >= feb)
    assert set(only_feb) == {"2026-02", "2026-03"} and only_feb["2026-02"] == (100,)


def test_median_by_counts_repeated_values_as_statistics_median_does(app):
    groups = {datetime.datetime(2026, 1, 5): [5, 5, 5, 9],  # even: the two middle values are both 5
              datetime.datetime(2026, 2, 5): [3, 1, 3, 2, 1, 3],  # even: between 2 and 3
              datetime.datetime(2026, 3, 5): [7, 7, 1, 7, 2],  # odd: the middle value
              datetime.datetime(2026, 4, 5): [4]}
    for created, values in groups.items():
        for value in values:
            _ticket(created, value, value * 60)
    medians = median_by(month_of(Ticket.created_at), Ticket.first_response_seconds, Ticket.resolution_seconds)
    assert medians == {created.strftime("%Y-%m"): (statistics.median(values), statistics.median(values) * 60)
                       for created, values in groups.items()}
    assert medians["2026-02"] == (2.5, 150)


def test_day_of_compares_a_timestamp_with_a_date(app):
    project = make_project()
    user = make_user("manager")
    end = datetime.date(2026, 3, 6)
    for period_end, submitted in [(end, datetime.datetime(2026, 3, 6, 23, 59)),
                                  (end - datetime.timedelta(7), datetime.datetime(2026, 2, 28, 0, 1))]:
        StatusReport.create(project=project, period_end=period_end, submitted_by=user, submitted_at=submitted,
                            rag_overall="green", rag_schedule="green", rag_budget="green", rag_scope="green",
                            rag_resources="green", percent_complete=10)
    on_time = StatusReport.select().where(day_of(StatusReport.submitted_at) <= StatusReport.period_end).count()
    assert on_time == 1


def test_project_filter_trio_narrows_only_what_is_given(app):
    pmo = make_user("pmo")
    boss = make_user("manager")
    a = make_project(department="Finance", category="IT", manager=boss)
    b = make_project(department="Finance", category="Process improvement")
    c = make_project(department="Operations", category="IT", manager=boss)

    def codes(**trio):
        return {p.code for p in Project.filtered(pmo, **trio)}
    assert {a.code, b.code, c.code} <= codes()
    assert codes(department="Finance") == {a.code, b.code}
    assert codes(category="IT", manager=boss.id) == {a.code, c.code}
    assert codes(department="Operations", category="IT", manager=boss.id) == {c.code}
    outsider = make_user("member")
    assert {p.code for p in Project.filtered(outsider, department="Finance")} == set()  # visibility still applies


def _imports(path: pathlib.Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_only_the_app_factory_imports_the_dashboard_and_the_kpis():
    root = pathlib.Path(__file__).resolve().parent.parent / "portal"
    offenders = []
    for path in root.rglob("*.py"):
        own = "portal." + path.relative_to(root).parts[0]
        # The read-only API serves the PMO's figures too (READS_READ_ONLY in tests/test_architecture.py).
        if path == root / "__init__.py" or own == "portal.api":
            continue
        for name in _imports(path):
            if name.startswith(("portal.dashboard", "portal.kpis")) and not name.startswith(own):
                offenders.append(f"{path.relative_to(root)} imports {name}")
    assert offenders == []
