"""/metrics: Prometheus text, only for allowed networks or the bearer token, counters that move."""
from prometheus_client.parser import text_string_to_metric_families

from portal.notify.models import MailDelivery, Notification
from tests.factories import make_user


def _samples(response) -> dict:
    """{(name, frozenset(labels)): value} from a Prometheus text response."""
    text = response.get_data(as_text=True)
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def _requests(samples, route, status="200"):
    return samples.get(("portal_http_requests_total",
                        frozenset({"method": "GET", "route": route, "status": status}.items())), 0)


def test_loopback_reads_prometheus_text_and_counters_move(client, login):
    login("member")
    before = _samples(client.get("/metrics"))
    client.get("/kb/")
    client.get("/kb/")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain" and "version=0.0.4" in response.headers["Content-Type"]
    after = _samples(response)
    assert _requests(after, "/kb/") - _requests(before, "/kb/") == 2
    assert after[("portal_database_up", frozenset())] == 1
    latency = ("portal_http_request_duration_seconds_count", frozenset({"method": "GET", "route": "/kb/"}.items()))
    assert after[latency] >= 2


def test_routes_are_counted_by_rule_not_by_raw_path(client, login):
    login("member")
    client.get("/helpdesk/999999")
    samples = _samples(client.get("/metrics"))
    routes = {dict(labels).get("route") for name, labels in samples if name == "portal_http_requests_total"}
    assert "/helpdesk/999999" not in routes and any("<" in r for r in routes if r)


def test_outbox_and_remind_gauges(app, client):
    user = make_user()
    note = Notification.create(user=user, text="Due", url="/")
    MailDelivery.create(notification=note, to_address=user.email, subject="Due", body="x")
    samples = _samples(client.get("/metrics"))
    assert samples[("portal_mail_outbox_backlog", frozenset())] == 1
    assert samples[("portal_mail_oldest_pending_age_seconds", frozenset())] >= 0
    assert samples[("portal_remind_last_success_timestamp_seconds", frozenset())] == 0
    from portal.remind import record_success
    record_success()
    samples = _samples(client.get("/metrics"))
    assert samples[("portal_remind_last_success_timestamp_seconds", frozenset())] > 1.7e9


def test_other_networks_get_404(client):
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.20.30.40"}).status_code == 404


def test_configured_network_is_allowed(app, client):
    app.config["METRICS_ALLOW"] = ("10.20.0.0/16",)
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.20.30.40"}).status_code == 200
    assert client.get("/metrics").status_code == 404  # loopback no longer listed


def test_bearer_token_from_anywhere_and_wrong_token_403(app, client):
    app.config["METRICS_TOKEN"] = "s3cret-scrape-token"
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    ok = client.get("/metrics", environ_base=outside, headers={"Authorization": "Bearer s3cret-scrape-token"})
    assert ok.status_code == 200 and b"portal_http_requests_total" in ok.data
    wrong = client.get("/metrics", environ_base=outside, headers={"Authorization": "Bearer guess"})
    assert wrong.status_code == 403


def test_no_token_configured_refuses_any_bearer(client):
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"},
                      headers={"Authorization": "Bearer "}).status_code == 403


def test_request_through_an_untrusted_proxy_is_not_taken_for_loopback(client):
    # nginx on the same host connects from 127.0.0.1; without PORTAL_TRUST_PROXY that is not the client.
    response = client.get("/metrics", headers={"X-Forwarded-For": "198.51.100.7"})
    assert response.status_code == 404


WORKER = r'''
import sys
from portal import create_app
from portal.db import db, migration_runner
app = create_app({"DATABASE_URL": sys.argv[1], "SECRET_KEY": "x", "UPLOAD_DIR": sys.argv[2]})
with db.connection_context():
    migration_runner().up()
client = app.test_client()
for _ in range(int(sys.argv[3])):
    client.get("/healthz")
if len(sys.argv) > 4:
    sys.stdout.write(client.get("/metrics").get_data(as_text=True))
'''


def test_multiprocess_mode_adds_up_every_worker(tmp_path):
    """Two worker processes count requests; a third one's scrape reports the sum (PROMETHEUS_MULTIPROC_DIR)."""
    import os
    import subprocess
    import sys
    folder = tmp_path / "metrics"
    folder.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder), "PYTHONPATH": os.getcwd()}
    url = f"sqlite:///{tmp_path / 'workers.sqlite3'}"

    def worker(*args):
        return subprocess.run([sys.executable, "-c", WORKER, url, str(tmp_path / "up"), *args], env=env,
                              capture_output=True, text=True, timeout=120, check=True).stdout
    worker("3")
    worker("4")
    text = worker("0", "scrape")
    healthz = [line for line in text.splitlines()
               if line.startswith("portal_http_requests_total{") and 'route="/healthz"' in line]
    assert len(healthz) == 1 and float(healthz[0].split()[-1]) == 7.0
