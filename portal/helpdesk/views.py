"""Help-desk pages: the queue, asking, one ticket, replying and working it."""
from flask import abort, current_app, flash, request, url_for
from flask_login import current_user, login_required

from portal.csvexport import EXPORT_PATH, export_response
from portal.db import utcnow
from portal.errors import NotAllowed, PortalError, Stale
from portal.helpdesk import bp, files, ticket_reads
from portal.helpdesk.canned import fill
from portal.helpdesk.forms import (
    BulkForm,
    MergeForm,
    QueueFilterForm,
    RatingForm,
    ReplyForm,
    TicketForm,
    TicketUpdateForm,
    new_token,
)
from portal.helpdesk.models import CATEGORIES, Attachment, CannedAnswer, Ticket
from portal.helpdesk.queue import CSV_COLUMNS, queue, queue_rows, views_for
from portal.helpdesk.services import (
    add_reply,
    agents,
    assign_to_self,
    bulk_update,
    change_status,
    create_ticket,
    is_agent,
    load_ticket,
    merge,
    parse_number,
    rate,
    replies_for,
    visible_tickets,
    work_ticket,
)
from portal.helpdesk.sla import BusinessCalendar, sla_clock
from portal.kb.services import url_for_path
from portal.memo import kept_page
from portal.pagination import page_arg
from portal.permissions import check
from portal.web import apply_error, query_args, redirect_to, render

PER_PAGE = 20  # the queue is re-sent on every filter, sort and 30-second refresh: a page stays under 10 KB


def project_choices(user) -> list[tuple[str, str]]:
    """The projects `user` may see (with a code), for the ticket form's project picker."""
    from portal.projects.models import Project
    rows = (Project.visible_to(user).select(Project.code, Project.name)
            .where(Project.code.is_null(False)).order_by(Project.code).tuples())
    return [("", "No particular project")] + [(code, f"{code} — {name}") for code, name in rows]


def _calendar() -> BusinessCalendar:
    return BusinessCalendar.from_config(current_app.config)


@bp.get("/")
@login_required
@kept_page("minute")
def index():
    """The queue for PMO staff; 'my questions' for everyone else. htmx gets only the table."""
    form = QueueFilterForm(formdata=request.args, meta={"csrf": False})
    form.validate()
    page, view = queue(current_user, request.args.get("view", ""), q=form.q.data or "",
                              category=form.category.data or "", priority=form.priority.data or "",
                              status=form.status.data or "", sort=form.sort.data or "due", page=page_arg(),
                              per_page=PER_PAGE)
    bulk = None
    if is_agent(current_user):
        bulk = BulkForm()
        bulk.assignee.choices = [(0, "—")] + [(a.id, a.name) for a in agents()]
    return render("helpdesk/index.html", fragment="helpdesk/_queue.html", form=form, rows=page.rows,
                  total=page.total, view=view, views=views_for(current_user), page=page, bulk=bulk, calendar=_calendar(), now=utcnow(),
                  sla_clock=sla_clock, category_labels=dict(CATEGORIES))


@bp.get(f"/{EXPORT_PATH}")
@login_required
def export(fmt):
    """The queue view as filtered on screen, as CSV or Excel: every page, in its order; no bodies or notes."""
    form = QueueFilterForm(formdata=request.args, meta={"csrf": False})
    form.validate()
    filters = {"q": form.q.data or "", "category": form.category.data or "", "priority": form.priority.data or "",
               "status": form.status.data or "", "sort": form.sort.data or "due"}
    view = request.args.get("view", "")
    return export_response(fmt, "helpdesk-queue", CSV_COLUMNS, lambda: queue_rows(current_user, view, **filters))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Ask the PMO a question; matching knowledge articles are suggested while typing."""
    form = TicketForm()
    form.project.choices = project_choices(current_user)
    if request.method == "GET" and request.args.get("project"):
        form.project.data = request.args["project"][:32].upper()
    if not is_agent(current_user):
        form.priority.choices = [c for c in form.priority.choices if c[0] != "urgent"]
    if form.validate_on_submit():
        try:
            ticket = create_ticket(current_user, form.subject.data, form.body.data, form.category.data,
                                   form.priority.data, (form.project.data or "").strip().upper(),
                                   _calendar(), upload=form.attachment.data,
                                   upload_dir=current_app.config["UPLOAD_DIR"])
        except PortalError as exc:
            apply_error(form, exc)
        else:
            flash(f"Your question is {ticket.reference}. The PMO will answer here and by e-mail.", "success")
            return redirect_to(url_for("helpdesk.ticket", number=ticket.number))
    return render("helpdesk/new.html", form=form, status=422 if request.method == "POST" else 200)


def _ticket_page(ticket, reply_form=None, update_form=None, status=200):
    agent = is_agent(current_user)
    if reply_form is None:
        reply_form = ReplyForm(token=new_token())
    if update_form is None and agent:
        update_form = TicketUpdateForm(obj=ticket, assignee=ticket.assignee_id or 0)
    if update_form is not None:
        update_form.assignee.choices = [(0, "Unassigned")] + [(a.id, a.name) for a in agents()]
    calendar, now = _calendar(), utcnow()
    sla = None
    if ticket.is_open and ticket.status != "waiting":
        text, state = sla_clock(ticket, now, calendar)
        sla = ("First response" if ticket.first_response_at is None else "Resolution", text, state == "overdue")
    attachments = ticket_reads.attachments(ticket)
    links = [(link.title, url_for_path(link.article)) for link in ticket_reads.article_links(ticket)]
    merged_into = None
    if ticket.merged_into_id:
        merged_into = visible_tickets(current_user).where(Ticket.id == ticket.merged_into_id).first()
    return render("helpdesk/ticket.html", ticket=ticket, merged_into=merged_into, replies=replies_for(ticket, current_user),
                  attachments=attachments, links=links, reply_form=reply_form, update_form=update_form,
                  rating_form=RatingForm(), merge_form=MergeForm(token=new_token()), sla=sla,
                  category_labels=dict(CATEGORIES),
                  canned=ticket_reads.canned_answers() if agent else [],
                  agent=agent, status=status)


@bp.get("/<number>")
@login_required
@kept_page("minute")
def ticket(number):
    """One ticket: the question, the conversation and (for staff) the controls."""
    return _ticket_page(load_ticket(number, current_user, with_people=True))


@bp.post("/<number>/reply")
@login_required
def reply(number):
    """Reply (or add an internal note); a double submit is stored once."""
    ticket = load_ticket(number, current_user)
    form = ReplyForm()
    if not form.validate_on_submit():
        return _ticket_page(ticket, reply_form=form, status=422)
    try:
        posted = add_reply(ticket, current_user, form.body.data, form.token.data, _calendar(),
                           internal=form.internal.data and is_agent(current_user),
                           new_status=(form.then.data or None) if is_agent(current_user) else None,
                           upload=form.attachment.data, upload_dir=current_app.config["UPLOAD_DIR"])
    except PortalError as exc:
        return _ticket_page(ticket, reply_form=form, status=apply_error(form, exc))
    if not posted.duplicate:
        flash("Internal note added." if posted.internal else "Reply sent.", "success")
    return redirect_to(url_for("helpdesk.ticket", number=ticket.number) + f"#reply-{posted.id}")


@bp.post("/<number>/update")
@login_required
def update(number):
    """Change assignee, status, priority or category; a stale form gets 409."""
    ticket = load_ticket(number, current_user, need="work")
    form = TicketUpdateForm()
    form.assignee.choices = [(0, "Unassigned")] + [(a.id, a.name) for a in agents()]
    if not form.validate_on_submit():
        return _ticket_page(ticket, update_form=form, status=422)
    try:
        work_ticket(ticket, current_user, form.version.data, _calendar(), form.assignee.data,
                    form.priority.data, form.category.data, form.status.data)
    except PortalError as exc:
        status = apply_error(form, exc)
        if isinstance(exc, Stale):  # show what the other person saved
            ticket = Ticket.get_by_id(ticket.id)
        return _ticket_page(ticket, update_form=form, status=status)
    flash(f"{ticket.reference} updated.", "success")
    return redirect_to(url_for("helpdesk.ticket", number=ticket.number))


@bp.post("/<number>/take")
@login_required
def take(number):
    """Assign the ticket to oneself in one click."""
    ticket = load_ticket(number, current_user, need="work")
    assign_to_self(ticket, current_user, _calendar())
    flash(f"{ticket.reference} is yours.", "success")
    return redirect_to(url_for("helpdesk.ticket", number=ticket.number))


@bp.post("/<number>/status/<any(open, closed):target>")
@login_required
def requester_status(number, target):
    """The requester reopens, or closes a resolved ticket as answered."""
    ticket = load_ticket(number, current_user)
    try:
        change_status(ticket, current_user, target, ticket.version, _calendar())
    except PortalError as exc:
        abort(409, description=str(exc))
    flash(f"{ticket.reference} is {'reopened' if target == 'open' else 'closed'}.", "success")
    return redirect_to(url_for("helpdesk.ticket", number=ticket.number))


@bp.post("/<number>/rate")
@login_required
def rate_answer(number):
    """The requester rates the answer once resolved."""
    ticket = load_ticket(number, current_user)
    form = RatingForm()
    if not form.validate_on_submit():
        return _ticket_page(ticket, status=422)
    try:
        rate(ticket, current_user, form.rating.data, form.comment.data or "")
    except PortalError as exc:
        abort(403 if isinstance(exc, NotAllowed) else 409, description=str(exc))
    flash("Thank you for rating the answer.", "success")
    return redirect_to(url_for("helpdesk.ticket", number=ticket.number))


@bp.post("/<number>/merge")
@login_required
def merge_into(number):
    """Close this ticket as a duplicate of another."""
    ticket = load_ticket(number, current_user, need="work")
    form = MergeForm()
    target = parse_number(form.into.data)
    if not form.validate_on_submit() or target is None:
        flash("Give the number of the ticket to merge into, e.g. PMO-1042.", "error")
        return redirect_to(url_for("helpdesk.ticket", number=ticket.number))
    try:
        into = merge(ticket, target, current_user, form.token.data, _calendar())
    except PortalError as exc:
        flash(str(exc), "error")
        return redirect_to(url_for("helpdesk.ticket", number=ticket.number))
    flash(f"{ticket.reference} was merged into {into.reference}.", "success")
    return redirect_to(url_for("helpdesk.ticket", number=into.number))


@bp.get("/<number>/attachments/<int:attachment_id>")
@login_required
def attachment(number, attachment_id):
    """Download an attachment: only for those who see the ticket (and its note), never inline."""
    ticket = load_ticket(number, current_user)
    item = Attachment.get_or_none((Attachment.id == attachment_id) & (Attachment.ticket == ticket.id))
    if item is None or (item.reply_id and item.reply.internal and not is_agent(current_user)):
        abort(404)
    path = files.path_of(item, current_app.config["UPLOAD_DIR"])
    files.require_file(path)
    return files.download(path, item.filename)


@bp.get("/<number>/canned")
@login_required
def canned_text(number):
    """A canned answer filled in for this ticket, as the reply box (htmx swaps it in)."""
    ticket = load_ticket(number, current_user, need="work")
    answer = CannedAnswer.get_or_none(CannedAnswer.id == (parse_number(request.args.get("answer")) or 0))
    if answer is None:
        abort(404)
    form = ReplyForm(token=request.args.get("token") or new_token())
    form.body.data = fill(answer, ticket, current_user)
    return render("helpdesk/_reply_body.html", form=form)


@bp.post("/bulk")
@login_required
def bulk():
    """Assign or change the status of the selected tickets."""
    check("helpdesk.work")
    form = BulkForm()
    numbers = [n for n in map(parse_number, request.form.getlist("ticket")) if n is not None]
    if not form.validate_on_submit() or not numbers:
        flash("Select at least one ticket and an action.", "error")
        return redirect_to(url_for("helpdesk.index"))
    assignee = parse_number(request.form.get("assignee")) or None
    status = request.form.get("status") or None
    if status and status not in {"open", "waiting", "resolved", "closed"}:
        abort(400, description="Unknown status.")
    changed = bulk_update(numbers, current_user, _calendar(), assignee_id=assignee, status=status)
    flash(f"Updated {changed} of {len(numbers)} ticket(s).", "success" if changed else "warning")
    return redirect_to(url_for("helpdesk.index", **query_args()))



@bp.get("/project/<ref>")
@login_required
def project_tickets(ref):
    """The tickets about one project that the user may see."""
    from portal.projects.services import load_project
    project = load_project(ref, current_user)
    rows = list(visible_tickets(current_user).where(Ticket.project_code == project.code)
                .order_by(Ticket.created_at.desc()).limit(200)) if project.code else []
    return render("helpdesk/project_tickets.html", project=project, rows=rows)
