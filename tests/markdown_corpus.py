"""Pathological Markdown: runs, alternations and nestings of every construct the renderer knows.

`corpus(size)` gives (name, text) pairs of about `size` characters: each delimiter of
Python-Markdown and its enabled extensions (links, images, references, footnotes, code
spans and fences, emphasis, raw HTML, autolinks, entities, quotes, lists, tables,
headings, admonitions) repeated, alternated with its neighbours, nested, or laid out
one construct per line. `scripts/markdown_bench.py` times the renderer on it.
"""

UNITS = ["[", "]", "(", ")", "<", ">", "`", "*", "_", "~", "!", "#", "|", "\\", "&", ":", "=", "-", "+",
         "'", '"', "{", "}", "^", " ", "\t", "\n", "\n\n",
         "[]", "[(", "![", "[a](", "[a]", "[a][", "](", "[^", "[^1]", "<a", "<a ", "</a>", "<div>", "</div>",
         "<!--", "-->", "<?", "<![CDATA[", "<!x", "&#", "&#x", "&a", "<http://", "<a@b", "<x:",
         "*a", "**a", "_a", "__a", "***a", "*_", "a*", "a_", "`a", "``a", "*a*", "**", "a**b",
         "[*", "*[", "[`", "`[", "(<", "<(", "[<", "<[", "](<", "\\[", "\\*", "&amp;", "  \n", "a\n",
         "> ", ">", "- ", "* ", "1. ", "- [", "> - ", "- > ", "    ", "| a ", "|-", ":-:", "a|", "```\n",
         "~~~\n", "!!! note\n    ", "[a]: b\n", "[^a]: b\n", "# a\n", "a\n=\n", "a\n-\n", "***\n",
         "<div>\n", '<div markdown="1">\n', '[a](b "', "[a](b '", "[a](<", "![a](", "[a] [", "[a]\n[",
         "[a](b)", '[a](b "t")', "`` ` ``", "``a`"]

NESTED = {
    "brackets": ("[", "a", "]"), "parens": ("(", "a", ")"), "link_in_link": ("[a](", "b", ")"),
    "image_in_link": ("[![", "a", "](b))"), "emph": ("*", "a", "*"), "strong_emph": ("**_", "a", "_**"),
    "html_div": ("<div>", "a", "</div>"), "html_span": ("<span>", "a", "</span>"), "code": ("`", "a", "`"),
    "brackets_parens": ("[(", "a", ")]"), "angle": ("<", "a", ">"), "link_title": ('[a](b "', "c", '")'),
    "emph_mixed": ("*_", "a", "_*"), "links_nested": ("[[", "a](b)", "](c)"),
}

LINES = {
    "blockquote_depth": lambda i: "> " * i + "a",
    "list_depth": lambda i: "    " * i + "- a",
    "list_depth2": lambda i: "  " * i + "- a",
    "olist_depth": lambda i: "    " * i + "1. a",
    "list_mixed": lambda i: "    " * (i % 50) + ("- " if i % 2 else "1. ") + "a",
    "quote_list": lambda i: "> " * (i % 40) + "- " * (i % 7) + "a",
    "table_rows": lambda i: "| a | b |\n|---|---|" if i == 0 else "| x | y |",
    "table_wide": lambda i: "|" + "a|" * 300 if i % 2 == 0 else "|" + "-|" * 300,
    "refs": lambda i: f"[a{i}]: http://x/{i}\n[a{i}][a{i + 1}]",
    "ref_chain": lambda i: f"[x{i}][x{i + 1}]",
    "footnotes": lambda i: f"[^{i}]: text [^{i + 1}]",
    "footnote_refs": lambda i: f"a[^{i}] b",
    "headings": lambda i: "#" * (1 + i % 6) + f" h{i}",
    "setext": lambda i: "a\n===" if i % 2 else "b\n---",
    "admonition_depth": lambda i: "    " * i + '!!! note "t"',
    "fences_unclosed": lambda i: "```",
    "html_blocks": lambda i: "<div>" if i % 2 else "x",
    "hr": lambda i: "- - -",
    "indented_code_mix": lambda i: "    code" if i % 2 else "> quote",
    "lazy_quote": lambda i: "> a" if i == 0 else "b",
    "list_para": lambda i: "- a\n\n  b" if i % 2 else "",
    "ticks_growing": lambda i: "`" * (i % 97 + 1) + "a",
}


def _run(unit, size):
    return (unit * (size // len(unit) + 1))[:size]


def _nest(opening, middle, closing, size):
    n = size // (len(opening) + len(closing) + 1)
    return opening * n + middle + closing * n


def _lines(line, size):
    out, i, total = [], 0, 0
    while total < size:
        out.append(line(i))
        total += len(out[-1]) + 1
        i += 1
    return "\n".join(out)


def corpus(size: int) -> list[tuple[str, str]]:
    """(name, text) pairs of about `size` characters each."""
    out = [(f"run {unit!r}", _run(unit, size)) for unit in UNITS]
    out += [(f"nest {name}", _nest(*parts, size)) for name, parts in NESTED.items()]
    out += [(f"lines {name}", _lines(line, size)) for name, line in LINES.items()]
    return out
