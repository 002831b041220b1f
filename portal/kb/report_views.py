"""The PMO's knowledge reports: acknowledgements (with CSV), training completion, overdue reviews."""
from flask_login import current_user

from portal.csvexport import csv_response
from portal.kb import bp, learning, services
from portal.pagination import page_arg, paginate
from portal.permissions import require
from portal.web import render


@bp.get("/reports/acknowledgements")
@require("kb.report")
def ack_report():
    """Each mandatory standard with how many managers and PMO staff acknowledged its current version."""
    return render("kb/ack_report.html", rows=learning.ack_overview())


@bp.get("/reports/acknowledgements/<int:article_id>")
@require("kb.report")
def ack_detail(article_id):
    """Who has and has not acknowledged one standard's current version."""
    article = services.load_article_by_id(article_id)
    page = paginate(learning.ack_status_query(article).objects(), page_arg(), count=False)
    return render("kb/ack_detail.html", article=article, rows=page.rows, page=page)


@bp.get("/reports/acknowledgements/<int:article_id>.csv")
@require("kb.report")
def ack_csv(article_id):
    """The same list as CSV, streamed, formula-safe."""
    article = services.load_article_by_id(article_id)
    name = f"acknowledgements-{article.slug.replace('/', '-')}-v{article.doc_version}.csv"
    return csv_response(name, learning.ACK_CSV_COLUMNS, lambda: learning.ack_csv_rows(article))


@bp.get("/reports/training")
@require("kb.report")
def training_report():
    """Training completion by person and by department."""
    page = learning.training_by_person(page_arg())
    return render("kb/training_report.html", people=page.rows, page=page,
                  departments=learning.training_by_department(), total=len(learning.training_modules()))


@bp.get("/reviews")
def reviews():
    """Articles past their review date: the reader's own, or all of them for the PMO."""
    from portal.permissions import can
    everyone = can(current_user, "kb.report")
    return render("kb/reviews.html", articles=learning.overdue_reviews(current_user, everyone), everyone=everyone)
