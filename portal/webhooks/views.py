"""Webhook pages for PMO staff: the list, adding and editing, a test delivery, the delivery log and replay."""
from flask import abort, flash, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from portal.errors import PortalError
from portal.pagination import page_arg
from portal.permissions import require
from portal.web import apply_error, redirect_to, render
from portal.webhooks import bp
from portal.webhooks import services as svc
from portal.webhooks.delivery import MAX_ATTEMPTS, replay
from portal.webhooks.events import EVENTS
from portal.webhooks.forms import WebhookForm
from portal.webhooks.models import FORMATS


def _checked_post():
    if not FlaskForm().validate_on_submit():
        abort(400, description="The form was incomplete; reload the page and try again.")


@bp.get("/")
@require("webhooks.manage")
def index():
    """Every webhook, what it follows and how its deliveries went."""
    hooks, counts = svc.webhooks()
    return render("webhooks/index.html", hooks=hooks, counts=counts, events=EVENTS, formats=FORMATS)


@bp.route("/new", methods=["GET", "POST"])
@require("webhooks.manage")
def new():
    """Add a webhook; its secret is shown once, on the page that confirms it."""
    form = WebhookForm()
    status = 200
    if form.validate_on_submit():
        try:
            hook, secret = svc.create_webhook(form.values(), current_user)
        except PortalError as exc:
            status = apply_error(form, exc)
        else:
            return render("webhooks/created.html", hook=hook, secret=secret, status=201)
    elif request.method == "POST":
        status = 422
    return render("webhooks/form.html", form=form, hook=None, status=status)


@bp.route("/<int:hook_id>", methods=["GET", "POST"])
@require("webhooks.manage")
def edit(hook_id):
    """Change a webhook; leave the secret empty to keep it."""
    hook = svc.load_webhook(hook_id)
    form = WebhookForm(obj=hook) if request.method == "GET" else WebhookForm()
    if request.method == "GET":
        form.events.data, form.secret.data = hook.event_list, ""
    status = 200
    if form.validate_on_submit():
        try:
            svc.update_webhook(hook, current_user, form.version.data, form.values())
        except PortalError as exc:
            status = apply_error(form, exc)
        else:
            flash(f"Webhook {form.name.data} saved.", "success")
            return redirect_to(url_for("webhooks.index"))
    elif request.method == "POST":
        status = 422
    return render("webhooks/form.html", form=form, hook=hook, status=status)


@bp.route("/<int:hook_id>/delete", methods=["GET", "POST"])
@require("webhooks.manage")
def delete(hook_id):
    """Confirm, then remove a webhook and its delivery log."""
    hook = svc.load_webhook(hook_id)
    if request.method == "POST":
        _checked_post()
        svc.delete_webhook(hook, current_user)
        flash(f"Webhook {hook.name} deleted.", "success")
        return redirect_to(url_for("webhooks.index"))
    return render("webhooks/delete.html", hook=hook, form=FlaskForm())


@bp.post("/<int:hook_id>/test")
@require("webhooks.manage")
def test(hook_id):
    """Queue a test delivery for this webhook."""
    hook = svc.load_webhook(hook_id)
    _checked_post()
    svc.send_test(hook, current_user)
    flash("A test delivery is queued; it goes out with the next delivery run.", "success")
    return redirect_to(url_for("webhooks.deliveries", hook_id=hook.id))


@bp.get("/<int:hook_id>/deliveries")
@require("webhooks.manage")
def deliveries(hook_id):
    """The delivery log, newest first: state, attempts, the receiver's answer, the body sent."""
    hook = svc.load_webhook(hook_id)
    state = request.args.get("state", "")
    page = svc.deliveries(hook, state, page_arg())
    return render("webhooks/deliveries.html", fragment="webhooks/_deliveries.html", hook=hook, page=page,
                  rows=page.rows, state=state, form=FlaskForm(), max_attempts=MAX_ATTEMPTS)


@bp.post("/<int:hook_id>/deliveries/<int:delivery_id>/replay")
@require("webhooks.manage")
def replay_delivery(hook_id, delivery_id):
    """Send a delivery's body again, as a new entry in the log."""
    hook = svc.load_webhook(hook_id)
    delivery = svc.load_delivery(hook, delivery_id)
    _checked_post()
    replay(delivery)
    flash("Queued again; it goes out with the next delivery run.", "success")
    return redirect_to(url_for("webhooks.deliveries", hook_id=hook.id))
