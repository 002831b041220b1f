"""The portal's one Markdown renderer: Python-Markdown, then an nh3 allow-list."""
import markdown as md
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {"p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "code",
                "pre", "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
                "del", "ins", "sup", "sub", "span", "div", "img"}
ALLOWED_ATTRS = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"}, "td": {"align"},
                 "*": {"class", "id"}}


def render_markdown(text: str) -> Markup:
    """Render user Markdown to safe HTML: no scripts, handlers, hx-* attributes or unsafe links."""
    html = md.markdown(text or "", extensions=["tables", "fenced_code", "sane_lists"])
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRS,
                      url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
    return Markup(clean)
