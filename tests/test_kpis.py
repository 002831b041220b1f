"""PMO KPIs: every figure equals a hand-computed value on a fixed fixture; the CSV is formula-safe; PMO only."""
import datetime as dt

import pytest

from portal.helpdesk.models import Deflection
from portal.kb.models import Acknowledgement, Article, ArticleViewDay, TrainingCompletion, count_view
from portal.kpis.services import monthly, rates
from portal.projects.models import Transition
from tests.factories import make_project, make_ticket, make_user
from tests.status_helpers import make_report

TODAY = dt.date(2026, 3, 20)
T = dt.datetime


@pytest.fixture
def fixture(app):
    """February and March 2026, small enough to count by hand."""
    manager = make_user("manager")
    # Intake: decided in February after 10 and 4 days -> 7.0; one in March after 2.5 days.
    for submitted, decided, state in ((T(2026, 2, 1, 9), T(2026, 2, 11, 9), "approved"),
                                      (T(2026, 2, 10, 9), T(2026, 2, 14, 9), "rejected"),
                                      (T(2026, 3, 1, 9), T(2026, 3, 3, 21), "approved")):
        project = make_project(manager=manager, submitted_at=submitted)
        Transition.create(project=project, from_state="in_review", to_state=state, at=decided)
    # Reports for February: one on time, one late -> 50 %; January's (outside a 2-month window) ignored.
    a, b = make_project(manager=manager), make_project(manager=manager)
    make_report(a, dt.date(2026, 2, 28), submitted_at=T(2026, 2, 27, 10))
    make_report(b, dt.date(2026, 2, 28), rag="red", submitted_at=T(2026, 3, 3, 10))
    make_report(a, dt.date(2026, 1, 31), submitted_at=T(2026, 2, 20, 10))
    # Help desk, March: one resolved in time (1 h to first response), one late (2 h) -> 50 %, median 1.5 h.
    make_ticket(resolved_at=T(2026, 3, 5, 10), resolution_due=T(2026, 3, 6, 17), first_response_seconds=3600)
    make_ticket(resolved_at=T(2026, 3, 9, 10), resolution_due=T(2026, 3, 6, 17), first_response_seconds=7200)
    asker = make_user()
    for day in (T(2026, 2, 3), T(2026, 3, 4), T(2026, 3, 5)):
        Deflection.create(user=asker, subject="RAG?", article="standards/status-reporting", created_at=day)
    # Knowledge: one training module, one mandatory standard (version 2).
    module = Article.create(path="training/one.md", section="training", slug="one", title="Module one")
    standard = Article.create(path="standards/s.md", section="standards", slug="s", title="Standard",
                              mandatory=True, doc_version="2")
    TrainingCompletion.create(user=asker, article=module, at=T(2026, 3, 10))
    Acknowledgement.create(user=manager, article=standard, doc_version="2", at=T(2026, 3, 11))
    count_view(standard.id, dt.date(2026, 3, 5))
    count_view(standard.id, dt.date(2026, 3, 5))
    count_view(module.id, dt.date(2026, 2, 10))
    return manager


def test_monthly_figures_equal_hand_computed_values(fixture):
    feb, mar = monthly(TODAY, 2)
    assert (feb["month"], mar["month"]) == ("2026-02", "2026-03")
    assert (feb["intake_decisions"], feb["intake_days"]) == (2, 7.0)
    assert (mar["intake_decisions"], mar["intake_days"]) == (1, 2.5)
    assert (feb["reports"], feb["reports_on_time_pct"]) == (2, 50)
    assert (feb["rag_green"], feb["rag_red"]) == (1, 1)
    assert (mar["tickets_resolved"], mar["sla_pct"], mar["median_first_response_h"]) == (2, 50, 1.5)
    assert (feb["deflections"], mar["deflections"]) == (1, 2)
    assert (mar["training_completions"], mar["acknowledgements"]) == (1, 1)
    assert (feb["article_views"], mar["article_views"]) == (1, 2)
    assert ArticleViewDay.select().count() == 2  # one row per article and day, counted up in place


def test_rates_count_active_people_against_what_is_due(fixture):
    users = sum(1 for _ in __import__("portal.auth.models", fromlist=["User"]).User.select())
    owing = sum(1 for u in __import__("portal.auth.models", fromlist=["User"]).User.select()
                if u.role in ("manager", "pmo", "member"))  # everyone asked to acknowledge
    assert rates() == {"training_pct": round(100 * 1 / users), "ack_pct": round(100 * 1 / owing)}


def test_page_links_each_figure_and_csv_is_formula_safe(client, login, fixture):
    login("pmo")
    html = client.get("/pmo/").get_data(as_text=True)
    for link in ("/intake/", "/dashboard/", "/compliance/", "/helpdesk/figures", "/kb/reports/training",
                 "/kb/reports/acknowledgements"):
        assert f'href="{link}' in html
    csv = client.get("/pmo/export.csv?months=24").get_data(as_text=True)
    header, *lines = csv.strip().splitlines()
    assert header.startswith("month,intake_decisions,intake_days") and len(lines) == 24
    assert any(line.startswith("2026-02,2,7.0,2,50,1,0,1") for line in lines)


@pytest.mark.parametrize("role, status", [("pmo", 200), ("admin", 200), ("manager", 403), ("member", 403),
                                          ("executive", 403)])
def test_kpis_are_for_the_pmo(client, login, role, status):
    login(role)
    assert client.get("/pmo/").status_code == status
    assert client.get("/pmo/export.csv").status_code == status


def test_viewing_an_article_counts_once_per_view(client, login, app):
    login("member")
    article = Article.create(path="faq/q.md", section="faq", slug="q", title="Q", text="# Q\n\nAnswer.")
    client.get("/kb/faq/q")
    client.get("/kb/faq/q")
    assert ArticleViewDay.get(ArticleViewDay.article == article.id).views == 2
