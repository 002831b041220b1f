"""Small inline SVG charts drawn on the server: no chart library, no script, no style attributes."""
from markupsafe import Markup, escape

COLOURS = {"green": "#2e7d32", "amber": "#b26a00", "red": "#c62828", None: "#bdbdbd", "": "#bdbdbd"}
INK = "#555555"  # pages draw text in their own ink (.chart text in app.css), for dark mode
AXIS = "#9e9e9e"
LINE = "#1565c0"


def _svg(width: int, height: int, label: str, body: list[str]) -> Markup:
    return Markup(f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
                  f'role="img" aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
                  f'<title>{escape(label)}</title>{"".join(body)}</svg>')


def rag_grid(columns: list[str], rows: list[tuple[str, list]], label: str, cell: int = 12) -> Markup:
    """A grid of RAG squares: one row per dimension, one column per report (oldest left)."""
    left, gap = 78, 2
    width = max(left + max(1, len(columns)) * (cell + gap), 300)
    grid_height = len(rows) * (cell + gap) + 2
    height = grid_height + 30
    body = []
    if columns:  # the time axis: first and last report dates
        body.append(_text(left, grid_height + 11, columns[0], size=9))
        if len(columns) > 1:
            body.append(_text(left + len(columns) * (cell + gap) - gap, grid_height + 11, columns[-1], size=9,
                              anchor="end"))
    body += _legend(0, height - 4, [("green", "Green"), ("amber", "Amber"), ("red", "Red"), (None, "No report")])
    for r, (name, values) in enumerate(rows):
        y = r * (cell + gap) + 1
        body.append(f'<text x="0" y="{y + cell - 2}" font-size="10" fill="{INK}">{escape(name)}</text>')
        for c, value in enumerate(values):
            body.append(f'<rect x="{left + c * (cell + gap)}" y="{y}" width="{cell}" height="{cell}" rx="2" '
                        f'fill="{COLOURS.get(value, COLOURS[None])}"><title>{escape(columns[c])}: '
                        f'{escape(name)} {escape(value or "no report")}</title></rect>')
    return _svg(width, height, label, body)


def line_chart(points: list[tuple[str, float | None]], label: str, low: float | None = None,
               high: float | None = None, unit: str = "", width: int = 320, height: int = 90) -> Markup:
    """A line through `points` (label, value); None values leave a gap. A zero line shows when the range spans 0."""
    values = [v for _, v in points if v is not None]
    if not values:
        return _svg(width, 24, label, [f'<text x="0" y="16" font-size="11" fill="{INK}">No data yet</text>'])
    plot_height, height = height, height + 14
    low = min(values + ([low] if low is not None else []))
    high = max(values + ([high] if high is not None else []))
    span = (high - low) or 1
    pad, step = 6, (width - 40) / max(1, len(points) - 1)

    def xy(i, v):
        return 34 + i * step, pad + (plot_height - 2 * pad) * (1 - (v - low) / span)

    body = [f'<text x="0" y="{pad + 8}" font-size="10" fill="{INK}">{high:g}{escape(unit)}</text>',
            f'<text x="0" y="{plot_height - pad}" font-size="10" fill="{INK}">{low:g}{escape(unit)}</text>',
            f'<line x1="34" y1="{plot_height - 2}" x2="{width}" y2="{plot_height - 2}" stroke="{AXIS}"/>',
            _text(34, height - 2, points[0][0], size=9)]
    if len(points) > 1:
        body.append(_text(width, height - 2, points[-1][0], size=9, anchor="end"))
    if low < 0 < high:
        y0 = xy(0, 0)[1]
        body.append(f'<line x1="34" y1="{y0:.1f}" x2="{width}" y2="{y0:.1f}" stroke="#cccccc" stroke-dasharray="3 3"/>')
    segment = []
    for i, (name, v) in enumerate(points + [("", None)]):
        if v is None:
            if len(segment) > 1:
                body.append(f'<polyline fill="none" stroke="{LINE}" stroke-width="2" points="{" ".join(segment)}"/>')
            segment = []
            continue
        x, y = xy(i, v)
        segment.append(f"{x:.1f},{y:.1f}")
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{LINE}"><title>{escape(name)}: '
                    f'{v:g}{escape(unit)}</title></circle>')
    return _svg(width, height, label, body)


def rag_mix(periods: list[tuple[str, dict]], label: str, width: int = 360, height: int = 110) -> Markup:
    """Stacked bars per period: how many projects were red, amber and green."""
    most = max([sum(counts.values()) for _, counts in periods] + [1])
    bar = (width - 10) / max(1, len(periods))
    top, height = 16, height + 16  # room for the colour key above the bars
    body = _legend(5, 11, [("green", "Green"), ("amber", "Amber"), ("red", "Red")])
    every = max(1, -(-len(periods) // 4))  # about four dated ticks, the last month always among them
    for i, (name, counts) in enumerate(periods):
        y = height - 14
        for rag in ("green", "amber", "red"):
            h = (height - 20 - top) * counts.get(rag, 0) / most
            if h:
                y -= h
                body.append(f'<rect x="{5 + i * bar + 1:.1f}" y="{y:.1f}" width="{bar - 3:.1f}" height="{h:.1f}" '
                            f'fill="{COLOURS[rag]}"><title>{escape(name)}: {counts.get(rag, 0)} {rag}</title></rect>')
        if (len(periods) - 1 - i) % every == 0:
            anchor = "end" if i == len(periods) - 1 else "middle"
            x = width - 1 if anchor == "end" else 5 + i * bar + bar / 2
            body.append(_text(x, height - 2, name, size=9, anchor=anchor))
    return _svg(width, height, label, body)


def sparkline(values: list[float | None], label: str, width: int = 72, height: int = 18,
              colours: list[str | None] | None = None) -> Markup:
    """A word-sized line of `values` (oldest first) without axes, for a trend in a table cell or a card;
    `colours` (RAG names) colour each point instead of the line's blue."""
    known = [v for v in values if v is not None]
    if not known:
        return Markup("")
    low, high = min(known), max(known)
    span, pad = (high - low) or 1, 3
    step = (width - 2 * pad) / max(1, len(values) - 1)
    points = [(pad + i * step, pad + (height - 2 * pad) * (1 - (v - low) / span) if high != low else height / 2, i)
              for i, v in enumerate(values) if v is not None]
    body = [f'<polyline fill="none" stroke="{LINE}" stroke-width="1.5" '
            f'points="{" ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)}"/>']
    for x, y, i in points:
        if colours is not None or i == len(values) - 1:
            fill = COLOURS.get(colours[i], COLOURS[None]) if colours is not None else LINE
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{fill}"/>')
    # The <title> is the image's accessible name and its tooltip: an aria-label would repeat it in
    # every table row (the dashboard draws one a project).
    return Markup(f'<svg class="sparkline" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
                  f'role="img"><title>{escape(label)}</title>{"".join(body)}</svg>')


def _text(x: float, y: float, text: str, size: int = 10, anchor: str = "start") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{INK}">'
            f'{escape(text)}</text>')


def _legend(x: float, y: float, keys: list[tuple[str | None, str]]) -> list[str]:
    """A colour key in one row: a swatch and a word for each RAG colour."""
    body = []
    for rag, word in keys:
        body.append(f'<rect x="{x:.1f}" y="{y - 8:.1f}" width="9" height="9" rx="1" fill="{COLOURS[rag]}"/>')
        body.append(_text(x + 12, y, word, size=9))
        x += 16 + 6 * len(word)
    return body
