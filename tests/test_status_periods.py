"""Reporting periods: where each cadence's periods end, when a report is due, how long it stays editable."""
import datetime as dt

import pytest

from portal.status.periods import (
    is_open,
    is_valid_end,
    latest_due,
    next_period_end,
    open_periods,
    period_end_for,
    previous_period_end,
    recent_period_ends,
)

THU = dt.date(2026, 11, 26)
FRI = dt.date(2026, 11, 27)


def test_weekly_periods_end_on_fridays():
    assert period_end_for("weekly", THU) == FRI
    assert period_end_for("weekly", FRI) == FRI
    assert period_end_for("weekly", dt.date(2026, 11, 28)) == dt.date(2026, 12, 4)
    assert latest_due("weekly", THU) == dt.date(2026, 11, 20)
    assert latest_due("weekly", FRI) == FRI


def test_fortnightly_periods_are_shared_fortnights():
    # 2024-01-05 is the anchor Friday; 2026-11-27 is 151 weeks later, so it is not a fortnight end.
    assert period_end_for("fortnightly", THU) == dt.date(2026, 12, 4)
    assert period_end_for("fortnightly", dt.date(2026, 11, 21)) == dt.date(2026, 12, 4)
    assert latest_due("fortnightly", dt.date(2026, 12, 3)) == dt.date(2026, 11, 20)
    assert previous_period_end("fortnightly", dt.date(2026, 12, 4)) == dt.date(2026, 11, 20)
    assert not is_valid_end("fortnightly", FRI)


def test_monthly_periods_end_on_the_last_day_including_february():
    assert period_end_for("monthly", dt.date(2028, 2, 3)) == dt.date(2028, 2, 29)
    assert period_end_for("monthly", dt.date(2026, 2, 28)) == dt.date(2026, 2, 28)
    assert latest_due("monthly", FRI) == dt.date(2026, 10, 31)
    assert next_period_end("monthly", dt.date(2026, 1, 31)) == dt.date(2026, 2, 28)
    assert previous_period_end("monthly", dt.date(2026, 3, 31)) == dt.date(2026, 2, 28)


@pytest.mark.parametrize("cadence", ["weekly", "fortnightly", "monthly"])
def test_recent_ends_are_consecutive_periods(cadence):
    ends = recent_period_ends(cadence, FRI, 12)
    assert len(ends) == 12 and ends[-1] == latest_due(cadence, FRI)
    assert all(next_period_end(cadence, a) == b for a, b in zip(ends, ends[1:], strict=False))


def test_a_report_is_editable_until_the_next_one_is_due():
    end = dt.date(2026, 11, 20)
    assert is_open("weekly", end, dt.date(2026, 11, 26))
    assert not is_open("weekly", end, FRI)
    # On Thursday one may write the overdue report or the running one; on the period end only that one.
    assert open_periods("weekly", THU) == [FRI, end]
    assert open_periods("weekly", FRI) == [FRI]
