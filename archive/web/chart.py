"""Small SVG charts drawn on the server: no JavaScript, no CDN, every label escaped.

A maintained chart plugin (datasette-vega) loads a JavaScript bundle and reads any query's
columns; we want two fixed views (an indicator over years, districts side by side) that work
in any browser with scripts off and are safe with scraped labels, so we draw the SVG here.
"""

from __future__ import annotations

from markupsafe import Markup, escape

WIDTH = 720
BAR_HEIGHT = 22
PLOT_HEIGHT = 260


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}"


def line_chart(points: list[tuple[str, float | None]], title: str, unit: str = "",
               notes: dict[str, str] | None = None) -> Markup:
    """Years on x, value on y; a missing year is a gap, not a zero. `notes` (year -> short
    text such as 无报告) are written under the year, so a gap says why it is one."""
    notes = notes or {}
    known = [v for _, v in points if v is not None]
    if not points or not known:
        return Markup("<p>没有可画的数值。</p>")
    top = max(known) or 1
    left, right, top_pad, bottom = 70, 20, 30, 62
    plot_w = WIDTH - left - right
    step = plot_w / max(len(points) - 1, 1)

    def y(v: float) -> float:
        return top_pad + PLOT_HEIGHT - (v / top) * PLOT_HEIGHT if top > 0 else top_pad

    parts = [
        f'<svg class="xxgk-chart" role="img" width="{WIDTH}" '
        f'height="{PLOT_HEIGHT + top_pad + bottom}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<text x="{left}" y="18" font-size="14">{escape(title)}'
        f"{escape(' (' + unit + ')') if unit else ''}</text>",
        f'<line x1="{left}" y1="{top_pad + PLOT_HEIGHT}" x2="{WIDTH - right}" '
        f'y2="{top_pad + PLOT_HEIGHT}" stroke="#999"/>',
        f'<text x="{left - 8}" y="{top_pad + 4}" font-size="11" text-anchor="end">'
        f"{_fmt(top)}</text>",
        f'<text x="{left - 8}" y="{top_pad + PLOT_HEIGHT}" font-size="11" '
        'text-anchor="end">0</text>',
        f'<text x="{(left + WIDTH - right) / 2:.0f}" y="{top_pad + PLOT_HEIGHT + 56}" '
        'font-size="11" text-anchor="middle">报告年度</text>',
        f'<text x="12" y="{top_pad + PLOT_HEIGHT / 2:.0f}" font-size="11" text-anchor="middle"'
        f' transform="rotate(-90 12 {top_pad + PLOT_HEIGHT / 2:.0f})">{escape(unit or "数值")}'
        '</text>',
    ]
    path: list[str] = []
    for i, (label, v) in enumerate(points):
        x = left + i * step
        parts.append(
            f'<text x="{x:.1f}" y="{top_pad + PLOT_HEIGHT + 18}" font-size="11" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
        if label in notes:
            parts.append(
                f'<text class="xxgk-gap" x="{x:.1f}" y="{top_pad + PLOT_HEIGHT + 34}" '
                f'font-size="10" fill="#b00" text-anchor="middle">{escape(notes[label])}</text>')
        if v is None:
            parts.append(f'<line class="xxgk-gap" x1="{x:.1f}" y1="{top_pad}" x2="{x:.1f}" '
                         f'y2="{top_pad + PLOT_HEIGHT}" stroke="#ddd" stroke-dasharray="4 4"/>')
            if len(path) > 1:
                parts.append(f'<polyline fill="none" stroke="#2a6" stroke-width="2" '
                             f'points="{" ".join(path)}"/>')
            path = []
            continue
        path.append(f"{x:.1f},{y(v):.1f}")
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y(v):.1f}" r="4" fill="#2a6">'
            f"<title>{escape(label)}: {_fmt(v)}</title></circle>"
            f'<text x="{x:.1f}" y="{y(v) - 8:.1f}" font-size="11" text-anchor="middle">'
            f"{_fmt(v)}</text>"
        )
    if len(path) > 1:
        parts.append(f'<polyline fill="none" stroke="#2a6" stroke-width="2" '
                     f'points="{" ".join(path)}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(bars: list[tuple[str, float]], title: str, unit: str = "") -> Markup:
    """Horizontal bars, largest first (as given), one per district."""
    if not bars:
        return Markup("<p>没有可画的数值。</p>")
    top = max(v for _, v in bars) or 1
    left, right = 220, 90
    height = 30 + len(bars) * (BAR_HEIGHT + 6)
    parts = [
        f'<svg class="xxgk-chart" role="img" width="{WIDTH}" height="{height}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="16" font-size="14">{escape(title)}'
        f"{escape(' (' + unit + ')') if unit else ''}</text>",
    ]
    for i, (label, v) in enumerate(bars):
        y = 26 + i * (BAR_HEIGHT + 6)
        w = max(0.0, (v / top) * (WIDTH - left - right)) if top > 0 else 0.0
        parts.append(
            f'<text x="{left - 8}" y="{y + 15}" font-size="12" text-anchor="end">'
            f"{escape(label)}</text>"
            f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{BAR_HEIGHT}" fill="#36a">'
            f"<title>{escape(label)}: {_fmt(v)}</title></rect>"
            f'<text x="{left + w + 6:.1f}" y="{y + 15}" font-size="12">{_fmt(v)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
