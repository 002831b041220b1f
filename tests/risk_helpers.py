"""Builders for risk and issue tests."""
import datetime

from portal.risks.models import Issue, Risk


def make_risk(project, owner=None, probability=3, impact=3, status="open", title="Supplier may deliver late",
              **fields):
    """A saved risk on `project` (score worked out as the service does)."""
    owner = owner or project.manager
    fields.setdefault("category", "supplier")
    fields.setdefault("review_date", datetime.date.today() + datetime.timedelta(days=10))
    return Risk.create(project=project, owner=owner, probability=probability, impact=impact,
                       score=probability * impact, status=status, title=title, **fields)


def make_issue(project, owner=None, title="Scanner shipment missed", priority=3, status="open", **fields):
    """A saved issue on `project`."""
    return Issue.create(project=project, owner=owner or project.manager, title=title, priority=priority,
                        status=status, **fields)
