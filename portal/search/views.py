"""The header's search box: results grouped by kind as you type, and a page of its own without JavaScript."""
from flask import request
from flask_login import current_user, login_required

from portal.search import bp
from portal.search.services import MAX_TEXT, MIN_TEXT, search_everything
from portal.web import render


@bp.get("/")
@login_required
def index():
    """Everything matching `q` that you may see, grouped: projects, risks, issues, tickets, articles, lessons, people."""
    q = (request.args.get("q") or "")[:MAX_TEXT]
    return render("search/page.html", fragment="search/_results.html", q=q, groups=search_everything(current_user, q),
                  min_text=MIN_TEXT)
