"""Server-rendered SVG bar charts (no JavaScript): completions per day, where respondents stop.
Each chart is an image with a title and a description; the page shows the same numbers as a table."""
from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 220, 36, 40, 12


def bar_chart(values: list[tuple[str, int]], *, title: str, description: str, chart_id: str) -> SafeString:
    """A vertical bar chart of ``(label, count)`` pairs as inline SVG (scales to its container)."""
    if not values:
        return mark_safe("")
    top = max(max(n for _label, n in values), 1)
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    step = plot_w / len(values)
    bar = max(step * 0.7, 1.0)
    every = max(1, len(values) // 12)  # at most about 12 axis labels
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" class="w-100 h-auto" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(description)}</desc>',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - 8}" y2="{TOP + plot_h}" stroke="#555"/>',
        f'<text x="{LEFT - 4}" y="{TOP + 4}" text-anchor="end" font-size="11">{top}</text>',
        f'<text x="{LEFT - 4}" y="{TOP + plot_h}" text-anchor="end" font-size="11">0</text>',
    ]
    for k, (label, n) in enumerate(values):
        h = plot_h * n / top
        x = LEFT + k * step + (step - bar) / 2
        parts.append(f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="#0d6efd">'
                     f'<title>{escape(label)}: {n}</title></rect>')
        if k % every == 0:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{TOP + plot_h + 14}" text-anchor="middle" '
                         f'font-size="10">{escape(label)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text in it is escaped above
