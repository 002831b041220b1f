"""The board pack: one PDF with the executive summary, the roadmap, red and amber projects, top risks,
decisions needed and gates due; dated, paginated, with the organisation's name."""
from flask import current_app, render_template, request
from flask_login import current_user, login_required

from portal.dashboard import bp
from portal.dashboard import services as svc
from portal.db import utcnow
from portal.decisions.services import needed
from portal.gates.services import waiting
from portal.permissions import require
from portal.risks.portfolio import top_risks
from portal.roadmap.services import roadmap


@bp.get("/board-pack.pdf")
@login_required
@require("dashboard.view")
def board_pack():
    """The board pack as a PDF download, filtered like the dashboard; everything in it is scoped to the reader."""
    from weasyprint import CSS, HTML  # imported on demand: it loads Pango, which only this page needs

    from portal.dashboard.views import _form, _portfolio
    form = _form()
    today, filters, rows = _portfolio(form)
    attention = svc.add_details([r for r in svc.sort_rows(rows, "rag", True) if r["rag"] in ("red", "amber")][:50])
    html = render_template(
        "dashboard/board_pack.html", today=today, now=utcnow(), rows=rows, attention=attention,
        organisation=current_app.config["ORGANISATION_NAME"],
        figures=svc.headline(rows, svc.projects_by_state(current_user, filters)),
        data=roadmap(current_user, filters, "department", "quarter", None, today),
        risks=top_risks(current_user, today), decisions=needed(current_user), gates=waiting(current_user, 50))
    with current_app.open_resource("static/roadmap.css") as sheet:
        css = sheet.read().decode()
    pdf = HTML(string=html, base_url=request.host_url).write_pdf(
        stylesheets=[CSS(string=css)])
    response = current_app.response_class(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="board-pack-{today.isoformat()}.pdf"'
    return response
