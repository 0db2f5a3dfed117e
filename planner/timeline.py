"""The shape of a plan at a glance: each scheduled milestone once, with the weeks it spans.

``spans`` is pure: a PlanView in, one Span per milestone the schedule places (done ones
in the weeks their work was recorded, the rest where the scheduler put them), numbered in
the order they start, which follows the prerequisites. The printed plan's wall view, its
milestone blocks and week tables, and the text overview all read them. ``text_overview``
draws the spans as a bar chart of characters, months across, for a terminal or a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from planner.view import PlanView

DONE, STARTED, PENDING = "done", "started", "pending"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Span:
    """One milestone on the timeline.

    number: 1-based, in order of ``first_week`` (then curriculum order); first_week and
    last_week: 1-based plan weeks, inclusive; state: done, started (study recorded) or
    pending; hours: the estimate; earned: hours earned (the estimate once done, study
    hours up to the cap while started); roles: ids of the roles it serves.
    """

    number: int
    id: str
    title: str
    first_week: int
    last_week: int
    state: str
    hours: float
    earned: float
    optional: bool
    roles: tuple[str, ...]

    @property
    def fraction(self) -> float:
        """Share of the estimate earned, 0..1."""
        return (
            1.0 if self.state == DONE else min(self.earned / self.hours, 1.0) if self.hours else 0.0
        )


def spans(view: PlanView) -> tuple[Span, ...]:
    """Every milestone the schedule places, in the order it starts (O(slots))."""
    s = view.schedule
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    for week in s.weeks:
        for slot in week.slots:
            first.setdefault(slot.milestone_id, week.number)
            last[slot.milestone_id] = week.number
    order = {m.id: i for i, m in enumerate(view.curriculum.milestones)}
    ids = sorted(first, key=lambda mid: (first[mid], order.get(mid, len(order))))
    by_id = view.curriculum.by_id
    result = []
    for number, mid in enumerate(ids, start=1):
        m = by_id[mid]
        state = view.state_of(mid)
        result.append(
            Span(
                number=number,
                id=mid,
                title=m.title,
                first_week=first[mid],
                last_week=last[mid],
                state=state if state in (DONE, STARTED) else PENDING,
                hours=m.hours,
                earned=view.earned(mid),
                optional=m.optional,
                roles=view.curriculum.serves.get(mid, ()),
            )
        )
    return tuple(result)


def week_start(view: PlanView, week: int) -> date:
    """The first day of 1-based plan week ``week`` (weeks past the schedule continue it)."""
    return view.schedule.start + timedelta(days=7 * (week - 1))


def text_overview(view: PlanView, rows: tuple[Span, ...], width: int) -> list[str]:
    """The plan as a bar chart of characters, at most ``width`` cells a line (width >= 40).

    Months run across: one column stands for ``weeks_per_column`` weeks, chosen so the
    whole plan fits. ``#`` done, ``=`` started, ``-`` planned, ``.`` optional and planned,
    ``|`` this week. A heading, the key (on two lines below 53 cells) and the years and
    months axis come first. Each row is a milestone's number and title, plain text
    cut to fit ``width // 3`` cells (14 to 32) and then ending in ``...`` (ASCII, so
    the columns stay aligned in any encoding), then its bar.
    """
    from planner import cells

    s = view.schedule
    n_weeks = max(len(s.weeks), 1)
    label_w = max(14, min(32, width // 3))
    columns = max(width - label_w - 1, 10)
    per = -(-n_weeks // columns)  # weeks per column, rounded up
    used = -(-n_weeks // per)
    now = 1 <= s.current_week <= n_weeks and s.start <= view.today
    today_col = (s.current_week - 1) // per if now else None

    def col(week: int) -> int:
        return (week - 1) // per

    months, years = [" "] * used, [" "] * used
    month_end = year_end = -1
    marks: list[tuple[int, int]] = []  # (column, year): the first column, each January
    day = s.start.replace(day=1)
    while day <= week_start(view, n_weeks):
        c = col(max((day - s.start).days // 7 + 1, 1))
        label = f"{day:%b}"
        if c > month_end and c + len(label) <= used:
            months[c : c + len(label)] = list(label)
            month_end = c + len(label)
        if day.month == 1 or not marks:
            marks.append((c, day.year))
        day = (day + timedelta(days=32)).replace(day=1)
    if len(marks) > 1 and marks[1][0] <= marks[0][0] + 4:  # a January close by says it
        del marks[0]
    for c, year in marks:
        if c > year_end and c + 4 <= used:
            years[c : c + 4] = list(str(year))
            year_end = c + 4
    lines = [f"Overview (1 column = {per} week{'s' if per > 1 else ''})", ""]
    for part in ("# done", "= started", "- planned", ". optional", "| this week"):
        if lines[-1] and len(lines[-1]) + 2 + len(part) > width:
            lines.append("")
        lines[-1] += f"  {part}" if lines[-1] else part
    lines += [
        " " * (label_w + 1) + "".join(years).rstrip(),
        " " * (label_w + 1) + "".join(months).rstrip(),
    ]
    for span in rows:
        bar = [" "] * used
        mark = "#" if span.state == DONE else "." if span.optional else "-"
        for c in range(col(span.first_week), col(span.last_week) + 1):
            bar[c] = mark
        if span.state == STARTED:
            filled = round(span.fraction * (col(span.last_week) - col(span.first_week) + 1))
            for c in range(col(span.first_week), col(span.first_week) + max(filled, 1)):
                bar[c] = "="
        if today_col is not None and bar[today_col] == " ":
            bar[today_col] = "|"
        title = " ".join(_CONTROL.sub(" ", span.title).split())
        label = cells.clip(f"{span.number:>2} {title}", label_w, "...")
        lines.append(f"{label}{' ' * (label_w - cells.width(label))} {''.join(bar).rstrip()}")
    return lines
