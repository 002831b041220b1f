"""The portfolio dashboard: figures equal hand-computed values, filters, sorting, expanding, exports, scope."""
import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest

from portal.status.models import StatusReminder
from tests.conftest import sign_in
from tests.factories import make_project, make_user
from tests.status_helpers import due_now, earlier, make_report, today


@pytest.fixture
def portfolio():
    """A: red this period after green (on time); B: monthly, last report a period ago; C: never reported."""
    m1, m2 = make_user("manager", name="Ann Manager"), make_user("manager", name="Bob Manager")
    member = make_user("member", name="Mia Member")
    start = dt.date(2025, 1, 1)
    a = make_project(manager=m1, name="Alpha", department="Operations", budget=Decimal("100000"),
                     reporting_cadence="weekly", start_date=start, members=[member])
    b = make_project(manager=m2, name="=HYPERLINK(\"http://evil\")", department="Finance",
                     budget=Decimal("200000"), reporting_cadence="monthly", start_date=start)
    c = make_project(manager=m2, name="Gamma", department="Operations", budget=Decimal("50000"),
                     reporting_cadence="weekly", start_date=start)
    make_project(state="on_hold", manager=m1, name="Paused")
    make_project(state="closed", manager=m1, name="Done")
    make_project(state="submitted", manager=m1, name="Requested")
    make_report(a, earlier(a, due_now(a)), rag="green", percent=20)
    make_report(a, due_now(a), rag="red", percent=30, spent_to_date=Decimal("30000"), rag_schedule="amber",
                reason_overall="Vendor **late**.")
    make_report(b, earlier(b, due_now(b)), rag="amber", percent=50, spent_to_date=Decimal("50000"))
    return {"a": a, "b": b, "c": c, "member": member, "m1": m1}


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _figure(html, name):
    return re.search(rf'id="fig-{name}">([^<]*)<', html).group(1)


def test_headline_figures_match_the_fixture(client, login, portfolio):
    login("executive")
    html = _get(client, "/dashboard/")
    b, c = portfolio["b"], portfolio["c"]
    overdue = sum(today() > due_now(p) for p in (b, c))  # A's report for the due period is in
    assert _figure(html, "active") == "3"
    assert (_figure(html, "red"), _figure(html, "amber"), _figure(html, "green")) == ("1", "1", "0")
    assert _figure(html, "none") == "1"
    assert _figure(html, "overdue") == str(overdue)
    assert _figure(html, "on-time") == "33%"  # A of A, B, C
    assert _figure(html, "budget") == "350,000" and _figure(html, "spent") == "80,000"
    assert "1 on hold" in html and "1 closed" in html
    assert "3 active projects" in html and "Requested" not in html and "Paused" not in html


def test_rows_show_trend_staleness_and_the_risks_hook(client, login, portfolio):
    login("pmo")
    html = _get(client, "/dashboard/")
    row_a = re.search(rf'<tr class="[^"]*" data-code="{portfolio["a"].code}">(.*?)</tr>', html, re.S).group(1)
    assert "worse" in row_a and "<svg class=\"sparkline\"" in row_a and "30%" in row_a and "100,000 / 30,000" in row_a
    row_c = re.search(rf'<tr class="([^"]*)" data-code="{portfolio["c"].code}">(.*?)</tr>', html, re.S)
    assert "never" in row_c.group(2) and ("stale" in row_c.group(1)) == (today() > due_now(portfolio["c"]))
    heat = re.search(r'id="heatmap">(.*?)</table>', html, re.S).group(1)
    assert re.search(r"Schedule</th>\s*<td[^>]*>0</td><td[^>]*>2</td><td[^>]*>0</td><td[^>]*>1</td>", heat)


def test_filter_by_rag_department_and_manager(client, login, portfolio):
    login("executive")
    assert "1 active project" in _get(client, "/dashboard/?rag=red")
    assert portfolio["a"].code in _get(client, "/dashboard/?rag=red")
    assert portfolio["b"].code not in _get(client, "/dashboard/?rag=red")
    html = _get(client, "/dashboard/?department=Operations")
    assert "2 active projects" in html and portfolio["b"].code not in html.split("portfolio-table")[1]
    html = _get(client, f"/dashboard/?manager={portfolio['m1'].id}")
    assert "1 active project" in html
    assert client.get("/dashboard/?sort=nonsense").status_code == 400


def test_sort_by_any_column(client, login, portfolio):
    login("executive")
    codes = lambda html: re.findall(r'data-code="([^"]+)"', html)  # noqa: E731
    a, b, c = (portfolio[k].code for k in "abc")
    assert codes(_get(client, "/dashboard/?sort=budget&dir=desc")) == [b, a, c]
    assert codes(_get(client, "/dashboard/?sort=rag&dir=desc")) == [a, b, c]  # no report goes last
    assert codes(_get(client, "/dashboard/?sort=percent")) == [a, b, c]


def test_row_expands_to_the_latest_report(client, hx, login, portfolio):
    login("executive")
    fragment = hx.get(f"/dashboard/projects/{portfolio['a'].code}").get_data(as_text=True)
    assert fragment.startswith(f'<tr id="x-{portfolio["a"].code}"') and "Vendor **late**." in fragment
    assert "<html" in _get(client, f"/dashboard/projects/{portfolio['a'].code}")
    assert "no status report yet" in hx.get(f"/dashboard/projects/{portfolio['c'].code}").get_data(as_text=True)


def test_dashboard_page_and_fragment(client, hx, login, portfolio):
    login("executive")
    assert "<html" in _get(client, "/dashboard/?rag=red")
    fragment = hx.get("/dashboard/?rag=red").get_data(as_text=True)
    assert "<html" not in fragment and "1 active project" in fragment


def test_csv_is_formula_safe_and_numbers_stay_numbers(client, login, portfolio):
    login("pmo")
    response = client.get("/dashboard/export.csv?sort=code")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 3
    by_code = {r["code"]: r for r in rows}
    assert by_code[portfolio["b"].code]["name"] == "'=HYPERLINK(\"http://evil\")"
    a = by_code[portfolio["a"].code]
    assert (a["overall"], a["schedule"], a["trend"], a["percent_complete"]) == ("red", "amber", "down", "30")
    assert float(a["budget"]) == 100000 and float(a["spent_to_date"]) == 30000  # unquoted numbers
    assert a["open_high_risks"] == "0"


def test_a_member_sees_only_their_projects_in_every_channel(client, login, portfolio):
    sign_in(client, portfolio["member"])
    html = _get(client, "/dashboard/")
    assert "1 active project" in html and portfolio["b"].code not in html and portfolio["c"].code not in html
    rows = list(csv.DictReader(io.StringIO(_get(client, "/dashboard/export.csv"))))
    assert [r["code"] for r in rows] == [portfolio["a"].code]
    assert portfolio["c"].code not in _get(client, "/dashboard/summary")
    assert client.get(f"/dashboard/projects/{portfolio['b'].code}").status_code == 404


def test_reminder_details_are_for_the_pmo_only(client, login, portfolio):
    c = portfolio["c"]
    StatusReminder.create(project=c.id, period_end=due_now(c), stage="escalation")
    login("executive")
    assert "Reminders</th>" not in _get(client, "/dashboard/")
    login("pmo")
    html = _get(client, "/dashboard/")
    row = re.search(rf'data-code="{c.code}">(.*?)</tr>', html, re.S).group(1)
    assert "Reminders</th>" in html and "escalation" in row


def test_rag_mix_chart_and_summary(client, login, portfolio):
    login("executive")
    month = due_now(portfolio["a"]).strftime("%Y-%m")
    html = _get(client, "/dashboard/")
    # The chart arrives after the page (htmx loads it), and is a plain link without JavaScript.
    figure = html[html.index("Portfolio RAG mix"):]
    assert "<title>" not in figure[:figure.index("</figure>")]
    assert 'hx-get="/dashboard/mix" hx-trigger="load"' in html and '<a href="/dashboard/mix">' in html
    chart = _get(client, "/dashboard/mix")
    assert f"<title>{month}: 1 red</title>" in chart and "<html" in chart
    fragment = client.get("/dashboard/mix", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith("<svg") and f"<title>{month}: 1 red</title>" in fragment
    # The chart follows the page's project filters (not its RAG filter): Finance has only B, amber.
    html = _get(client, "/dashboard/?department=Finance&rag=red")
    assert 'hx-get="/dashboard/mix?department=Finance"' in html
    finance = _get(client, "/dashboard/mix?department=Finance")
    assert f"<title>{month}: 1 red</title>" not in finance and "amber</title>" in finance
    summary = _get(client, "/dashboard/summary")
    assert "executive summary" in summary and "Vendor **late**." in summary
    assert f"<title>{month}: 1 red</title>" in summary  # printed at once: no deferred chart
    assert "style=" not in summary and "<script>" not in summary


def test_dashboard_counts_open_high_risks_and_overdue_reviews(client, login):
    import datetime as dt

    from portal.risks.models import Risk
    from tests.factories import make_project, make_user
    login("pmo")
    manager = make_user("manager")
    project = make_project(manager=manager, name="Risky rollout")
    past = dt.date.today() - dt.timedelta(days=3)
    for probability, impact, status, review in [(5, 4, "open", past), (4, 4, "monitoring", None),
                                                (5, 5, "closed", past), (2, 2, "open", past)]:
        Risk.create(project=project.id, title=f"R{probability}{impact}{status}", category="technical",
                    probability=probability, impact=impact, score=probability * impact, status=status,
                    owner=manager.id, review_date=review)
    body = client.get("/dashboard/").get_data(as_text=True)
    row = body[body.index("Risky rollout"):][:1500]
    assert ">2 <small" in row and "(2 reviews overdue)" in row
    csv_text = client.get("/dashboard/export.csv").get_data(as_text=True)
    line = next(text for text in csv_text.splitlines() if "Risky rollout" in text)
    assert line.endswith(",2,2")


def test_trend_compares_the_two_newest_reports_however_many_there_are(client, login):
    login("executive")
    long_run = make_project(name="Long run", reporting_cadence="weekly", start_date=dt.date(2025, 1, 1))
    single = make_project(name="Single report", reporting_cadence="weekly", start_date=dt.date(2025, 1, 1))
    end = due_now(long_run)
    for n, rag in ((3, "red"), (2, "green"), (1, "amber"), (0, "green")):  # oldest first: amber then green
        make_report(long_run, earlier(long_run, end, n), rag=rag, percent=60 - 10 * n)
    make_report(single, end, rag="red", percent=5)
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(_get(client, "/dashboard/export.csv")))}
    assert (rows[long_run.code]["overall"], rows[long_run.code]["trend"]) == ("green", "up")
    assert rows[long_run.code]["percent_complete"] == "60" and rows[long_run.code]["last_period_end"] == str(end)
    assert (rows[single.code]["overall"], rows[single.code]["trend"]) == ("red", "")


def test_portfolio_table_pages_by_twenty_five_while_the_figures_count_every_project(client, login):
    login("executive")
    manager = make_user("manager")
    projects = [make_project(manager=manager, name=f"Paged {i:02d}", department="Paging", budget=Decimal("1000"))
                for i in range(26)]
    first = _get(client, "/dashboard/?department=Paging&sort=name")
    codes = lambda html: re.findall(r'data-code="([^"]+)"', html)  # noqa: E731
    assert len(codes(first)) == 25 and "26 active projects" in first and "Page 1 of 2" in first
    assert _figure(first, "active") == "26" and _figure(first, "budget") == "26,000"
    assert re.search(r'href="/dashboard/\?[^"]*page=2[^"]*" hx-get=[^>]*rel="next"', first)
    assert "department=Paging" in re.search(r'href="([^"]*page=2[^"]*)"', first).group(1)
    second = _get(client, "/dashboard/?department=Paging&sort=name&page=2")
    assert codes(second) == [projects[-1].code] and "Page 2 of 2" in second
    assert set(codes(first)) | set(codes(second)) == {p.code for p in projects}


def test_trend_sparkline_draws_the_last_six_reports_of_the_year_oldest_first(client, login):
    login("executive")
    busy = make_project(name="Busy reporter", reporting_cadence="weekly", start_date=dt.date(2024, 1, 1))
    other = make_project(name="Two reports", reporting_cadence="weekly", start_date=dt.date(2024, 1, 1))
    end = due_now(busy)
    colours = ["green", "amber", "red", "green", "amber", "red", "green", "amber"]  # oldest first
    for n, rag in zip(range(7, -1, -1), colours, strict=True):
        make_report(busy, earlier(busy, end, n), rag=rag)
    make_report(busy, earlier(busy, end, 60), rag="red")  # over a year ago: never drawn
    make_report(other, earlier(other, end), rag="green")
    make_report(other, end, rag="red")
    html = _get(client, "/dashboard/")
    label = lambda project: re.search(  # noqa: E731
        rf'data-code="{project.code}">.*?<title>Overall RAG of the last reports: ([^<]*)</title>', html, re.S).group(1)
    expected = [f"{earlier(busy, end, n).isoformat()} {rag}" for n, rag in zip(range(5, -1, -1), colours[2:], strict=True)]
    assert label(busy) == ", ".join(expected)
    assert label(other) == f"{earlier(other, end).isoformat()} green, {end.isoformat()} red"
