"""Project pages: the list and its CSV, requesting, the project page, editing, steps and the team."""
from flask import abort, current_app, flash, request, url_for
from flask_login import current_user, login_required

from portal.auth.models import User
from portal.csvexport import EXPORT_PATH, export_response
from portal.db import db
from portal.errors import PortalError
from portal.memo import kept_page
from portal.pagination import page_arg
from portal.permissions import can, check
from portal.projects import SECTIONS, bp
from portal.projects import services as svc
from portal.projects.forms import DecisionForm, FilterForm, MemberForm, ProjectForm, RoleForm, ScoreForm, StateForm
from portal.projects.models import ROLE_LABELS
from portal.projects.permissions import locked_fields
from portal.projects.queries import CSV_COLUMNS, csv_rows, departments_and_managers, filtered, search_projects
from portal.projects.review import (
    UNDECIDED,
    approval_status,
    conflict_of_interest,
    decide,
    executive_waits,
    kinds_user_can_give,
    may_send_back,
    score_request,
    scores,
)
from portal.projects.rules import CRITERIA, conflict_policy, current_rules, explain, missing_fields
from portal.projects.workflow import STATE_LABELS, may_transition
from portal.web import apply_error, redirect_to, render

PER_PAGE = 25  # the table is re-sent on every filter, sort and page turn: a page stays under 10 KB


def _filters(form) -> dict:
    return {"state": form.state.data or "", "department": form.department.data or "",
            "category": form.category.data or "", "manager": form.manager.data or None, "text": form.q.data or ""}


@bp.get("/")
@login_required
@kept_page()
def index():
    """Projects and requests you may see; filters live in the URL, htmx swaps only the table."""
    form = FilterForm(formdata=request.args, meta={"csrf": False})
    if not form.validate():
        form = FilterForm(formdata=None, meta={"csrf": False})
    page = search_projects(current_user, _filters(form), form.sort.data or "name", page_arg(), PER_PAGE)
    departments, managers = departments_and_managers(current_user)
    return render("projects/page.html", fragment="projects/_table.html", form=form, rows=page.rows,
                  total=page.total, page=page, departments=departments, managers=managers,
                  categories=list(current_rules()["categories"]), labels=STATE_LABELS)


@bp.get(f"/{EXPORT_PATH}")
@login_required
def export(fmt):
    """The filtered list as CSV or Excel, streamed; the same visibility as the page."""
    form = FilterForm(formdata=request.args, meta={"csrf": False})
    if not form.validate():
        abort(400, description="Those filters are not valid.")
    filters = _filters(form)
    return export_response(fmt, "projects", CSV_COLUMNS, lambda: csv_rows(filtered(current_user, **filters)))


def _form_page(form, project=None, status=200, rules=None):
    rules = rules or current_rules()
    locked = locked_fields(current_user, project)
    for name in locked:  # show what was approved, not what a refused post asked for
        getattr(form, name).data, getattr(form, name).raw_data = getattr(project, name), None
    values = form.values()
    return render("projects/form.html", form=form, project=project, status=status, locked=locked,
                  applies=explain(rules, values.get("category") or "", values.get("budget")),
                  missing=missing_fields(rules, values))


def _name_taken(form, project=None) -> bool:
    """Warn (on the name field) when another project already has this name, unless the requester confirmed it."""
    if form.same_name_ok.data or (project is not None and project.name.strip().lower() == form.name.data.strip().lower()):
        return False
    others = svc.projects_named(form.name.data, current_user, exclude_id=project.id if project else None)
    if not others:
        return False
    form.name_taken = others
    form.name.errors = list(form.name.errors) + [
        f"Another project is already called this ({', '.join(others)}). Check it is not the same one; "
        "to save anyway, tick the box below and save again."]
    return True


def _save(form, project=None):
    """Create or update from a valid form, then submit when asked; returns the project."""
    if project is None:
        project = svc.create_request(form.values(), current_user)
    else:
        project = svc.update_project(project, current_user, form.version.data or 0, form.values())
    if request.form.get("action") == "submit":
        project = svc.submit_request(project, current_user, request.form.get("comment", "")[:2000])
    return project


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Request a project: save a draft, or submit it for review."""
    check("projects.create")
    rules = current_rules()
    form = ProjectForm().set_choices(rules)
    if request.method == "GET":
        form.manager.data = current_user.id
        form.department.data = current_user.department
    elif form.validate_on_submit() and not _name_taken(form):
        try:
            with db.atomic():
                project = _save(form)
        except PortalError as exc:
            return _form_page(form, status=apply_error(form, exc, forbidden_status=422), rules=rules)
        flash(f"{project.ref} {'submitted for review' if project.state == 'submitted' else 'saved as a draft'}.",
              "success")
        return redirect_to(url_for("projects.detail", ref=project.ref))
    else:
        return _form_page(form, status=422, rules=rules)
    return _form_page(form, rules=rules)


@bp.get("/rules-check")
@login_required
def rules_check():
    """Which governance rules apply to the request being typed, and what is missing (htmx panel)."""
    form = ProjectForm(formdata=request.args, meta={"csrf": False}).set_choices(current_rules())
    form.validate()
    rules = current_rules()
    values = form.values()
    return render("projects/_rules.html", fragment="projects/_rules.html",
                  applies=explain(rules, values.get("category") or "", values.get("budget")),
                  missing=missing_fields(rules, values), problems=form.budget.errors)


@bp.route("/<ref>/edit", methods=["GET", "POST"])
@login_required
def edit(ref):
    """Edit a request or project; a stale form is refused (409) with your input kept."""
    project = svc.load_project(ref, current_user, need="edit")
    rules = current_rules()
    form = ProjectForm(obj=project if request.method == "GET" else None).set_choices(rules)
    if request.method == "GET":
        for person in ("sponsor", "manager", "compliance_owner"):
            getattr(form, person).data = getattr(project, person + "_id") or 0
        form.version.data = project.version
    elif form.validate_on_submit() and not _name_taken(form, project):
        try:
            with db.atomic():
                project = _save(form, project)
        except PortalError as exc:
            return _form_page(form, project, status=apply_error(form, exc, forbidden_status=422), rules=rules)
        flash(f"{project.ref} {'submitted for review' if project.state == 'submitted' else 'saved'}.", "success")
        return redirect_to(url_for("projects.detail", ref=project.ref))
    else:
        return _form_page(form, project, status=422, rules=rules)
    return _form_page(form, project, rules=rules)


def _detail(project, status=200, **forms):
    people = svc.named_people(project)
    review = {"send_back": False, "conflict": "", "block": False, "waits": ""}
    given, needed, can_give, sheets = {}, [], [], []
    if project.state in UNDECIDED:  # the review panel: the rules, approvals and scores matter only here
        rules = current_rules()
        given, needed = approval_status([project], rules)[project.id]
        can_give = kinds_user_can_give(current_user, project, rules)
        sheets = scores(project)
        review["send_back"] = may_send_back(current_user, project, rules)
        review["conflict"] = conflict_of_interest(current_user, project)
        review["block"] = conflict_policy(rules) == "block"
        if "executive" in needed and current_user.role == "executive" and not can_give:
            review["waits"] = executive_waits(project, given, rules)
    members = svc.team(project)
    member_ids = {m.user_id for m in members}
    candidates = []
    if forms.get("member_form") is None and can(current_user, "projects.team", project):
        # A few hundred people: read as plain tuples, without the query builder's per-row work.
        candidates = [(uid, name) for uid, name in svc.active_people() if uid not in member_ids]
    member_form = forms.pop("member_form", None) or MemberForm()
    member_form.user.choices = member_form.user.choices or candidates
    steps = [s for s in ("active", "on_hold", "closed", "cancelled") if may_transition(current_user, project, s)]
    return render("projects/detail.html", status=status, project=project, people=people, members=members,
                  history=svc.timeline(project), given=given, needed=needed, scores=sheets,
                  can_give=can_give, review=review, steps=steps, labels=STATE_LABELS,
                  criteria=CRITERIA, decision_form=forms.get("decision_form") or DecisionForm(),
                  score_form=forms.get("score_form") or ScoreForm(), state_form=forms.get("state_form") or StateForm(),
                  member_form=member_form, role_form=forms.get("role_form") or RoleForm(), role_labels=ROLE_LABELS,
                  sections=[(e, label) for e, label in SECTIONS if e in current_app.view_functions])


@bp.get("/<ref>")
@login_required
@kept_page()
def detail(ref):
    """One project: details, state, history, team and what you may do next."""
    return _detail(svc.load_project(ref, current_user))


def _act(project, form_name, form, action):
    """Run `action` for a valid `form`; on refusal re-render the page with the message next to the form."""
    if form.validate_on_submit():
        try:
            action()
        except PortalError as exc:
            if exc.status == 403:
                abort(403, description=str(exc))
            return _detail(project, status=apply_error(form, exc), **{form_name: form})
        return redirect_to(url_for("projects.detail", ref=project.ref))
    return _detail(project, status=422, **{form_name: form})


@bp.post("/<ref>/decide")
@login_required
def decision(ref):
    """Approve, reject or return a request."""
    project = svc.load_project(ref, current_user)
    form = DecisionForm()
    return _act(project, "decision_form", form,
                lambda: decide(project, current_user, form.decision.data, form.comment.data))


@bp.post("/<ref>/score")
@login_required
def score(ref):
    """Score a request on the PMO's sheet."""
    project = svc.load_project(ref, current_user)
    form = ScoreForm()
    return _act(project, "score_form", form, lambda: score_request(
        project, current_user, {c: getattr(form, c).data for c in CRITERIA}, form.comment.data))


@bp.post("/<ref>/state/<any(active, on_hold, closed, cancelled):to_state>")
@login_required
def change_state(ref, to_state):
    """Activate, put on hold, resume, close or cancel."""
    project = svc.load_project(ref, current_user)
    form = StateForm()
    return _act(project, "state_form", form,
                lambda: svc.change_state(project, current_user, to_state, form.comment.data))


@bp.post("/<ref>/members")
@login_required
def add_member(ref):
    """Put someone on the team."""
    project = svc.load_project(ref, current_user)
    check("projects.team", project)
    form = MemberForm()
    form.user.choices = [(u.id, u.name) for u in User.active_users().select(User.id, User.name)]
    return _act(project, "member_form", form,
                lambda: svc.add_member(project, current_user, form.user.data, form.role.data))


@bp.post("/<ref>/members/<int:user_id>/role")
@login_required
def change_role(ref, user_id):
    """Make a team member deputy, contributor or viewer."""
    project = svc.load_project(ref, current_user)
    check("projects.team", project)
    form = RoleForm()
    return _act(project, "role_form", form, lambda: svc.change_role(project, current_user, user_id, form.role.data))


@bp.post("/<ref>/members/<int:user_id>/remove")
@login_required
def remove_member(ref, user_id):
    """Take someone off the team."""
    project = svc.load_project(ref, current_user)
    check("projects.team", project)
    return _act(project, "state_form", StateForm(), lambda: svc.remove_member(project, current_user, user_id))
