"""The main pages of the portal per role, for the layout and accessibility checks in a browser.

Paths are worked out from the demo data (`portal demo`): each role gets the pages its navigation
offers plus the pages of one project it belongs to, a ticket, an article and its own person page.
"""
from portal.auth.models import User
from portal.helpdesk.models import Ticket
from portal.kb.models import Article
from portal.projects.models import Project, ProjectMember
from portal.risks.models import Issue, Risk
from portal.status.models import StatusReport

ROLES = ["admin", "pmo", "manager", "member", "executive"]

EVERYONE = ["/", "/kb/", "/kb/standards/", "/kb/training/", "/kb/search?q=risk", "/projects/", "/risks/", "/risks/overview",
            "/helpdesk/", "/helpdesk/new", "/lessons/", "/notifications/", "/account/notifications",
            "/account/password"]
PROJECT_PAGES = ["", "/status/", "/risks/", "/issues/", "/documents/", "/discussion/", "/activity",
                 "/milestones/", "/resources/", "/lessons/"]
BY_ROLE = {
    "admin": ["/admin/users", "/admin/audit", "/dashboard/", "/pmo/"],
    "pmo": ["/intake/", "/intake/rules", "/dashboard/", "/dashboard/summary", "/resources/",
            "/resources/conflicts", "/milestones/", "/compliance/", "/compliance/checks", "/pmo/",
            "/helpdesk/figures", "/helpdesk/canned/", "/kb/reports/acknowledgements", "/kb/reports/training",
            "/kb/reviews", "/projects/new"],
    "manager": ["/projects/new"],
    "member": [],
    "executive": ["/dashboard/", "/dashboard/summary"],
}


def _project_of(user):
    """A project `user` works on (manager or member), or the first active one for the reading roles."""
    query = Project.select().where(Project.state == "active", Project.code.is_null(False)).order_by(Project.code)
    if user.role == "manager":
        query = query.where(Project.manager == user)
    elif user.role == "member":
        query = query.join(ProjectMember).where(ProjectMember.user == user)
    return query.first()


def pages_for(email: str) -> list[str]:
    """The paths to check for the demo account `email` (call inside a database connection)."""
    user = User.get(User.email == email)
    paths = list(EVERYONE) + BY_ROLE[user.role] + [f"/people/{user.id}"]
    project = _project_of(user)
    if project is not None:
        paths += [f"/projects/{project.code}{tail}" for tail in PROJECT_PAGES]
        if user.role in {"admin", "pmo"}:
            paths.append(f"/projects/{project.code}/compliance")
        paths += _record_pages(user, project)
    ticket = Ticket.select().where(Ticket.requester == user).first() if user.role not in {"admin", "pmo"} \
        else Ticket.select().first()
    if ticket is not None:
        paths.append(f"/helpdesk/{ticket.number}")
    article = Article.select().where(Article.section == "standards").first()
    if article is not None:
        paths.append(f"/kb/standards/{article.slug}")
        if user.role in {"admin", "pmo"}:
            paths += ["/kb/new", f"/kb/article/{article.id}/edit", f"/kb/article/{article.id}/history"]
    if user.role == "admin":
        paths += ["/admin/users/new", f"/admin/users/{user.id}"]
    if user.role == "pmo":
        paths += [f"/resources/people/{user.id}", "/helpdesk/canned/new", "/dashboard/mix"]
    return paths


def _record_pages(user, project) -> list[str]:
    """One risk, issue and status report of `project`, and the forms its manager fills in."""
    base = f"/projects/{project.code}"
    paths = []
    risk = Risk.select().where(Risk.project == project.id).first()
    if risk is not None:
        paths.append(f"{base}/risks/{risk.id}")
    issue = Issue.select().where(Issue.project == project.id).first()
    if issue is not None:
        paths.append(f"{base}/issues/{issue.id}")
    report = StatusReport.select().where(StatusReport.project == project.id).order_by(StatusReport.period_end.desc())
    report = report.first()
    if report is not None:
        paths.append(f"{base}/status/{report.period_end.isoformat()}")
    if user.role in {"manager", "pmo", "admin"}:
        paths += [f"{base}/edit", f"{base}/status/report", f"{base}/risks/new", f"{base}/issues/new"]
    return paths
