"""The week-by-week grid keeps every text inside its month's column and off the box
drawn round this week, whatever the week numbers (a long plan runs past week 999)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from planner.weekgrid import FONT, Run, week_grid

BOLD_DIGIT = 0.7  # em: DejaVu Sans Bold's digits are 0.696 em wide
STROKE = 0.45  # mm: the inner edge of this week's box (inset 0.2, stroke 0.5)


@dataclass(frozen=True)
class FakeItem:
    number: int
    hours: float
    recorded: bool = False
    done: bool = False


@dataclass(frozen=True)
class FakeWeek:
    number: int
    start: date
    past: bool
    current: bool
    items: tuple[FakeItem, ...] = ()
    recorded_hours: float = 0.0
    time_off: tuple[object, ...] = field(default=())

    @property
    def month(self) -> str:
        return f"{self.start:%B %Y}"


def _left(run: Run) -> float:
    """Where a right-anchored run (a week's number or its hours) begins, at most."""
    em = BOLD_DIGIT if run.kind == "number" else 0.6
    return run.x - len(run.text) * FONT * em


@given(first=st.integers(1, 1500), count=st.integers(1, 30), now=st.integers(0, 29))
def test_numbers_and_hours_stay_inside_the_column_and_this_weeks_box(
    first: int, count: int, now: int
) -> None:
    day = date(2026, 10, 12) + timedelta(weeks=first - 1)
    weeks = [
        FakeWeek(
            number=first + i,
            start=day + timedelta(weeks=i),
            past=i < now,
            current=i == now,
            items=(FakeItem(first % 60 + 1, 3.5), FakeItem(first % 60 + 2, 4.5)),
            recorded_hours=12.5,
        )
        for i in range(count)
    ]
    for row in week_grid(weeks):
        for month in row.months:
            for week in month.weeks:
                inset = STROKE if week.current else 0.0
                number = next(r for r in week.runs if r.kind == "number")
                hours = next(r for r in week.runs if r.kind == "hours")
                assert _left(number) >= month.x + inset, (week.number, number)
                assert hours.x <= month.x + month.width - (inset + 0.3 if inset else 0), hours
