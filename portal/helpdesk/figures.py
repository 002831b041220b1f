"""The help desk's own figures: backlog, response and resolution times, SLA, satisfaction."""
import datetime
import statistics

from peewee import fn

from portal.db import utcnow
from portal.helpdesk.models import OPEN_STATUSES, ArticleLink, Deflection, Ticket
from portal.helpdesk.sla import BusinessCalendar

AGE_BANDS = [(1, "under a day"), (3, "1–3 days"), (7, "3–7 days"), (30, "1–4 weeks"), (None, "older")]


def backlog_by_category_and_age(now):
    """{category: {age band: count}} over open tickets, counted in the database."""
    rows = (Ticket.select(Ticket.category, Ticket.created_at)
            .where(Ticket.status.in_(OPEN_STATUSES)).tuples())
    table = {}
    for category, created in rows:
        age = (now - created).days
        band = next(label for limit, label in AGE_BANDS if limit is None or age < limit)
        table.setdefault(category, {}).setdefault(band, 0)
        table[category][band] += 1
    return table


def monthly(calendar: BusinessCalendar, months: int = 6, now=None):
    """Per month (newest first): tickets, median first response and resolution (business hours),
    SLA attainment (resolved on time among resolved), average rating."""
    now = now or utcnow()
    since = (now.replace(day=1) - datetime.timedelta(days=31 * (months - 1))).replace(day=1, hour=0,
                                                                                     minute=0, second=0,
                                                                                     microsecond=0)
    rows = (Ticket.select(Ticket.created_at, Ticket.first_response_at, Ticket.resolved_at,
                          Ticket.resolution_due, Ticket.rating, Ticket.paused_seconds)
            .where(Ticket.created_at >= since).tuples())
    buckets = {}
    for created, first, resolved, due, rating, paused in rows:
        b = buckets.setdefault(created.strftime("%Y-%m"), {"count": 0, "first": [], "resolve": [],
                                                            "on_time": 0, "resolved": 0, "ratings": []})
        b["count"] += 1
        if first:
            b["first"].append(calendar.between(created, first) / 3600)
        if resolved:
            b["resolved"] += 1
            b["resolve"].append((calendar.between(created, resolved) - paused) / 3600)
            b["on_time"] += resolved <= due
        if rating:
            b["ratings"].append(rating)
    result = []
    for month in sorted(buckets, reverse=True):
        b = buckets[month]
        result.append({
            "month": month, "count": b["count"],
            "median_first_hours": round(statistics.median(b["first"]), 1) if b["first"] else None,
            "median_resolve_hours": round(statistics.median(b["resolve"]), 1) if b["resolve"] else None,
            "sla_percent": round(100 * b["on_time"] / b["resolved"]) if b["resolved"] else None,
            "rating": round(statistics.mean(b["ratings"]), 1) if b["ratings"] else None,
        })
    return result


def summary(calendar: BusinessCalendar, now=None) -> dict:
    """Everything the figures page shows."""
    now = now or utcnow()
    rated = Ticket.select(fn.AVG(Ticket.rating), fn.COUNT(Ticket.rating)).where(Ticket.rating.is_null(False)).scalar(as_tuple=True)
    top_articles = list(ArticleLink.select(ArticleLink.article, ArticleLink.title,
                                           fn.COUNT(ArticleLink.id).alias("uses"))
                        .group_by(ArticleLink.article, ArticleLink.title)
                        .order_by(fn.COUNT(ArticleLink.id).desc()).limit(10).dicts())
    return {
        "open": Ticket.select().where(Ticket.status.in_(OPEN_STATUSES)).count(),
        "backlog": backlog_by_category_and_age(now),
        "age_bands": [label for _, label in AGE_BANDS],
        "months": monthly(calendar, now=now),
        "rating_average": round(float(rated[0]), 2) if rated[0] is not None else None,
        "rating_count": rated[1],
        "deflections": Deflection.select().count(),
        "top_articles": top_articles,
    }
