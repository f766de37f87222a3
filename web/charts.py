"""Small SVG charts rendered on the server: no JavaScript, no CDN, printable.

Each chart is an ``<svg role="img">`` with a ``<title>``; every point carries its own
``<title>`` (hover shows the value) and the page prints the table behind the chart as its
text alternative.
"""

from __future__ import annotations

import math
from html import escape

__all__ = ["bar_chart", "line_chart", "nice_ticks"]

WIDTH, HEIGHT = 560, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 28
INK = "#1d2733"
LINE = "#4477AA"  # Tol muted blue
GRID = "#d9dee3"


def nice_ticks(high: float, count: int = 4) -> list[float]:
    """Round tick values from 0 to at least ``high``.

    >>> nice_ticks(7)
    [0, 2, 4, 6, 8]
    >>> nice_ticks(0.23)
    [0.0, 0.1, 0.2, 0.3]
    """
    if high <= 0:
        return [0.0, 1.0]
    raw = high / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    n = math.ceil(high / step - 1e-9)
    return [round(i * step, 10) for i in range(n + 1)]


def _fmt(value: float, digits: int) -> str:
    return f"{value:.{digits}f}" if digits else f"{value:g}"


def _frame(xs: list, ys: list, label: str, digits: int, body) -> str:
    values = [y for y in ys if y is not None]
    ticks = nice_ticks(max(values, default=0.0))
    top = ticks[-1] or 1.0
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM

    def ypix(v: float) -> float:
        return TOP + plot_h * (1 - v / top)

    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(label)}</title>']
    for t in ticks:
        y = ypix(t)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="{GRID}"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
                     f'fill="{INK}">{_fmt(t, digits if t % 1 else 0)}</text>')
    n = max(len(xs), 1)
    step = plot_w / n
    every = max(1, math.ceil(n / 12))
    for i, x in enumerate(xs):
        if i % every == 0:
            cx = LEFT + step * (i + 0.5)
            parts.append(f'<text x="{cx:.1f}" y="{HEIGHT - 8}" text-anchor="middle" '
                         f'font-size="11" fill="{INK}">{escape(str(x))}</text>')
    parts.extend(body(step, ypix))
    parts.append("</svg>")
    return "".join(parts)


def line_chart(xs: list, ys: list, *, label: str, digits: int = 2) -> str:
    """A line chart of ``ys`` over the categories ``xs`` (``None`` values leave a gap)."""

    def body(step, ypix):
        out = []
        points = [(LEFT + step * (i + 0.5), ypix(y), x, y)
                  for i, (x, y) in enumerate(zip(xs, ys, strict=True)) if y is not None]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _, _ in points)
            out.append(f'<polyline fill="none" stroke="{LINE}" stroke-width="2" '
                       f'points="{path}"/>')
        for px, py, x, y in points:
            out.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="{LINE}">'
                       f'<title>{escape(str(x))}: {_fmt(y, digits)}</title></circle>')
        return out

    return _frame(xs, ys, label, digits, body)


def bar_chart(xs: list, ys: list, *, label: str, digits: int = 0) -> str:
    """A bar chart of ``ys`` over the categories ``xs``.

    >>> svg = bar_chart([2011, 2012], [1, 3], label="Ties")
    >>> svg.count("<rect"), "<title>2012: 3</title>" in svg
    (2, True)
    """

    def body(step, ypix):
        out = []
        base = ypix(0)
        for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
            if y is None:
                continue
            top = ypix(y)
            out.append(f'<rect x="{LEFT + step * i + step * 0.15:.1f}" y="{top:.1f}" '
                       f'width="{step * 0.7:.1f}" height="{max(base - top, 0):.1f}" '
                       f'fill="{LINE}"><title>{escape(str(x))}: {_fmt(y, digits)}</title>'
                       f'</rect>')
        return out

    return _frame(xs, ys, label, digits, body)
