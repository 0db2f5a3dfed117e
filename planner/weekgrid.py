"""The week-by-week pages of the printed plan as a grid: three months to a row, a line a
week, drawn as SVG (millimetres of the portrait page's text width).

``week_grid`` is pure: the report's weeks in, rows of months of week lines out, every
position computed here. A row of months is one picture, so it is never split across
pages and no month heading is left alone. The grid holds no user text: numbers, dates,
hours and fixed words (time off notes are listed with the plan's facts).

Each week line: its number, its first day, each milestone due (a box to tick, the
milestone's number from the wall view, the hours), and ``___ h`` to write the hours
done (a past week shows the hours recorded).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from planner.weektext import tenths

WIDTH = 184.0  # mm: the text width of an A4 page (Letter scales it by 1.03)
GUTTER = 5.0
FONT = 3.3  # mm, about 9.4 pt: the size of the week tables it replaces
LINE = 4.4  # mm between baselines
CAPTION = 6.2  # mm: the month's name and its rule
PAD = 0.9  # mm above the first and below the last line of a week
CHAR = 0.6  # average glyph width in ems, a little over DejaVu Sans' for digits and words
MONTH_W = (WIDTH - 2 * GUTTER) / 3
NUMBER_W, DAY_W, HOURS_W = 7.0, 13.5, 10.0  # NUMBER_W widens for weeks past 99
BOLD = 0.7  # DejaVu Sans Bold's digits, in ems
INSET = 1.0  # mm: this week's hours keep off the box drawn round it (0.45 mm in)


class ItemLike(Protocol):
    @property
    def number(self) -> int: ...
    @property
    def hours(self) -> float: ...
    @property
    def recorded(self) -> bool: ...
    @property
    def done(self) -> bool: ...


class TimeOffLike(Protocol):
    @property
    def text(self) -> str: ...


class WeekLike(Protocol):
    """What a week of the report gives the grid (planner.report.ReportWeek)."""

    @property
    def number(self) -> int: ...
    @property
    def start(self) -> date: ...
    @property
    def month(self) -> str: ...
    @property
    def past(self) -> bool: ...
    @property
    def current(self) -> bool: ...
    @property
    def recorded_hours(self) -> float: ...

    @property
    def items(self) -> Sequence[ItemLike]: ...

    @property
    def time_off(self) -> Sequence[TimeOffLike]: ...


@dataclass(frozen=True)
class Run:
    """A text at (x, y): ``kind`` says how it is drawn (number, day, item, done, studied,
    away, empty, hours, now). Items read "☐12 8 h" (planned), "✓12 5 h" (done that
    week) and "·12 2 h" (studied that week, in grey)."""

    x: float
    y: float
    text: str
    kind: str


@dataclass(frozen=True)
class WeekLine:
    number: int
    y: float  # top of the week's band
    height: float
    runs: tuple[Run, ...]
    off: bool
    current: bool


@dataclass(frozen=True)
class MonthBox:
    x: float
    caption: str  # "October 2026"
    weeks: tuple[WeekLine, ...]
    width: float = MONTH_W


@dataclass(frozen=True)
class GridRow:
    height: float
    months: tuple[MonthBox, ...]
    width: float = WIDTH
    font: float = FONT


def _w(text: str) -> float:
    return len(text) * FONT * CHAR


def _flow(pieces: list[tuple[str, str]], left: float, right: float) -> list[list[Run]]:
    """``pieces`` (text, kind) laid out in lines between ``left`` and ``right``; the
    words of time off and of an empty week wrap one by one, and the words that share a
    line stay one text."""
    lines: list[list[Run]] = [[]]
    x = left
    for text, kind in pieces:
        words = text.split() if kind in ("away", "empty") else [text]
        for i, word in enumerate(words):
            last = lines[-1][-1] if lines[-1] else None
            if i and last is not None and last.kind == kind:  # the next word of a phrase
                phrase = f"{last.text} {word}"
                if last.x + _w(phrase) <= right:
                    lines[-1][-1] = Run(last.x, 0.0, phrase, kind)
                    x = last.x + _w(phrase) + FONT * 0.6
                    continue
            if lines[-1] and x + _w(word) > right:
                lines.append([])
                x = left
            lines[-1].append(Run(round(x, 2), 0.0, word, kind))
            x += _w(word) + FONT * 0.6
    return lines


def _week(week: WeekLike, x0: float, top: float, number_w: float = NUMBER_W) -> WeekLine:
    inset = INSET if week.current else 0.0
    left, right = x0 + number_w + DAY_W, x0 + MONTH_W - HOURS_W - 1 - inset
    pieces = [(t.text, "away") for t in week.time_off]
    for item in week.items:
        hours = f"{tenths(item.hours)} h"
        if item.done:
            pieces.append((f"\u2713{item.number} {hours}", "done"))
        elif item.recorded:
            pieces.append((f"\u00b7{item.number} {hours}", "studied"))
        else:
            pieces.append((f"\u2610{item.number} {hours}", "item"))
    if not pieces:
        pieces.append(("nothing recorded" if week.past else "none planned", "empty"))
    if week.current:
        pieces.append(("this week", "now"))
    lines = _flow(pieces, left, right)
    height = round(2 * PAD + LINE * len(lines), 2)
    base = top + PAD + FONT
    runs = [
        Run(round(x0 + number_w - 1.5, 2), round(base, 2), str(week.number), "number"),
        Run(round(x0 + number_w, 2), round(base, 2), f"{week.start.day} {week.start:%b}", "day"),
        Run(
            round(x0 + MONTH_W - inset, 2),
            round(base, 2),
            f"{tenths(week.recorded_hours)} h" if week.past else "___ h",
            "hours",
        ),
    ]
    for i, line in enumerate(lines):
        runs += [Run(r.x, round(base + i * LINE, 2), r.text, r.kind) for r in line]
    return WeekLine(
        week.number, round(top, 2), height, tuple(runs), bool(week.time_off), week.current
    )


def week_grid(weeks: Sequence[WeekLike]) -> tuple[GridRow, ...]:
    """Rows of up to three months, each month a column of week lines (O(weeks))."""
    months: list[tuple[str, list[WeekLike]]] = []
    for week in weeks:
        if not months or months[-1][0] != week.month:
            months.append((week.month, []))
        months[-1][1].append(week)
    digits = len(str(max((w.number for w in weeks), default=1)))
    number_w = max(NUMBER_W, round(digits * FONT * BOLD + 1.5 + 0.5, 1))
    rows = []
    for start in range(0, len(months), 3):
        boxes = []
        bottom = CAPTION
        for column, (caption, month_weeks) in enumerate(months[start : start + 3]):
            x0 = column * (MONTH_W + GUTTER)
            y = CAPTION
            lines = []
            for week in month_weeks:
                line = _week(week, x0, y, number_w)
                lines.append(line)
                y += line.height
            bottom = max(bottom, y)
            boxes.append(MonthBox(round(x0, 2), caption, tuple(lines)))
        rows.append(GridRow(round(bottom + 0.6, 2), tuple(boxes)))
    return tuple(rows)
