"""Self-contained SVG charts for the docs site and ``assess-rules timeline --svg``: a
timeline of a referral's deadlines and a flow of who asks, who decides and what blocks.

Pure drawing: the charts take plain data (:class:`TimelineRow`, :class:`FlowStep`) and return
an ``<svg>`` string with its own fonts and colours, no script and no outside reference. Every
piece of text is escaped, since pack text is written by others.

>>> from datetime import date
>>> svg = timeline_svg(
...     [TimelineRow("Decision <within 1 day>", date(2026, 12, 24), date(2026, 12, 29),
...                  skipped=(date(2026, 12, 25), date(2026, 12, 28)))],
...     title="Referral on Thu 24 Dec 2026",
... )
>>> svg.startswith("<svg") and "&lt;within 1 day&gt;" in svg and "<within" not in svg
True
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal
from xml.sax.saxutils import escape

__all__ = ["FlowStep", "TimelineRow", "flow_svg", "timeline_svg"]

_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

#: fill and stroke of each status of a deadline (and of events, ``event``)
_STATUS_COLOURS = {
    "met": ("#d7f0dd", "#1f7a3a"),
    "missed": ("#f9d6d5", "#b3261e"),
    "pending": ("#dbe8f7", "#1d5fa8"),
    "undetermined": ("#eeeeee", "#666666"),
    "event": ("#ffffff", "#333333"),
}


def _attr(text: str) -> str:
    """``text`` escaped for an attribute or element content."""
    return escape(text, {'"': "&quot;", "'": "&#39;"})


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _svg_open(width: int, height: int, label: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{_attr(label)}" '
        f'font-family="{_attr(_FONT)}" font-size="13">',
        f"<title>{_attr(label)}</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]


# --- the timeline -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimelineRow:
    """One row of a timeline: an event (``due`` is None: a dot on ``start``) or a duty running
    from ``start`` to ``due``, with the weekdays its count skipped and when it was done."""

    label: str
    start: date
    due: date | None = None
    status: str = "event"
    done: date | None = None
    skipped: tuple[date, ...] = ()
    detail: str = ""


_LABEL_W = 330
_ROW_H = 30
_TOP = 64


def timeline_svg(
    rows: Sequence[TimelineRow],
    *,
    title: str,
    today: date | None = None,
    today_label: str = "evaluated",
    plot_width: int = 820,
) -> str:
    """A Gantt-like chart: a row per event and per duty, a date axis, weekends shaded when
    there is room, every skipped weekday (a bank holiday or closure) marked and named in its
    row's tooltip, and a line at ``today`` (the evaluation date), if given."""
    days = (
        [r.start for r in rows] + [r.due for r in rows if r.due] + [r.done for r in rows if r.done]
    )
    days += [d for r in rows for d in r.skipped]
    if today:
        days.append(today)
    first = min(days) if days else date.today()
    last = max(days) if days else first
    first -= timedelta(days=1)
    last += timedelta(days=2)
    span = (last - first).days
    per_day = plot_width / span
    width = _LABEL_W + plot_width + 24
    height = _TOP + _ROW_H * max(len(rows), 1) + 70

    def x(day: date) -> float:
        return round(_LABEL_W + (day - first).days * per_day, 1)

    out = _svg_open(width, height, title)
    out.append(
        f'<text x="12" y="24" font-size="15" font-weight="600" fill="#1b1b1b">{_attr(title)}</text>'
    )
    bottom = _TOP + _ROW_H * max(len(rows), 1)
    # weekends, when a day is wide enough to see them
    if per_day >= 4:
        day = first
        while day < last:
            if day.weekday() >= 5:
                out.append(
                    f'<rect x="{x(day)}" y="{_TOP - 8}" width="{round(per_day, 1)}" '
                    f'height="{bottom - _TOP + 8}" fill="#f1f1f1"/>'
                )
            day += timedelta(days=1)
    # holidays and closures skipped by any count
    skipped = sorted({d for r in rows for d in r.skipped})
    for day in skipped:
        out.append(
            f'<rect x="{x(day)}" y="{_TOP - 8}" width="{max(round(per_day, 1), 2)}" '
            f'height="{bottom - _TOP + 8}" fill="#fde6b3">'
            f"<title>{_attr(day.strftime('%a %d %b %Y'))}: skipped (not a working day)</title>"
            "</rect>"
        )
    # the axis: a tick per week (or month when the span is long)
    out.append(
        f'<line x1="{_LABEL_W}" y1="{bottom}" x2="{_LABEL_W + plot_width}" y2="{bottom}" '
        'stroke="#888"/>'
    )
    for tick, text in _ticks(first, last, per_day):
        out.append(
            f'<line x1="{x(tick)}" y1="{_TOP - 8}" x2="{x(tick)}" y2="{bottom + 4}" '
            'stroke="#d0d0d0" stroke-dasharray="2 3"/>'
        )
        out.append(
            f'<text x="{x(tick)}" y="{bottom + 18}" text-anchor="middle" font-size="11" '
            f'fill="#444">{_attr(text)}</text>'
        )
    # the rows
    for i, row in enumerate(rows):
        y = _TOP + i * _ROW_H
        mid = y + _ROW_H / 2
        if i % 2:
            out.append(
                f'<rect x="0" y="{y}" width="{_LABEL_W - 6}" height="{_ROW_H}" fill="#f7f7f9"/>'
            )
        tip = row.label + (f" — {row.detail}" if row.detail else "")
        out.append(
            f'<text x="12" y="{mid + 4}" fill="#1b1b1b">{_attr(_clip(row.label, 44))}'
            f"<title>{_attr(tip)}</title></text>"
        )
        fill, stroke = _STATUS_COLOURS.get(row.status, _STATUS_COLOURS["undetermined"])
        if row.due is None:
            out.append(
                f'<circle cx="{x(row.start) + per_day / 2:.1f}" cy="{mid}" r="5" fill="{stroke}">'
                f"<title>{_attr(tip)}: {_attr(row.start.strftime('%a %d %b %Y'))}</title>"
                "</circle>"
            )
            continue
        left, right = x(row.start), x(row.due + timedelta(days=1))
        out.append(
            f'<rect x="{left}" y="{y + 7}" width="{max(right - left, 3):.1f}" height="16" rx="3" '
            f'fill="{fill}" stroke="{stroke}"><title>{_attr(tip)}</title></rect>'
        )
        for day in row.skipped:
            out.append(
                f'<rect x="{x(day)}" y="{y + 7}" width="{max(round(per_day, 1), 2)}" '
                f'height="16" fill="#f0a500" opacity="0.7"/>'
            )
        due_text = "due " + row.due.strftime("%a %d %b")
        anchor_x, anchor = right + 6, "start"
        if anchor_x > _LABEL_W + plot_width - 90:
            # no room after the bar: inside its end when it is long enough, else before it
            anchor_x, anchor = (right - 6, "end") if right - left > 110 else (left - 6, "end")
        out.append(
            f'<text x="{anchor_x:.1f}" y="{mid + 4}" font-size="11" text-anchor="{anchor}" '
            f'fill="{stroke}">{_attr(due_text)}</text>'
        )
        if row.done:
            cx = x(row.done) + per_day / 2
            out.append(
                f'<path d="M{cx:.1f} {mid - 7} l6 7 l-6 7 l-6 -7 z" fill="#1b1b1b">'
                f"<title>done {_attr(row.done.strftime('%a %d %b %Y'))}</title></path>"
            )
    if today:
        tx = x(today) + per_day / 2
        out.append(
            f'<line x1="{tx:.1f}" y1="{_TOP - 14}" x2="{tx:.1f}" y2="{bottom}" stroke="#6a1b9a" '
            'stroke-width="1.5" stroke-dasharray="5 3"/>'
        )
        anchor = "middle" if tx < _LABEL_W + plot_width - 70 else "end"
        out.append(
            f'<text x="{tx:.1f}" y="{_TOP - 18}" font-size="11" text-anchor="{anchor}" '
            f'fill="#6a1b9a">{_attr(today_label)} {_attr(today.strftime("%d %b %Y"))}</text>'
        )
    out += _legend(12, bottom + 44, bool(skipped))
    out.append("</svg>")
    return "\n".join(out)


def _ticks(first: date, last: date, per_day: float) -> Iterator[tuple[date, str]]:
    """Axis ticks: every day or two when days are wide, Mondays for a few months, the first
    of every month (or every third) for longer spans."""
    if per_day >= 20:
        every = 1 if per_day >= 40 else 2
        for n in range(1, (last - first).days, every):
            day = first + timedelta(days=n)
            yield day, day.strftime("%a %d")
    elif per_day >= 5:
        day = first + timedelta(days=(7 - first.weekday()) % 7 or 7)  # the first Monday
        while day < last:
            yield day, day.strftime("%d %b")
            day += timedelta(days=7)
    else:
        months = 1 if per_day >= 1.5 else 3 if per_day >= 0.5 else 12
        year, month = first.year, first.month
        while True:
            month += 1
            year, month = (year + 1, 1) if month > 12 else (year, month)
            day = date(year, month, 1)
            if day >= last:
                return
            if (month - 1) % months == 0:
                yield day, day.strftime("%b %Y")


def _legend(x0: int, y: int, holidays: bool) -> list[str]:
    items: list[tuple[str, str, str]] = [
        (fill, stroke, name)
        for name, (fill, stroke) in _STATUS_COLOURS.items()
        if name not in ("event", "undetermined")
    ]
    items.append(("#eeeeee", "#666666", "undetermined"))
    if holidays:
        items.append(("#fde6b3", "#f0a500", "skipped: bank holiday or closure"))
    out = []
    x0 += 0
    for fill, stroke, name in items:
        out.append(
            f'<rect x="{x0}" y="{y - 10}" width="14" height="12" rx="2" fill="{fill}" '
            f'stroke="{stroke}"/>'
        )
        out.append(f'<text x="{x0 + 20}" y="{y}" font-size="12" fill="#333">{_attr(name)}</text>')
        x0 += 34 + 7 * len(name)
    out.append(
        f'<path d="M{x0 + 6} {y - 11} l6 7 l-6 7 l-6 -7 z" fill="#1b1b1b"/>'
        f'<text x="{x0 + 18}" y="{y}" font-size="12" fill="#333">done</text>'
    )
    return out


# --- the approval flow ------------------------------------------------------------------------

FlowShape = Literal["ask", "step", "decide", "block", "warn", "end"]

_SHAPE_COLOURS: dict[str, tuple[str, str]] = {
    "ask": ("#e8f0fb", "#1d5fa8"),
    "step": ("#ffffff", "#555555"),
    "decide": ("#e3f4e8", "#1f7a3a"),
    "block": ("#fbe3e2", "#b3261e"),
    "warn": ("#fff4d6", "#a86b00"),
    "end": ("#f2f2f2", "#444444"),
}


@dataclass(frozen=True, slots=True)
class FlowStep:
    """One box of a flow: what happens (``title``), in ``lane`` (a role), with a line of
    ``detail`` (a condition, a time limit), drawn as ``shape``."""

    title: str
    lane: str
    detail: str = ""
    shape: FlowShape = "step"


_COL_W = 250
_BOX_W = 226
_GAP = 34
_LINE = 15
_HEAD = 70


def _wrap(text: str, width: int, lines: int) -> list[str]:
    """``text`` in at most ``lines`` lines of ``width`` characters, an ellipsis if cut."""
    wrapped = textwrap.wrap(" ".join(text.split()), width)
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = _clip(wrapped[-1], width - 1).rstrip("…") + "…"
    return wrapped


def _box_lines(step: FlowStep) -> list[tuple[str, bool]]:
    lines = [(t, True) for t in _wrap(step.title, 26, 4)]
    if step.detail:
        lines += [(t, False) for t in _wrap(step.detail, 30, 5)]
    return lines


def flow_svg(
    steps: Sequence[FlowStep],
    lanes: Sequence[str],
    *,
    title: str,
    blockers: Sequence[FlowStep] = (),
) -> str:
    """A swimlane flow read top to bottom: a column per role (``lanes``, lowest first, left
    to right), the ``steps`` in order joined by arrows, and ``blockers`` (prohibitions,
    warnings) in a column of their own with an arrow into the deciding step."""
    lane_of = {lane: i for i, lane in enumerate(lanes)}
    lanes_w = _COL_W * max(len(lanes), 1)
    width = 16 + lanes_w + (_COL_W + 24 if blockers else 0) + 8
    width = max(width, 8 * len(title) + 30)  # room for the title on one line
    heights = [_LINE * len(_box_lines(s)) + 20 for s in steps]
    block_heights = [_LINE * len(_box_lines(s)) + 20 for s in blockers]
    tops: list[float] = []
    y = float(_HEAD + 14)
    for h in heights:
        tops.append(y)
        y += h + _GAP
    steps_bottom = y
    target = max((i for i, s in enumerate(steps) if s.shape == "decide"), default=len(steps) - 1)
    block_tops: list[float] = []
    by = tops[target] if steps else float(_HEAD + 14)
    by = max(float(_HEAD + 14), by - sum(block_heights[:-1]) / 2) if blockers else by
    for h in block_heights:
        block_tops.append(by)
        by += h + 14
    height = int(max(steps_bottom, by) + 6)
    out = _svg_open(width, height, title)
    out.append(
        "<defs><marker id='arrow' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='7' "
        "markerHeight='7' orient='auto'><path d='M0 0 L10 5 L0 10 z' fill='#444'/></marker>"
        "<marker id='arrow-block' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='7' "
        "markerHeight='7' orient='auto'><path d='M0 0 L10 5 L0 10 z' fill='#b3261e'/></marker>"
        "<marker id='arrow-warn' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='7' "
        "markerHeight='7' orient='auto'><path d='M0 0 L10 5 L0 10 z' fill='#a86b00'/></marker>"
        "</defs>"
    )
    out.append(
        f'<text x="12" y="24" font-size="15" font-weight="600" fill="#1b1b1b">{_attr(title)}</text>'
    )
    columns = [(lane, "#333") for lane in lanes]
    if blockers:
        columns.append(("What stands against it", "#b3261e"))
    for i, (lane, colour) in enumerate(columns):
        x0 = 12 + i * _COL_W + (24 if i == len(lanes) else 0)
        out.append(
            f'<rect x="{x0}" y="38" width="{_COL_W - 4}" height="{height - 42}" rx="4" '
            f'fill="{"#f7f8fa" if i % 2 == 0 else "#ffffff"}" stroke="#e0e0e0"/>'
        )
        for k, text in enumerate(_wrap(lane, 30, 2)):
            out.append(
                f'<text x="{x0 + (_COL_W - 4) / 2}" y="{56 + k * _LINE}" text-anchor="middle" '
                f'font-weight="600" fill="{colour}">{_attr(text)}</text>'
            )

    def box(step: FlowStep, bx: float, top: float, h: float) -> None:
        fill, stroke = _SHAPE_COLOURS[step.shape]
        dash = ' stroke-dasharray="5 3"' if step.shape in ("block", "warn") else ""
        out.append(
            f'<rect x="{bx}" y="{top}" width="{_BOX_W}" height="{h}" rx="8" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="1.5"{dash}>'
            f"<title>{_attr(step.title + (': ' + step.detail if step.detail else ''))}</title>"
            "</rect>"
        )
        ty = top + 22
        for text, bold in _box_lines(step):
            style = ' font-weight="600"' if bold else ' font-size="12" fill="#444"'
            out.append(f'<text x="{bx + 10}" y="{ty:.1f}"{style}>{_attr(text)}</text>')
            ty += _LINE

    xs: list[float] = []
    for i, step in enumerate(steps):
        bx = 12 + lane_of.get(step.lane, 0) * _COL_W + (_COL_W - 4 - _BOX_W) / 2
        box(step, bx, tops[i], heights[i])
        xs.append(bx)
    for i in range(len(steps) - 1):
        x1, y1 = xs[i] + _BOX_W / 2, tops[i] + heights[i]
        x2, y2 = xs[i + 1] + _BOX_W / 2, tops[i + 1]
        ym = y1 + _GAP / 2
        out.append(
            f'<path d="M{x1} {y1} V{ym} H{x2} V{y2 - 1}" fill="none" stroke="#444" '
            'stroke-width="1.5" marker-end="url(#arrow)"/>'
        )
    if blockers and steps:
        tx = xs[target] + _BOX_W
        for k, blocker in enumerate(blockers):
            bx = 12 + len(lanes) * _COL_W + 24 + (_COL_W - 4 - _BOX_W) / 2
            box(blocker, bx, block_tops[k], block_heights[k])
            ty = tops[target] + 14 + k * min(10, (heights[target] - 20) / max(len(blockers), 1))
            kind = "block" if blocker.shape == "block" else "warn"
            colour = _SHAPE_COLOURS[kind][1]
            out.append(
                f'<path d="M{bx} {block_tops[k] + block_heights[k] / 2:.1f} L{tx + 1} {ty:.1f}" '
                f'fill="none" stroke="{colour}" stroke-width="1.5" stroke-dasharray="5 3" '
                f'marker-end="url(#arrow-{kind})"/>'
            )
    out.append("</svg>")
    return "\n".join(out)
