"""The read API: every endpoint for its owner's scope, keyset pages, ETags, incremental loads, errors as JSON,
tokens that stop working, the rate limit, and no cookies either way."""
import datetime

import pytest

from portal.api.registry import ENDPOINTS
from portal.db import utcnow
from portal.projects.models import Project
from portal.tokens.models import ApiToken
from portal.tokens.services import revoke_token
from tests.api_helpers import bearer, call, every_page, seed_one_of_everything, token_for
from tests.conftest import sign_in
from tests.factories import make_project, make_user

LISTS = [ep for ep in ENDPOINTS if ep.kind == "list"]


def test_every_list_endpoint_returns_its_declared_fields_for_the_pmo(app, client):
    seed = seed_one_of_everything(mark="alpha")
    secret = token_for(seed["pmo"])
    for ep in LISTS:
        response = call(client, ep.path, secret)
        assert response.status_code == 200, ep.path
        assert response.mimetype == "application/json"
        body = response.get_json()
        assert body["data"], f"{ep.path} returned nothing for the PMO"
        assert body["next_cursor"] is None
        for row in body["data"]:
            assert list(row) == [f.name for f in ep.fields], ep.path
    expected = {"/status-reports": ("id", {seed["report"].id}), "/risks": ("id", {seed["risk"].id}),
                "/issues": ("id", {seed["issue"].id}),
                "/milestones": ("id", {seed["milestone"].id, seed["upstream"].id}),
                "/dependencies": ("milestone_id", {seed["milestone"].id}),
                "/allocations": ("id", {seed["booking"].id}), "/tickets": ("number", {seed["ticket"].number}),
                "/lessons": ("id", {seed["lesson"].id}),
                "/projects": ("id", {seed["project"].id, seed["other"].id})}
    for path, (key, ids) in expected.items():
        assert {r[key] for r in call(client, path, secret).get_json()["data"]} == ids, path


def test_items_series_and_me(app, client):
    seed = seed_one_of_everything(mark="beta")
    secret = token_for(seed["pmo"], name="Finance BI")
    me = call(client, "/me", secret).get_json()["data"]
    assert me["email"] == seed["pmo"].email and me["token_name"] == "Finance BI" and me["token_prefix"].startswith("pmo_")
    assert me["token_expires_at"].endswith("Z")

    one = call(client, f"/projects/{seed['project'].code}", secret).get_json()["data"]
    assert one["code"] == seed["project"].code
    assert one["latest_rag"] == "amber" and one["latest_period_end"] == seed["report"].period_end.isoformat()
    assert one["manager_name"] == seed["manager"].name
    assert one["start_date"] == "2026-01-01" and one["budget"] == 50000.0
    assert one["updated_at"].endswith("Z") and "." not in one["updated_at"]

    ticket = call(client, f"/tickets/{seed['ticket'].reference}", secret).get_json()["data"]
    assert [r["internal"] for r in ticket["replies"]] == [False, True]  # PMO staff see internal notes

    lesson = call(client, "/lessons", secret).get_json()["data"][0]
    assert (lesson["id"], lesson["category"], lesson["project_code"]) == (seed["lesson"].id, "planning",
                                                                          seed["project"].code)
    risk = call(client, f"/risks?project={seed['project'].code}", secret).get_json()["data"][0]
    assert (risk["id"], risk["project_code"], risk["owner_name"], risk["band"]) == (
        seed["risk"].id, seed["project"].code, seed["manager"].name, "medium")

    kpis = call(client, "/kpis?months=3", secret).get_json()["data"]
    assert len(kpis) == 3 and kpis[-1]["month"] == utcnow().strftime("%Y-%m")
    assert set(call(client, "/kpis/rates", secret).get_json()["data"]) == {"training_pct", "ack_pct"}


def test_projects_list_shows_the_latest_rag_and_filters_like_the_page(app, client):
    seed = seed_one_of_everything(mark="gamma")
    make_project(name="Finance ledger", department="Finance", manager=seed["manager"])
    secret = token_for(seed["pmo"])
    rows = call(client, "/projects?department=Finance", secret).get_json()["data"]
    assert [r["name"] for r in rows] == ["Finance ledger"] and rows[0]["latest_rag"] is None
    rows = call(client, "/projects?q=gamma", secret).get_json()["data"]
    assert {r["name"] for r in rows} == {"Project gamma", "Upstream gamma"}
    assert {r["latest_rag"] for r in rows} == {"amber", None}


def test_a_token_sees_what_its_owner_sees(app, client):
    member = make_user("member")
    seed = seed_one_of_everything(member=member, mark="mine")
    hidden = seed_one_of_everything(mark="theirs")
    secret = token_for(member)
    names = {r["name"] for r in every_page(client, "/projects", secret)}
    assert names == {"Project mine", "Upstream mine"}
    assert {r["title"] for r in every_page(client, "/risks", secret)} == {"Risk mine"}
    assert {r["title"] for r in every_page(client, "/issues", secret)} == {"Issue mine"}
    assert {r["name"] for r in every_page(client, "/milestones", secret)} == {"Gate mine", "Upstream gate mine"}
    assert {r["role"] for r in every_page(client, "/allocations", secret)} == {"Analyst mine"}
    assert {r["subject"] for r in every_page(client, "/tickets", secret)} == {"Question mine"}
    assert {r["went_well"] for r in every_page(client, "/lessons", secret)} == {"Went well mine"}
    assert {r["milestone_name"] for r in every_page(client, "/dependencies", secret)} == {"Gate mine"}
    assert call(client, f"/projects/{hidden['project'].code}", secret).status_code == 404
    assert call(client, f"/tickets/{hidden['ticket'].number}", secret).status_code == 404
    ticket = call(client, f"/tickets/{seed['ticket'].number}", secret).get_json()["data"]
    assert [r["body"] for r in ticket["replies"]] == ["Public answer mine"]  # no internal note
    forbidden = call(client, "/kpis", secret)
    assert forbidden.status_code == 403 and forbidden.get_json()["error"]["code"] == "forbidden"


def test_keyset_pages_follow_the_link_header_to_the_end(app, client):
    pmo = make_user("pmo")
    made = [make_project(name=f"P{i}") for i in range(7)]
    secret = token_for(pmo)
    first = call(client, "/projects?limit=3&department=Operations", secret)
    assert first.status_code == 200 and len(first.get_json()["data"]) == 3
    link = first.headers["Link"]
    assert link.endswith('>; rel="next"') and "department=Operations" in link and "limit=3" in link
    assert first.get_json()["next_cursor"] in link
    ids = [r["id"] for r in every_page(client, "/projects?department=Operations", secret, limit=3)]
    assert ids == sorted(p.id for p in made)
    # A record added while paging shows on a later page, never shifts what came before.
    cursor = first.get_json()["next_cursor"]
    make_project(name="Late arrival")
    rest = call(client, f"/projects?limit=50&cursor={cursor}", secret).get_json()["data"]
    assert [r["id"] for r in rest][:4] == ids[3:] and rest[-1]["name"] == "Late arrival"


@pytest.mark.parametrize("query, field", [("limit=0", "limit"), ("limit=201", "limit"), ("limit=abc", "limit"),
                                          ("cursor=nonsense!", "cursor"), ("cursor=" + "9" * 60, "cursor"),
                                          ("updated_since=yesterday", "updated_since"),
                                          ("manager=99999999999999999999", "manager")])
def test_bad_parameters_are_422_in_json_naming_the_field(app, client, query, field):
    secret = token_for(make_user("pmo"))
    response = call(client, f"/projects?{query}", secret)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["status"] == 422 and field in error["fields"]


def test_etag_answers_304_until_something_changes(app, client):
    pmo = make_user("pmo")
    project = make_project(name="Stable")
    secret = token_for(pmo)
    first = call(client, "/projects", secret)
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    again = call(client, "/projects", secret, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    Project.update(name="Renamed").where(Project.id == project.id).execute()
    changed = call(client, "/projects", secret, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.get_json()["data"][0]["name"] == "Renamed"


def test_updated_since_loads_only_what_changed(app, client):
    pmo = make_user("pmo")
    old = make_project(name="Old news")
    new = make_project(name="Fresh")
    Project.update(updated_at=datetime.datetime(2026, 1, 1, 8)).where(Project.id == old.id).execute()
    Project.update(updated_at=datetime.datetime(2026, 3, 2, 9, 30)).where(Project.id == new.id).execute()
    secret = token_for(pmo)
    rows = call(client, "/projects?updated_since=2026-03-01T00:00:00Z", secret).get_json()["data"]
    assert [r["name"] for r in rows] == ["Fresh"] and rows[0]["updated_at"] == "2026-03-02T09:30:00Z"
    # An offset is honoured: 10:00+02:00 is 08:00 UTC, so the old one is just in.
    rows = call(client, "/projects?updated_since=2026-01-01T10:00:00%2B02:00", secret).get_json()["data"]
    assert {r["name"] for r in rows} == {"Old news", "Fresh"}


def test_missing_unknown_revoked_and_expired_tokens_get_401_json(app, client):
    owner = make_user("pmo")
    secret = token_for(owner)
    missing = call(client, "/projects", None)
    assert missing.status_code == 401 and missing.get_json()["error"]["code"] == "unauthorized"
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    assert call(client, "/projects", "pmo_not-a-real-token").status_code == 401
    assert client.get("/api/v1/projects", headers={"Authorization": f"Basic {secret}"}).status_code == 401
    assert call(client, "/projects", secret).status_code == 200
    token = ApiToken.get(ApiToken.user == owner.id)
    ApiToken.update(expires_at=utcnow() - datetime.timedelta(seconds=1)).where(ApiToken.id == token.id).execute()
    assert call(client, "/projects", secret).status_code == 401
    ApiToken.update(expires_at=utcnow() + datetime.timedelta(days=1)).where(ApiToken.id == token.id).execute()
    assert call(client, "/projects", secret).status_code == 200
    revoke_token(token, owner)
    revoked = call(client, "/projects", secret)
    assert revoked.status_code == 401 and revoked.mimetype == "application/json"


def test_a_deactivated_owner_s_tokens_stop_at_once(app, client):
    from portal.auth.services import update_user
    admin, owner = make_user("admin"), make_user("manager")
    secret = token_for(owner)
    assert call(client, "/projects", secret).status_code == 200
    update_user(owner, admin, owner.version, active=False)
    assert call(client, "/projects", secret).status_code == 401


def test_unknown_addresses_and_wrong_methods_answer_json_not_html(app, client):
    secret = token_for(make_user("pmo"))
    for path in ("/api/v1/nothing-here", "/api/v1/projects/NOPE-1", "/api/v1/tickets/PMO-999999", "/api/v1"):
        response = client.get(path, headers=bearer(secret))
        assert response.status_code == 404 and response.mimetype == "application/json", path
    for method in ("post", "put", "delete", "patch"):
        response = getattr(client, method)("/api/v1/projects", headers=bearer(secret), csrf=False)
        assert response.status_code == 405 and response.mimetype == "application/json"
        assert "GET" in response.headers["Allow"]
    posted_json = client.post("/api/v1/projects", headers=bearer(secret), json={"name": "x"}, csrf=False)
    assert posted_json.status_code in (405, 415) and posted_json.mimetype == "application/json"


def test_the_rate_limit_counts_per_token_and_says_when_to_retry(app, client):
    app.config["API_CALLS_PER_MINUTE"] = 3
    owner = make_user("member")
    first, second = token_for(owner), token_for(owner)
    statuses = [call(client, "/me", first).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = call(client, "/me", first)
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.get_json()["error"]["code"] == "rate_limited"
    assert call(client, "/me", second).status_code == 200  # another token has its own minute


def test_last_use_is_written_at_most_once_a_minute(app, client):
    owner = make_user("member")
    secret = token_for(owner)
    call(client, "/me", secret, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    token = ApiToken.get(ApiToken.user == owner.id)
    assert token.last_used_address == "10.1.2.3" and token.last_used_at is not None
    call(client, "/me", secret, environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert ApiToken.get_by_id(token.id).last_used_address == "10.1.2.3"  # within the minute: not written
    ApiToken.update(last_used_at=utcnow() - datetime.timedelta(minutes=2)).where(ApiToken.id == token.id).execute()
    call(client, "/me", secret, environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert ApiToken.get_by_id(token.id).last_used_address == "10.9.9.9"


def test_the_api_ignores_session_cookies_and_sets_none(app, client):
    user = make_user("pmo")
    sign_in(client, user)
    assert client.get("/projects/").status_code == 200  # the session works for pages
    response = client.get("/api/v1/projects")
    assert response.status_code == 401 and "Set-Cookie" not in response.headers
    with_token = client.get("/api/v1/projects", headers=bearer(token_for(user)))
    assert with_token.status_code == 200 and "Set-Cookie" not in with_token.headers
    assert "Authorization" in with_token.headers["Vary"]


def test_pages_never_accept_a_token(app, client):
    secret = token_for(make_user("pmo"))
    for path in ("/projects/", "/account/tokens", "/api/"):
        response = client.get(path, headers=bearer(secret))
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


def test_token_secrets_stay_out_of_logs_and_the_audit_trail(app, client, capsys):
    from portal.audit.models import AuditEvent
    owner = make_user("manager")
    secret = token_for(owner)
    call(client, "/projects", secret)
    call(client, "/projects", secret + "x")  # refused: logged as a security event
    call(client, "/nothing", secret)
    revoke_token(ApiToken.get(ApiToken.user == owner.id), owner)
    call(client, "/projects", secret)
    logged = capsys.readouterr().err
    assert "GET /api/v1/projects 200" in logged and "api_token_refused" in logged
    assert secret not in logged and secret[12:20] not in logged
    trail = " ".join(f"{e.summary} {e.before} {e.after}" for e in AuditEvent.select())
    assert "token.create" in {e.action for e in AuditEvent.select()} and secret[:12] in trail
    assert secret not in trail and secret[12:20] not in trail


def test_the_openapi_description_covers_exactly_the_api_routes(app, client):
    from portal.api.registry import openapi_path
    document = client.get("/api/v1/openapi.json").get_json()  # readable without a token
    assert document["openapi"].startswith("3.1")
    routes = {openapi_path(rule.rule) for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1")}
    assert set(document["paths"]) == routes
    for path, item in document["paths"].items():
        rule = next(r for r in app.url_map.iter_rules() if openapi_path(r.rule) == path)
        assert set(item) == {"get"} and rule.methods - {"HEAD", "OPTIONS"} == {"GET"}, path
    assert document["paths"]["/api/v1/projects/{ref}"]["get"]["parameters"][0]["name"] == "ref"
    schema = document["paths"]["/api/v1/risks"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert "owner_name" in schema["properties"]["data"]["items"]["properties"]


def test_answers_match_their_openapi_schemas(app, client):
    """Every field of every answer has the declared JSON type, and every declared field is present."""
    seed = seed_one_of_everything(mark="schema")
    secret = token_for(seed["pmo"])
    document = client.get("/api/v1/openapi.json").get_json()
    kinds = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "array": list}
    paths = {"/api/v1/projects/{ref}": seed["project"].code, "/api/v1/tickets/{number}": seed["ticket"].reference}
    for path, item in document["paths"].items():
        if path.endswith("openapi.json"):
            continue
        url = path.replace("{ref}", paths.get(path, "")).replace("{number}", paths.get(path, ""))
        body = call(client, url, secret).get_json()
        schema = item["get"]["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["data"]
        rows = body["data"] if isinstance(body["data"], list) else [body["data"]]
        items = schema["items"] if schema["type"] == "array" else schema
        assert rows, path
        for row in rows:
            assert set(row) == set(items["properties"]), path
            for name, spec in items["properties"].items():
                types = spec["type"] if isinstance(spec["type"], list) else [spec["type"]]
                value = row[name]
                assert (value is None and "null" in types) or any(
                    isinstance(value, kinds[t]) and not (t == "integer" and isinstance(value, bool))
                    for t in types if t != "null"), (path, name, value)
