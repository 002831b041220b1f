"""The API's endpoints. Each one reads through the scoped query its feature's pages use, so a token
sees exactly what its owner sees; the filters are the pages' own forms, read from the query string."""
from functools import wraps

from flask import current_app, g, jsonify, request
from peewee import JOIN, fn

from portal.api import bp
from portal.api.listing import date_arg, json_answer, keyset, keyset_list, since
from portal.api.registry import ENDPOINTS, SINCE, Endpoint, Param, openapi, record
from portal.api.schemas import (
    ALLOCATION,
    ARTICLE,
    DEPENDENCY,
    ISSUE,
    KPI_MONTH,
    KPI_RATES,
    LESSON,
    ME,
    MILESTONE,
    PROJECT,
    REPLY,
    REPORT,
    RISK,
    TICKET,
)
from portal.auth.models import User
from portal.db import utcnow
from portal.errors import InvalidInput, NotAllowed
from portal.helpdesk.forms import QueueFilterForm
from portal.helpdesk.models import Ticket
from portal.helpdesk.queue import text_match
from portal.helpdesk.services import load_ticket, replies_for, visible_tickets
from portal.kb.models import Article
from portal.kb.services import sync_if_due
from portal.kpis import services as kpis
from portal.lessons.forms import SearchForm
from portal.lessons.models import Lesson
from portal.lessons.services import matching_lessons as lessons_matching
from portal.milestones.models import Milestone
from portal.milestones.services import visible_edges
from portal.numbers import parse_int
from portal.permissions import can
from portal.projects.forms import FilterForm as ProjectFilterForm
from portal.projects.models import Project
from portal.projects.queries import filtered as filtered_projects
from portal.projects.services import load_project
from portal.resources.models import Allocation
from portal.risks.forms import FilterForm as RiskFilterForm
from portal.risks.models import ISSUE_STATUSES, OPEN_ISSUE, Issue, Risk
from portal.risks.portfolio import visible_issues, visible_risks
from portal.risks.services import today
from portal.status.models import RAGS, StatusReport

PROJECT_PARAM = Param("project", "A project code, e.g. PRJ-2026-004.")


def api_get(path, summary, fields, params=(), kind="list", nested=None, tag=""):
    """Register a GET endpoint: the view returns (rows, next cursor), one row, or a list; this writes the JSON."""
    def decorator(view):
        ENDPOINTS.append(Endpoint(path, view.__name__, summary, fields, list(params), kind, nested or {}, tag))

        @wraps(view)
        def answer(**kwargs):
            result = view(**kwargs)
            if kind == "list":
                rows, cursor = result
                return json_answer({"data": [record(fields, r) for r in rows], "next_cursor": cursor}, cursor)
            if kind == "series":
                return json_answer({"data": [record(fields, r) for r in result]})
            data = record(fields, result)
            for key, inner in (nested or {}).items():
                data[key] = [record(inner, r) for r in getattr(result, key)]
            return json_answer({"data": data})

        bp.add_url_rule(path, view.__name__, answer, methods=["GET"])
        return answer
    return decorator


def user():
    """The token's owner: every query below is scoped to them."""
    return g.api_user


def form_filters(form_class):
    """The page's filter form bound to the query string; 422 naming the fields when it is invalid."""
    form = form_class(formdata=request.args, meta={"csrf": False})
    if not form.validate():
        raise InvalidInput({name: " ".join(errors) for name, errors in form.errors.items()})
    return form


def choice(name: str, allowed, default=""):
    value = request.args.get(name, default).strip()
    if value and value not in allowed:
        raise InvalidInput({name: f"Use one of: {', '.join(allowed)}."})
    return value


def int_param(name: str):
    text = request.args.get(name, "").strip()
    if not text:
        return None
    try:
        return parse_int(text)
    except ValueError:
        raise InvalidInput({name: "Use a whole number."}) from None


def project_code() -> str:
    return request.args.get("project", "").strip().upper()[:32]


# --- who am I ---------------------------------------------------------------------------

@api_get("/me", "The token's owner and the token itself.", ME, kind="item", tag="account")
def me():
    g.api_user.token = g.api_token
    return g.api_user


# --- projects -------------------------------------------------------------------------------

PROJECT_PARAMS = [Param("q", "Words in the name, code or summary."),
                  Param("state", "A state, or `requests` for open requests."),
                  Param("department", "Department, exactly."), Param("category", "Category, exactly."),
                  Param("manager", "The manager's user id.", "integer"), SINCE]


def with_latest_reports(projects):
    """Attach each project's latest status report (or None) as `latest`, in one query for the page."""
    ids = [p.id for p in projects]
    latest = {}
    if ids:
        last = (StatusReport.select(StatusReport.project.alias("pid"), fn.MAX(StatusReport.period_end).alias("last"))
                .where(StatusReport.project.in_(ids)).group_by(StatusReport.project))
        rows = StatusReport.select().join(last, on=((StatusReport.project == last.c.pid)
                                                    & (StatusReport.period_end == last.c.last)))
        latest = {r.project_id: r for r in rows}
    for p in projects:
        p.latest = latest.get(p.id)
    return projects


@api_get("/projects", "Projects and requests the owner may see, with the latest status report's RAG.", PROJECT,
         PROJECT_PARAMS, tag="projects")
def projects():
    form = form_filters(ProjectFilterForm)
    query = filtered_projects(user(), state=form.state.data or "", department=form.department.data or "",
                              category=form.category.data or "", manager=form.manager.data or None,
                              text=form.q.data or "")
    rows, cursor = keyset(since(query, Project.updated_at), Project.id)
    return with_latest_reports(rows), cursor


@api_get("/projects/<ref>", "One project by code (or DRAFT-<id>).", PROJECT, kind="item", tag="projects")
def project(ref):
    found = load_project(ref, user())
    return with_latest_reports(list(filtered_projects(user()).where(Project.id == found.id).objects()))[0]


# --- status reports, risks, issues ----------------------------------------------------------------

def visible_project_ids():
    return Project.visible_to(user()).select(Project.id)


@api_get("/status-reports", "Status reports of the projects the owner may see.", REPORT,
         [PROJECT_PARAM, Param("rag", "Overall RAG.", enum=RAGS), SINCE], tag="status")
def status_reports():
    rag = choice("rag", RAGS)
    Submitter = User.alias("submitter")
    query = (StatusReport.select(StatusReport, Project.code.alias("project_code"),
                                 Submitter.name.alias("submitted_by_name"))
             .join(Project, on=(StatusReport.project == Project.id))
             .switch(StatusReport).join(Submitter, on=(StatusReport.submitted_by == Submitter.id))
             .where(StatusReport.project.in_(visible_project_ids())))
    if project_code():
        query = query.where(Project.code == project_code())
    if rag:
        query = query.where(StatusReport.rag_overall == rag)
    return keyset(since(query, StatusReport.updated_at), StatusReport.id)


RISK_PARAMS = [Param("q", "Words in the title."), Param("status", "A status, `all`, or empty for open and monitoring."),
               Param("category", "Risk category."), Param("band", "Score band.", enum=("high", "medium", "low")),
               Param("owner", "The owner's user id.", "integer"), Param("p", "Probability 1–5.", "integer"),
               Param("i", "Impact 1–5.", "integer"), Param("overdue", "1: review date passed."),
               Param("escalated", "1: escalated to the PMO."), PROJECT_PARAM, SINCE]


@api_get("/risks", "Risks on the projects the owner may see (open and monitoring unless `status` says).", RISK,
         RISK_PARAMS, tag="risks")
def risks():
    form = form_filters(RiskFilterForm)
    return keyset(since(visible_risks(user(), form.filters(), today()), Risk.updated_at), Risk.id)


@api_get("/issues", "Issues on the projects the owner may see (open unless `status` says).", ISSUE,
         [PROJECT_PARAM, Param("owner", "The owner's user id.", "integer"), Param("overdue", "1: due date passed."),
          Param("status", "A status, `all`, or empty for open and in progress.", enum=ISSUE_STATUSES + ("all",)),
          SINCE], tag="risks")
def issues():
    status = choice("status", ISSUE_STATUSES + ("all",))
    statuses = ISSUE_STATUSES if status == "all" else (status,) if status else OPEN_ISSUE
    query = visible_issues(user(), project_code(), int_param("owner"), request.args.get("overdue") == "1", today(),
                           statuses=statuses)
    return keyset(since(query, Issue.updated_at), Issue.id)


# --- milestones, dependencies, allocations --------------------------------------------------------

@api_get("/milestones", "Milestones of the projects the owner may see.", MILESTONE,
         [PROJECT_PARAM, Param("done", "1: done only; 0: not done only."), SINCE], tag="milestones")
def milestones():
    query = (Milestone.select(Milestone, Project.code.alias("project_code"))
             .join(Project, on=(Milestone.project == Project.id))
             .where(Milestone.project.in_(visible_project_ids())))
    if project_code():
        query = query.where(Project.code == project_code())
    done = choice("done", ("0", "1"))
    if done:
        query = query.where(Milestone.done == (done == "1"))
    return keyset(since(query, Milestone.updated_at), Milestone.id)


@api_get("/dependencies", "Milestones waiting on another project's milestone, between projects the owner may see.",
         DEPENDENCY, [Param("at_risk", "1: only dependants at risk.")], tag="milestones")
def dependencies():
    rows = visible_edges(user())
    if request.args.get("at_risk") == "1":
        rows = [r for r in rows if r["reasons"]]
    return keyset_list(rows, key=lambda r: r["id"])


@api_get("/allocations", "Bookings of people on the projects the owner may see.", ALLOCATION,
         [PROJECT_PARAM, Param("person", "The person's user id.", "integer"),
          Param("from", "Only bookings running on or after this date."),
          Param("to", "Only bookings starting on or before this date."),
          Param("updated_since", "Only bookings made at or after this UTC time (ISO 8601).")], tag="resources")
def allocations():
    Person = User.alias("person")
    query = (Allocation.select(Allocation, Project.code.alias("project_code"), Person.name.alias("person_name"))
             .join(Project, on=(Allocation.project == Project.id))
             .switch(Allocation).join(Person, on=(Allocation.person == Person.id))
             .where(Allocation.project.in_(visible_project_ids())))
    if project_code():
        query = query.where(Project.code == project_code())
    person = int_param("person")
    if person:
        query = query.where(Allocation.person == person)
    start, end = date_arg("from"), date_arg("to")
    if start:
        query = query.where(Allocation.end_date >= start)
    if end:
        query = query.where(Allocation.start_date <= end)
    return keyset(since(query, Allocation.created_at), Allocation.id)


# --- help desk, knowledge, lessons ----------------------------------------------------------

@api_get("/tickets", "Help-desk tickets the owner may see: all for PMO staff, else the ones they asked "
         "and those about projects they manage.", TICKET,
         [Param("q", "Words in the subject or body, or a ticket number."), Param("category", "Category."),
          Param("priority", "Priority."), Param("status", "Status."), PROJECT_PARAM, SINCE], tag="helpdesk")
def tickets():
    form = form_filters(QueueFilterForm)
    Requester, Assignee = User.alias("requester"), User.alias("assignee")
    query = (visible_tickets(user()).select_extend(Requester.name.alias("requester_name"),
                                                   Assignee.name.alias("assignee_name"))
             .join(Requester, on=(Ticket.requester == Requester.id))
             .switch(Ticket).join(Assignee, JOIN.LEFT_OUTER, on=(Ticket.assignee == Assignee.id)))
    if form.q.data:
        query = query.where(text_match(form.q.data.strip()))
    for name in ("category", "priority", "status"):
        if form[name].data:
            query = query.where(getattr(Ticket, name) == form[name].data)
    if project_code():
        query = query.where(Ticket.project_code == project_code())
    return keyset(since(query, Ticket.updated_at), Ticket.id)


@api_get("/tickets/<number>", "One ticket (PMO-1042 or 1042) with its public replies; internal notes "
         "only for PMO staff.", TICKET, kind="item", nested={"replies": REPLY}, tag="helpdesk")
def ticket(number):
    found = load_ticket(number, user())
    found.requester_name = found.requester.name
    found.assignee_name = found.assignee.name if found.assignee_id else None
    found.replies = replies_for(found, user())
    return found


@api_get("/kb/articles", "Knowledge-base articles: metadata only, published versions.", ARTICLE,
         [Param("section", "Section, e.g. standards."), Param("q", "Words in the title."), SINCE], tag="knowledge")
def articles():
    sync_if_due()  # the folder in step with the database, as every knowledge page makes sure
    query = Article.visible()
    section = request.args.get("section", "").strip()[:120]
    if section:
        query = query.where(Article.section == section)
    words = request.args.get("q", "").strip()[:100]
    if words:
        query = query.where(Article.title.contains(words))
    return keyset(since(query, Article.updated_at), Article.id)


@api_get("/lessons", "Lessons learned on the projects the owner may see.", LESSON,
         [Param("q", "Words in the lesson, project name or category."), Param("category", "Category."),
          Param("updated_since", "Only lessons recorded at or after this UTC time (ISO 8601).")], tag="lessons")
def lessons():
    form = form_filters(SearchForm)
    query = lessons_matching(user(), form.q.data or "", form.category.data or "")
    # Only the lesson's own columns and two named ones: the project's id, category and created_at would
    # otherwise land on the lesson's attributes of the same names.
    query = query.select(Lesson, Project.code.alias("project_code"), Project.name.alias("project_name"))
    return keyset(since(query, Lesson.created_at), Lesson.id)


# --- the PMO's figures --------------------------------------------------------------------------------

def require_pmo():
    if not can(user(), "pmo.views"):
        raise NotAllowed("The PMO's figures are for PMO staff and admins.")


@api_get("/kpis", "The PMO KPIs by month, oldest first (PMO staff and admins).", KPI_MONTH,
         [Param("months", "How many months, 2–24 (default 6).", "integer")], kind="series", tag="pmo")
def kpi_series():
    require_pmo()
    months = int_param("months") or 6
    if not 2 <= months <= 24:
        raise InvalidInput({"months": "Use a number of months from 2 to 24."})
    return kpis.monthly(utcnow().date(), months)


@api_get("/kpis/rates", "Today's training completion and standards acknowledgement rates (PMO staff and admins).",
         KPI_RATES, kind="item", tag="pmo")
def kpi_rates():
    require_pmo()
    return kpis.rates()


# --- the description -----------------------------------------------------------------------------

@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3.1 description, generated from the registry (readable without a token)."""
    document = openapi(bp.url_prefix, request.host_url.rstrip("/") + bp.url_prefix,
                       current_app.config.get("API_VERSION", "1.0.0"))
    document["paths"][bp.url_prefix + "/openapi.json"] = {"get": {
        "operationId": "openapi_document", "summary": "This description.", "security": [],
        "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {}}}}}}
    return jsonify(document)
