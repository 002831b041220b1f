"""Builders for resource tests."""
import datetime

from portal.resources.models import Allocation


def book(person, project, start, end, percent, role="Analyst"):
    """A saved allocation (dates as ISO strings or dates)."""
    as_date = lambda d: datetime.date.fromisoformat(d) if isinstance(d, str) else d  # noqa: E731
    return Allocation.create(person=person, project=project, start_date=as_date(start), end_date=as_date(end),
                             percent=percent, role=role)
