"""The earned-value chart of a printed plan: planned, earned and projected hours.

``build_chart`` is pure: a PlanView in, a Chart out. A Chart holds numbers (SVG user
units: pixels of a viewBox ``width`` wide, y pointing down) and labels it writes itself
(hours, dates, "today"), never user text; ``templates/_chart.svg.j2`` draws it and
computes nothing.

Top to bottom: a legend; the plot, whose top edge is the plan's total hours; the x axis
with the weeks marked above it and months (weeks, on a plan of a few weeks) labelled
below it, today's triangle on it; under the labels the planned and projected finish,
each a pole from the axis and a date, side by side or stacked.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from planner.svgtext import CHAR, FONT, Line, Point, Text, overlaps, place, points

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from planner.view import PlanView

WIDTH = 640  # px, the viewBox's width
GAP_FONT = 11  # px: "behind by 8 h"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_TOP, _PLOT_H, _RIGHT = 30, 176, 18  # px: the plot's top, height and right margin
_OFFSET = 6  # px between the data and each axis: the start and 0 h stay visible
_LABELS = 16  # px from the x axis down to the tick labels' baseline
_ROW = 14  # px between rows of finish labels


@dataclass(frozen=True)
class Flag:
    """A finish on the x axis: ``kind`` planned, projected (or finished) or both (the
    same day), a pole down from the axis and its dated label."""

    kind: str
    pole: Line
    label: Text


@dataclass(frozen=True)
class Key:
    """A legend entry: ``kind`` (plan, earned, projected or gap) drawn as ``sample`` (a
    line) or, for the gap, as ``swatch`` (polygon points); then its label."""

    kind: str
    sample: Line
    swatch: str
    label: Text


@dataclass(frozen=True)
class Chart:
    """An SVG chart of planned against earned cumulative hours; every length in px of the
    viewBox (0 0 width height), y down. Hours map linearly from 0 at ``top +
    plot_height`` to ``y_max`` (the plan's total, at least 1) at ``top``; weeks from the
    plan's start at ``left`` to the last week's end at ``left + plot_width``."""

    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    planned: str  # polyline points: planned value at each week's start
    actual: str  # earned value: start, each past week's end, today
    projected: str  # today's earned value, then the total at the projected finish
    today_x: float
    y_max: float  # hours at the plot's top
    x_ticks: tuple[tuple[float, str], ...]  # week boundaries: (x, week number), 0 to the last
    y_ticks: tuple[tuple[float, str], ...]  # (y, "240 h"); the top one is the total
    axis_x: float  # the y axis, left of the data
    axis_y: float  # the x axis, below the data
    grid: tuple[Line, ...]  # one across the plot at each y tick
    marks: tuple[Line, ...]  # the two axes and the ticks on them
    x_labels: tuple[Text, ...]  # "Oct 2026", "Nov", ... (or "5 Jan 2026", "12 Jan", ...)
    y_labels: tuple[Text, ...]
    y_title: Text  # drawn turned a quarter left about its (x, y)
    gap: str  # polygon points between plan and earned, since the gap opened; "" when none
    gap_label: Text | None  # "behind by 8 h": pace_text's words; None on track or finished
    today: Line
    today_marker: str  # polygon points: a triangle under the x axis
    today_label: Text
    finishes: tuple[Flag, ...]
    legend: tuple[Key, ...]


def build_chart(view: PlanView) -> Chart:
    """Earned value against the plan, by week: planned (``planned_at`` each week's
    start), actual (earned at each past week's end, then today) and projected (from
    today's earned value to the total at the projected finish's end), with the gap to
    the plan today shaded and labelled, and both finishes dated on the x axis."""
    from planner.view import pace_text

    s = view.schedule
    start, total = s.start, s.hours_total

    def week_x(day: date) -> float:
        """Weeks from the start to the beginning of ``day``."""
        return (day - start).days / 7

    plan_end, proj_end = week_x(s.planned_finish) + 1 / 7, week_x(s.projected_finish) + 1 / 7
    n_weeks = max(len(s.weeks), s.current_week, math.ceil(max(plan_end, proj_end)), 1)
    y_max = max(total, 1.0)
    y_values = _y_values(y_max)
    widest = max(len(_hours(h)) for h in y_values) * FONT * CHAR
    left = max(56, math.ceil(32 + widest))
    top, plot_w, plot_h = _TOP, WIDTH - left - _RIGHT, _PLOT_H
    right, bottom = left + plot_w, top + plot_h
    axis_x, axis_y = left - _OFFSET, bottom + _OFFSET

    def x(week: float) -> float:
        return round(left + plot_w * min(max(week, 0.0), float(n_weeks)) / n_weeks, 1)

    def y(hours: float) -> float:
        return round(top + plot_h * (1 - min(max(hours, 0.0), y_max) / y_max), 1)

    def pixels(values: Sequence[Point]) -> list[Point]:
        return [(x(w), y(h)) for w, h in values]

    planned = [(float(w), s.planned_at(start + timedelta(days=7 * w))) for w in range(n_weeks + 1)]
    today = max(week_x(view.today), 0.0)
    by_week = s.earned_by_week or (s.hours_earned,)
    actual = [(0.0, 0.0)]
    actual += [(float(w), hours) for w, hours in enumerate(by_week[:-1], start=1)]
    actual.append((today, by_week[-1]))
    projected = [actual[-1]]
    if not s.finished and s.hours_earned < total:
        projected.append((proj_end, total))
    tx = x(today)
    lines = [pixels(planned), pixels(actual), pixels(projected)]
    segments = [seg for line in lines for seg in itertools.pairwise(line)]
    segments.append(((tx, top), (tx, bottom)))

    gap: list[Point] = []
    behind = s.pace == "behind" and s.hours_behind > 0
    if behind or s.pace == "ahead":
        gap = pixels(_gap(planned, actual, s.hours_planned_to_date, 1 if behind else -1))
    plot = (left, top, right, bottom)
    beside = {1: "start", -1: "end"}  # right or left of today's line
    # before the plan starts the line stands at its start, and says so
    word = "today" if view.today >= s.start else f"starts {_day(s.start)}"
    near = [Text(tx + 4 * d, at, word, beside[d]) for at in (top + 11, bottom - 5) for d in (1, -1)]
    today_label = place(near, segments[:-1], [], plot)
    gap_label = None
    if s.pace in ("behind", "ahead"):  # above the lines on the left, below them on the right
        y_plan, y_earned = y(s.hours_planned_to_date), y(s.hours_earned)
        high, low = min(y_plan, y_earned) - 6, max(y_plan, y_earned) + 6 + 0.75 * GAP_FONT
        where = [(high, -1), (low, 1), (high, 1), (low, -1), (top + 27, 1), (top + 27, -1)]
        where += [((y_plan + y_earned) / 2 + 4, d) for d in (1, -1)]  # in the gap
        near = [Text(tx + 6 * d, at, pace_text(s), beside[d], GAP_FONT) for at, d in where]
        gap_label = place(near, segments, [today_label.box()], plot)

    finishes = _finishes(view, x(plan_end), x(proj_end), axis_y)
    poles = [f.pole.x1 for f in finishes]
    ticks, x_labels = _x_labels(start, n_weeks, lambda day: x(week_x(day)), poles, axis_y)
    marks = [Line(axis_x, top, axis_x, bottom), Line(left, axis_y, right, axis_y)]
    marks += [Line(t, axis_y, t, axis_y + (5 if named else 3)) for t, named in ticks]
    x_ticks = [(x(w), str(w)) for w in range(n_weeks + 1)]
    if plot_w / n_weeks >= 5:  # weeks marked above the axis while 5 px apart
        marks += [Line(tick, axis_y, tick, axis_y - 3) for tick, _ in x_ticks]
    y_ticks = [(y(h), _hours(h)) for h in y_values]
    marks += [Line(axis_x - 3, tick, axis_x, tick) for tick, _ in y_ticks]
    rows = max((round((f.label.y - axis_y - _LABELS) / _ROW) for f in finishes), default=0)
    return Chart(
        width=WIDTH,
        height=math.ceil(axis_y + _LABELS + _ROW * rows + 6),
        left=left,
        top=top,
        plot_width=plot_w,
        plot_height=plot_h,
        planned=points(lines[0]),
        actual=points(lines[1]),
        projected=points(lines[2]),
        today_x=tx,
        y_max=y_max,
        x_ticks=tuple(x_ticks),
        y_ticks=tuple(y_ticks),
        axis_x=axis_x,
        axis_y=axis_y,
        grid=tuple(Line(left, tick, right, tick) for tick, _ in y_ticks),
        marks=tuple(marks),
        x_labels=tuple(x_labels),
        y_labels=tuple(Text(axis_x - 5, tick + 3.5, label, "end") for tick, label in y_ticks),
        y_title=Text(14, top + plot_h / 2, "hours earned, cumulative", "middle"),
        gap=points(gap),
        gap_label=gap_label,
        today=Line(tx, top, tx, axis_y),
        today_marker=points([(tx, axis_y + 1), (tx - 4, axis_y + 7), (tx + 4, axis_y + 7)]),
        today_label=today_label,
        finishes=finishes,
        legend=_legend(left, len(projected) > 1, bool(gap)),
    )


def _gap(planned: list[Point], actual: list[Point], planned_now: float, sign: int) -> list[Point]:
    """The polygon (weeks, hours) between the planned and the earned line from where they
    last met to today: the planned side forward, the earned side back. ``sign`` is 1 when
    behind (planned above earned), -1 when ahead; ``planned_now`` is today's planned
    value, where the earned line ends. Empty when there is no gap that way today."""
    stations = [(w, planned[round(w)][1], h) for w, h in actual[:-1]]
    stations.append((actual[-1][0], planned_now, actual[-1][1]))
    gaps = [sign * (p - e) for _, p, e in stations]
    if gaps[-1] <= 0:
        return []
    met = max((i for i, g in enumerate(gaps) if g <= 0), default=None)
    if met is None:
        first, rest = stations[0][:2], stations
    else:
        (x0, p0, _), (x1, p1, _) = stations[met], stations[met + 1]
        share = gaps[met] / (gaps[met] - gaps[met + 1])
        first, rest = (x0 + share * (x1 - x0), p0 + share * (p1 - p0)), stations[met + 1 :]
    upper = {w: p for w, p, _ in rest if w > first[0]}
    return [first, *upper.items(), *((w, e) for w, _, e in reversed(rest))]


def _y_values(y_max: float) -> list[float]:
    """Round hours at most four steps apart below the top (none within 14 px of it, for
    their labels), then the top."""
    raw = y_max / 4
    scale = 10 ** math.floor(math.log10(raw))
    step = next(m * scale for m in (1, 2, 2.5, 5, 10) if m * scale >= raw - 1e-9)
    room = y_max * (1 - 14 / _PLOT_H)
    values = [round(i * step, 6) for i in range(5) if i * step <= room]
    return [*values, y_max]


def _hours(hours: float) -> str:
    """ "240 h", "1,200 h", "27.5 h"."""
    return f"{round(hours, 1):,.1f}".removesuffix(".0") + " h"


def _day(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _x_labels(
    start: date, n_weeks: int, x_of: Callable[[date], float], poles: list[float], axis_y: float
) -> tuple[list[tuple[float, bool]], list[Text]]:
    """Ticks and labels for the x axis: month starts ("Oct 2026", "Nov", ...: the year on
    the first label and wherever it changes, on January), or with fewer than three of
    them week starts ("5 Jan 2026", "12 Jan"). Every 1st, 2nd, 3rd, 6th ... month is
    labelled (January always, or years only), the fewest skipped that keep the labels
    apart; a label is centred on its tick, else beside it, and left out if it would be off
    the chart or on a finish pole. Returns every tick (x, labelled) and the labels."""
    end = start + timedelta(days=7 * n_weeks)
    months = []
    day = date(start.year, start.month, 1)
    while day <= end:
        if day >= start:
            months.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    by_month = len(months) >= 3
    baseline = axis_y + _LABELS

    def chosen(step: int) -> list[date]:
        if not by_month:
            return [start + timedelta(days=7 * k) for k in range(0, n_weeks + 1, step)]
        if step < 12:
            return [d for d in months if (d.month - 1) % step == 0]
        return [d for d in months if d.month == 1 and d.year % (step // 12) == 0]

    def labels(step: int) -> list[tuple[float, Text]] | None:
        """(tick, label) at ``step``; None if two would overlap."""
        shown: list[tuple[float, Text]] = []
        year = None
        for day in chosen(step):
            text = f"{day.day} {_MONTHS[day.month - 1]}" if not by_month else _MONTHS[day.month - 1]
            text = str(day.year) if step >= 12 else text
            if step < 12 and day.year != year:
                text = f"{text} {day.year}"
            placed = [  # centred on the tick, else beside it (at an end, by a pole)
                label
                for anchor, dx in (("middle", 0), ("start", 4), ("end", -4))
                if (label := Text(x_of(day) + dx, baseline, text, anchor)).box()[0] >= 2
                and label.box()[2] <= WIDTH - 2
                and not any(label.box()[0] - 3 <= p <= label.box()[2] + 3 for p in poles)
            ]
            apart = [t for t in placed if not shown or shown[-1][1].box()[2] + 6 <= t.box()[0]]
            if placed and placed[0].anchor == "middle" and apart[:1] != placed[:1]:
                return None  # too close to the last one: thin out more
            if apart:
                shown.append((x_of(day), apart[0]))
                year = day.year
        return shown

    steps = (1, 2, 3, 6, 12, 24, 60, 120, 240, 600, 1200) if by_month else (1, 2, 4, 8, 16)
    step, shown = next(((k, t) for k in steps if (t := labels(k)) is not None), (0, []))
    ticks = {x_of(d) for d in chosen(step)} if step else set()
    every = months if by_month else chosen(1)
    if len(every) * 4 <= x_of(end) - x_of(start):  # a tick every month (week) if 4 px apart
        ticks |= {x_of(d) for d in every}
    named = {tick for tick, _ in shown}
    return [(t, t in named) for t in sorted(ticks)], [label for _, label in shown]


def _finishes(view: PlanView, x_plan: float, x_proj: float, axis_y: float) -> tuple[Flag, ...]:
    """The planned and projected (or actual) finish as flags on the x axis: one label
    when they are the same day; side by side when their labels fit so, else stacked,
    each label beside its pole and no pole through the other label."""
    s = view.schedule
    plan, proj = _day(s.planned_finish), _day(s.projected_finish)
    items: list[tuple[str, float, str]]
    if s.planned_finish == s.projected_finish:
        both = (
            f"finished {proj}, as planned" if s.finished else f"planned and projected finish {proj}"
        )
        items = [("both", x_proj, both)]
    else:
        later = f"finished {proj}" if s.finished else f"projected {proj}"
        items = [("planned", x_plan, f"planned finish {plan}"), ("projected", x_proj, later)]
    first = axis_y + _LABELS + _ROW

    def labels(rows: Sequence[int], sides: Sequence[int]) -> list[Text]:
        return [
            Text(round(px + 3 * d, 1), first + _ROW * row, text, "start" if d > 0 else "end")
            for (_, px, text), row, d in zip(items, rows, sides, strict=True)
        ]

    layouts = [(0,)] if len(items) == 1 else [(0, 0), (0, 1), (1, 0)]
    tried = [labels(r, d) for r in layouts for d in itertools.product((-1, 1), repeat=len(r))]
    poles = [px for _, px, _ in items]
    chosen = next((t for t in tried if _flags_fit(poles, t)), tried[-1])
    return tuple(
        Flag(kind, Line(px, axis_y, px, label.y + 2), label)
        for (kind, px, _), label in zip(items, chosen, strict=True)
    )


def _flags_fit(poles: list[float], labels: list[Text]) -> bool:
    """Labels on the chart, apart from each other in a row, and no pole (which runs down
    to its own label's row) through another label."""
    boxes = [t.box() for t in labels]
    if any(b[0] < 2 or b[2] > WIDTH - 2 for b in boxes):
        return False
    for i, j in itertools.permutations(range(len(labels)), 2):
        left, top, right, bottom = boxes[i]
        if labels[i].y == labels[j].y and overlaps((left - 6, top, right + 6, bottom), boxes[j]):
            return False
        if labels[j].y >= labels[i].y and boxes[i][0] - 1 <= poles[j] <= boxes[i][2] + 1:
            return False
    return True


def _legend(left: float, projected: bool, gap: bool) -> tuple[Key, ...]:
    """Line samples and labels in a row above the plot, for the lines drawn."""
    kinds = [("plan", "plan"), ("earned", "earned")]
    kinds += [("projected", "projected")] if projected else []
    kinds += [("gap", "gap to plan")] if gap else []
    keys = []
    at = float(left)
    for kind, text in kinds:
        swatch = points([(at, 7), (at + 22, 7), (at + 22, 17), (at, 17)]) if kind == "gap" else ""
        keys.append(Key(kind, Line(at, 12, at + 22, 12), swatch, Text(at + 27, 15.5, text)))
        at = round(at + 27 + len(text) * FONT * CHAR + 16, 1)
    return tuple(keys)
