"""The printable plan as data: what every output format (txt, md, html, pdf) shows.

``build_report`` is pure: a PlanView (and the project suggestions) in, a Report out.
Templates only lay it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from planner.projects import Suggestion
    from planner.view import PlanView


@dataclass(frozen=True)
class Resource:
    title: str
    url: str
    kind: str


@dataclass(frozen=True)
class Item:
    """One milestone's share of one week."""

    id: str
    title: str
    hours: float  # this week
    total_hours: float
    continued: bool
    continues: bool
    done: bool
    done_on: str | None
    summary: str
    done_when: str
    resources: tuple[Resource, ...]
    roles: tuple[str, ...]
    optional: bool


@dataclass(frozen=True)
class ReportWeek:
    number: int
    start: date
    end: date
    hours: float
    items: tuple[Item, ...]
    past: bool
    current: bool
    month: str  # e.g. "December 2026"
    new_month: bool  # first printed week of its month (print: page break before)


@dataclass(frozen=True)
class Chart:
    """An SVG chart of planned against actual cumulative hours; numbers only."""

    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    planned: str  # polyline points
    actual: str
    projected: str
    today_x: float
    y_max: float
    x_ticks: tuple[tuple[float, str], ...]
    y_ticks: tuple[tuple[float, str], ...]


@dataclass(frozen=True)
class RoleBrief:
    id: str
    title: str
    definition: str
    industries: tuple[str, ...]
    outlook: str
    source: str


@dataclass(frozen=True)
class ProjectBrief:
    rank: int
    title: str
    difficulty: str
    hours: float
    summary: str
    why: str
    missing: str
    deliverables: tuple[str, ...]
    datasets: tuple[Resource, ...]


@dataclass(frozen=True)
class Report:
    name: str
    roles: tuple[RoleBrief, ...]
    today: date
    start: date
    hours_per_week: float
    planned_finish: date
    projected_finish: date
    days_late: int
    percent: float
    hours_done: float
    hours_total: float
    milestones_done: int
    milestones_total: int
    pace: str  # "on track", "behind by 6 h", "ahead by 3 h"
    bar: str  # a text progress bar
    chart: Chart
    weeks: tuple[ReportWeek, ...]
    skipped_known: tuple[tuple[str, str], ...]  # (id, title)
    skipped: tuple[tuple[str, str], ...]
    projects: tuple[ProjectBrief, ...]
    paper: str  # "A4" or "Letter"
    credit: str


def _bar(fraction: float, width: int = 30) -> str:
    full = round(min(max(fraction, 0.0), 1.0) * width)
    return "#" * full + "-" * (width - full)


def build_chart(view: PlanView) -> Chart:
    s = view.schedule
    per_week = view.plan.hours_per_week
    total = s.hours_total
    n_weeks = max(len(s.weeks), -(-int(total * 60) // max(int(per_week * 60), 1)), 1)
    width, height, left, top, right, bottom = 640, 220, 48, 12, 12, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    y_max = max(total, 1.0)

    def x(week: float) -> float:
        return round(left + plot_w * week / n_weeks, 1)

    def y(hours: float) -> float:
        return round(top + plot_h * (1 - min(hours, y_max) / y_max), 1)

    planned = " ".join(f"{x(w)},{y(min(total, per_week * w))}" for w in range(n_weeks + 1))
    done_by_week = [0.0] * (n_weeks + 1)
    left_by_week = [0.0] * (n_weeks + 1)
    for week in s.weeks:
        for slot in week.slots:
            if slot.done:
                done_by_week[week.number] += slot.hours
            else:
                left_by_week[week.number] += slot.hours
    cumulative, actual_points = 0.0, [f"{x(0)},{y(0)}"]
    for w in range(1, min(s.current_week, n_weeks) + 1):
        cumulative += done_by_week[w]
        actual_points.append(f"{x(w)},{y(cumulative)}")
    projected_points = [actual_points[-1]]
    running = cumulative
    for w in range(s.current_week, n_weeks + 1):
        running += left_by_week[w] + (done_by_week[w] if w > s.current_week else 0.0)
        projected_points.append(f"{x(w)},{y(running)}")
    days = (view.today - view.plan.start).days
    today_x = x(min(max(days / 7, 0.0), float(n_weeks)))
    step = max(1, round(n_weeks / 8))
    x_ticks = tuple((x(w), str(w)) for w in range(0, n_weeks + 1, step))
    y_step = max(1.0, round(y_max / 4 / 10) * 10)
    y_ticks = tuple((y(h), f"{h:g}") for h in _frange(0.0, y_max, y_step))
    return Chart(
        width=width,
        height=height,
        left=left,
        top=top,
        plot_width=plot_w,
        plot_height=plot_h,
        planned=planned,
        actual=" ".join(actual_points),
        projected=" ".join(projected_points),
        today_x=today_x,
        y_max=y_max,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
    )


def _frange(start: float, stop: float, step: float) -> list[float]:
    values, value = [], start
    while value <= stop + 1e-9:
        values.append(value)
        value += step
    return values


def build_report(
    view: PlanView,
    suggestions: list[Suggestion],
    *,
    weeks: int | None = None,
    paper: str = "A4",
) -> Report:
    s = view.schedule
    curriculum = view.curriculum
    by_id = curriculum.by_id
    first = s.current_week if weeks is not None else 1
    last = len(s.weeks) if weeks is None else min(len(s.weeks), first + weeks - 1)
    report_weeks: list[ReportWeek] = []
    previous_month = ""
    for number in range(first, last + 1):
        week = s.weeks[number - 1]
        items = []
        for slot in week.slots:
            m = by_id[slot.milestone_id]
            done_on = view.done_on(m.id)
            items.append(
                Item(
                    id=m.id,
                    title=m.title,
                    hours=slot.hours,
                    total_hours=m.hours,
                    continued=slot.continued,
                    continues=slot.continues,
                    done=slot.done,
                    done_on=done_on.isoformat() if slot.done and done_on else None,
                    summary=m.summary,
                    done_when=m.done_when,
                    resources=tuple(Resource(r.title, r.url, r.kind) for r in m.resources),
                    roles=curriculum.serves.get(m.id, ()),
                    optional=m.optional,
                )
            )
        month = f"{week.start:%B %Y}"
        report_weeks.append(
            ReportWeek(
                number=number,
                start=week.start,
                end=week.end,
                hours=sum(i.hours for i in items),
                items=tuple(items),
                past=week.end < view.today,
                current=number == s.current_week,
                month=month,
                new_month=month != previous_month,
            )
        )
        previous_month = month
    roles = tuple(
        RoleBrief(
            id=c.id,
            title=c.title,
            definition=c.profile.definition,
            industries=tuple(c.profile.industries),
            outlook=c.profile.outlook.text,
            source=c.profile.source,
        )
        for c in curriculum.roles
        if c.profile is not None
    )
    projects = tuple(
        ProjectBrief(
            rank=p.rank,
            title=p.title,
            difficulty=p.difficulty,
            hours=p.hours,
            summary=p.summary,
            why=p.why,
            missing=p.missing_line,
            deliverables=tuple(p.deliverables),
            datasets=tuple(Resource(d.name, d.url, "dataset") for d in p.datasets),
        )
        for p in suggestions[:3]
    )
    from planner.view import pace_text

    fraction = s.hours_earned / s.hours_total if s.hours_total else 1.0
    return Report(
        name=view.plan.name,
        roles=roles,
        today=view.today,
        start=view.plan.start,
        hours_per_week=view.plan.hours_per_week,
        planned_finish=s.planned_finish,
        projected_finish=s.projected_finish,
        days_late=(s.projected_finish - s.planned_finish).days,
        percent=round(100 * fraction, 1),
        hours_done=s.hours_earned,
        hours_total=s.hours_total,
        milestones_done=s.milestones_done,
        milestones_total=s.milestones_total,
        pace=pace_text(s),
        bar=_bar(fraction),
        chart=build_chart(view),
        weeks=tuple(report_weeks),
        skipped_known=tuple((mid, by_id[mid].title) for mid in s.skipped_known),
        skipped=tuple((mid, by_id[mid].title) for mid in s.skipped),
        projects=projects,
        paper=paper,
        credit="Role profiles draw on " + "; ".join(dict.fromkeys(r.source for r in roles)) + ".",
    )
