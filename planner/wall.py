"""The wall view: the whole plan on one landscape page, months across, a bar a milestone.

``build_wall`` is pure: a PlanView and its spans in, a Wall of precomputed SVG geometry
out (millimetres, so one user unit is one millimetre on paper); ``templates/_wall.svg.j2``
draws it. The only user text is the milestone titles, which the template escapes.

A page holds at most ``MAX_ROWS`` bars; a longer plan continues on further landscape
pages with the same axes ("continued"), rows shared out evenly, so nothing is clipped.
Bars: done filled, started filled to the share earned, planned outlined (dashed when
optional). Time off is shaded, today is a line, and the planned and projected finish
are flagged under the bars.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from planner.timeline import DONE, STARTED, Span

if TYPE_CHECKING:
    from planner.view import PlanView

# Printable area of a landscape page, millimetres, after the wall page's margins, less the
# header strip and the legend printed around the SVG.
AREA = {"A4": (277.0, 160.0), "Letter": (259.0, 166.0)}
MAX_ROWS = 48
MAX_ROW = 6.0  # mm: a short plan's bars do not grow past this
LABEL = 78.0  # mm for "12 Title" (and role tags)
TOP = 9.0  # year and month labels
BOTTOM = 9.0  # finish flags
FONT = 2.5  # mm, about 7 pt
CHAR = 0.55  # average glyph width, in ems
YEAR_W = 4 * FONT * 0.64 + 1.2  # mm a bold year label needs, with room after it


@dataclass(frozen=True)
class Bar:
    """One milestone's row: label text (user text), bar geometry in mm."""

    number: int
    title: str  # clipped to the label column
    tags: str  # role initials in a multi-role plan, else ""
    y: float
    height: float
    x: float
    width: float
    fill: float  # width of the filled part (done: all; started: the share earned)
    state: str
    optional: bool


@dataclass(frozen=True)
class Tick:
    x: float
    label: str
    strong: bool = False  # a year boundary


@dataclass(frozen=True)
class Flag:
    x: float
    y: float  # baseline of its label
    label: str
    anchor: str  # SVG text-anchor


@dataclass(frozen=True)
class WallPage:
    bars: tuple[Bar, ...]
    height: float  # mm, the whole SVG
    plot_bottom: float
    flags: tuple[Flag, ...]
    first: int  # first and last milestone numbers on the page
    last: int
    continued: bool


@dataclass(frozen=True)
class Wall:
    width: float
    plot_left: float
    plot_right: float
    top: float
    font: float
    months: tuple[Tick, ...]
    years: tuple[Tick, ...]
    grid: tuple[Tick, ...]  # month starts (strong: January)
    off: tuple[tuple[float, float], ...]  # shaded (x, width) of time off
    today_x: float | None
    pages: tuple[WallPage, ...]
    role_key: tuple[tuple[str, str], ...]  # (initials, role title) in a multi-role plan


def initials(titles: list[str]) -> list[str]:
    """Short, distinct tags for role titles: "AI Architect" -> "AA"; a clash gets a
    number ("AA2")."""
    tags: list[str] = []
    for title in titles:
        tag = "".join(w[0] for w in title.split() if w[:1].isalnum()).upper() or "R"
        base, n = tag, 2
        while tag in tags:
            tag, n = f"{base}{n}", n + 1
        tags.append(tag)
    return tags


def clip(text: str, room_mm: float, font: float = FONT) -> str:
    """``text`` cut with an ellipsis to about ``room_mm`` at ``font`` mm."""
    fits = max(int(room_mm / (font * CHAR)), 4)
    return text if len(text) <= fits else text[: fits - 1].rstrip() + "…"


def build_wall(view: PlanView, rows: tuple[Span, ...], paper: str = "A4") -> Wall:
    """The wall view's geometry for ``rows`` on ``paper`` (A4 or Letter, landscape)."""
    s = view.schedule
    width, area_h = AREA.get(paper, AREA["A4"])
    n_weeks = max(len(s.weeks), s.current_week, 1)
    end = s.start + timedelta(days=7 * n_weeks)
    for finish in (s.planned_finish, s.projected_finish):
        end = max(end, finish + timedelta(days=1))
    days = max((end - s.start).days, 7)
    plot_left, plot_right = LABEL, width - 2.0

    def x(day: date) -> float:
        offset = min(max((day - s.start).days, 0), days)
        return round(plot_left + (plot_right - plot_left) * offset / days, 2)

    def week_x(week: int) -> float:
        return x(s.start + timedelta(days=7 * (week - 1)))

    months, years, grid = _axes(s.start, end, x, plot_right - plot_left)
    roles = view.curriculum.roles
    tags = initials([r.title for r in roles]) if len(roles) > 1 else []
    tag_of = dict(zip((r.id for r in roles), tags, strict=False))
    role_key = tuple(zip(tags, (r.title for r in roles), strict=False))

    n_pages = max(-(-len(rows) // MAX_ROWS), 1)
    per_page = max(-(-len(rows) // n_pages), 1)
    pages = []
    for index in range(n_pages):
        chunk = rows[index * per_page : (index + 1) * per_page]
        row_h = round(min(MAX_ROW, (area_h - TOP - BOTTOM) / max(len(chunk), 1)), 2)
        bars = []
        for i, span in enumerate(chunk):
            bx, bend = week_x(span.first_week), week_x(span.last_week + 1)
            bw = max(bend - bx, 0.6)
            fill = (
                bw
                if span.state == DONE
                else round(bw * span.fraction, 2)
                if span.state == STARTED
                else 0.0
            )
            tag = " ".join(tag_of[r] for r in span.roles if r in tag_of)
            room = LABEL - 9.0 - (len(tag) * FONT * CHAR + 2 if tag else 0)
            bars.append(
                Bar(
                    number=span.number,
                    title=clip(" ".join(span.title.split()), room),
                    tags=tag,
                    y=round(TOP + i * row_h, 2),
                    height=row_h,
                    x=bx,
                    width=round(bw, 2),
                    fill=fill,
                    state=span.state,
                    optional=span.optional,
                )
            )
        plot_bottom = round(TOP + len(chunk) * row_h, 2)
        pages.append(
            WallPage(
                bars=tuple(bars),
                height=round(plot_bottom + BOTTOM, 2),
                plot_bottom=plot_bottom,
                flags=_flags(view, x, plot_bottom, plot_left, plot_right),
                first=chunk[0].number if chunk else 0,
                last=chunk[-1].number if chunk else 0,
                continued=index > 0,
            )
        )
    off = tuple(
        (x(t.first), round(max(x(t.last + timedelta(days=1)) - x(t.first), 0.4), 2))
        for t in view.activity.time_off
        if t.last >= s.start and t.first <= end
    )
    today_x = x(view.today) if s.start <= view.today <= end else None
    return Wall(
        width=width,
        plot_left=plot_left,
        plot_right=plot_right,
        top=TOP,
        font=FONT,
        months=months,
        years=years,
        grid=grid,
        off=off,
        today_x=today_x,
        pages=tuple(pages),
        role_key=role_key,
    )


def _axes(
    start: date, end: date, x: Callable[[date], float], plot_w: float
) -> tuple[tuple[Tick, ...], tuple[Tick, ...], tuple[Tick, ...]]:
    """Month labels, year labels and month gridlines. Months are labelled every 1, 2, 3,
    6 or 12 months, the fewest that leave room for a label; a label is then dropped
    where it would still touch the one before (the plan's first, part month or year,
    so that every January carries its own year)."""
    firsts = []
    day = start.replace(day=1)
    while day < end:
        firsts.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    label_w = 3 * FONT * CHAR + 0.8
    right = x(end)
    spacing = plot_w / max(len(firsts), 1)
    step = next((n for n in (1, 2, 3, 6, 12) if spacing * n >= label_w), 12)
    months: list[Tick] = []
    years: list[Tick] = []
    grid = []
    for i, first in enumerate(firsts):
        gx = x(max(first, start))
        grid.append(Tick(gx, "", strong=first.month == 1))
        if (first.month == 1 or i == 0) and gx + YEAR_W <= right:
            if years and gx - years[-1].x < YEAR_W:
                years.pop()  # the part year at the start gives way to the whole one
            years.append(Tick(gx, str(first.year), strong=True))
        if gx + label_w > right + 1:
            continue
        if (first.month - 1) % step == 0 or i == 0:
            if months and gx - months[-1].x < label_w:
                if i == 1 or months[-1].x == x(start):
                    months.pop()  # the part month at the start gives way to a whole one
                else:
                    continue
            months.append(Tick(gx, f"{first:%b}"))
    return tuple(months), tuple(years), tuple(grid)


def _flags(
    view: PlanView, x: Callable[[date], float], plot_bottom: float, left: float, right: float
) -> tuple[Flag, ...]:
    """Today and the planned and projected finish under the bars; one flag when the
    finishes agree, a flag a line lower when it would overlap the one before."""
    s = view.schedule
    wanted = [(view.today, "today")] if s.start <= view.today <= s.planned_finish else []
    wanted.append((s.planned_finish, f"planned finish {s.planned_finish}"))
    if s.projected_finish != s.planned_finish:
        wanted.append((s.projected_finish, f"projected {s.projected_finish}"))
    flags: list[Flag] = []
    right_edge = -1.0
    lowered = False
    for i, (day, label) in enumerate(sorted(wanted)):
        fx = x(day)
        text_w = len(label) * FONT * CHAR
        anchor = (
            "end" if fx + text_w / 2 > right else "start" if fx - text_w / 2 < left else "middle"
        )
        lo = fx - (text_w if anchor == "end" else 0 if anchor == "start" else text_w / 2)
        line = 1 if i and lo < right_edge + 1.5 and not lowered else 0
        lowered = bool(line)
        right_edge = lo + text_w if not line else right_edge
        flags.append(Flag(fx, round(plot_bottom + 3.6 + line * 3.2, 2), label, anchor))
    return tuple(flags)
