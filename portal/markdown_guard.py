"""Keep Python-Markdown's work linear: bracket matching from a table, a table test that reads two lines.

Python-Markdown finds the text of a link by scanning forward from each `[` to its
matching `]`; a few kilobytes of `[` make that quadratic (seconds at 10 KB). The
tables extension splits the whole remaining block each time another processor
takes one line off it, quadratic in the block's lines. Both are replaced here by
equivalents that give the same result in linear time.
"""
import bisect
import re

from markdown import inlinepatterns as ip
from markdown.extensions import Extension
from markdown.extensions.tables import PIPE_LEFT, PIPE_NONE, PIPE_RIGHT, TableProcessor

_BRACKETS = {"[": re.compile(r"[\[\]]"), "(": re.compile(r"[()]")}
_TICKS = re.compile(r"`+")
_QUOTE = re.compile(r"[\"']")
_FOOTNOTE = re.compile(r"\[\^([^\]]{0,256})\]", re.DOTALL | re.UNICODE)
LINK_WINDOW = 2048  # characters a link destination and title may span when the fast path does not apply
_KEEP = 16  # bracket tables kept per document: one per level of nested link text being processed


class _BracketTables:
    """For each `[` the position of the `]` that closes it, per text the inline patterns see.

    Whether a `[` closes depends only on the text after it, so a table built from the
    right is keyed by distance from the end: it stays valid when the inline processor
    replaces a match before the position asked about with a placeholder (which it
    does after every link), and is rebuilt only for a text it has not seen.
    """

    def __init__(self, opener="["):
        self.opener, self.pattern = opener, _BRACKETS[opener]
        self.tables: list[tuple[str, dict[int, int]]] = []
        self.quotes: tuple[str | None, int] = (None, -1)

    def last_quote(self, data: str) -> int:
        """Position of the last quote character in `data` (-1 if none), found once per text."""
        if self.quotes[0] is not data:
            self.quotes = (data, max(data.rfind('"'), data.rfind("'")))
        return self.quotes[1]

    def close(self, data: str, index: int) -> int | None:
        """Position of the bracket closing the one just before `index`, or None when it never closes."""
        distance = len(data) - index + 1  # of the opening bracket from the end of the text
        closing = self._table(data, distance).get(distance)
        return None if closing is None else len(data) - closing

    def _table(self, data, distance):
        """A table valid for `data` from `distance` before its end on: a known one or a new one."""
        for i, (text, table) in enumerate(self.tables):
            if text is data or (distance <= len(text) and data.endswith(text[len(text) - distance:])):
                if i:
                    self.tables.insert(0, self.tables.pop(i))
                return table
        table = self.build(data)
        self.tables.insert(0, (data, table))
        del self.tables[_KEEP:]
        return table

    def build(self, data):
        """Distance from the end of each opening bracket -> that of the bracket closing it."""
        table, closers, size = {}, [], len(data)
        for m in reversed(list(self.pattern.finditer(data))):
            if m.group() != self.opener:
                closers.append(size - m.start())
            elif closers:
                table[size - m.start()] = closers.pop()
        return table


class _TickTables(_BracketTables):
    """Runs of backticks per text, keyed by distance from the end like the bracket tables.

    Python-Markdown looks for the end of a code span by walking character by character
    to the end of the text for every opening run without a partner; these tables answer
    the same question (the first later run as long, else the longest later run) by bisection.
    """

    def __init__(self):
        super().__init__("[")

    def build(self, data):
        """Per run length, the runs' distances ascending; and the longest run (first on ties) up to each."""
        size, by_length, best, longest = len(data), {}, [], (0, 0)
        distances = []
        for m in reversed(list(_TICKS.finditer(data))):
            distance, length = size - m.start(), m.end() - m.start()
            by_length.setdefault(length, []).append(distance)
            if length >= longest[0]:  # nearer the start of the text wins a tie
                longest = (length, distance)
            distances.append(distance)
            best.append(longest)
        return by_length, distances, best

    def find(self, text, start):
        """`find_code_spans(start, text)` of Python-Markdown, answered from the tables."""
        max_ticks = len(_TICKS.match(text, start).group()) if text.startswith("`", start) else 0
        start += max_ticks
        reach = len(text) - start  # runs at or after `start` are those no farther from the end
        by_length, distances, best = self._table(text, reach)
        same = by_length.get(max_ticks, [])
        k = bisect.bisect_right(same, reach) - 1
        if max_ticks and k >= 0:
            return start, len(text) - same[k]
        k = bisect.bisect_right(distances, reach) - 1
        longest, distance = best[k] if k >= 0 else (0, 0)
        if 0 < longest < max_ticks:
            return start - (max_ticks - longest), len(text) - distance
        return start + max_ticks, None


class _LinearText:
    """Mixin for the link processors: `getText` and `getLink` answer from the bracket tables."""

    def getText(self, data, index):
        if index == 0 or data[index - 1] != "[":
            return super().getText(data, index)
        end = self.md.bracket_tables.close(data, index)
        if end is None:
            return data[index:], len(data), False
        return data[index:end], end + 1, True

    def getLink(self, data, index):
        m = self.RE_LINK.match(data, pos=index)
        if m and not m.group(1):
            # `(destination)` without quotes: its end is the `)` matching the `(`, which the
            # paren table knows; Python-Markdown's own loop would find the same one.
            end = self.md.paren_tables.close(data, index + 1)
            if end is None and self.md.paren_tables.last_quote(data) < m.end():
                return "", None, index, False  # never closes, and no title could close it
            if end is not None and _QUOTE.search(data, m.end(), end) is None:
                return self.unescape(data[m.end():end]).strip(), None, end + 1, True
            # Quotes start a title, whose rules only the original loop knows: give it a window.
            data = data[:index + LINK_WINDOW]
        return super().getLink(data, index)


_PROCESSORS = {  # name: (class, pattern) exactly as Python-Markdown registers them
    "reference": (ip.ReferenceInlineProcessor, ip.REFERENCE_RE),
    "link": (ip.LinkInlineProcessor, ip.LINK_RE),
    "image_link": (ip.ImageInlineProcessor, ip.IMAGE_LINK_RE),
    "image_reference": (ip.ImageReferenceInlineProcessor, ip.IMAGE_REFERENCE_RE),
    "short_reference": (ip.ShortReferenceInlineProcessor, ip.REFERENCE_RE),
    "short_image_ref": (ip.ShortImageReferenceInlineProcessor, ip.IMAGE_REFERENCE_RE),
}


class _LinearTable(TableProcessor):
    """The tables test reading only the lines it needs instead of splitting the whole block."""

    def test(self, parent, block):
        lines = block.split("\n", 2)
        if len(lines) < 2:
            return False
        header0 = lines[0].strip(" ")
        self.border = PIPE_NONE
        if header0.startswith("|"):
            self.border |= PIPE_LEFT
        if self.RE_END_BORDER.search(header0) is not None:
            self.border |= PIPE_RIGHT
        row0_len = len(self._split_row(header0))
        is_table = row0_len > 1
        if not is_table and row0_len == 1 and self.border:
            # A one-column table needs a pipe on every row; stop at the first without.
            for line in _lines(block, lines[0]):
                row = line.strip(" ")
                is_table = row.startswith("|") or self.RE_END_BORDER.search(row) is not None
                if not is_table:
                    break
        if is_table:
            row = self._split_row(lines[1].strip(" "))
            is_table = len(row) == row0_len and set("".join(row)) <= set("|:- ")
            if is_table:
                self.separator = row
        return is_table


def _lines(block, first):
    """The lines of `block` after `first`, one at a time."""
    start = len(first) + 1
    while start <= len(block):
        end = block.find("\n", start)
        end = len(block) if end < 0 else end
        yield block[start:end]
        start = end + 1


def _priority(registry, name):
    """The priority `name` was registered with (the registry keeps it but has no getter)."""
    return next(item.priority for item in registry._priority if item.name == name)


class LinearExtension(Extension):
    """Swap in the linear link processors and table test; load after the `tables` extension."""

    def extendMarkdown(self, md):
        self.tables = md.bracket_tables, md.paren_tables = _BracketTables("["), _BracketTables("(")
        self.ticks = _TickTables()
        self.tables += (self.ticks,)
        md.registerExtension(self)
        for name, (cls, pattern) in _PROCESSORS.items():
            if name in md.inlinePatterns:
                linear = type(f"Linear{cls.__name__}", (_LinearText, cls), {})
                md.inlinePatterns.register(linear(pattern, md), name, _priority(md.inlinePatterns, name))
        if "backtick" in md.inlinePatterns:
            md.inlinePatterns["backtick"].find_code_spans = lambda start, text: self.ticks.find(text, start)
        if "footnote" in md.inlinePatterns:  # `[^id]`: the id may not run on to the end of the text
            md.inlinePatterns["footnote"].compiled_re = _FOOTNOTE
        if "table" in md.parser.blockprocessors:
            config = md.parser.blockprocessors["table"].config
            md.parser.blockprocessors.register(_LinearTable(md.parser, config), "table",
                                               _priority(md.parser.blockprocessors, "table"))

    def reset(self):
        """Forget the tables of the previous document."""
        for tables in self.tables:
            tables.tables.clear()
            tables.quotes = (None, -1)


# Source-level limits. Ordinary Markdown never reaches them; past them the construct is
# flattened or escaped, which changes how abusive text looks, never what is allowed.
MAX_DEPTH = 16  # quote and list markers at the start of one line (Python-Markdown recurses per level)
MAX_INDENT = 64  # columns of leading indentation: 16 levels of nested lists
MAX_FENCES = 200  # ``` / ~~~ lines; each code block costs a highlighter, unclosed ones a search each
MAX_BLOCK_LINES = 256  # lines between blank lines: block processors re-read the rest of a block per line they take
MAX_BLOCK_CHARS = 8_000  # characters between blank lines: inline processing is quadratic in one text's elements
TAG_WINDOW = 1024  # a `<` starting a tag should meet a `>` this soon ...
MAX_OPEN_TAGS = 16  # ... or the HTML scanner reads on to the end of the text for each such `<`

_FENCE = re.compile(r"(?:`{3,}|~{3,})")
_MARKER = re.compile(r"[ \t]*(?:>|(?:[-*+]|\d{1,9}[.)])(?=[ \t]|$))")
_TAG_START = re.compile(r"<[A-Za-z/!?]")


def neutralise(text: str) -> str:
    """Flatten nesting, extra fences and unclosed tags beyond the limits; leave ordinary text as it is."""
    out, fences, in_fence, block = [], 0, False, []
    for line in text.split("\n"):
        fence = _FENCE.match(line) is not None
        if fence and fences < MAX_FENCES:
            fences += 1
            in_fence = not in_fence
        elif fence:  # entities show the same characters but open no code block or code span
            line, fence = line.replace("`", "&#96;").replace("~", "&#126;"), False
        if in_fence or fence:  # code stays as typed and is never split
            out += _split_block(block) + [line]
            block = []
            continue
        line = _cap_indent(_cap_markers(line))
        if line.strip():
            block.append(line)
            continue
        out += _split_block(block) + [line]
        block = []
    out += _split_block(block)
    return _escape_open_tags("\n".join(out))


def _split_block(lines):
    """A block over MAX_BLOCK_LINES or MAX_BLOCK_CHARS as several blocks; a long table repeats its header."""
    if len(lines) <= MAX_BLOCK_LINES and sum(len(line) + 1 for line in lines) <= MAX_BLOCK_CHARS:
        return lines
    head = lines[:2] if len(lines) > 2 and "|" in lines[0] and set(lines[1].strip()) <= set("|:- ") else []
    room = MAX_BLOCK_CHARS - sum(len(line) + 1 for line in head)
    out, chunk, size = [], [], 0
    for line in (piece for whole in lines[len(head):] for piece in _pieces(whole)):
        if chunk and (len(chunk) + len(head) >= MAX_BLOCK_LINES or size + len(line) + 1 > room):
            out += head + chunk + [""]
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
    return out + head + chunk


def _pieces(line):
    """A line longer than a block may be, cut after a space where there is one."""
    while len(line) > MAX_BLOCK_CHARS // 2:
        cut = line.rfind(" ", 0, MAX_BLOCK_CHARS // 2) + 1 or MAX_BLOCK_CHARS // 2
        yield line[:cut]
        line = line[cut:]
    yield line


def _cap_markers(line):
    """Keep MAX_DEPTH leading quote and list markers of a line and drop the rest."""
    pos, keep = 0, None
    for count in range(MAX_DEPTH + 1):
        m = _MARKER.match(line, pos)
        if not m:
            return line
        pos = m.end()
        if count == MAX_DEPTH - 1:
            keep = pos
    while m := _MARKER.match(line, pos):  # skip every further marker
        pos = m.end()
    return line[:keep] + " " + line[pos:].lstrip(" \t")


def _cap_indent(line):
    """Cut leading indentation to MAX_INDENT columns (tabs count four, as in Python-Markdown)."""
    stripped = line.lstrip(" \t")
    width = len(line[:len(line) - len(stripped)].expandtabs(4))
    return " " * MAX_INDENT + stripped if width > MAX_INDENT else line


def _escape_open_tags(text):
    """Escape `<` that start a tag with no `>` near, once there are more than a few of them."""
    far = [m.start() for m in _TAG_START.finditer(text) if text.find(">", m.start(), m.start() + TAG_WINDOW) < 0]
    if len(far) <= MAX_OPEN_TAGS:
        return text
    out, last = [], 0
    for pos in far:
        out += [text[last:pos], "&lt;"]
        last = pos + 1
    out.append(text[last:])
    return "".join(out)
