"""Small charts as inline SVG text, for the HTML report: no script, no network.

Pure functions from figures to SVG markup: the same input gives the same bytes, and
every name is escaped (an agent called ``</svg><script>`` is text). A chart scales to
its box through its ``viewBox``; sizes below are in its own units, drawn at about one
unit per CSS pixel. Text widths are estimated (a wide character about one em, others
0.62 em), so labels are spaced and margins sized without a browser to measure them.

Three shapes: :func:`bar_chart` (one series of columns), :func:`bars_and_line`
(columns on the left axis, a line on the right one) and :func:`grouped_bars` (one row
of horizontal bars per name, for long names on a narrow screen).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from wcwidth import wcwidth

WIDTH = 400
FONT = 13
SMALL = 12
PLOT_HEIGHT = 170
LEGEND = 26
"""Height of the legend line above the plot."""
BAR_ROW = 11
"""Height of one horizontal bar; a name's row holds one per series plus a gap."""
ROW_GAP = 7
NAME_COLUMN = 110
"""Most width a name takes in :func:`grouped_bars`; longer names end in an ellipsis."""

COLORS = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759")
MUTED = "#c4c4c4"
GRID = "#e6e6e6"
INK = "#333"

Format = Callable[[float], str]


def number(value: float) -> str:
    """``12345`` -> ``12,345``; ``2.25`` -> ``2.3`` (ticks and tooltips)."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def percent(value: float) -> str:
    """A fraction as a percentage, as the report writes rates: ``0.709`` -> ``70.9%``."""
    return f"{float(value) * 100:.1f}%"


def whole_percent(value: float) -> str:
    """A tick of a percentage axis: ``0.25`` -> ``25%``."""
    return f"{float(value) * 100:g}%"


@dataclass(frozen=True)
class Series:
    """One series: its ``name`` (the legend), one value per category (``None``: no
    figure), and how each value reads in a tooltip and label (``shown``; default the
    axis's)."""

    name: str
    values: Sequence[float | None]
    color: str = COLORS[0]
    shown: Sequence[str] = ()
    colors: Sequence[str] = ()
    """A colour per value, for the few drawn apart (``""``: the series' colour)."""

    def color_of(self, index: int) -> str:
        return (self.colors[index] if index < len(self.colors) else "") or self.color


@dataclass(frozen=True)
class Axis:
    """A value axis: ``fmt`` writes its values (tooltips, labels), ``tick`` its ticks
    (default ``fmt``); ``top`` fixes its end (else a round number above the largest
    value)."""

    fmt: Format = number
    top: float | None = None
    color: str = INK
    tick: Format | None = None

    def tick_text(self, value: float) -> str:
        return (self.tick or self.fmt)(value)


def bar_chart(title: str, categories: Sequence[str], bars: Series, axis: Axis | None = None) -> str:
    """One column per category."""
    return _columns(title, categories, [bars], axis or Axis(), None, None, ())


def bars_and_line(
    title: str,
    categories: Sequence[str],
    bars: Series,
    line: Series,
    left: Axis | None = None,
    right: Axis | None = None,
    notes: Sequence[Series] = (),
) -> str:
    """Columns read on the left axis and a line read on the right one (its own scale);
    with ``right=None`` the line shares the left axis. ``notes``: more legend entries
    (for the values drawn in :attr:`Series.colors`)."""
    return _columns(title, categories, [bars], left or Axis(), line, right, notes)


def grouped_bars(
    title: str, names: Sequence[str], series: Sequence[Series], axis: Axis | None = None
) -> str:
    """For each name, one horizontal bar per series (share beside expected share)."""
    axis = axis or Axis()
    values = [v for s in series for v in s.values if v is not None]
    ticks = nice_ticks(max(values, default=0.0), axis.top)
    top = ticks[-1]
    name_width = min(NAME_COLUMN, max((text_width(n, FONT) for n in names), default=0.0)) + 8
    value_room = text_width(axis.fmt(top), SMALL) + 6
    left = max(name_width, text_width(axis.tick_text(0), SMALL) / 2) + 4
    plot_w = WIDTH - left - value_room
    row = len(series) * BAR_ROW + ROW_GAP
    plot_h = max(1, len(names)) * row
    y0 = LEGEND + 4
    height = y0 + plot_h + 22

    def x_of(value: float) -> float:
        return left + plot_w * (value / top if top else 0.0)

    parts = [_legend(series, 0)]
    for tick in ticks:
        x = x_of(tick)
        parts.append(_line_el(x, y0, x, y0 + plot_h, GRID))
        parts.append(_text(x, y0 + plot_h + 15, axis.tick_text(tick), "middle", SMALL, MUTED))
    for index, name in enumerate(names):
        top_y = y0 + index * row + ROW_GAP / 2
        label = fit(name, NAME_COLUMN, FONT)
        parts.append(
            f'<text x="{_n(left - 6)}" y="{_n(top_y + len(series) * BAR_ROW / 2 + 4)}" '
            f'text-anchor="end"><title>{escape(name)}</title>{escape(label)}</text>'
        )
        for offset, one in enumerate(series):
            value = one.values[index] if index < len(one.values) else None
            if value is None:
                continue
            y = top_y + offset * BAR_ROW
            shown = _shown(one, index, axis.fmt)
            tip = f"{name} · {one.name}: {shown}"
            parts.append(_rect(left, y, x_of(value) - left, BAR_ROW - 1, one.color, tip))
            parts.append(_text(x_of(value) + 3, y + BAR_ROW - 1, shown, "start", SMALL - 1, INK))
    parts.append(_line_el(left, y0, left, y0 + plot_h, INK))
    return _svg(title, height, parts)


def _columns(
    title: str,
    categories: Sequence[str],
    bars: Sequence[Series],
    left_axis: Axis,
    line: Series | None,
    right_axis: Axis | None,
    notes: Sequence[Series],
) -> str:
    bar_values = [v for s in bars for v in s.values if v is not None]
    line_values = [v for v in line.values if v is not None] if line else []
    shared = line is not None and right_axis is None
    left_ticks = nice_ticks(max(bar_values + (line_values if shared else []), default=0.0),
                            left_axis.top)  # fmt: skip
    right_ticks = nice_ticks(max(line_values, default=0.0), right_axis.top) if right_axis else []
    left = max(text_width(left_axis.tick_text(t), SMALL) for t in left_ticks) + 10
    right = (
        max(text_width(right_axis.tick_text(t), SMALL) for t in right_ticks) + 10
        if right_axis
        else 12.0
    )
    count = max(1, len(categories))
    slot = (WIDTH - left - right) / count
    widest = max((text_width(c, SMALL) for c in categories), default=0.0) + 4
    stride = max(1, math.ceil(widest / slot))
    # the first and last labels are centred on their slot: keep them inside the chart
    left = max(left, widest / 2 - slot / 2 + 2)
    right = max(right, widest / 2 - slot / 2 + 2)
    slot = (WIDTH - left - right) / count
    y0 = LEGEND + 6
    bottom = y0 + PLOT_HEIGHT
    height = bottom + 22

    def y_of(value: float, ticks: Sequence[float]) -> float:
        return bottom - PLOT_HEIGHT * (value / ticks[-1] if ticks[-1] else 0.0)

    legend = [*bars, *([line] if line else []), *notes]
    parts = [_legend(legend, 0)]
    for tick in left_ticks:
        y = y_of(tick, left_ticks)
        parts.append(_line_el(left, y, WIDTH - right, y, GRID))
        tick_text = left_axis.tick_text(tick)
        parts.append(_text(left - 5, y + 4, tick_text, "end", SMALL, left_axis.color))
    for tick in right_ticks:
        y = y_of(tick, right_ticks)
        assert right_axis is not None
        parts.append(
            _text(
                WIDTH - right + 5,
                y + 4,
                right_axis.tick_text(tick),
                "start",
                SMALL,
                right_axis.color,
            )
        )
    width = slot * 0.72 / len(bars)
    for index, category in enumerate(categories):
        x = left + slot * index
        if index % stride == 0:
            parts.append(_text(x + slot / 2, bottom + 15, category, "middle", SMALL, INK))
        for offset, one in enumerate(bars):
            value = one.values[index] if index < len(one.values) else None
            if value is None or value <= 0:
                continue
            y = y_of(value, left_ticks)
            tip = f"{category} · {one.name}: {_shown(one, index, left_axis.fmt)}"
            bar_x = x + slot * 0.14 + offset * width
            parts.append(_rect(bar_x, y, width, bottom - y, one.color_of(index), tip))
    parts.append(_line_el(left, bottom, WIDTH - right, bottom, INK))
    if line is not None:
        axis = right_axis or left_axis
        ticks = right_ticks or left_ticks
        parts.extend(_polyline(line, categories, left, slot, lambda v: y_of(v, ticks), axis.fmt))
    return _svg(title, height, parts)


def _polyline(
    line: Series,
    categories: Sequence[str],
    left: float,
    slot: float,
    y_of: Callable[[float], float],
    fmt: Format,
) -> list[str]:
    """The line as runs of points (a missing value breaks it), a dot on each point."""
    runs: list[list[str]] = [[]]
    dots = []
    for index, value in enumerate(line.values):
        if value is None or index >= len(categories):
            runs.append([])
            continue
        x, y = left + slot * (index + 0.5), y_of(value)
        runs[-1].append(f"{_n(x)},{_n(y)}")
        tip = f"{categories[index]} · {line.name}: {_shown(line, index, fmt)}"
        dots.append(
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="2.5" fill="{line.color}">'
            f"<title>{escape(tip)}</title></circle>"
        )
    paths = [
        f'<polyline points="{" ".join(run)}" fill="none" stroke="{line.color}" stroke-width="2"/>'
        for run in runs
        if len(run) > 1
    ]
    return paths + dots


def nice_ticks(largest: float, top: float | None = None, count: int = 5) -> list[float]:
    """Round tick values from 0 to a round end at or above ``largest`` (1, 2, 2.5 or 5
    times a power of ten per step); ``top`` fixes the end instead."""
    end = top if top is not None else largest
    if end <= 0:
        return [0.0, 1.0]
    raw = end / (count - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if top is not None:
        step = top / round(top / step)
    steps = math.ceil(end / step - 1e-9)
    return [round(i * step, 10) for i in range(steps + 1)]


def text_width(text: str, size: float) -> float:
    """About how wide ``text`` is at font size ``size``."""
    return sum(size if wcwidth(char) == 2 else size * 0.62 for char in text)


def fit(text: str, width: float, size: float) -> str:
    """``text``, or its start and an ellipsis, within ``width``."""
    if text_width(text, size) <= width:
        return text
    kept = ""
    for char in text:
        if text_width(kept + char + "…", size) > width:
            break
        kept += char
    return kept + "…"


def _shown(series: Series, index: int, fmt: Format) -> str:
    if index < len(series.shown):
        return series.shown[index]
    value = series.values[index]
    return "-" if value is None else fmt(value)


def _legend(series: Sequence[Series], x: float) -> str:
    parts = []
    for one in series:
        parts.append(f'<rect x="{_n(x)}" y="6" width="12" height="12" fill="{one.color}"/>')
        parts.append(_text(x + 16, 16, one.name, "start", FONT, INK))
        x += 16 + text_width(one.name, FONT) + 16
    return "".join(parts)


def _svg(title: str, height: float, parts: Sequence[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {_n(height)}" '
        f'width="100%" role="img" font-size="{FONT}" fill="{INK}">'
        f"<title>{escape(title)}</title>{''.join(parts)}</svg>"
    )


def _rect(x: float, y: float, width: float, height: float, color: str, tip: str) -> str:
    return (
        f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(max(width, 0.0))}" '
        f'height="{_n(max(height, 0.0))}" fill="{color}"><title>{escape(tip)}</title></rect>'
    )


def _line_el(x1: float, y1: float, x2: float, y2: float, color: str) -> str:
    return f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{color}"/>'


def _text(x: float, y: float, text: str, anchor: str, size: float, color: str) -> str:
    style = "" if size == FONT else f' font-size="{_n(size)}"'
    fill = "" if color == INK else f' fill="{color}"'
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}"{style}{fill}>{escape(text)}</text>'
    )


def _n(value: float) -> str:
    """A coordinate to one decimal, without a trailing ``.0`` (and never ``-0``)."""
    text = f"{round(value, 1) + 0.0:.1f}"
    return text[:-2] if text.endswith(".0") else text
