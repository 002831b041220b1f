"""Load arithmetic: a person's load on a working day is the sum of their bookings that day;
a week's (or month's) load is the highest day in it, so two bookings that overlap on one
day conflict even when they are spread over the rest of the week."""
import calendar
import datetime

DAY = datetime.timedelta(days=1)
WEEK = datetime.timedelta(days=7)


def monday(day: datetime.date) -> datetime.date:
    """The Monday of the week containing `day`."""
    return day - datetime.timedelta(days=day.weekday())


def buckets(start: datetime.date, unit: str, count: int) -> list[tuple[datetime.date, datetime.date]]:
    """`count` consecutive weeks (Monday–Sunday) or calendar months from the one containing `start`."""
    out = []
    if unit == "month":
        first = start.replace(day=1)
        for _ in range(count):
            last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
            out.append((first, last))
            first = last + DAY
        return out
    first = monday(start)
    for _ in range(count):
        out.append((first, first + 6 * DAY))
        first += WEEK
    return out


def next_working_day(day: datetime.date) -> datetime.date:
    while day.weekday() >= 5:
        day += DAY
    return day


def peak(bookings, start: datetime.date, end: datetime.date) -> int:
    """The highest total percent on any working day from `start` to `end`; `bookings` are (start, end, percent)."""
    inside = [(s, e, p) for s, e, p in bookings if s <= end and e >= start]
    # Load only rises where a booking begins, so the peak is on the first working day or on a start.
    candidates = {next_working_day(max(s, start)) for s, _, _ in inside} | {next_working_day(start)}
    best = 0
    for day in candidates:
        if day > end:
            continue
        best = max(best, sum(p for s, e, p in inside if s <= day <= e))
    return best


def load_class(percent: int) -> str:
    """The CSS class that colours a grid cell by load."""
    if percent > 100:
        return "over"
    if percent == 0:
        return "load-0"
    return f"load-{min(4, (percent + 24) // 25)}"
