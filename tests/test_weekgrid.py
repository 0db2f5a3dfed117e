"""The week grid of the printed plan: every text inside its month's column, weeks in
order, three months to a row, nothing lost."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from planner.weekgrid import FONT, HOURS_W, MONTH_W, WIDTH, Run, week_grid

BOLD = 0.62  # ems a bold digit takes, at most (DejaVu Sans Bold)
WIDE = 0.6  # ems of the widest ordinary text the grid writes


@dataclass(frozen=True)
class Item:
    number: int
    hours: float
    recorded: bool = False
    done: bool = False


@dataclass(frozen=True)
class Off:
    text: str


@dataclass(frozen=True)
class Week:
    number: int
    start: date
    month: str
    past: bool
    current: bool
    recorded_hours: float
    items: tuple[Item, ...] = ()
    time_off: tuple[Off, ...] = field(default_factory=tuple)


items = st.builds(
    Item,
    number=st.integers(1, 120),
    hours=st.floats(0.1, 80, allow_nan=False),
    recorded=st.booleans(),
    done=st.booleans(),
)
offs = st.sampled_from(["Time off: no study", "Away 3 days", "Time off on 2 days: 4 h/week"])


@st.composite
def plans(draw: st.DrawFn) -> list[Week]:
    start = draw(st.dates(date(2024, 1, 1), date(2030, 12, 31)))
    count = draw(st.integers(1, 260))
    current = draw(st.integers(0, count))
    weeks = []
    for n in range(1, count + 1):
        day = start + timedelta(days=7 * (n - 1))
        weeks.append(
            Week(
                number=n,
                start=day,
                month=f"{day:%B %Y}",
                past=n < current,
                current=n == current,
                recorded_hours=draw(st.floats(0, 60, allow_nan=False)),
                items=tuple(draw(st.lists(items, max_size=4))),
                time_off=tuple(Off(t) for t in draw(st.lists(offs, max_size=1))),
            )
        )
    return weeks


@settings(max_examples=60, deadline=None)
@given(weeks=plans())
def test_every_text_stays_in_its_month_column_and_no_week_is_lost(weeks: list[Week]) -> None:
    rows = week_grid(weeks)
    drawn = [w.number for row in rows for m in row.months for w in m.weeks]
    assert drawn == [w.number for w in weeks]
    months = [m.caption for row in rows for m in row.months]
    assert months == list(dict.fromkeys(w.month for w in weeks))
    for row in rows:
        assert 1 <= len(row.months) <= 3
        for month in row.months:
            left, right = month.x, month.x + MONTH_W
            assert right <= WIDTH + 0.01
            for week in month.weeks:
                assert week.y + week.height <= row.height
                for run in week.runs:
                    if run.kind == "number":
                        assert run.x - len(run.text) * FONT * BOLD >= left, run
                    elif run.kind == "hours":
                        assert run.x <= right and run.x - len(run.text) * FONT * WIDE > left
                    elif run.kind != "day":
                        end = run.x + len(run.text) * FONT * WIDE
                        # a single word wider than the room stays whole (none is, here)
                        assert end <= right - HOURS_W + 0.01, run
                    assert week.y < run.y <= week.y + week.height, run


def test_a_week_shows_its_items_and_room_to_write() -> None:
    monday = date(2026, 11, 30)
    weeks = [
        Week(1, monday, "November 2026", True, False, 6.0, (Item(1, 6.0, True, True),)),
        Week(2, monday + timedelta(days=7), "December 2026", False, True, 0.0, (Item(2, 8.0),)),
        Week(3, monday + timedelta(days=14), "December 2026", False, False, 0.0),
    ]
    (row,) = week_grid(weeks)
    texts = {w.number: [r.text for r in w.runs] for m in row.months for w in m.weeks}
    assert texts[1] == ["1", "30 Nov", "6 h", "\u27131 6 h"]
    assert texts[2] == ["2", "7 Dec", "___ h", "\u26102 8 h", "this week"]
    assert texts[3] == ["3", "14 Dec", "___ h", "none planned"]


# --------------------------------------------------------------------------- long plans

BOLD_DIGIT = 0.7  # em: DejaVu Sans Bold's digits are 0.696 em wide
STROKE = 0.45  # mm: the inner edge of this week's box (inset 0.2, stroke 0.5)


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
        Week(
            number=first + i,
            start=day + timedelta(weeks=i),
            month=f"{day + timedelta(weeks=i):%B %Y}",
            past=i < now,
            current=i == now,
            recorded_hours=12.5,
            items=(Item(first % 60 + 1, 3.5), Item(first % 60 + 2, 4.5)),
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
