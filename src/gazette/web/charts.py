"""Server-rendered SVG charts for the officials' dashboards — no JavaScript, no CDN: they work
offline and print. Each chart carries a ``<title>`` and ``<desc>`` (read by screen readers), a
text label on every bar, a legend, and a fill *pattern* per series besides its colour, so no
information is carried by colour alone. The same numbers are always shown in a table next to it.

Bars are proportional: a bar's length is ``value / max × plot length`` (the scale starts at 0);
each ``<rect class="bar">`` carries ``data-value`` so tests can check it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from markupsafe import Markup

# Dark fills (contrast ≥ 3:1 against white for graphics) and a distinct pattern per series.
PALETTE = ("#1f4e79", "#8a4b08", "#2e6b30", "#6a1b9a")
PATTERNS = ("solid", "hatch", "dots", "cross")
TEXT = "#1a1a1a"
MUTED = "#4a4a4a"


@dataclass(frozen=True)
class Series:
    name: str  # legend text, e.g. "预算 Budget"
    values: Sequence[int]
    short: str = ""  # prefix of each bar's value label, e.g. "预算"


def _num(v: float) -> str:
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return s or "0"


def _safe_id(s: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", s) or "chart"


def _defs(cid: str, n: int) -> str:
    out = []
    for i in range(n):
        colour, kind = PALETTE[i % len(PALETTE)], PATTERNS[i % len(PATTERNS)]
        pid = f"{cid}-p{i}"
        if kind == "solid":
            body = f'<rect width="8" height="8" fill="{colour}"/>'
        elif kind == "hatch":
            body = (f'<rect width="8" height="8" fill="{colour}"/>'
                    f'<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="#ffffff" stroke-width="1.6"/>')
        elif kind == "dots":
            body = f'<rect width="8" height="8" fill="{colour}"/><circle cx="4" cy="4" r="1.6" fill="#ffffff"/>'
        else:
            body = (f'<rect width="8" height="8" fill="{colour}"/>'
                    f'<path d="M0,4 h8 M4,0 v8" stroke="#ffffff" stroke-width="1.2"/>')
        out.append(f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse">{body}</pattern>')
    return "<defs>" + "".join(out) + "</defs>"


def text_width(s: str, size: float = 12) -> float:
    """Rough rendered width of a label: a CJK character is about 1 em, Latin about 0.6 em."""
    return sum(size if ord(c) >= 0x2E80 else size * 0.6 for c in s)


def _legend(cid: str, series: Sequence[Series], width: int) -> tuple[str, float]:
    """The legend, wrapped onto as many lines as the width needs; returns (svg, height used)."""
    parts, cx, y = [], 4.0, 16.0
    for i, s in enumerate(series):
        w = 19 + text_width(s.name) + 16
        if cx > 4 and cx + w > width:
            cx, y = 4.0, y + 20
        parts.append(f'<rect x="{_num(cx)}" y="{_num(y - 11)}" width="14" height="14" fill="url(#{cid}-p{i})" '
                     f'stroke="{TEXT}" stroke-width="0.5"/>')
        parts.append(f'<text x="{_num(cx + 19)}" y="{_num(y)}" fill="{TEXT}">{escape(s.name)}</text>')
        cx += w
    return '<g class="legend">' + "".join(parts) + "</g>", y + 8


def _open(cid: str, title: str, desc: str, width: int, height: float) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" id="{cid}" role="img" '
            f'viewBox="0 0 {width} {_num(height)}" width="100%" preserveAspectRatio="xMinYMin meet" '
            f'aria-labelledby="{cid}-title {cid}-desc" font-family="sans-serif" font-size="13">'
            f'<title id="{cid}-title">{escape(title)}</title><desc id="{cid}-desc">{escape(desc)}</desc>')


def bar_chart(*, chart_id: str, title: str, desc: str, categories: Sequence[str], series: Sequence[Series],
              fmt: Callable[[int], str] = str, width: int = 480, label_width: int = 120,
              value_width: int = 115, empty_text: str = "暂无数据 No data", split: bool = False) -> Markup:
    """Horizontal grouped bars: one group per category (e.g. a district), one bar per series.

    ``split``: when one bar dwarfs the rest (more than 8× the next largest), the scale is cut at 1.6× the
    next largest so the small bars stay readable; a bar past the cut is drawn broken (a white zigzag near
    its end, ``data-broken="true"``) and its label still says its whole value — and so does the desc."""
    cid = _safe_id(chart_id)
    bar_h, gap, group_gap = 16, 3, 14
    n = len(series)
    legend, legend_h = _legend(cid, series, width)
    top = legend_h + 12
    group_h = n * bar_h + (n - 1) * gap
    height = top + max(len(categories), 1) * (group_h + group_gap) + 8
    plot_x, plot_w = label_width + 8, width - label_width - 8 - value_width
    values = [v for s in series for v in s.values]
    vmax = max([v for v in values if v is not None] + [0])
    distinct = sorted({v for v in values if v}, reverse=True)
    broken_at = None
    if split and len(distinct) >= 2 and distinct[0] > 8 * distinct[1]:
        broken_at = distinct[1] * 8 // 5
        vmax = broken_at
        desc = f"{desc}（比例尺在 {fmt(broken_at)} 处截断，超出的条以折断表示，数值见标签 the scale is cut; a broken bar's value is in its label）"
    parts = [_open(cid, title, desc, width, height), _defs(cid, n), legend]
    if not categories:
        parts.append(f'<text x="{plot_x}" y="{top + 16}" fill="{MUTED}">{escape(empty_text)}</text></svg>')
        return Markup("".join(parts))
    parts.append(f'<line x1="{plot_x}" y1="{top - 4}" x2="{plot_x}" y2="{_num(height - 8)}" stroke="{MUTED}"/>')
    for gi, cat in enumerate(categories):
        gy = top + gi * (group_h + group_gap)
        parts.append(f'<g class="group" data-category={quoteattr(cat)}>')
        parts.append(f'<text x="{label_width}" y="{_num(gy + group_h / 2 + 4.5)}" text-anchor="end" '
                     f'fill="{TEXT}">{escape(cat)}</text>')
        for si, s in enumerate(series):
            v = s.values[gi] or 0
            broken = broken_at is not None and v > broken_at
            w = plot_w if broken else ((v / vmax * plot_w) if vmax > 0 else 0.0)
            y = gy + si * (bar_h + gap)
            label = f"{s.short} {fmt(v)}".strip()
            mark = ' data-broken="true"' if broken else ""
            parts.append(f'<rect class="bar" x="{plot_x}" y="{_num(y)}" width="{_num(w)}" height="{bar_h}" '
                         f'fill="url(#{cid}-p{si})" data-series={quoteattr(s.name)} data-value="{int(v)}"'
                         f'{mark}>'
                         f'<title>{escape(f"{cat} · {s.name}: {fmt(v)}")}</title></rect>')
            if broken:  # the break: a white zigzag across the bar near its end
                bx = plot_x + plot_w - 18
                parts.append(f'<path class="break" d="M{_num(bx)},{_num(y - 1)} l4,{_num(bar_h / 2 + 1)} l-4,{_num(bar_h / 2 + 1)} '
                             f'M{_num(bx + 6)},{_num(y - 1)} l4,{_num(bar_h / 2 + 1)} l-4,{_num(bar_h / 2 + 1)}" '
                             f'stroke="#ffffff" stroke-width="3" fill="none"/>')
            parts.append(f'<text class="value" x="{_num(plot_x + w + 4)}" y="{_num(y + bar_h - 3.5)}" '
                         f'fill="{TEXT}">{escape(label)}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


def column_chart(*, chart_id: str, title: str, desc: str, categories: Sequence[str], series: Sequence[Series],
                 fmt: Callable[[int], str] = str, width: int = 480, height: int = 240,
                 empty_text: str = "暂无数据 No data") -> Markup:
    """Vertical grouped columns over an ordered axis (e.g. days), with a value on every column
    when there is room and the category label under every k-th group."""
    cid = _safe_id(chart_id)
    n = max(len(series), 1)
    legend, legend_h = _legend(cid, series, width)
    top, bottom, left, right = legend_h + 22, 40, 64, 10
    plot_h, plot_w = height - top - bottom, width - left - right
    values = [v for s in series for v in s.values]
    vmax = max([v for v in values if v is not None] + [0])
    parts = [_open(cid, title, desc, width, height), _defs(cid, n), legend]
    base_y = top + plot_h
    parts.append(f'<line x1="{left}" y1="{base_y}" x2="{width - right}" y2="{base_y}" stroke="{MUTED}"/>')
    parts.append(f'<text x="{left - 4}" y="{top + 4}" text-anchor="end" fill="{MUTED}">{escape(fmt(vmax))}</text>')
    parts.append(f'<text x="{left - 4}" y="{base_y}" text-anchor="end" fill="{MUTED}">0</text>')
    if not categories:
        parts.append(f'<text x="{left + 8}" y="{top + plot_h / 2}" fill="{MUTED}">{escape(empty_text)}</text></svg>')
        return Markup("".join(parts))
    slot = plot_w / len(categories)
    col_w = max(min((slot * 0.8) / n, 28), 1.5)
    max_labels = max(1, int(plot_w // 48))
    every = -(-len(categories) // max_labels)  # ceil: at most one axis label per 48 px
    show_values = slot >= 26
    for gi, cat in enumerate(categories):
        gx = left + gi * slot + (slot - col_w * n) / 2
        parts.append(f'<g class="group" data-category={quoteattr(cat)}>')
        for si, s in enumerate(series):
            v = s.values[gi] or 0
            h = (v / vmax * plot_h) if vmax > 0 else 0.0
            x = gx + si * col_w
            parts.append(f'<rect class="bar" x="{_num(x)}" y="{_num(base_y - h)}" width="{_num(col_w)}" '
                         f'height="{_num(h)}" fill="url(#{cid}-p{si})" data-series={quoteattr(s.name)} '
                         f'data-value="{int(v)}"><title>{escape(f"{cat} · {s.name}: {fmt(v)}")}</title></rect>')
            if show_values and v:
                parts.append(f'<text class="value" x="{_num(x + col_w / 2)}" y="{_num(base_y - h - 3)}" '
                             f'text-anchor="middle" font-size="11" fill="{TEXT}">{escape(fmt(v))}</text>')
        if gi % every == 0:
            parts.append(f'<text x="{_num(left + gi * slot + slot / 2)}" y="{base_y + 16}" text-anchor="middle" '
                         f'font-size="11" fill="{TEXT}">{escape(cat)}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


def wan(fen: int) -> str:
    """Fen → a short label in 万元 for chart labels (exact figures are in the table): 2200.00万."""
    whole, rem = divmod(abs(int(fen)), 1_000_000)  # 1 万元 = 1,000,000 fen
    sign = "-" if fen < 0 else ""
    return f"{sign}{whole:,}.{rem * 100 // 1_000_000:02d}万"


def short_yuan(fen: int) -> str:
    """Fen → a short axis label in yuan: 6,000 · 18万 · 1.5万 · 2,000万."""
    y = int(fen) // 100
    if abs(y) >= 10_000 and y % 1_000 == 0:
        w = y / 10_000
        return f"{w:,.1f}".rstrip("0").rstrip(".") + "万"
    return f"{y:,}"


def amount_chart(*, chart_id: str, title: str, desc: str, points: Sequence[tuple[int, int]], step: bool,
                 x_max: int, marks: Sequence[tuple[int, str]], you: tuple[int, int, str] | None,
                 x_label: str, y_label: str, fmt_x: Callable[[int], str] = short_yuan,
                 fmt_y: Callable[[int], str] = short_yuan, width: int = 480, height: int = 230) -> Markup:
    """How an amount moves with the quantity that decides it (a car's price, revenue, a deposit base).

    ``points`` are (x, y) corners of the function, ascending in x; ``step`` draws a staircase (tiers:
    the amount jumps at each threshold) rather than straight segments. ``marks`` are the thresholds,
    drawn as dashed lines with their labels; ``you`` is the person's own point (x, y, label), drawn as
    a ringed diamond with a text label — position and words, never colour alone. The ``desc`` should
    say the same in words (the text alternative)."""
    cid = _safe_id(chart_id)
    left, right, top, bottom = 64, 16, 34, 46
    pw, ph = width - left - right, height - top - bottom
    ys = [y for _, y in points] + ([you[1]] if you else [])
    y_max = max(ys + [1])
    x_max = max(int(x_max), 1)

    def X(x: float) -> float:
        return left + min(max(x, 0), x_max) / x_max * pw

    def Y(y: float) -> float:
        return top + ph - max(y, 0) / (y_max * 1.15) * ph

    parts = [_open(cid, title, desc, width, height)]
    base = top + ph
    parts.append(f'<text x="{left}" y="14" fill="{MUTED}" font-size="12">{escape(y_label)}</text>')
    parts.append(f'<line x1="{left}" y1="{top - 6}" x2="{left}" y2="{base}" stroke="{MUTED}"/>')
    parts.append(f'<line x1="{left}" y1="{base}" x2="{width - right}" y2="{base}" stroke="{MUTED}"/>')
    parts.append(f'<text x="{width - right}" y="{height - 4}" text-anchor="end" fill="{MUTED}" font-size="12">'
                 f'{escape(x_label)}</text>')
    parts.append(f'<text x="{left - 4}" y="{base}" text-anchor="end" fill="{MUTED}" font-size="11">0</text>')
    # y labels: every distinct amount, unless too close to the one below
    last_y = base + 99
    for yv in sorted({y for _, y in points if y > 0}):
        yy = Y(yv)
        if last_y - yy >= 13:
            parts.append(f'<text class="y-label" x="{left - 4}" y="{_num(yy + 4)}" text-anchor="end" '
                         f'fill="{TEXT}" font-size="11">{escape(fmt_y(yv))}</text>')
            parts.append(f'<line x1="{left}" y1="{_num(yy)}" x2="{width - right}" y2="{_num(yy)}" '
                         f'stroke="#d0d0d0" stroke-width="0.6"/>')
            last_y = yy
    # thresholds: dashed lines, labelled under the axis (skipping a label that would collide)
    last_x = -999.0
    for xv, label in marks:
        xx = X(xv)
        parts.append(f'<line class="threshold" x1="{_num(xx)}" y1="{top - 6}" x2="{_num(xx)}" y2="{base}" '
                     f'stroke="{MUTED}" stroke-dasharray="4 3" data-value="{int(xv)}"/>')
        if xx - last_x >= 44:
            parts.append(f'<text class="threshold-label" x="{_num(xx)}" y="{base + 15}" text-anchor="middle" '
                         f'fill="{TEXT}" font-size="11">{escape(label)}</text>')
            last_x = xx
    # the function itself
    d, prev = [], None
    for x, y in points:
        if prev is None:
            d.append(f"M{_num(X(x))},{_num(Y(y))}")
        elif step:
            d.append(f"L{_num(X(x))},{_num(Y(prev[1]))} L{_num(X(x))},{_num(Y(y))}")
        else:
            d.append(f"L{_num(X(x))},{_num(Y(y))}")
        prev = (x, y)
    if prev is not None and prev[0] < x_max:
        d.append(f"L{_num(X(x_max))},{_num(Y(prev[1]))}")
    parts.append(f'<path class="amount-line" d="{" ".join(d)}" fill="none" stroke="{PALETTE[0]}" stroke-width="3"/>')
    if you is not None:
        x, y, label = you
        cx, cy = X(x), Y(y)
        parts.append(f'<g class="you" data-x="{int(x)}" data-y="{int(y)}">'
                     f'<circle cx="{_num(cx)}" cy="{_num(cy)}" r="9" fill="#ffffff" stroke="{PALETTE[1]}" stroke-width="2.5"/>'
                     f'<path d="M{_num(cx)},{_num(cy - 5)} l5,5 l-5,5 l-5,-5 z" fill="{PALETTE[1]}"/>')
        anchor = "end" if cx > left + pw * 0.6 else "start"
        tx = cx - 12 if anchor == "end" else cx + 12
        ty = cy - 12 if cy - 12 > top else cy + 22
        parts.append(f'<text x="{_num(tx)}" y="{_num(ty)}" text-anchor="{anchor}" fill="{TEXT}" font-size="12" '
                     f'font-weight="700">{escape(label)}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))


def timeline_chart(*, chart_id: str, title: str, desc: str, events: Sequence[tuple[str, str, str]],
                   on: str | None = None, width: int = 640) -> Markup:
    """A document's validity as a time line: each event (ISO date, label, kind — ``start``, ``end``,
    ``clause_end``, ``repeal``) is a marker on one axis with its date and words beside it, each kind
    with its own shape (circle, square, diamond, cross) besides its colour; the in-force span is a
    thick bar; ``on`` (the date the page shows status on) is a dashed line. Labels alternate above
    and below the axis and stack when close."""
    import datetime as _dt

    cid = _safe_id(chart_id)
    dates = sorted({_dt.date.fromisoformat(d) for d, _, _ in events} | ({_dt.date.fromisoformat(on)} if on else set()))
    if not dates:
        return Markup("")
    lo, hi = dates[0] - _dt.timedelta(days=30), dates[-1] + _dt.timedelta(days=30)
    span = max((hi - lo).days, 1)
    left, right = 16, 16
    rows = max(1, len(events))
    height = 80 + 30 * ((rows + 1) // 2) * 2
    axis_y = height / 2

    def X(d: str) -> float:
        return left + (_dt.date.fromisoformat(d) - lo).days / span * (width - left - right)

    parts = [_open(cid, title, desc, width, height)]
    parts.append(f'<line x1="{left}" y1="{_num(axis_y)}" x2="{width - right}" y2="{_num(axis_y)}" stroke="{MUTED}"/>')
    starts = [d for d, _, k in events if k == "start"]
    stops = [d for d, _, k in events if k in ("end", "repeal")]
    if starts:
        x1 = X(starts[0])
        x2 = X(min(stops)) if stops else width - right
        parts.append(f'<rect class="in-force" x="{_num(x1)}" y="{_num(axis_y - 5)}" width="{_num(max(x2 - x1, 1))}" '
                     f'height="10" fill="url(#{cid}-p0)"/>')
        parts.insert(1, _defs(cid, 1))
    if on:
        xo = X(on)
        parts.append(f'<line class="on" x1="{_num(xo)}" y1="8" x2="{_num(xo)}" y2="{_num(height - 8)}" '
                     f'stroke="{PALETTE[1]}" stroke-dasharray="5 3" stroke-width="2"/>')
        anchor = "end" if xo > width * 0.7 else "start"
        parts.append(f'<text x="{_num(xo + (-4 if anchor == "end" else 4))}" y="18" text-anchor="{anchor}" '
                     f'fill="{TEXT}" font-size="12">查看日期 {escape(on)}</text>')
    for i, (d, label, kind) in enumerate(sorted(events)):
        x = X(d)
        above = i % 2 == 0
        level = i // 2
        ty = axis_y - 22 - level * 30 if above else axis_y + 30 + level * 30
        shape = {"start": f'<circle cx="{_num(x)}" cy="{_num(axis_y)}" r="6" fill="{PALETTE[2]}"/>',
                 "end": f'<rect x="{_num(x - 6)}" y="{_num(axis_y - 6)}" width="12" height="12" fill="{PALETTE[0]}"/>',
                 "clause_end": f'<path d="M{_num(x)},{_num(axis_y - 7)} l7,7 l-7,7 l-7,-7 z" fill="{PALETTE[1]}"/>',
                 "repeal": f'<path d="M{_num(x - 6)},{_num(axis_y - 6)} l12,12 M{_num(x + 6)},{_num(axis_y - 6)} l-12,12" '
                           f'stroke="#8b0000" stroke-width="3"/>'}.get(kind, "")
        anchor = "end" if x > width * 0.66 else ("start" if x < width * 0.34 else "middle")
        parts.append(f'<g class="event" data-kind="{escape(kind)}" data-date="{escape(d)}">{shape}'
                     f'<line x1="{_num(x)}" y1="{_num(axis_y)}" x2="{_num(x)}" y2="{_num(ty + (4 if above else -14))}" '
                     f'stroke="#bbbbbb"/>'
                     f'<text x="{_num(x)}" y="{_num(ty)}" text-anchor="{anchor}" fill="{TEXT}" font-size="12">'
                     f'{escape(d)} {escape(label)}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))
