"""Service-level targets measured in business hours (working week, hours and holidays)."""
import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

HOUR = 3600

# (first response, resolution) in business hours, per priority.
DEFAULT_TARGETS = {
    "urgent": (4, 8),
    "high": (8, 24),
    "normal": (16, 40),
    "low": (24, 80),
}


@dataclass(frozen=True)
class BusinessCalendar:
    """When the PMO works: weekdays (0 = Monday), opening hours and holidays, in one time zone."""

    tz: str = "UTC"
    start_hour: int = 9
    end_hour: int = 17
    workdays: frozenset = frozenset({0, 1, 2, 3, 4})
    holidays: frozenset = field(default_factory=frozenset)

    @classmethod
    def from_config(cls, config) -> "BusinessCalendar":
        return cls(tz=config.get("TIMEZONE", "UTC"),
                   start_hour=config.get("WORKDAY_START", 9), end_hour=config.get("WORKDAY_END", 17),
                   workdays=frozenset(config.get("WORKDAYS", (0, 1, 2, 3, 4))),
                   holidays=frozenset(config.get("HOLIDAYS", ())))

    def _local(self, utc: datetime.datetime) -> datetime.datetime:
        return utc.replace(tzinfo=datetime.UTC).astimezone(ZoneInfo(self.tz))

    def _utc(self, local: datetime.datetime) -> datetime.datetime:
        return local.astimezone(datetime.UTC).replace(tzinfo=None)

    def _is_workday(self, day: datetime.date) -> bool:
        return day.weekday() in self.workdays and day not in self.holidays

    def _window(self, day: datetime.date):
        zone = ZoneInfo(self.tz)
        return (datetime.datetime.combine(day, datetime.time(self.start_hour), zone),
                datetime.datetime.combine(day, datetime.time(self.end_hour), zone))

    def add(self, start_utc: datetime.datetime, seconds: float) -> datetime.datetime:
        """The moment `seconds` of business time after `start_utc` (UTC in, UTC out)."""
        current = self._local(start_utc)
        remaining = seconds
        for _ in range(3660):  # ten years of days: bounded even with an odd calendar
            day = current.date()
            if self._is_workday(day):
                opens, closes = self._window(day)
                begin = max(current, opens)
                if begin < closes:
                    available = (closes - begin).total_seconds()
                    if remaining <= available:
                        return self._utc(begin + datetime.timedelta(seconds=remaining))
                    remaining -= available
            next_day = day + datetime.timedelta(days=1)
            current = datetime.datetime.combine(next_day, datetime.time(0), ZoneInfo(self.tz))
        raise ValueError("The business calendar has no working hours.")

    def _seconds_on(self, day: datetime.date, after=None, before=None) -> float:
        """Business seconds on `day`, optionally only after/before a local moment."""
        if not self._is_workday(day):
            return 0.0
        opens, closes = self._window(day)
        begin = max(after, opens) if after else opens
        end = min(before, closes) if before else closes
        return max(0.0, (end - begin).total_seconds())

    def between(self, a_utc: datetime.datetime, b_utc: datetime.datetime) -> float:
        """Business seconds from `a_utc` to `b_utc`; negative when b is before a.

        Whole weeks in the middle are counted, not walked, so a ticket a year
        overdue costs as little as one due tomorrow.
        """
        if b_utc < a_utc:
            return -self.between(b_utc, a_utc)
        a, b = self._local(a_utc), self._local(b_utc)
        first, last = a.date(), b.date()
        if first == last:
            return self._seconds_on(first, a, b)
        total = self._seconds_on(first, after=a) + self._seconds_on(last, before=b)
        day = first + datetime.timedelta(days=1)
        weeks, rest = divmod((last - day).days, 7)
        if weeks:
            per_day = (self.end_hour - self.start_hour) * 3600
            total += weeks * len(self.workdays) * per_day
            skipped_end = day + datetime.timedelta(days=7 * weeks)
            total -= per_day * sum(1 for h in self.holidays
                                   if day <= h < skipped_end and h.weekday() in self.workdays)
            day = skipped_end
        while day < last:
            total += self._seconds_on(day)
            day += datetime.timedelta(days=1)
        return total


def due_times(calendar: BusinessCalendar, created_at, priority: str, paused_seconds: float = 0,
              targets=DEFAULT_TARGETS):
    """(first response due, resolution due) for a ticket of `priority` created at `created_at`."""
    first, resolve = targets[priority]
    return (calendar.add(created_at, first * HOUR),
            calendar.add(created_at, resolve * HOUR + paused_seconds))


def describe_remaining(seconds: float) -> str:
    """'3 h 20 min left' or '1 h 5 min overdue', in business time."""
    overdue = seconds < 0
    minutes = int(abs(seconds) // 60)
    hours, minutes = divmod(minutes, 60)
    text = f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
    return f"{text} overdue" if overdue else f"{text} left"


def sla_clock(ticket, now, calendar: "BusinessCalendar") -> tuple[str, str]:
    """(text, state) for the SLA cell of a ticket: state 'overdue', 'soon', 'ok', 'paused' or 'none'.

    Overdue is decided on the wall clock (due time passed), so a deadline that
    passed out of hours reads "overdue", never "0 min left"; a deadline less
    than a minute of business time away reads "under 1 min left".
    """
    if ticket.status == "waiting":
        return "paused", "paused"
    if ticket.status not in ("new", "open"):
        return "—", "none"
    due = ticket.first_response_due if ticket.first_response_at is None else ticket.resolution_due
    left = calendar.between(now, due)
    if due <= now:
        # Past due out of hours is less than a business minute late, but late all the same.
        return (describe_remaining(left) if left <= -60 else "overdue"), "overdue"
    text = describe_remaining(left) if left >= 60 else "under 1 min left"
    return text, "soon" if left <= 4 * HOUR else "ok"
