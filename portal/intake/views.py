"""The intake queue (submitted and in-review requests, oldest first) and the governance rules editor."""
import json

from flask import flash, request, url_for
from flask_login import current_user, login_required
from peewee import JOIN

from portal.auth.models import User
from portal.db import utcnow
from portal.intake import bp
from portal.memo import kept_page
from portal.pagination import page_arg, paginate
from portal.permissions import require
from portal.projects.forms import FilterForm, RulesForm
from portal.projects.models import Project, RuleSet
from portal.projects.queries import SORTS, filtered
from portal.projects.review import approval_status, awaiting_executive
from portal.projects.rules import APPROVER_KINDS, RulesError, current_rules, dump_toml, parse_toml, save_rules
from portal.web import redirect_to, render

QUEUE_SORTS = ("oldest", "score", "budget")


@bp.get("/")
@login_required
@require("intake.view")
@kept_page("minute")  # days waiting count from the submission time, not from midnight
def index():
    """Requests waiting for a decision, with score, budget, age and who must still approve.

    PMO staff work the queue; executives read it, and `waiting=me` narrows it to the
    requests whose executive approval is theirs to give now.
    """
    form = FilterForm(formdata=request.args, meta={"csrf": False})
    if not form.validate():
        form = FilterForm(formdata=None, meta={"csrf": False})
    sort = request.args.get("sort", "oldest")
    sort = sort if sort in QUEUE_SORTS else "oldest"
    state = form.state.data if form.state.data in ("submitted", "in_review") else ""
    query = filtered(current_user, state=state, category=form.category.data or "",
                     department=form.department.data or "", text=form.q.data or "")
    query = query.where(Project.state.in_(("submitted", "in_review")))
    rules = current_rules()
    waiting_for_me = request.args.get("waiting") == "me"
    mine = awaiting_executive(current_user, rules).select(Project.id)
    if waiting_for_me:
        query = query.where(Project.id.in_(mine))
    page = paginate(query.order_by(*SORTS[sort]).objects(), page_arg())
    due = {p.id for p in Project.select(Project.id).where(Project.id.in_([r.id for r in page.rows])
                                                           & Project.id.in_(mine))} if page.rows else set()
    return render("intake/page.html", fragment="intake/_queue.html", rows=page.rows, total=page.total, page=page,
                  form=form, sort=sort, state=state, approvals=approval_status(page.rows, rules), kinds=APPROVER_KINDS, now=utcnow(),
                  categories=list(rules["categories"]), due=due, waiting_for_me=waiting_for_me,
                  waiting_count=awaiting_executive(current_user, rules).count()
                  if current_user.role == "executive" else 0)


@bp.route("/rules", methods=["GET", "POST"])
@login_required
@require("rules.edit")
def rules():
    """Edit the governance rules as TOML, validated; every save is kept as history."""
    form = RulesForm()
    status = 200
    if request.method == "GET":
        form.body.data = dump_toml(current_rules())
    elif form.validate_on_submit():
        try:
            save_rules(parse_toml(form.body.data), current_user, form.comment.data or "")
        except RulesError as exc:
            form.body.errors = list(exc.messages)
            status = 422
        else:
            flash("Governance rules saved; they apply to the next submission.", "success")
            return redirect_to(url_for("intake.rules"))
    else:
        status = 422
    versions = list(RuleSet.select(RuleSet, User).join(User, on=(RuleSet.saved_by == User.id), join_type=JOIN.LEFT_OUTER)
                    .order_by(RuleSet.saved_at.desc(), RuleSet.id.desc()).limit(20))
    return render("intake/rules.html", form=form, versions=versions, status=status,
                  sizes={v.id: len(json.loads(v.body)["categories"]) for v in versions})
