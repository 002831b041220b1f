"""Home page and Markdown preview."""
from flask import request
from markupsafe import Markup
from flask_login import current_user, login_required

from portal.main import bp
from portal.main.attention import attention_items
from portal.markdown import render_markdown
from portal.web import render


@bp.get("/")
@login_required
def home():
    """The signed-in home page: where to go next for this role."""
    return render("main/home.html", user=current_user, attention=attention_items(current_user))


@bp.post("/preview")
@login_required
def preview():
    """Live Markdown preview for any text box: the same sanitised rendering as the saved text."""
    text = (request.form.get("body") or request.form.get("text") or "")[:100_000]
    html = render_markdown(text) if text.strip() else Markup('<p class="muted">Nothing to preview yet.</p>')
    return render("main/_preview.html", html=html)

