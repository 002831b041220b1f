"""Prometheus metrics: requests by route and status, mail outbox, reminder runs, database pool.

Under gunicorn set PROMETHEUS_MULTIPROC_DIR (an empty folder, emptied at each
start) so that each worker writes its counters there and any worker's scrape
adds them all up; without it the counters are this process's own.
"""
import calendar
import ipaddress
import os
import time

from flask import current_app, g, request
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

REQUESTS = Counter("portal_http_requests", "Requests answered, by route (URL rule) and status",
                   ["method", "route", "status"])
LATENCY = Histogram("portal_http_request_duration_seconds", "Time to answer a request, by route",
                    ["method", "route"], buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))


def observe(response):
    """Count the request that `response` answers (an after_request hook)."""
    started = g.get("request_started")
    route = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
    REQUESTS.labels(request.method, route, str(response.status_code)).inc()
    if started is not None:
        LATENCY.labels(request.method, route).observe(time.perf_counter() - started)
    return response


class _PortalState:
    """Gauges read from the database at scrape time (so every worker reports the same numbers)."""

    def collect(self):
        from peewee import fn

        from portal.db import db, own_connection, utcnow
        from portal.notify.models import MailDelivery
        from portal.system import REMIND_LAST_SUCCESS, get_value
        backlog = GaugeMetricFamily("portal_mail_outbox_backlog", "E-mails queued and not yet sent")
        oldest = GaugeMetricFamily("portal_mail_oldest_pending_age_seconds",
                                   "Age of the oldest unsent e-mail (0 when none)")
        remind = GaugeMetricFamily("portal_remind_last_success_timestamp_seconds",
                                   "When `portal remind` last finished with every e-mail sent (Unix time, 0 = never)")
        pool = GaugeMetricFamily("portal_db_pool_connections_in_use",
                                 "Database connections this worker has checked out of its pool")
        up = GaugeMetricFamily("portal_database_up", "1 when this scrape could read the database")
        try:
            with own_connection():
                unsent = MailDelivery.select().where(MailDelivery.state != "sent")
                backlog.add_metric([], unsent.count())
                first = unsent.select(fn.MIN(MailDelivery.created_at)).scalar()
                oldest.add_metric([], max(0.0, (utcnow() - first).total_seconds()) if first else 0.0)
                row = get_value(REMIND_LAST_SUCCESS)
                remind.add_metric([], float(calendar.timegm(row.updated_at.timetuple())) if row else 0.0)
            up.add_metric([], 1)
            yield from (backlog, oldest, remind)
        except Exception:  # a scrape must answer even when the database cannot
            up.add_metric([], 0)
        yield up
        in_use = getattr(db.obj, "_in_use", None)
        if in_use is not None:  # only the PostgreSQL pool has one
            pool.add_metric([], len(in_use))
            yield pool


class _ThisProcess:
    """The default registry's metrics (single-process mode)."""

    def collect(self):
        yield from REGISTRY.collect()


def exposition() -> bytes:
    """The metrics in Prometheus text format."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    registry.register(_PortalState())
    return generate_latest(registry)


def access(remote_addr: str | None, authorization: str, forwarded: bool) -> int:
    """200 when this caller may read the metrics, 403 for a wrong token, 404 for anyone else.

    The network rule trusts the peer address only when it is the real client's:
    a request that came through a proxy the portal does not trust (X-Forwarded-For
    while PORTAL_TRUST_PROXY is 0) shows the proxy's, often loopback, address.
    """
    token = current_app.config.get("METRICS_TOKEN", "")
    if authorization.startswith("Bearer "):
        import hmac
        given = authorization[len("Bearer "):].strip()
        return 200 if token and hmac.compare_digest(given.encode(), token.encode()) else 403
    if forwarded and not current_app.config.get("TRUST_PROXY"):
        return 404
    try:
        address = ipaddress.ip_address((remote_addr or "").split("%")[0])
    except ValueError:
        return 404
    networks = current_app.config.get("METRICS_ALLOW", ())
    return 200 if any(address in ipaddress.ip_network(n, strict=False) for n in networks) else 404
