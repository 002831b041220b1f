"""Business-hours SLA clock: working week, opening hours, holidays, pauses."""
import datetime as dt

from portal.helpdesk.sla import BusinessCalendar, describe_remaining, due_times

CAL = BusinessCalendar(holidays=frozenset({dt.date(2026, 12, 25)}))
# 2026-11-27 is a Friday.
FRIDAY_4PM = dt.datetime(2026, 11, 27, 16, 0)


def test_hours_roll_over_the_weekend():
    # One hour left on Friday, three more from Monday 09:00.
    assert CAL.add(FRIDAY_4PM, 4 * 3600) == dt.datetime(2026, 11, 30, 12, 0)


def test_a_question_asked_at_night_starts_the_clock_next_morning():
    tuesday_night = dt.datetime(2026, 12, 1, 22, 30)
    assert CAL.add(tuesday_night, 3600) == dt.datetime(2026, 12, 2, 10, 0)


def test_holidays_do_not_count():
    christmas_eve_4pm = dt.datetime(2026, 12, 24, 16, 0)
    # Thu 16-17 (1h), Fri 25th holiday, weekend, Mon 28th 9-10.
    assert CAL.add(christmas_eve_4pm, 2 * 3600) == dt.datetime(2026, 12, 28, 10, 0)


def test_between_counts_only_business_time_and_is_signed():
    monday_9 = dt.datetime(2026, 11, 30, 9, 0)
    assert CAL.between(FRIDAY_4PM, monday_9) == 3600
    assert CAL.between(monday_9, FRIDAY_4PM) == -3600
    assert CAL.between(monday_9, dt.datetime(2026, 12, 4, 17, 0)) == 5 * 8 * 3600


def test_time_zone_is_respected():
    berlin = BusinessCalendar(tz="Europe/Berlin")
    # 08:00 UTC is 09:00 in Berlin in winter: the office has just opened.
    assert berlin.add(dt.datetime(2026, 11, 30, 8, 0), 3600) == dt.datetime(2026, 11, 30, 9, 0)


def test_default_targets_per_priority():
    first, resolve = due_times(CAL, dt.datetime(2026, 11, 30, 9, 0), "urgent")
    assert first == dt.datetime(2026, 11, 30, 13, 0)
    assert resolve == dt.datetime(2026, 11, 30, 17, 0)
    first, resolve = due_times(CAL, dt.datetime(2026, 11, 30, 9, 0), "normal")
    assert first == dt.datetime(2026, 12, 1, 17, 0)  # two business days
    assert resolve == dt.datetime(2026, 12, 4, 17, 0)  # five business days


def test_describe_remaining():
    assert describe_remaining(3 * 3600 + 20 * 60) == "3 h 20 min left"
    assert describe_remaining(-65 * 60) == "1 h 05 min overdue"
    assert describe_remaining(59) == "0 min left"


def test_long_spans_count_whole_weeks_and_skip_holidays():
    # 2026-01-05 (Mon 09:00) to 2026-12-28 (Mon 09:00): 51 weeks of 5 × 8 h, minus Christmas (a Friday).
    start, end = dt.datetime(2026, 1, 5, 9, 0), dt.datetime(2026, 12, 28, 9, 0)
    assert CAL.between(start, end) == (51 * 5 - 1) * 8 * 3600
    # The fast count agrees with walking day by day.
    walked = sum(CAL.between(start + dt.timedelta(days=d), start + dt.timedelta(days=d + 1)) for d in range(357))
    assert CAL.between(start, end) == walked
    odd = dt.datetime(2026, 2, 11, 13, 17)
    walked = sum(CAL.between(odd + dt.timedelta(days=d), odd + dt.timedelta(days=d + 1)) for d in range(100))
    assert CAL.between(odd, odd + dt.timedelta(days=100)) == walked
