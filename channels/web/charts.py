"""Charts as static SVG drawn on the server: no script, no CDN; they print as they show."""
from __future__ import annotations

from html import escape

from markupsafe import Markup

COLOURS = {"answered": "#2e7d32", "declined": "#c62828", "clarify": "#f9a825", "other": "#78909c"}
LABELS = {"answered": "Trả lời được", "declined": "Chưa trả lời được (từ chối, chỉ đoạn gần nhất, chỉ lời hướng dẫn)",
          "clarify": "Hỏi lại", "other": "Chào hỏi, khác"}


def bars(items: list[tuple[str, int]], title: str, colour: str = "#0b5cad") -> Markup:
    """Horizontal bars, one per (label, value)."""
    row, label_w, bar_w = 24, 220, 360
    top = max((v for _, v in items), default=0) or 1
    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {label_w + bar_w + 60} '
             f'{row * len(items) + 10}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for i, (label, value) in enumerate(items):
        y, width = i * row + 5, bar_w * value / top
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{escape(label[:34])}</text>'
                     f'<rect x="{label_w}" y="{y + 3}" width="{width:.1f}" height="{row - 8}" fill="{colour}"/>'
                     f'<text x="{label_w + width + 4:.1f}" y="{y + 15}">{value}</text>')
    return Markup("".join(parts) + "</svg>")


def stacked_columns(columns: list[tuple[str, dict[str, int]]], title: str) -> Markup:
    """One column per period (a week), stacked by outcome, with a legend."""
    height, col, gap, left = 200, 26, 8, 36
    top = max((sum(c.values()) for _, c in columns), default=0) or 1
    width = max(left + len(columns) * (col + gap) + 10, left + 16 + 7 * max(map(len, LABELS.values())))  # ~7 px a letter
    legend_row = 18  # one legend line per outcome: long Vietnamese labels side by side ran into each other
    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} '
             f'{height + 34 + legend_row * len(COLOURS)}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
             f'<text x="0" y="12">{top}</text><text x="0" y="{height + 4}">0</text>',
             f'<line x1="{left - 4}" y1="{height}" x2="{width}" y2="{height}" stroke="#999"/>']
    for i, (label, counts) in enumerate(columns):
        x, y = left + i * (col + gap), height
        for kind in COLOURS:
            h = height * counts.get(kind, 0) / top
            y -= h
            if h:
                parts.append(f'<rect x="{x}" y="{y:.1f}" width="{col}" height="{h:.1f}" fill="{COLOURS[kind]}">'
                             f'<title>{escape(label)}: {LABELS[kind]} {counts[kind]}</title></rect>')
        parts.append(f'<text x="{x + col / 2}" y="{height + 14}" text-anchor="middle" font-size="10">{escape(label)}</text>')
    for i, kind in enumerate(COLOURS):
        y = height + 26 + i * legend_row
        parts.append(f'<rect x="{left}" y="{y}" width="12" height="12" fill="{COLOURS[kind]}"/>'
                     f'<text x="{left + 16}" y="{y + 11}">{LABELS[kind]}</text>')
    return Markup("".join(parts) + "</svg>")
