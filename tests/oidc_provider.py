"""A real OpenID provider for the sign-in tests: panva's oidc-provider under Node, on a free loopback port.

tests/oidc/provider.mjs is the provider; its npm packages are installed by `npm ci` (from the
committed package-lock.json) the first time a test needs them. Without Node the tests skip
locally and fail under CI.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import requests

FOLDER = Path(__file__).parent / "oidc"
CLIENT_ID = "pmo-portal"
CLIENT_SECRET = "portal-test-client-secret-0123456789"
PASSWORD = "provider pass 1"
ACCOUNTS = {
    "olivia": {"password": PASSWORD, "claims": {"email": "olivia@example.test", "name": "Olivia Owner",
                                                "department": "Strategy", "groups": ["pmo-staff", "everyone"]}},
    "sam": {"password": PASSWORD, "claims": {"email": "sam@example.test", "name": "Sam Staff",
                                             "groups": ["everyone"]}},
}
ROLE_MAP = (("admin", "portal-admins"), ("pmo", "pmo-staff"), ("manager", "project-managers"))
_FORM_ACTION = re.compile(r'<form method="post" action="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_installed() -> None:
    """Node and the provider's packages, or a skip (a failure under CI) saying what is missing."""
    from tests.conftest import _missing
    if not shutil.which("node") or not shutil.which("npm"):
        _missing("Node.js and npm are needed for the OpenID provider (apt-get install nodejs npm)")
    if not (FOLDER / "node_modules" / "oidc-provider").exists():
        done = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=FOLDER, capture_output=True, text=True,
                              timeout=300)
        if done.returncode != 0:
            _missing(f"npm ci for the OpenID provider failed: {done.stderr[-500:]}")


class OidcProvider:
    """One provider process that knows the portal at `redirect_uris`."""

    def __init__(self, redirect_uris: list[str]):
        self.redirect_uris = redirect_uris
        self.process = None
        self.issuer = ""

    def start(self) -> "OidcProvider":
        ensure_installed()
        settings = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": self.redirect_uris,
                    "accounts": ACCOUNTS}
        port = _free_port()
        self.issuer = f"http://127.0.0.1:{port}"
        env = {**os.environ, "PORT": str(port), "OIDC_TEST_CONFIG": json.dumps(settings), "NODE_ENV": "test"}
        self.process = subprocess.Popen(["node", "provider.mjs"], cwd=FOLDER, env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the OpenID provider stopped: {self.process.stdout.read()[-2000:]}")
            try:
                if requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=2).ok:
                    return self
            except requests.RequestException:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the OpenID provider did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.process and self.process.stdout:
            self.process.stdout.close()

    def portal_config(self) -> dict:
        return {"OIDC_ISSUER": self.issuer, "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": CLIENT_SECRET,
                "OIDC_NAME": "Example Identity", "OIDC_SCOPES": "openid email profile groups",
                "OIDC_ROLE_MAP": ROLE_MAP}

    def sign_in(self, authorize_url: str, login: str, password: str = PASSWORD) -> str:
        """Sign in at the provider and allow access, as a person would; returns the URL it sends the browser back to."""
        with requests.Session() as browser:
            page = browser.get(authorize_url, timeout=10)
            action = _FORM_ACTION.search(page.text)
            assert action, page.text[:500]
            page = browser.post(self.issuer + action.group(1), data={"login": login, "password": password},
                                timeout=10, allow_redirects=False)
            for _hop in range(10):
                location = page.headers.get("Location", "")
                if location.startswith(tuple(self.redirect_uris)):
                    return location
                if page.status_code in (302, 303):
                    page = browser.get(location if location.startswith("http") else self.issuer + location,
                                       timeout=10, allow_redirects=False)
                    continue
                action = _FORM_ACTION.search(page.text)  # the consent page
                assert action, page.text[:500]
                page = browser.post(self.issuer + action.group(1), timeout=10, allow_redirects=False)
        raise AssertionError("the provider did not send the browser back to the portal")
