"""The API and the calendar feed under gunicorn: a token printed by `portal tokens create` reads projects
over HTTP, two workers share one rate limit, revocation is felt by the next call, and neither the token
nor the feed's secret reaches the server's log."""
import os
import subprocess
import sys
import uuid

import pytest
import requests
from icalendar import Calendar

from tests.factories import make_project, make_user
from tests.live import ROOT, assert_complete

pytestmark = pytest.mark.live


def _tokens_create(live, email) -> str:
    """Run the real command against the server's database; returns what it printed on stdout."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PORTAL_DATABASE_URL": live.database_url,
           "PORTAL_SECRET_KEY": live.config["SECRET_KEY"], "PORTAL_KNOWLEDGE_DIR": str(live.knowledge),
           "PORTAL_UPLOAD_DIR": str(live.uploads)}
    done = subprocess.run([sys.executable, "-c", "from portal.cli import main; main()", "tokens", "create", email,
                           "--name", "Live sheet", "--days", "7"], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_printed_token_reads_projects_until_it_is_revoked(live):
    dept = f"Dept {uuid.uuid4().hex[:8]}"
    manager = make_user("manager")
    mine = make_project(manager=manager, name="Live mine", department=dept)
    make_project(name="Live hidden", department=dept)  # another manager's
    secret = _tokens_create(live, manager.email)
    assert secret.startswith("pmo_") and "\n" not in secret
    headers = {"Authorization": f"Bearer {secret}"}

    response = requests.get(f"{live.base_url}/api/v1/projects", params={"department": dept}, headers=headers,
                            timeout=30)
    assert response.status_code == 200, response.text[:300]
    assert_complete(response)
    assert [p["code"] for p in response.json()["data"]] == [mine.code]
    assert "Set-Cookie" not in response.headers

    etag = response.headers["ETag"]
    again = requests.get(f"{live.base_url}/api/v1/projects", params={"department": dept},
                         headers={**headers, "If-None-Match": etag}, timeout=30)
    assert again.status_code == 304

    # Revoke through the token page, signed in as the owner, as a person would.
    page = live.session()
    page.sign_in(manager)
    from portal.tokens.models import ApiToken
    token = ApiToken.get(ApiToken.user == manager.id)
    assert page.post(f"/account/tokens/{token.id}/revoke", allow_redirects=False).status_code == 303
    after = requests.get(f"{live.base_url}/api/v1/projects", headers=headers, timeout=30)
    assert after.status_code == 401 and after.json()["error"]["code"] == "unauthorized"

    log = live.log_path.read_text(errors="replace")
    assert secret not in log and secret[12:24] not in log
    assert live.error_count() == 0, live.log_tail()


def test_the_rate_limit_holds_across_both_workers(live):
    user = make_user("member")
    secret = _tokens_create(live, user.email)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {secret}"
    # New connections each time, so both workers answer; the limit is the server's default, 120 a minute.
    # A fixed window: start early in a minute so all the calls fall in the same one.
    import time
    if time.gmtime().tm_sec > 45:
        time.sleep(61 - time.gmtime().tm_sec)
    statuses = [requests.get(f"{live.base_url}/api/v1/me", headers=session.headers, timeout=30).status_code
                for _ in range(125)]
    assert statuses.count(200) == 120 and statuses[-1] == 429, statuses


def test_the_calendar_feed_is_served_and_its_secret_masked_in_the_log(live):
    user = make_user("manager")
    make_project(manager=user, name="Live feed project")
    session = live.session()
    session.sign_in(user)
    html = session.post("/account/calendar").text
    url = html.split('id="feed-url-value"')[0].rsplit('value="', 1)[1].split('"')[0]
    secret = url.rsplit("/", 1)[1].removesuffix(".ics")
    feed = requests.get(f"{live.base_url}/calendar/{secret}.ics", timeout=30)
    assert feed.status_code == 200 and feed.headers["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(feed.content)
    assert any("Live feed project" in str(e["SUMMARY"]) for e in calendar.walk("VEVENT"))
    log = live.log_path.read_text(errors="replace")
    assert "GET /calendar/*** 200" in log and secret not in log
