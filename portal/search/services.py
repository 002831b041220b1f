"""Searching everything at once, each kind through its feature's own scoped query (nothing the person may not see)."""
from dataclasses import dataclass, field

from flask import url_for

from portal.auth.models import User
from portal.projects.models import Project
from portal.projects.permissions import PMO

PER_KIND = 5
MAX_TEXT = 100
MIN_TEXT = 2
KINDS = {"projects": "Projects", "risks": "Risks", "issues": "Issues", "tickets": "Help-desk tickets",
         "articles": "Knowledge articles", "lessons": "Lessons", "people": "People"}


@dataclass
class Group:
    """The first results of one kind and where to see them all in the feature's own list."""

    kind: str
    label: str
    hits: list = field(default_factory=list)  # (title, detail, url)
    more_url: str = ""


def _like(text: str) -> str:
    return f"%{text}%"


def _projects(user, text):
    like = _like(text)
    rows = (Project.visible_to(user).where((Project.name ** like) | (Project.code ** like))
            .order_by(Project.name, Project.id).limit(PER_KIND))
    return [(f"{p.ref} {p.name}", p.state.replace("_", " "), url_for("projects.detail", ref=p.ref)) for p in rows]


def _risks(user, text):
    from portal.risks.models import Risk
    from portal.risks.portfolio import visible_risks
    from portal.risks.services import today
    rows = visible_risks(user, {"q": text}, today()).order_by(Risk.score.desc(), Risk.id).limit(PER_KIND).objects()
    return [(r.title, f"{r.project_code} · score {r.score} · {r.status}",
             url_for("risks.detail", ref=r.project_code, risk_id=r.id)) for r in rows]


def _issues(user, text):
    from portal.risks.models import Issue
    from portal.risks.portfolio import visible_issues
    rows = visible_issues(user).where(Issue.title ** _like(text)).order_by(Issue.id.desc()).limit(PER_KIND).objects()
    return [(i.title, f"{i.project_code} · {i.priority} · {i.status}",
             url_for("issues.detail", ref=i.project_code, issue_id=i.id)) for i in rows]


def _tickets(user, text):
    from portal.helpdesk.models import Ticket
    from portal.helpdesk.queue import text_match
    from portal.helpdesk.services import visible_tickets
    rows = visible_tickets(user).where(text_match(text)).order_by(Ticket.id.desc()).limit(PER_KIND)
    return [(f"{t.reference} {t.subject}", t.status, url_for("helpdesk.ticket", number=t.number)) for t in rows]


def _articles(user, text):
    from portal.kb.search import search
    hits = search(text, per_page=PER_KIND)[:PER_KIND]
    return [(h.article.title, h.snippet, url_for("kb.article", section=h.article.section, slug=h.article.slug))
            for h in hits]


def _lessons(user, text):
    from portal.lessons.services import search_lessons
    page = search_lessons(user, text, "", 1)
    return [((lesson.recommendation or lesson.to_improve or lesson.went_well)[:120],
             f"{lesson.project.ref} {lesson.project.name} · {lesson.category}",
             url_for("lessons.project_page", ref=lesson.project.ref)) for lesson in page.rows[:PER_KIND]]


def _people(user, text):
    from portal.projects.models import ProjectMember
    rows = list(User.active_users().where(User.name ** _like(text)).limit(PER_KIND))
    # A person's page is open to themselves, the PMO and managers of a project they are on; others see the name.
    open_to_me = {p.id for p in rows if p.id == user.id or user.role in PMO}
    if user.role == "manager" and rows:
        managed = Project.select(Project.id).where(Project.manager == user.id)
        ids = [p.id for p in rows]
        open_to_me |= {uid for (uid,) in ProjectMember.select(ProjectMember.user)
                       .where(ProjectMember.project.in_(managed) & ProjectMember.user.in_(ids)).tuples()}
        open_to_me |= {uid for (uid,) in Project.select(Project.sponsor)
                       .where((Project.manager == user.id) & Project.sponsor.in_(ids)).tuples()}
    return [(p.name, f"{p.role} · {p.department}" if p.department else p.role,
             url_for("activity.person", person_id=p.id) if p.id in open_to_me else "") for p in rows]


SEARCHES = {"projects": _projects, "risks": _risks, "issues": _issues, "tickets": _tickets,
            "articles": _articles, "lessons": _lessons, "people": _people}


def more_url(kind: str, text: str) -> str:
    """The feature's own list, filtered by the same text, where it has one."""
    targets = {"projects": ("projects.index", "q"), "risks": ("risks.portfolio", "q"), "tickets": ("helpdesk.index", "q"),
               "articles": ("kb.search", "q"), "lessons": ("lessons.index", "q")}
    if kind not in targets:
        return ""
    endpoint, arg = targets[kind]
    return url_for(endpoint, **{arg: text}) if endpoint.split(".")[0] in _blueprints() else ""


def _blueprints():
    from flask import current_app
    return current_app.blueprints


def search_everything(user, text: str) -> list[Group]:
    """The groups with at least one hit for `text`, in a fixed order; [] for text too short to search."""
    text = " ".join((text or "").split())[:MAX_TEXT]
    if len(text) < MIN_TEXT:
        return []
    groups = []
    for kind, run in SEARCHES.items():
        hits = run(user, text)
        if hits:
            groups.append(Group(kind, KINDS[kind], hits, more_url(kind, text)))
    return groups
