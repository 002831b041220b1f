"""Every GET page, for every role, with placeholder and hostile values: never a server error."""
import pytest
from werkzeug.routing.converters import AnyConverter, IntegerConverter

from tests.factories import make_project, make_ticket, make_user

ROLES = ["admin", "pmo", "manager", "member", "executive"]
# The readiness probe answers 503 by design on a test database (no shared upload folder declared);
# its states are tested in test_ops_health.py.
INTENDED_503 = {"ops.readyz"}
HOSTILE = ["'\"><script>x</script>", "../../etc/passwd", "%00", "²", "9" * 30]


def _get_rules(app):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint != "static":
            yield rule


def _build(app, rule, string_value, int_value):
    values = {}
    for arg, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[arg] = int_value
        elif isinstance(converter, AnyConverter):
            values[arg] = sorted(converter.items)[0]
        else:
            values[arg] = string_value
    return app.url_map.bind("localhost").build(rule.endpoint, values)


@pytest.mark.parametrize("role", ROLES)
def test_no_get_page_fails_for_any_role(app, client, login, role):
    user = login(role)
    project = make_project(manager=user if role == "manager" else None,
                           members=[user] if role == "member" else ())
    ticket = make_ticket(requester=user)
    failures = []
    for rule in _get_rules(app):
        for string_value, int_value in [(project.code, 1), (str(ticket.number), ticket.id), ("X", 2)]:
            url = _build(app, rule, string_value, int_value)
            response = client.get(url)
            response.close()  # streamed exports are not read to the end here
            if response.status_code >= 500 and rule.endpoint not in INTENDED_503:
                failures.append(f"{url} -> {response.status_code}")
    assert failures == []


def test_hostile_path_and_query_values_never_fail(app, client, login):
    login("admin")
    failures = []
    for rule in _get_rules(app):
        for value in HOSTILE:
            try:
                url = _build(app, rule, value, 1)
            except Exception:  # a converter refused the value: nothing to request
                continue
            for probe in (url, f"{url}?q={value}&page={value}&sort={value}&_method=POST"):
                response = client.get(probe)
                response.close()
                if response.status_code >= 500 and rule.endpoint not in INTENDED_503:
                    failures.append(f"{probe} -> {response.status_code}")
    assert failures == []


def test_nul_characters_are_refused_with_a_message(client, login):
    login("pmo")
    response = client.get("/helpdesk/?q=a%00b")
    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)
    posted = client.post("/helpdesk/canned/new", data={"title": "a\x00b", "body": "x"})
    assert posted.status_code == 400


HUGE = "99999999999999999999"


def test_huge_numbers_in_filters_are_refused_or_ignored_never_a_server_error(client, login):
    login("pmo")
    project = make_project()
    for url in (f"/dashboard/?manager={HUGE}", f"/risks/?owner={HUGE}", f"/risks/issues?owner={HUGE}",
                f"/projects/{project.code}/risks/?owner={HUGE}", f"/projects/{project.code}/risks/export.csv?owner={HUGE}"):
        response = client.get(url)
        response.close()
        assert response.status_code < 500, url


def test_dates_far_in_the_future_are_refused_or_ignored(client, login):
    login("pmo")
    project = make_project(state="active")
    for url in ("/resources/?start=9999-12-20", "/resources/?start=9999-10-20&unit=month",
                "/resources/conflicts?start=9999-12-20"):
        assert client.get(url).status_code < 500, url
    person = make_user("member")
    response = client.post(f"/projects/{project.code}/resources/", data={
        "person": person.id, "role": "Analyst", "percent": 50, "start_date": "9999-12-30", "end_date": "9999-12-31"})
    assert response.status_code == 422
    assert "Enter a date between 1900 and 9000." in response.get_data(as_text=True)
