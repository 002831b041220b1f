"""Small inline SVG charts drawn on the server: no chart library, no script, no style attributes."""
from markupsafe import Markup, escape

COLOURS = {"green": "#2e7d32", "amber": "#b26a00", "red": "#c62828", None: "#bdbdbd", "": "#bdbdbd"}
INK = "#555555"


def _svg(width: int, height: int, label: str, body: list[str]) -> Markup:
    return Markup(f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
                  f'role="img" aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
                  f'<title>{escape(label)}</title>{"".join(body)}</svg>')


def rag_grid(columns: list[str], rows: list[tuple[str, list]], label: str, cell: int = 12) -> Markup:
    """A grid of RAG squares: one row per dimension, one column per report (oldest left)."""
    left, gap = 78, 2
    width = left + max(1, len(columns)) * (cell + gap)
    height = len(rows) * (cell + gap) + 2
    body = []
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
    low = min(values + ([low] if low is not None else []))
    high = max(values + ([high] if high is not None else []))
    span = (high - low) or 1
    pad, step = 6, (width - 40) / max(1, len(points) - 1)

    def xy(i, v):
        return 34 + i * step, pad + (height - 2 * pad) * (1 - (v - low) / span)

    body = [f'<text x="0" y="{pad + 8}" font-size="10" fill="{INK}">{high:g}{escape(unit)}</text>',
            f'<text x="0" y="{height - pad}" font-size="10" fill="{INK}">{low:g}{escape(unit)}</text>']
    if low < 0 < high:
        y0 = xy(0, 0)[1]
        body.append(f'<line x1="34" y1="{y0:.1f}" x2="{width}" y2="{y0:.1f}" stroke="#cccccc" stroke-dasharray="3 3"/>')
    segment = []
    for i, (name, v) in enumerate(points + [("", None)]):
        if v is None:
            if len(segment) > 1:
                body.append(f'<polyline fill="none" stroke="#1565c0" stroke-width="2" points="{" ".join(segment)}"/>')
            segment = []
            continue
        x, y = xy(i, v)
        segment.append(f"{x:.1f},{y:.1f}")
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="#1565c0"><title>{escape(name)}: '
                    f'{v:g}{escape(unit)}</title></circle>')
    return _svg(width, height, label, body)


def rag_mix(periods: list[tuple[str, dict]], label: str, width: int = 360, height: int = 110) -> Markup:
    """Stacked bars per period: how many projects were red, amber and green."""
    most = max([sum(counts.values()) for _, counts in periods] + [1])
    bar = (width - 10) / max(1, len(periods))
    body = []
    for i, (name, counts) in enumerate(periods):
        y = height - 14
        for rag in ("green", "amber", "red"):
            h = (height - 20) * counts.get(rag, 0) / most
            if h:
                y -= h
                body.append(f'<rect x="{5 + i * bar + 1:.1f}" y="{y:.1f}" width="{bar - 3:.1f}" height="{h:.1f}" '
                            f'fill="{COLOURS[rag]}"><title>{escape(name)}: {counts.get(rag, 0)} {rag}</title></rect>')
        body.append(f'<text x="{5 + i * bar + bar / 2:.1f}" y="{height - 2}" font-size="9" text-anchor="middle" '
                    f'fill="{INK}">{escape(name[-2:])}</text>')
    return _svg(width, height, label, body)
