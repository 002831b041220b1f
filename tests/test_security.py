"""Promises every page keeps: CSRF, headers, sign-in required, clear error pages."""

from portal.auth.models import User
from tests.factories import PASSWORD, make_user

# The calendar feed's key is the secret in its address (tests/test_calendar.py); the API's description holds no data.
# Signing in is done before there is a user: single sign-on's start and return, "Forgot password?" and the
# e-mailed link that sets a password (tests/test_auth_oidc.py, tests/test_accounts_links.py).
PUBLIC_ENDPOINTS = {"static", "auth.login", "ops.healthz", "ops.readyz", "ops.metrics", "tokens.feed",
                    "api.openapi_document", "auth.sso_start", "auth.sso_callback", "auth.forgot",
                    "auth.set_password"}


def _concrete_rules(app):
    """Every non-public route in the URL map, built with plausible placeholder values."""
    from werkzeug.routing.converters import AnyConverter, IntegerConverter
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        values = {}
        for arg, converter in rule._converters.items():
            if isinstance(converter, IntegerConverter):
                values[arg] = 1
            elif isinstance(converter, AnyConverter):
                values[arg] = sorted(converter.items)[0]
            else:
                values[arg] = "X"
        yield rule, adapter.build(rule.endpoint, values)


def test_every_page_needs_a_signed_in_user(app, client):
    checked = 0
    for rule, url in _concrete_rules(app):
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(url, method=method)
            assert response.status_code in (302, 401), f"{method} {url} -> {response.status_code}"
            if response.status_code == 302:
                assert response.headers["Location"].startswith("/login"), url
            checked += 1
    assert checked >= 8


def test_post_without_csrf_token_is_refused_with_a_message(client, login):
    login("admin")
    response = client.post("/admin/users/new", csrf=False, data={
        "email": "x@example.test", "name": "X", "role": "admin", "password": PASSWORD})
    assert response.status_code == 400
    assert "Reload the page and try again" in response.get_data(as_text=True)
    assert not User.select().where(User.email == "x@example.test").exists()


def test_htmx_post_without_csrf_header_is_refused(client, login):
    login("member")
    response = client.post("/logout", csrf=False, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert client.get("/").status_code == 200  # still signed in


def test_login_form_needs_its_csrf_token_too(client):
    user = make_user()
    response = client.post("/login", csrf=False, data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400


def test_security_headers_on_pages(client, login):
    login()
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_pages_carry_no_inline_script(client, login):
    login("admin")
    for url in ("/", "/admin/users", "/admin/audit", "/account/password"):
        body = client.get(url).get_data(as_text=True)
        assert "<script>" not in body and "<script type" not in body, url
        assert " onclick=" not in body and " onload=" not in body, url


def test_session_cookie_is_httponly_and_samesite(client):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    remember_cookie = next(c for c in cookies if c.startswith("remember_token="))
    for cookie in (session_cookie, remember_cookie):
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secure_cookies_when_configured(app, client):
    app.config["SESSION_COOKIE_SECURE"] = True
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    session_cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Secure" in session_cookie


def test_missing_page_gets_the_portal_404(client, login):
    login()
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Not found" in response.get_data(as_text=True)
    assert "Back to the home page" in response.get_data(as_text=True)


def test_error_for_htmx_is_a_fragment(hx, login):
    login()
    response = hx.get("/no/such/page")
    assert response.status_code == 404
    assert "<html" not in response.get_data(as_text=True)


def test_healthz_answers_without_a_session(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_unexpected_errors_get_a_friendly_500_page(app, client, login):
    login()
    app.config["TESTING"] = False

    @app.get("/boom-for-test")
    def boom():  # pragma: no cover - only reached by this test
        raise RuntimeError("kaboom")

    response = client.get("/boom-for-test")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Something went wrong" in body and "kaboom" not in body


HUGE = 99999999999999999999999  # past what SQLite's 64-bit integers hold


def test_huge_ids_in_any_url_are_not_found_never_a_server_error(app, client, login):
    from werkzeug.routing.converters import IntegerConverter

    from tests.factories import make_project
    login("admin")
    project = make_project()
    adapter = app.url_map.bind("localhost")
    checked = 0
    for rule, _ in _concrete_rules(app):
        if not any(isinstance(c, IntegerConverter) for c in rule._converters.values()):
            continue
        values = {arg: HUGE if isinstance(c, IntegerConverter) else sorted(c.items)[0] if hasattr(c, "items")
                  else project.code for arg, c in rule._converters.items()}
        url = adapter.build(rule.endpoint, values)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(url, method=method)
            assert response.status_code < 500, f"{method} {url} -> {response.status_code}"
            checked += 1
    assert checked >= 10
