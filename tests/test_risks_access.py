"""Who may read and change risks and issues, through every channel: pages, fragments, CSV, portfolio."""
import pytest

from portal.risks.models import Issue, Risk
from tests.conftest import sign_in
from tests.factories import make_project, make_user
from tests.risk_helpers import make_issue, make_risk

CANARY = "Canary risk of project A"


@pytest.fixture
def world(app):
    """Two projects with a team each, a risk and an issue on each, and people in every role."""
    people = {role: make_user(role) for role in ("pmo", "admin", "executive")}
    people["member_a"], people["member_b"], people["outsider"] = (make_user("member") for _ in range(3))
    people["deputy_a"], people["viewer_a"] = make_user("manager"), make_user("member")
    a = make_project(members=[people["member_a"], (people["deputy_a"], "deputy"), (people["viewer_a"], "viewer")])
    b = make_project(members=[people["member_b"]])
    people["manager_a"] = a.manager
    return {"people": people, "a": a, "b": b, "risk_a": make_risk(a, title=CANARY),
            "risk_b": make_risk(b, title="Risk of project B"), "issue_a": make_issue(a, title="Canary issue of A")}


# (who, may read A, may write A)
MATRIX = [
    ("member_a", True, True), ("manager_a", True, True), ("pmo", True, True), ("admin", True, True),
    ("deputy_a", True, True), ("viewer_a", True, False),
    ("executive", True, False), ("member_b", False, False), ("outsider", False, False),
]


def _reads(w):
    a, risk, issue = w["a"].code, w["risk_a"].id, w["issue_a"].id
    return [f"/projects/{a}/risks/", f"/projects/{a}/risks/heatmap", f"/projects/{a}/risks/export.csv",
            f"/projects/{a}/risks/{risk}", f"/projects/{a}/risks/{risk}/row", f"/projects/{a}/issues/",
            f"/projects/{a}/issues/{issue}"]


@pytest.mark.parametrize("who,reads,writes", MATRIX)
def test_reading_a_projects_risks(client, world, who, reads, writes):
    sign_in(client, world["people"][who])
    for url in _reads(world):
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            assert response.status_code == (200 if reads else 404), (url, headers)
            body = response.get_data(as_text=True)
            if not reads:
                assert CANARY not in body and "Canary issue" not in body
    portfolio = client.get("/risks/").get_data(as_text=True)
    assert (CANARY in portfolio) is reads
    assert (CANARY in client.get("/risks/overview").get_data(as_text=True)) is reads  # its top ten
    assert ("Canary issue of A" in client.get("/risks/issues").get_data(as_text=True)) is reads


@pytest.mark.parametrize("who,reads,writes", MATRIX)
def test_writing_a_projects_risks(client, world, who, reads, writes):
    sign_in(client, world["people"][who])
    a, risk = world["a"], world["risk_a"]
    owner = str(a.manager_id)
    expected = 200 if writes else 403 if reads else 404
    posts = [
        (f"/projects/{a.code}/risks/", {"title": "New one", "category": "cost", "probability": "2", "impact": "2",
                                         "owner": owner}),
        (f"/projects/{a.code}/risks/{risk.id}/status?row=1", {"status": "monitoring", "version": "1"}),
        (f"/projects/{a.code}/risks/{risk.id}/review?row=1", {}),
    ]
    for url, data in posts:
        response = client.post(url, data=data, headers={"HX-Request": "true"})
        assert response.status_code == expected, url
    gets = [f"/projects/{a.code}/risks/new", f"/projects/{a.code}/risks/{risk.id}/row/edit",
            f"/projects/{a.code}/issues/new"]
    for url in gets:
        assert client.get(url).status_code == (200 if writes else 403 if reads else 404), url
    assert Risk.select().where(Risk.title == "New one").exists() is writes
    assert (Risk.get_by_id(risk.id).status == "monitoring") is writes
    if writes:
        response = client.post(f"/projects/{a.code}/risks/{risk.id}/convert")
        assert response.status_code == 303 and Issue.select().where(Issue.risk == risk.id).exists()


def test_a_risk_id_under_another_projects_url_is_404(client, world):
    sign_in(client, world["people"]["pmo"])
    b, risk_a = world["b"], world["risk_a"]
    for url in (f"/projects/{b.code}/risks/{risk_a.id}", f"/projects/{b.code}/risks/{risk_a.id}/row",
                f"/projects/{b.code}/risks/{risk_a.id}/row/edit", f"/projects/{b.code}/issues/{world['issue_a'].id}"):
        assert client.get(url).status_code == 404, url
    response = client.post(f"/projects/{b.code}/risks/{risk_a.id}/convert")
    assert response.status_code == 404 and Risk.get_by_id(risk_a.id).status == "open"
    response = client.post(f"/projects/{b.code}/risks/{risk_a.id}/edit", data={
        "title": "Hijacked", "category": "cost", "probability": "1", "impact": "1", "owner": str(b.manager_id),
        "response": "accept", "version": "1"})
    assert response.status_code == 404 and Risk.get_by_id(risk_a.id).title == CANARY


def test_csv_of_a_project_only_holds_that_projects_risks(client, world):
    sign_in(client, world["people"]["pmo"])
    body = client.get(f"/projects/{world['b'].code}/risks/export.csv").get_data(as_text=True)
    assert "Risk of project B" in body and CANARY not in body


def test_owner_must_be_on_the_project(client, world):
    sign_in(client, world["people"]["member_a"])
    response = client.post(f"/projects/{world['a'].code}/risks/", data={
        "title": "Owned by a stranger", "category": "cost", "probability": "2", "impact": "2",
        "owner": str(world["people"]["member_b"].id)})
    assert response.status_code == 422
    assert not Risk.select().where(Risk.title == "Owned by a stranger").exists()


def test_escalation_is_for_the_manager_and_reaches_the_pmo(client, world):
    from portal.notify.models import Notification
    people, a, risk = world["people"], world["a"], world["risk_a"]
    sign_in(client, people["member_a"])
    assert client.post(f"/projects/{a.code}/risks/{risk.id}/escalate", data={"note": "Help"}).status_code == 403
    sign_in(client, people["manager_a"])
    empty = client.post(f"/projects/{a.code}/risks/{risk.id}/escalate", data={"note": ""})
    assert empty.status_code == 422 and not Risk.get_by_id(risk.id).escalated
    response = client.post(f"/projects/{a.code}/risks/{risk.id}/escalate", data={"note": "Needs budget decision"})
    assert response.status_code == 303 and Risk.get_by_id(risk.id).escalated
    assert Notification.select().where(Notification.user == people["pmo"].id).count() == 1
    sign_in(client, people["pmo"])
    page = client.get("/risks/?escalated=1").get_data(as_text=True)
    assert CANARY in page and 'hx-get="/risks/overview"' in page
    assert "Needs budget decision" in client.get("/risks/overview", headers={"HX-Request": "true"}).get_data(as_text=True)


def test_portfolio_filters_and_top_ten(client, world):
    sign_in(client, world["people"]["executive"])
    a, b = world["a"], world["b"]
    for n in range(12):
        make_risk(b, probability=5, impact=2 + n % 4, title=f"Portfolio risk {n:02d}", category="technical")
    page = client.get("/risks/").get_data(as_text=True)
    # The heat map, top ten and escalations load after the page's first paint; without JavaScript, a link.
    assert "Top 10 risks by score" not in page and '<a href="/risks/overview">' in page
    fragment = client.get("/risks/overview", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and 'id="portfolio-overview"' in fragment
    top = fragment.split("Top 10 risks by score", 1)[1].split("Escalated to the PMO", 1)[0]
    assert top.count("<li>") == 10 and "Portfolio risk 03" in top and CANARY not in top  # 9 < every other
    whole = client.get("/risks/overview").get_data(as_text=True)
    assert "<html" in whole and "Heat map of open risks" in whole and "Portfolio risk 03" in whole
    body = client.get(f"/risks/?project={a.code}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in body and CANARY in body and "Portfolio risk" not in body
    high = client.get("/risks/?band=high", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Portfolio risk 03" in high and "Portfolio risk 00" not in high and CANARY not in high
    cat = client.get("/risks/?category=supplier", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert CANARY in cat and "Portfolio risk" not in cat
