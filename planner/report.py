"""The printable plan as data: what every output format (txt, md, html, pdf) shows.

``build_report`` is pure: a PlanView (and the project suggestions) in, a Report out.
Templates only lay it out.

Past weeks list the work recorded in them (study entries, and completions with the hours
they really took); the current week and later ones list the planned work, as the
scheduler laid it out from today around time off. Weeks with time off say so. The chart
plots earned value: the planned line is ``Schedule.planned_at`` each week (flat through
time off, bent by a re-plan), the actual line the earned value at each past week's end
and today, the projected line from today's earned value to the projected finish.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from planner.chart import Chart, build_chart
from planner.outline import MilestoneBlock, NoteLine, Resource, milestone_blocks, short_url
from planner.timeline import spans, text_overview
from planner.wall import Wall, build_wall
from planner.weekgrid import GridRow, week_grid
from planner.weektext import (
    TimeOffLine,
    hours_spent,
    hours_text,
    item_meta,
    time_off_lines,
    week_hours,
)

if TYPE_CHECKING:
    from planner.projects import Suggestion
    from planner.view import PlanView


@dataclass(frozen=True)
class DatasetLink:
    title: str
    url: str
    licence: str | None = None


@dataclass(frozen=True)
class Item:
    """One milestone's share of one week: work recorded that week (``recorded``) or
    planned for it."""

    id: str
    title: str
    hours: float  # this week: really spent if recorded, else planned
    total_hours: float  # the estimate
    continued: bool
    continues: bool
    done: bool  # finished this week (recorded)
    done_on: str | None
    summary: str
    done_when: str
    resources: tuple[Resource, ...]
    roles: tuple[str, ...]
    optional: bool
    recorded: bool = False
    spent: float | None = None  # done: hours it really took, when known
    details: bool = True  # print why, done-when and resources (first planned appearance)
    meta: str = ""  # "8 h of 28 h, continues", "studied 4 h", "done ..., took 26 h of 24 h ..."
    effort: str | None = None  # where the hours estimate comes from
    min_weeks: int = 1  # calendar weeks the work is spread over, at least
    compute: str | None = None  # hardware beyond a laptop, and how to get it
    number: int = 0  # the milestone's number in the printed plan (its wall-view row)
    role_titles: tuple[str, ...] = ()  # the roles it serves, in a multi-role plan only
    notes: tuple[NoteLine, ...] = ()  # the learner's notes, on the one item that shows them


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
    recorded_hours: float = 0.0
    planned_hours: float = 0.0
    capacity: float = 0.0  # hours the plan gives the week, after time off
    time_off: tuple[TimeOffLine, ...] = ()
    hours_text: str = ""  # "8 h", "3 h done, 5 h planned"

    @property
    def off(self) -> bool:
        """The week has time off."""
        return bool(self.time_off)


@dataclass(frozen=True)
class RoleBrief:
    id: str
    title: str
    definition: str
    industries: tuple[str, ...]
    outlook: str
    source: str
    prepares_for: str | None = None  # the profile's level, when it gives one
    path: tuple[str, ...] = ()  # career steps to the title, first to last
    level_note: str | None = None


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
    datasets: tuple[DatasetLink, ...]
    compute: str | None = None


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
    milestones: tuple[MilestoneBlock, ...] = ()  # each scheduled milestone once, numbered
    wall: Wall | None = None  # the one-page timeline (HTML and PDF)
    overview: tuple[str, ...] = ()  # the timeline as text lines (txt), `width` cells
    overview_md: tuple[str, ...] = ()  # the same at 80 cells (md: a file's width)
    current_week: int = 0  # 1-based, 0 when today is outside the plan
    grid: tuple[GridRow, ...] = ()  # the weeks drawn three months to a row (HTML and PDF)
    away: tuple[TimeOffLine, ...] = ()  # each time off: "2026-12-21 to 2027-01-03: no study"

    @property
    def multi_role(self) -> bool:
        return len(self.roles) > 1

    @property
    def overview_fence(self) -> str:
        """A Markdown code fence for ``overview_md``: more backticks than any run of
        them in its lines (titles are user text), and at least three."""
        runs = [len(run) for line in self.overview_md for run in re.findall("`+", line)]
        return "`" * max([3, *(n + 1 for n in runs)])


def _bar(fraction: float, width: int = 30) -> str:
    full = round(min(max(fraction, 0.0), 1.0) * width)
    return "#" * full + "-" * (width - full)


def build_report(
    view: PlanView,
    suggestions: list[Suggestion],
    *,
    weeks: int | None = None,
    paper: str = "A4",
    width: int = 80,
) -> Report:
    """The printable plan. weeks: only that many weeks from the current one (None: all);
    paper: "A4" or "Letter"; width: cells of the text overview (>= 40; the Markdown
    one, ``overview_md``, is 80)."""
    s = view.schedule
    rows = spans(view)
    numbers = {r.id: r.number for r in rows}
    multi = len(view.curriculum.roles) > 1
    role_titles = {r.id: r.title for r in view.curriculum.roles}
    curriculum = view.curriculum
    by_id = curriculum.by_id
    this_week = s.current_week if s.start <= view.today else 0  # none before the start
    first = s.current_week if weeks is not None else 1
    last = len(s.weeks) if weeks is None else min(len(s.weeks), first + weeks - 1)
    report_weeks: list[ReportWeek] = []
    previous_month = ""
    explained: set[str] = set()  # milestones whose details are printed already
    blocks = milestone_blocks(view, rows)
    notes = {b.id: b.notes for b in blocks if b.notes}
    # Each milestone's notes print once: where its details do (its first planned work
    # shown), else under its last work shown.
    shown: dict[str, tuple[int, int]] = {}  # milestone: (week, slot)
    described: dict[str, tuple[int, int]] = {}
    for number in range(first, last + 1):
        for index, slot in enumerate(s.weeks[number - 1].slots):
            shown[slot.milestone_id] = (number, index)
            if not slot.recorded:
                described.setdefault(slot.milestone_id, (number, index))
    shown.update(described)
    for number in range(first, last + 1):
        week = s.weeks[number - 1]
        items = []
        for index, slot in enumerate(week.slots):
            m = by_id[slot.milestone_id]
            done_on = view.done_on(m.id) if slot.done else None
            spent = hours_spent(view, m.id) if slot.done else None
            details = not slot.recorded and m.id not in explained
            if details:
                explained.add(m.id)
            items.append(
                Item(
                    id=m.id,
                    title=m.title,
                    hours=slot.hours,
                    total_hours=m.hours,
                    continued=slot.continued,
                    continues=slot.continues,
                    done=slot.done,
                    done_on=done_on.isoformat() if done_on else None,
                    summary=m.summary,
                    done_when=m.done_when,
                    resources=tuple(
                        Resource(r.title, r.url, r.kind, short_url(r.url)) for r in m.resources
                    ),
                    roles=curriculum.serves.get(m.id, ()),
                    optional=m.optional,
                    recorded=slot.recorded,
                    spent=spent,
                    details=details,
                    meta=item_meta(slot, m.hours, done_on, spent, optional=m.optional),
                    effort=m.effort,
                    min_weeks=m.min_weeks,
                    compute=m.compute,
                    number=numbers.get(m.id, 0),
                    role_titles=tuple(
                        role_titles[r] for r in curriculum.serves.get(m.id, ()) if r in role_titles
                    )
                    if multi
                    else (),
                    notes=notes.get(m.id, ()) if shown[m.id] == (number, index) else (),
                )
            )
        month = f"{week.start:%B %Y}"
        recorded = sum(i.hours for i in items if i.recorded)
        planned = sum(i.hours for i in items if not i.recorded)
        report_weeks.append(
            ReportWeek(
                number=number,
                start=week.start,
                end=week.end,
                hours=sum(i.hours for i in items),
                items=tuple(items),
                past=week.end < view.today,
                current=number == this_week,
                month=month,
                new_month=month != previous_month,
                recorded_hours=recorded,
                planned_hours=planned,
                capacity=week.capacity,
                time_off=time_off_lines(week, view.activity.time_off),
                hours_text=week_hours(recorded, planned),
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
            prepares_for=level.prepares_for if level else None,
            path=tuple(level.path) if level else (),
            level_note=level.note if level else None,
        )
        for c in curriculum.roles
        if c.profile is not None
        for level in (c.profile.level,)
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
            datasets=tuple(DatasetLink(d.name, d.url, d.licence) for d in p.datasets),
            compute=p.compute,
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
        milestones=tuple(b for b in blocks if b.last_week >= first and b.first_week <= last),
        wall=build_wall(view, rows, paper),
        overview=tuple(text_overview(view, rows, max(width, 40))),
        overview_md=tuple(text_overview(view, rows, 80)),
        current_week=this_week if this_week <= len(s.weeks) else 0,
        grid=week_grid(report_weeks),
        away=tuple(
            TimeOffLine(
                f"{t.first} to {t.last}: "
                + (
                    "no study" if not t.hours_per_week else f"{hours_text(t.hours_per_week)} h/week"
                ),
                " ".join((t.note or "").split()) or None,
            )
            for t in view.activity.time_off
        ),
    )
