"""The help desk's own figures: backlog, response and resolution times, SLA, satisfaction."""
import datetime

from peewee import SQL, Case, fn

from portal.db import utcnow
from portal.helpdesk.models import OPEN_STATUSES, ArticleLink, Deflection, Ticket
from portal.sqlfunc import median_by, month_of, months_back

# COUNT(*), not COUNT(id): the same number (id is never NULL), and PostgreSQL can then answer from an index
# that holds the other columns without reading the table (SQLite's indexes carry the id anyway).
ROWS = fn.COUNT(SQL("*"))
AGE_BANDS = [(1, "under a day"), (3, "1–3 days"), (7, "3–7 days"), (30, "1–4 weeks"), (None, "older")]


def backlog_by_category_and_age(now):
    """{category: {age band: count}} over open tickets, counted in the database per band."""
    band = Case(None, [(Ticket.created_at > now - datetime.timedelta(days=limit), label)
                       for limit, label in AGE_BANDS if limit is not None], AGE_BANDS[-1][1])
    rows = (Ticket.select(Ticket.category, band.alias("band"), ROWS)
            .where(Ticket.status.in_(OPEN_STATUSES)).group_by(Ticket.category, band).tuples())
    table = {}
    for category, label, count in rows:
        table.setdefault(category, {})[label] = count
    return table


def monthly(months: int = 6, now=None):
    """Per month, newest first: tickets, median business hours to first response and to
    resolution, share resolved within SLA, average rating. Two queries in all."""
    now = now or utcnow()
    since = datetime.datetime.combine(months_back(now.date(), months), datetime.time())
    bucket = month_of(Ticket.created_at)
    on_time = Case(None, [((Ticket.resolved_at.is_null(False)) & (Ticket.resolved_at <= Ticket.resolution_due), 1)], 0)
    totals = (Ticket.select(bucket.alias("m"), ROWS, fn.COUNT(Ticket.resolved_at),
                            fn.SUM(on_time), fn.AVG(Ticket.rating))
              .where(Ticket.created_at >= since).group_by(bucket).tuples())
    durations = median_by(bucket, Ticket.first_response_seconds, Ticket.resolution_seconds,
                          where=Ticket.created_at >= since)
    result = []
    for key, count, resolved, in_time, rating in totals:
        first, resolve = durations.get(key, (None, None))
        result.append({
            "month": key, "count": count,
            "median_first_hours": round(first / 3600, 1) if first is not None else None,
            "median_resolve_hours": round(resolve / 3600, 1) if resolve is not None else None,
            "sla_percent": round(100 * (in_time or 0) / resolved) if resolved else None,
            "rating": round(float(rating), 1) if rating is not None else None,
        })
    return sorted(result, key=lambda row: row["month"], reverse=True)


RUNNING = ("new", "open")  # a waiting ticket's clock is paused: its deadline moves when it resumes


def open_breach_condition(now):
    """Running tickets whose deadline (the one the queue shows) has passed: late now, not yet resolved."""
    return (Ticket.status.in_(RUNNING)
            & ((Ticket.first_response_at.is_null() & (Ticket.first_response_due < now))
               | (Ticket.resolution_due < now)))


def sla_attainment(now=None, months: int = 6) -> dict:
    """Resolved within SLA over the tickets resolved in the window, beside the open tickets late now.

    A share of resolved tickets alone reads 100 % while late tickets pile up
    unresolved, so both are given: `percent` of `resolved` were on time, and
    `open_breaches` running tickets are past their deadline (`first_response_breaches`
    of them still wait for a first answer). Two queries.
    """
    now = now or utcnow()
    since = datetime.datetime.combine(months_back(now.date(), months), datetime.time())
    on_time = Case(None, [(Ticket.resolved_at <= Ticket.resolution_due, 1)], 0)
    resolved, in_time = (Ticket.select(ROWS, fn.SUM(on_time))
                         .where(Ticket.resolved_at >= since).scalar(as_tuple=True))
    no_answer = Case(None, [((Ticket.first_response_at.is_null()) & (Ticket.first_response_due < now), 1)], 0)
    breaches, unanswered = (Ticket.select(ROWS, fn.SUM(no_answer))
                            .where(open_breach_condition(now)).scalar(as_tuple=True))
    resolved, in_time = resolved or 0, int(in_time or 0)
    return {"resolved": resolved, "in_time": in_time, "months": months,
            "percent": round(100 * in_time / resolved) if resolved else None,
            "open_breaches": breaches or 0, "first_response_breaches": int(unanswered or 0)}


def summary(now=None) -> dict:
    """Everything the figures page shows."""
    now = now or utcnow()
    average, rated = (Ticket.select(fn.AVG(Ticket.rating), fn.COUNT(Ticket.rating))
                      .where(Ticket.rating.is_null(False)).scalar(as_tuple=True))
    top_articles = list(ArticleLink.select(ArticleLink.article, ArticleLink.title,
                                           fn.COUNT(ArticleLink.id).alias("uses"))
                        .group_by(ArticleLink.article, ArticleLink.title)
                        .order_by(fn.COUNT(ArticleLink.id).desc()).limit(10).dicts())
    return {
        "open": Ticket.select().where(Ticket.status.in_(OPEN_STATUSES)).count(),
        "backlog": backlog_by_category_and_age(now),
        "age_bands": [label for _, label in AGE_BANDS],
        "months": monthly(now=now),
        "sla": sla_attainment(now),
        "rating_average": round(float(average), 2) if average is not None else None,
        "rating_count": rated,
        "deflections": Deflection.select().count(),
        "top_articles": top_articles,
    }
