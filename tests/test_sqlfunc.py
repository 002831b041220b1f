"""The SQL date and median helpers give the same answers on SQLite and PostgreSQL; the project filter trio;
and the feature layering they made possible (nothing imports the dashboard or the KPIs)."""
import ast
import datetime
import pathlib
import statistics

from peewee import fn

from portal.helpdesk.models import Ticket
from portal.projects.models import Project
from portal.sqlfunc import day_of, median_by, month_keys, month_of, months_back
from portal.status.models import StatusReport
from tests.factories import make_project, make_ticket, make_user


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
