"""Home page and Markdown preview."""
from flask import request
from flask_login import current_user, login_required
from markupsafe import Markup

from portal.db import utcnow
from portal.main import bp
from portal.main.attention import attention_items
from portal.main.morning import morning, pmo_counts
from portal.markdown import render_markdown, too_long
from portal.memo import kept_page, remember
from portal.web import render


@bp.get("/")
@login_required
@kept_page("minute")
def home():
    """The signed-in home page: where to go next for this role.

    The page is kept for the minute (the SLA count moves with the clock, not only with writes);
    its short lists, the costlier panel, are kept for the day, both until a table they read changes.
    """
    user = current_user._get_current_object()
    lists = remember(("home.morning", user.id, user.role, utcnow().date()), lambda: morning(user))
    return render("main/home.html", user=current_user, attention=attention_items(user) + pmo_counts(user),
                  morning=lists)


@bp.post("/preview")
@login_required
def preview():
    """Live Markdown preview for any text box: the same sanitised rendering as the saved text.

    Text over the preview cap (the largest cap of the boxes that use it) is refused with
    422 and the reason, shown in place of the preview, never cut and rendered.
    """
    text = request.form.get("body") or request.form.get("text") or ""
    message = too_long(text, "preview")
    if message:
        return render("main/_preview.html", html=Markup('<p class="error">No preview: {}</p>').format(message),
                      status=422)
    html = render_markdown(text) if text.strip() else Markup('<p class="muted">Nothing to preview yet.</p>')
    return render("main/_preview.html", html=html)

