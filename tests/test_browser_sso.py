"""Each sign-in path in Chromium: the directory through the login form, the OpenID provider's pages, and a
reverse proxy (nginx with Basic authentication) that names the user, which a direct client cannot imitate."""
import os
import shutil
import socket
import subprocess
import time

import pytest
from playwright.sync_api import expect
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.auth import oidc
from portal.auth.models import User
from tests.conftest import _missing
from tests.oidc_provider import PASSWORD as PROVIDER_PASSWORD
from tests.oidc_provider import OidcProvider
from tests.slapd import PASSWORD as DIRECTORY_PASSWORD
from tests.slapd import _free_port, directory  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


def test_directory_person_signs_in_through_the_login_form(page, app, directory):  # noqa: F811
    app.config.update(directory.portal_config())
    page.goto("/login")
    page.get_by_label("E-mail or user name").fill("pete")
    page.get_by_label("Password").fill(DIRECTORY_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_text("Welcome, Pete Planner.")).to_be_visible()
    user = User.get(User.email == "pete@example.test")
    assert (user.role, user.auth_source, user.department) == ("pmo", "ldap", "PMO")
    page.goto("/login")  # a signed-in person is sent on
    page.context.clear_cookies()
    page.goto("/login")
    page.get_by_label("E-mail or user name").fill("dave")  # disabled in the directory
    page.get_by_label("Password").fill(DIRECTORY_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("do not match an active account")


def test_sign_in_with_the_openid_provider_creates_the_account(page, app, live_server):
    provider = OidcProvider([f"{live_server}/login/sso/callback"]).start()
    try:
        app.config.update(provider.portal_config())
        oidc.init_app(app)
        page.goto("/login")
        page.get_by_role("button", name="Sign in with Example Identity").click()
        expect(page.get_by_role("heading", name="Example Identity sign-in")).to_be_visible()
        page.get_by_label("Username").fill("olivia")
        page.get_by_label("Password").fill(PROVIDER_PASSWORD)
        page.get_by_role("button", name="Sign in to Example Identity").click()
        page.get_by_role("button", name="Allow").click()
        expect(page.get_by_text("Welcome, Olivia Owner.")).to_be_visible()
        assert page.url.startswith(live_server)
    finally:
        provider.stop()
    user = User.get(User.email == "olivia@example.test")
    assert (user.role, user.auth_source, user.department) == ("pmo", "oidc", "Strategy")


@pytest.fixture
def nginx_in_front(app, live_server, tmp_path):
    """nginx with Basic authentication in front of the live portal, connecting to it from 127.0.0.2."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(nginx):
        _missing("nginx is not installed (apt-get install nginx-light)")
    app.config.update(TRUST_PROXY=1, AUTH_PROXY_HEADER="X-Remote-User", AUTH_PROXY_FROM=("127.0.0.2/32",),
                      AUTH_PROXY_EMAIL_DOMAIN="example.test")
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    hashed = subprocess.run(["openssl", "passwd", "-apr1", "proxy pass 1"], check=True, capture_output=True,
                            text=True).stdout.strip()
    (tmp_path / "htpasswd").write_text(f"jdoe:{hashed}\n")
    port = _free_port()
    temp = "".join(f"{kind}_temp_path {tmp_path / kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi",
                                                                          "scgi"))
    (tmp_path / "nginx.conf").write_text(f"""
user root;
worker_processes 1;
pid {tmp_path / 'nginx.pid'};
error_log {tmp_path / 'error.log'};
events {{ worker_connections 64; }}
http {{
  access_log off;
  {temp}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      auth_basic "PMO Portal";
      auth_basic_user_file {tmp_path / 'htpasswd'};
      proxy_pass {live_server};
      proxy_bind 127.0.0.2;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Remote-User $remote_user;
    }}
  }}
}}
""")
    process = subprocess.Popen([nginx, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


def test_the_trusted_proxy_signs_people_in_and_a_direct_header_is_ignored(_browser, nginx_in_front, live_server):
    context = _browser.new_context(base_url=nginx_in_front, http_credentials={"username": "jdoe",
                                                                              "password": "proxy pass 1"})
    try:
        tab = context.new_page()
        tab.goto("/")
        expect(tab.get_by_role("heading", name="Good to see you, jdoe")).to_be_visible()
    finally:
        context.close()
    assert User.get(User.email == "jdoe@example.test").auth_source == "proxy"
    # The same header sent straight to the portal, bypassing nginx, signs nobody in.
    forged = _browser.new_context(base_url=live_server, extra_http_headers={"X-Remote-User": "admin",
                                                                            "X-Forwarded-For": "10.9.8.7"})
    try:
        tab = forged.new_page()
        tab.goto("/")
        expect(tab.get_by_role("heading", name="Sign in")).to_be_visible()
    finally:
        forged.close()
    assert not User.select().where(User.email == "admin@example.test").exists()
