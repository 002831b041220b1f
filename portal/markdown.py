"""The one Markdown renderer and sanitiser: Python-Markdown, then an nh3 allow-list."""
import posixpath
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

from portal.markdown_guard import LinearExtension, neutralise

MAX_INPUT = 500_000  # characters; longer text is cut before rendering (bounded work)

# Stored HTML carries the version of the renderer that made it: change this number whenever
# the rendering changes (extensions, allow-list, limits) so old rows are rendered again.
RENDERER_VERSION = 2

# The most characters each kind of Markdown text may have (README, "Limits"). The renderer's
# cost is linear in its input, so these also bound the work one save or preview can cause.
LIMITS = {
    "comment": 10_000,  # discussion comments
    "ticket": 20_000,  # help-desk questions, replies and internal notes
    "status": 10_000,  # each text of a status report
    "preview": 20_000,  # the live preview of any of the above
    "article": 200_000,  # knowledge-base articles and their editor's preview
}


def too_long(text: str, kind: str) -> str | None:
    """The message for text longer than the cap of `kind`, or None when it fits."""
    limit = LIMITS[kind]
    return f"Use at most {limit:,} characters (this text has {len(text):,})." if len(text) > limit else None

TAGS = {"a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt",
        "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "mark", "ol", "p",
        "pre", "s", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
        "thead", "tr", "ul", "caption"}
ATTRIBUTES = {
    "a": {"href", "title", "class", "id"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "div": {"class"}, "p": {"class"}, "span": {"class"}, "code": {"class"}, "pre": {"class"},
    "li": {"id"}, "sup": {"id"}, "ol": {"class"},
    "td": {"align"}, "th": {"align"},
    **{f"h{n}": {"id"} for n in range(1, 7)},
}
URL_SCHEMES = {"http", "https", "mailto"}


# Text typed by users keeps no `id`: one could shadow an element the page itself
# targets by id (an htmx swap target, the preview box) and capture its content.
USER_ATTRIBUTES = {tag: attrs - {"id"} for tag, attrs in ATTRIBUTES.items()}


def sanitise(html: str, attributes=ATTRIBUTES) -> str:
    """Keep only allowed tags, attributes and URL schemes (http, https, mailto, relative)."""
    return nh3.clean(html, tags=TAGS, attributes=attributes, url_schemes=URL_SCHEMES,
                     clean_content_tags={"script", "style", "iframe", "object", "embed", "template",
                                         "noscript", "svg", "math", "textarea", "select", "title"},
                     link_rel="noopener noreferrer", strip_comments=True)


def slugify(value: str, separator: str = "-") -> str:
    """Heading anchors that keep non-ASCII letters: 'Qualität & Risiko' -> 'qualität-risiko'."""
    value = unicodedata.normalize("NFKC", value).strip().lower()
    out, dash = [], False
    for ch in value:
        if ch.isalnum():
            out.append(ch)
            dash = False
        elif not dash and out:
            out.append(separator)
            dash = True
    return "".join(out).strip(separator) or "section"


def _extensions():
    return ["tables", "fenced_code", "codehilite", "admonition", "sane_lists", "footnotes", "toc",
            LinearExtension()]


def _config():
    return {"codehilite": {"css_class": "codehilite", "guess_lang": False},
            "toc": {"permalink": "#", "permalink_title": "Link to this heading", "slugify": slugify,
                    "toc_depth": "2-4"}}


def render_markdown(text: str) -> Markup:
    """Render text typed by users (comments, descriptions) to safe HTML."""
    md = markdown.Markdown(extensions=["tables", "fenced_code", "codehilite", "sane_lists", LinearExtension()],
                           extension_configs=_config())
    return Markup(sanitise(md.convert(neutralise((text or "")[:MAX_INPUT])), USER_ATTRIBUTES))


@dataclass
class RenderedArticle:
    """An article's safe HTML, its table of contents, and the local links it makes."""

    html: Markup
    toc: Markup
    links: list[str] = field(default_factory=list)  # knowledge-relative targets, e.g. "standards/x.md"
    broken: list[str] = field(default_factory=list)  # links that leave the knowledge folder


def resolve_link(article_path: str, target: str) -> str | None:
    """The knowledge-relative path a relative link points to, or None when it leaves the folder."""
    path = unquote(target)
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(article_path), path))
    if joined.startswith("../") or joined == ".." or joined.startswith("/"):
        return None
    return joined


class _LinkRewriter(Treeprocessor):
    """Turn relative links to .md files and images into portal URLs, noting each target."""

    def __init__(self, md, article_path, url_for_path, result):
        super().__init__(md)
        self.article_path, self.url_for_path, self.result = article_path, url_for_path, result

    def run(self, root):
        for el in root.iter():
            attr = "href" if el.tag == "a" else "src" if el.tag == "img" else None
            value = el.get(attr) if attr else None
            if not value or value.startswith("#"):
                continue
            parts = urlsplit(value)
            if parts.scheme or parts.netloc or value.startswith("/"):
                continue
            resolved = resolve_link(self.article_path, parts.path)
            if resolved is None:
                self.result.broken.append(value)
                el.set(attr, "#broken-link")
                continue
            self.result.links.append(resolved)
            url = self.url_for_path(resolved)
            el.set(attr, url + (f"#{quote(parts.fragment)}" if parts.fragment else ""))


class _LinkExtension(Extension):
    def __init__(self, article_path, url_for_path, result):
        super().__init__()
        self.args = (article_path, url_for_path, result)

    def extendMarkdown(self, md):
        md.treeprocessors.register(_LinkRewriter(md, *self.args), "kb_links", 1)


def render_article(text: str, article_path: str = "", url_for_path=None) -> RenderedArticle:
    """Render a knowledge article: anchors, contents, tables, code, admonitions, local links.

    `url_for_path(relative_path)` maps a knowledge file to its portal URL; without it
    relative links are left as they are.
    """
    result = RenderedArticle(Markup(""), Markup(""))
    extensions = _extensions()
    if url_for_path is not None:
        extensions.append(_LinkExtension(article_path, url_for_path, result))
    md = markdown.Markdown(extensions=extensions, extension_configs=_config())
    html = md.convert(neutralise((text or "")[:MAX_INPUT]))
    result.html = Markup(sanitise(html))
    result.toc = Markup(sanitise(md.toc)) if md.toc_tokens else Markup("")
    return result
