"""Builders for API tests: tokens, calls with them, and one record of every kind the API reads."""
import datetime
import uuid

from portal.tokens.services import create_token
from tests.factories import make_project, make_ticket, make_user
from tests.resource_helpers import book
from tests.risk_helpers import make_issue, make_risk
from tests.status_helpers import make_report


def token_for(user, days=30, name="Reporting") -> str:
    """A new token's secret for `user`."""
    return create_token(user, name, days)[1]


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def call(client, path: str, secret: str | None, **kwargs):
    """GET an API path with the token (a path without /api/v1 gets it added)."""
    if not path.startswith("/api/"):
        path = "/api/v1" + path
    headers = dict(kwargs.pop("headers", None) or {})
    if secret:
        headers.update(bearer(secret))
    return client.get(path, headers=headers, **kwargs)


def every_page(client, path: str, secret: str, limit: int = 200) -> list:
    """Every record of a list endpoint, following the Link header page by page."""
    rows, url = [], f"/api/v1{path}{'&' if '?' in path else '?'}limit={limit}"
    while url:
        response = call(client, url, secret)
        assert response.status_code == 200, (url, response.status_code, response.get_data(as_text=True)[:300])
        body = response.get_json()
        rows += body["data"]
        link = response.headers.get("Link")
        url = link[link.index("<") + 1:link.index(">")].replace("http://localhost", "") if link else None
    return rows


def seed_one_of_everything(manager=None, member=None, mark: str = "") -> dict:
    """A project (with `manager` and `member`) carrying a report, a risk, an issue, a milestone that waits
    on another project's, a booking, a ticket with a public reply and an internal note, and a lesson.
    `mark` goes into every text, so a test can look for it in any output."""
    from portal.helpdesk.services import add_reply
    from portal.helpdesk.sla import BusinessCalendar
    from portal.lessons.models import Lesson
    from portal.milestones.models import Milestone

    manager = manager or make_user("manager")
    members = [member] if member else []
    project = make_project(manager=manager, members=members, name=f"Project {mark}".strip(),
                           summary=f"Summary {mark}")
    other = make_project(manager=manager, members=members, name=f"Upstream {mark}".strip())
    today = datetime.date.today()
    report = make_report(project, today - datetime.timedelta(days=3), rag="amber",
                         accomplishments=f"Done {mark}")
    risk = make_risk(project, title=f"Risk {mark}".strip(), description=f"Risk text {mark}")
    issue = make_issue(project, title=f"Issue {mark}".strip())
    upstream = Milestone.create(project=other, name=f"Upstream gate {mark}".strip(), due_date=today)
    milestone = Milestone.create(project=project, name=f"Gate {mark}".strip(),
                                 due_date=today + datetime.timedelta(days=20), depends_on=upstream)
    booking = book(member or manager, project, today, today + datetime.timedelta(days=30), 50,
                   role=f"Analyst {mark}".strip())
    requester = member or make_user("member")
    ticket = make_ticket(requester=requester, subject=f"Question {mark}".strip(), body=f"Body {mark}",
                         project_code=project.code)
    pmo = make_user("pmo")
    calendar = BusinessCalendar()
    add_reply(ticket, pmo, f"Public answer {mark}", uuid.uuid4().hex, calendar)
    add_reply(ticket, pmo, f"Internal note {mark}", uuid.uuid4().hex, calendar, internal=True)
    lesson = Lesson.create(project=project, category="planning", went_well=f"Went well {mark}",
                           to_improve="Plan earlier", recommendation="Start sooner", author=manager)
    return {"project": project, "other": other, "report": report, "risk": risk, "issue": issue,
            "milestone": milestone, "upstream": upstream, "booking": booking, "ticket": ticket,
            "lesson": lesson, "manager": manager, "member": member, "requester": requester, "pmo": pmo}
