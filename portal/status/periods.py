"""Reporting periods: where each cadence's periods end, when reports fall due and stay editable.

Weekly periods end on Fridays; fortnightly periods end on every other Friday,
counted from a fixed Friday so every project shares the same fortnights;
monthly periods end on the last day of the month. A report is due on its
period end and can be edited until the next period end, when the next report
falls due.
"""
import calendar
import datetime

FRIDAY = 4
FORTNIGHT_ANCHOR = datetime.date(2024, 1, 5)  # a Friday
DAY = datetime.timedelta(days=1)


def _month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def period_end_for(cadence: str, day: datetime.date) -> datetime.date:
    """The end of the `cadence` period that contains `day` (possibly `day` itself)."""
    if cadence == "monthly":
        return _month_end(day)
    friday = day + datetime.timedelta(days=(FRIDAY - day.weekday()) % 7)
    if cadence == "fortnightly" and (friday - FORTNIGHT_ANCHOR).days % 14:
        friday += datetime.timedelta(days=7)
    return friday


def next_period_end(cadence: str, end: datetime.date) -> datetime.date:
    """The period end after `end`."""
    return period_end_for(cadence, end + DAY)


def previous_period_end(cadence: str, end: datetime.date) -> datetime.date:
    """The period end before `end`."""
    if cadence == "monthly":
        return end.replace(day=1) - DAY
    return end - datetime.timedelta(days=14 if cadence == "fortnightly" else 7)


def latest_due(cadence: str, today: datetime.date) -> datetime.date:
    """The most recent period end on or before `today`: the report that is due now."""
    end = period_end_for(cadence, today)
    return end if end == today else previous_period_end(cadence, end)


def recent_period_ends(cadence: str, today: datetime.date, count: int) -> list[datetime.date]:
    """The last `count` period ends up to `today`, oldest first."""
    ends = [latest_due(cadence, today)]
    while len(ends) < count:
        ends.append(previous_period_end(cadence, ends[-1]))
    return ends[::-1]


def is_valid_end(cadence: str, day: datetime.date) -> bool:
    """True when `day` is a period end of `cadence`."""
    return period_end_for(cadence, day) == day


def is_open(cadence: str, end: datetime.date, today: datetime.date) -> bool:
    """True while the report for period `end` may be submitted or edited (until the next one is due)."""
    return today < next_period_end(cadence, end)


def open_periods(cadence: str, today: datetime.date) -> list[datetime.date]:
    """Periods a report may be written for today: the one due now and the one running, newest first."""
    running = period_end_for(cadence, today)
    due = latest_due(cadence, today)
    return [running] if running == due else [running, due]


def period_length_days(cadence: str) -> int:
    """Roughly how long one period is, in days (for staleness)."""
    return {"weekly": 7, "fortnightly": 14}.get(cadence, 31)
