"""Compliance pages: projects by score with failing checks and the trend, a project's checks, editing checks."""
from flask import abort, request, url_for
from flask_login import current_user, login_required

from portal.compliance import bp
from portal.compliance import services as svc
from portal.compliance.checks import RULES
from portal.compliance.forms import CheckForm
from portal.db import utcnow
from portal.errors import Stale
from portal.memo import kept_page, remember
from portal.pagination import page_arg, paginate
from portal.permissions import require
from portal.projects.services import load_project
from portal.web import redirect_to, render

PER_PAGE = 25  # lowest score first: the page is the worst 25; the average counts every project


@bp.get("/compliance/")
@login_required
@kept_page()
def index():
    """Active projects you can see, lowest score first, with what fails and the monthly trend.

    The scores are kept per person and day until a table they read changes (portal/memo.py).
    """
    user, today = current_user._get_current_object(), utcnow().date()
    failing_only = request.args.get("failing") == "1"
    rows = remember(("compliance.index", user.id, user.role, today, failing_only),
                    lambda: _scores(user, today, failing_only))
    page = paginate(rows, page_arg(), PER_PAGE)
    average = round(sum(r["score"] for r in rows) / len(rows), 1) if rows else None
    return render("compliance/page.html", fragment="compliance/_table.html", failing_only=failing_only,
                  rows=page.rows, total=page.total, page=page, average=average,
                  trend=remember(("compliance.trend", user.id, user.role, today), lambda: svc.trend(user, today)),
                  fix_url=svc.fix_url)


def _scores(user, today, failing_only: bool) -> tuple:
    rows = sorted(svc.evaluate(svc.active_projects(user), today), key=lambda p: (p["score"], p["code"]))
    return tuple(r for r in rows if r["failing"]) if failing_only else tuple(rows)


@bp.get("/projects/<ref>/compliance")
@login_required
def project_page(ref):
    """One project's checks: pass or fail, why, and where to put it right."""
    project = load_project(ref, current_user)
    results = svc.evaluate(svc.active_projects(current_user).where(svc.Project.id == project.id), utcnow().date())
    return render("compliance/project.html", project=project, result=results[0] if results else None,
                  fix_url=svc.fix_url)


def _checks_page(forms=None, status=200, stale=None):
    all_checks = svc.checks(enabled_only=False)
    forms = forms or {}
    for c in all_checks:
        forms.setdefault(c.key, CheckForm(formdata=None, obj=c, version=c.version))
    return render("compliance/checks.html", status=status, checks=all_checks, forms=forms, rules=RULES,
                  stale=stale)


@bp.get("/compliance/checks")
@login_required
@require("compliance.edit")
def checks():
    """The PMO's checks: switch each on or off and set its threshold."""
    return _checks_page()


@bp.post("/compliance/checks/<key>")
@login_required
@require("compliance.edit")
def update(key):
    """Save one check; out-of-range input gets 422 next to the field, a stale form 409."""
    check = svc.load_check(key)
    if check is None or key not in RULES:
        abort(404)
    form = CheckForm(request.form)
    if not form.within(*RULES[key][0]):
        return _checks_page({key: form}, status=422)
    try:
        svc.update_check(check, current_user, form.version.data, form.enabled.data, form.threshold.data)
    except Stale:
        return _checks_page({key: form}, status=409, stale=key)
    return redirect_to(url_for("compliance.checks"))
