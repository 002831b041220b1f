"""Date buckets and medians in SQL: the one place (besides db.py and search) that knows SQLite from PostgreSQL."""
import datetime
import statistics

from peewee import SQL, EnclosedNodeList, NodeList, fn

from portal.db import is_sqlite


def month_of(column):
    """SQL for 'YYYY-MM' of a date or timestamp column, with each database's native function."""
    return fn.strftime("%Y-%m", column) if is_sqlite() else fn.to_char(column, "YYYY-MM")


def day_of(column):
    """SQL for the calendar day of a timestamp, comparable with a DateField on either database."""
    return fn.DATE(column) if is_sqlite() else column.cast("date")


def median_by(key, *columns, where=None) -> dict:
    """{key value: (median of each column, …)} over the rows matching `where`, NULLs left out.

    PostgreSQL computes them with percentile_cont; SQLite has no percentile
    aggregate, so the columns come back and Python takes the medians. A group
    whose values are all NULL gets None for that column.
    """
    model = columns[0].model
    if not is_sqlite():
        medians = [NodeList((fn.percentile_cont(0.5), SQL("WITHIN GROUP"),
                             EnclosedNodeList([NodeList((SQL("ORDER BY"), column))]))) for column in columns]
        query = model.select(key, *medians).group_by(key)
        if where is not None:
            query = query.where(where)
        return {row[0]: tuple(None if v is None else float(v) for v in row[1:]) for row in query.tuples()}
    query = model.select(key, *columns)
    if where is not None:
        query = query.where(where)
    values = {}
    for row in query.tuples():
        lists = values.setdefault(row[0], tuple([] for _ in columns))
        for bucket, value in zip(lists, row[1:], strict=False):
            if value is not None:
                bucket.append(value)
    return {k: tuple(statistics.median(v) if v else None for v in lists) for k, lists in values.items()}


def months_back(today: datetime.date, months: int) -> datetime.date:
    """The first day of the window of `months` calendar months that ends with `today`'s month."""
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return first


def month_keys(first: datetime.date, months: int) -> list[str]:
    """`months` labels 'YYYY-MM' from `first`'s month on, oldest first (what month_of returns)."""
    labels, day = [], first.replace(day=1)
    for _ in range(months):
        labels.append(day.strftime("%Y-%m"))
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return labels
