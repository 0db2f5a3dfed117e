"""The scheduler: hand-written tables first, then hypothesis properties on random DAGs.

Expected values are worked out from the rules in ``planner.scheduler``'s docstring. At
8 h/week a normal day holds 8/7 h (480 units of a seventh of a minute; an hour is 420
units), so N hours of work from a day on end on day ceil(N * 7 / 8) - 1 after it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.scheduler import (
    EARNED_CAP,
    Capacity,
    Learner,
    Progress,
    Schedule,
    ScheduleError,
    Slot,
    Task,
    Week,
    build_schedule,
)

START = date(2026, 1, 5)
UNITS_PER_HOUR = 420  # capacity units (a seventh of a minute) in an hour
ONE_DAY = timedelta(days=1)


def day(offset: int) -> date:
    """The day ``offset`` days after START (week 1 is days 0..6, week 2 days 7..13, ...)."""
    return START + timedelta(days=offset)


def week_end(number: int) -> date:
    return day(7 * number - 1)


def T(milestone_id: str, hours: float, *requires: str, skills: tuple[str, ...] = ()) -> Task:
    return Task(milestone_id, hours, tuple(requires), skills)


def describe(slot: Slot) -> str:
    """A slot as text: "a:8" whole, "..a:8" continued, "a:8.." continues; then " done"
    for a recorded slot in which the milestone was finished, " recorded" for other
    recorded (studied) time."""
    text = f"{'..' if slot.continued else ''}{slot.milestone_id}:{slot.hours:g}"
    text += ".." if slot.continues else ""
    if slot.done:
        text += " done"
    elif slot.recorded:
        text += " recorded"
    return text


def layout(schedule: Schedule) -> list[list[str]]:
    """Weeks as compact text (see ``describe``)."""
    return [[describe(s) for s in week.slots] for week in schedule.weeks]


def minutes(hours: float) -> int:
    return round(hours * 60)


def units(hours: float) -> int:
    return round(hours * UNITS_PER_HOUR)


# --------------------------------------------------------------------------- tables


@dataclass
class Case:
    tasks: list[Task]
    weeks: list[list[str]]
    hours_per_week: float = 8
    known: frozenset[str] = frozenset()
    done: dict[str, date] = field(default_factory=dict)
    skipped: frozenset[str] = frozenset()
    studied: tuple[tuple[str, date, float], ...] = ()
    spent: dict[str, float] = field(default_factory=dict)
    time_off: tuple[tuple[date, date, float], ...] = ()
    replanned: tuple[date, float] | None = None
    today: date = START
    expect: dict[str, Any] = field(default_factory=dict)
    # (capacity hours, away days) of each week, when the case checks them
    capacities: list[tuple[float, int]] | None = None


CASES = {
    "linear chain, listed backwards": Case(
        tasks=[T("c", 4, "b"), T("b", 4, "a"), T("a", 4)],
        weeks=[["a:4", "b:4"], ["c:4"]],
        # 12 h = 10.5 days of 8/7 h: the last unit falls on day 10
        expect={"order": ("a", "b", "c"), "planned_finish": day(10), "projected_finish": day(10)},
    ),
    "diamond: prerequisites first, the two middles in curriculum order": Case(
        tasks=[T("d", 2, "b", "c"), T("c", 2, "a"), T("b", 2, "a"), T("a", 2)],
        weeks=[["a:2", "c:2", "b:2", "d:2"]],
        expect={"order": ("a", "c", "b", "d"), "planned_finish": day(6)},
    ),
    "ties keep curriculum order": Case(
        tasks=[T("zeta", 3), T("alpha", 3), T("mu", 3)],
        weeks=[["zeta:3", "alpha:3", "mu:2.."], ["..mu:1"]],
        expect={"order": ("zeta", "alpha", "mu"), "planned_finish": day(7)},
    ),
    "a dependent waits only for its own prerequisite": Case(
        tasks=[T("a", 1), T("b", 1, "c"), T("c", 1), T("d", 1)],
        weeks=[["a:1", "c:1", "b:1", "d:1"]],
    ),
    "20 hours at 8 h/week spans three weeks": Case(
        tasks=[T("big", 20), T("next", 2, "big")],
        weeks=[["big:8.."], ["..big:8.."], ["..big:4", "next:2"]],
        # 22 h = 19.25 days
        expect={"planned_finish": day(19), "projected_finish": day(19), "pace": "on track"},
    ),
    "a milestone that exactly fills a week does not continue": Case(
        tasks=[T("a", 8), T("b", 8)],
        weeks=[["a:8"], ["b:8"]],
        expect={"planned_finish": week_end(2)},
    ),
    "known skills: skipped only when every skill is known": Case(
        tasks=[
            T("py", 4, skills=("python",)),
            T("both", 4, "py", skills=("python", "sql")),
            T("none", 4),
            T("known-but-done", 4, skills=("python",)),
        ],
        known=frozenset({"python"}),
        done={"known-but-done": day(1)},
        today=day(2),
        # From day 2 week 1 has 5 days (40/7 h) left: both 4 h, then 12/7 h of none.
        weeks=[["known-but-done:4 done", "both:4", "none:1.71429.."], ["..none:2.28571"]],
        expect={
            "skipped_known": ("py",),
            "skipped": (),
            "order": ("both", "none"),
            "hours_total": 12,
            "milestones_total": 3,
            "milestones_done": 1,
            "planned_finish": day(10),
            # planned 2 days = 16/7 h, earned 4 h: 12/7 h ahead, more than a day's 8/7 h
            "hours_planned_to_date": pytest.approx(16 / 7),
            "hours_earned": 4,
            "hours_behind": pytest.approx(16 / 7 - 4),
            "pace": "ahead",
            "projected_finish": day(8),  # 8 h left from day 2: 7 days
        },
    ),
    "learner skip: the dependent is still scheduled": Case(
        tasks=[T("a", 4), T("b", 4, "a"), T("c", 4, "b")],
        skipped=frozenset({"a", "not-a-milestone"}),
        weeks=[["b:4", "c:4"]],
        expect={"skipped": ("a",), "order": ("b", "c"), "hours_total": 8, "planned_finish": day(6)},
    ),
    "known wins over a learner skip; done wins over both": Case(
        tasks=[T("a", 4, skills=("x",)), T("b", 4, skills=("x",))],
        known=frozenset({"x"}),
        skipped=frozenset({"a", "b"}),
        done={"b": day(0)},
        weeks=[["b:4 done"]],
        expect={
            "skipped_known": ("a",),
            "skipped": (),
            "order": (),
            "pace": "finished",
            "planned_finish": day(3),
            "projected_finish": day(0),
            "hours_behind": -4,
        },
    ),
    "behind: nothing done by week 4 pushes the finish 24 days out": Case(
        tasks=[T("a", 8), T("b", 8, "a"), T("c", 8, "b"), T("d", 8, "c")],
        today=day(24),  # week 4, 3 days elapsed: 4 days (32/7 h) left in it
        weeks=[
            [],
            [],
            [],
            ["a:4.57143.."],
            ["..a:3.42857", "b:4.57143.."],
            ["..b:3.42857", "c:4.57143.."],
            ["..c:3.42857", "d:4.57143.."],
            ["..d:3.42857"],
        ],
        expect={
            "current_week": 4,
            "planned_finish": week_end(4),  # 32 h = 28 days
            "projected_finish": day(51),  # 32 h from day 24
            "hours_planned_to_date": pytest.approx(24 + 8 * 3 / 7),
            "hours_behind": pytest.approx(24 + 8 * 3 / 7),
            "hours_done": 0,
            "hours_earned": 0,
            "pace": "behind",
        },
    ),
    "ahead: two weeks of work done in week 1 brings the finish closer": Case(
        tasks=[T("a", 8), T("b", 8), T("c", 8), T("d", 8)],
        done={"b": day(1), "a": day(2)},
        today=day(3),
        weeks=[
            ["b:8 done", "a:8 done", "c:4.57143.."],
            ["..c:3.42857", "d:4.57143.."],
            ["..d:3.42857"],
        ],
        expect={
            "planned_finish": week_end(4),
            "projected_finish": day(16),  # 16 h from day 3: 14 days
            "hours_done": 16,
            "hours_earned": 16,
            "hours_planned_to_date": pytest.approx(8 * 3 / 7),
            "hours_behind": pytest.approx(8 * 3 / 7 - 16),
            "milestones_done": 2,
            "pace": "ahead",
        },
    ),
    "done work stays in past weeks; the current week holds only its days left": Case(
        tasks=[T("a", 3), T("b", 3), T("c", 3), T("d", 3), T("e", 4)],
        done={"c": day(16), "a": day(-5), "b": day(9)},
        today=day(17),  # week 3 (days 14..20): 4 days, 32/7 h, left
        weeks=[
            ["a:3 done"],
            ["b:3 done"],
            ["c:3 done", "d:3", "e:1.57143.."],
            ["..e:2.42857"],
        ],
        expect={
            "current_week": 3,
            "order": ("d", "e"),
            "planned_finish": day(13),  # 16 h = 14 days
            "hours_planned_to_date": 16,  # 17 days of 8/7 h, capped at the total
            "hours_behind": 7,
            "pace": "behind",
            "projected_finish": day(23),  # 7 h from day 17: 6.125 days
        },
    ),
    "same done day: curriculum order": Case(
        tasks=[T("a", 1), T("b", 1), T("c", 1)],
        done={"c": day(1), "b": day(0), "a": day(1)},
        today=day(1),
        weeks=[["b:1 done", "a:1 done", "c:1 done"]],
        expect={
            "order": (),
            "pace": "finished",
            "planned_finish": day(2),
            "projected_finish": day(1),
            "hours_behind": pytest.approx(8 / 7 - 3),
        },
    ),
    "done after today counts as done today": Case(
        tasks=[T("a", 2), T("b", 2)],
        done={"a": day(40)},
        today=day(8),
        weeks=[[], ["a:2 done", "b:2"]],
        expect={
            "current_week": 2,
            "planned_finish": day(3),
            "hours_planned_to_date": 4,
            "hours_behind": 2,
            "pace": "behind",
            "projected_finish": day(9),  # 2 h from day 8: 1.75 days
            "hours_done": 2,
        },
    ),
    "everything done: projected finish is the last done day": Case(
        tasks=[T("a", 2), T("b", 2)],
        done={"a": day(3), "b": day(12)},
        today=day(30),
        weeks=[["a:2 done"], ["b:2 done"]],
        expect={
            "projected_finish": day(12),
            "planned_finish": day(3),
            "hours_planned_to_date": 4,
            "hours_behind": 0,
            "pace": "finished",
        },
    ),
    "today before the start": Case(
        tasks=[T("a", 10)],
        today=day(-10),
        weeks=[["a:8.."], ["..a:2"]],
        expect={
            "current_week": 1,
            "hours_planned_to_date": 0,
            "planned_finish": day(8),  # 10 h = 8.75 days
            "projected_finish": day(8),
            "pace": "on track",
        },
    ),
    "today before the start, ahead: the projection still runs from the start": Case(
        tasks=[T("a", 4), T("b", 20)],
        done={"a": day(-5)},  # after today: counts as done today, in week 1
        today=day(-10),
        weeks=[["a:4 done", "b:8.."], ["..b:8.."], ["..b:4"]],
        expect={
            "hours_planned_to_date": 0,
            "hours_behind": -4,
            "pace": "ahead",
            "planned_finish": day(20),  # 24 h = 21 days
            "projected_finish": day(17),  # 20 h from the start: 17.5 days
        },
    ),
    "today after the baseline's end": Case(
        tasks=[T("a", 10)],
        today=day(100),  # week 15 (days 98..104): 5 days, 40/7 h, left
        weeks=[*[[]] * 14, ["a:5.71429.."], ["..a:4.28571"]],
        expect={
            "hours_planned_to_date": 10,
            "hours_behind": 10,
            "planned_finish": day(8),
            "projected_finish": day(108),
            "pace": "behind",
        },
    ),
    "unknown prerequisites are ignored": Case(
        tasks=[T("a", 1, "ghost"), T("b", 1, "a", "a")],
        weeks=[["a:1", "b:1"]],
    ),
    "fractional hours are whole minutes": Case(
        tasks=[T("a", 1 / 3), T("b", 2.5)],
        hours_per_week=1.5,
        weeks=[["a:0.333333", "b:1.16667.."], ["..b:1.33333"]],
        # 170 minutes at 90/7 minutes a day: 13.2 days
        expect={"hours_total": pytest.approx(17 / 6), "planned_finish": week_end(2)},
    ),
    "empty curriculum": Case(
        tasks=[],
        today=day(10),
        weeks=[],
        expect={
            "order": (),
            "current_week": 2,
            "hours_total": 0,
            "hours_behind": 0,
            "milestones_total": 0,
            "planned_finish": START,
            "projected_finish": START,
            "pace": "finished",
        },
    ),
    "everything known": Case(
        tasks=[T("a", 4, skills=("x",)), T("b", 4, "a", skills=("x", "y"))],
        known=frozenset({"x", "y", "z"}),
        weeks=[],
        expect={
            "skipped_known": ("a", "b"),
            "order": (),
            "hours_total": 0,
            "milestones_total": 0,
            "planned_finish": START,
            "projected_finish": START,
        },
    ),
    "study in past weeks stays there; the rest is planned from today": Case(
        tasks=[T("a", 10), T("b", 4)],
        studied=(("a", day(2), 3), ("a", day(9), 2)),
        today=day(14),
        weeks=[["a:3 recorded"], ["a:2 recorded"], ["..a:5", "b:3.."], ["..b:1"]],
        expect={
            "hours_studied": {"a": 5},
            "hours_earned": 5,
            "hours_done": 0,
            "hours_planned_to_date": 14,  # 16 h of days, capped at the total
            "hours_behind": 9,
            "pace": "behind",
            "planned_finish": day(12),  # 14 h = 12.25 days
            "projected_finish": day(21),  # 9 h from day 14: 7.875 days
        },
    ),
    "study past 90% earns 90% until done": Case(
        tasks=[T("a", 10)],
        studied=(("a", day(1), 12),),
        today=day(3),
        weeks=[["a:12 recorded", "..a:1"]],
        expect={
            "hours_studied": {"a": 12},
            "hours_earned": 9,
            "hours_planned_to_date": pytest.approx(24 / 7),
            "hours_behind": pytest.approx(24 / 7 - 9),
            "pace": "ahead",
            "planned_finish": day(8),
            "projected_finish": day(3),  # the 1 h left fits in day 3's 8/7 h
        },
    ),
    "done --hours: the time beyond the study is recorded in the done week": Case(
        tasks=[T("a", 10), T("b", 2)],
        studied=(("a", day(1), 4),),
        done={"a": day(8)},
        spent={"a": 7},
        today=day(9),
        weeks=[["a:4 recorded"], ["a:3 done", "b:2"]],
        expect={
            "hours_spent": {"a": 7},
            "hours_studied": {"a": 4},
            "hours_earned": 10,
            "hours_done": 10,
            # 9 days = 72/7 h planned, 10 earned: 2/7 h behind, within a day's 8/7 h
            "hours_planned_to_date": pytest.approx(72 / 7),
            "hours_behind": pytest.approx(2 / 7),
            "pace": "on track",
            "planned_finish": day(10),
            "projected_finish": day(10),
            "streak": 0,
        },
    ),
    "done without --hours took the study time, else the estimate": Case(
        tasks=[T("a", 4), T("b", 3), T("c", 5)],
        studied=(("a", day(0), 6), ("c", day(1), 2)),
        done={"a": day(2), "b": day(3), "c": day(4)},
        spent={"c": 1},  # less than studied: the recorded study stands
        today=day(5),
        weeks=[["a:6 done", "c:2 done", "b:3 done"]],
        expect={
            "hours_spent": {"a": 6, "b": 3, "c": 2},
            "hours_studied": {"a": 6, "c": 2},
            "hours_earned": 12,
            "pace": "finished",
            "projected_finish": day(4),
        },
    ),
    "a week of time off pushes the plan back a week": Case(
        tasks=[T("a", 16)],
        time_off=((day(7), day(13), 0),),
        weeks=[["a:8.."], [], ["..a:8"]],
        capacities=[(8, 0), (0, 7), (8, 0)],
        expect={"planned_finish": week_end(3), "projected_finish": week_end(3)},
    ),
    "reduced hours during time off": Case(
        tasks=[T("a", 10)],
        time_off=((day(3), day(9), 4),),  # 4 h/week: 4/7 h a day
        # week 1: 3 normal + 4 reduced days = 40/7 h; week 2: 3 reduced + 4 normal = 44/7 h
        weeks=[["a:5.71429.."], ["..a:4.28571"]],
        capacities=[(40 / 7, 4), (44 / 7, 3)],
        # days 0..9 hold 24/7 + 28/7 = 52/7 h; the 18/7 h left take 2.25 days
        expect={"planned_finish": day(12)},
    ),
    "time off in the past lowers the planned value to date": Case(
        tasks=[T("a", 16)],
        time_off=((day(0), day(6), 0),),
        today=day(7),
        weeks=[[], ["a:8.."], ["..a:8"]],
        capacities=[(0, 7), (8, 0), (8, 0)],
        expect={
            "hours_planned_to_date": 0,
            "hours_behind": 0,
            "pace": "on track",
            "planned_finish": day(20),
            "projected_finish": day(20),
        },
    ),
    "time off neither counts nor breaks the streak": Case(
        tasks=[T("a", 40)],
        studied=(("a", day(1), 8), ("a", day(8), 4), ("a", day(15), 9), ("a", day(22), 8)),
        time_off=((day(28), day(34), 0),),
        today=day(37),  # week 6 (days 35..41): 5 days left
        weeks=[
            ["a:8 recorded"],
            ["a:4 recorded"],
            ["a:9 recorded"],
            ["a:8 recorded"],
            [],
            ["..a:5.71429.."],
            ["..a:5.28571"],
        ],
        capacities=[(8, 0), (8, 0), (8, 0), (8, 0), (0, 7), (8, 0), (8, 0)],
        expect={
            "streak": 2,  # weeks 4 and 3; week 5 is time off, week 6 is not over
            "earned_by_week": (8, 12, 21, 29, 29, 29),
            "hours_earned": 29,
            "hours_planned_to_date": pytest.approx(240 / 7),  # 30 working days
            "hours_behind": pytest.approx(240 / 7 - 29),
            "pace": "behind",
            "planned_finish": day(41),
            "projected_finish": day(46),  # 11 h from day 37: 9.625 days
        },
    ),
    "a re-plan measures planned value from its day and hours": Case(
        tasks=[T("a", 8), T("b", 8), T("c", 8)],
        done={"a": day(10)},
        replanned=(day(14), 4.0),
        today=day(21),
        weeks=[[], ["a:8 done"], [], ["b:8"], ["c:8"]],
        expect={
            "baseline": (day(14), 4.0),
            "hours_planned_to_date": 12,  # 4 + 7 days of 8/7 h
            "hours_earned": 8,
            "hours_behind": 4,
            "pace": "behind",
            "planned_finish": day(31),  # 20 h from day 14: 17.5 days
            "projected_finish": day(34),  # 16 h from day 21: 14 days
        },
    ),
    "a re-plan on or before the start is the start": Case(
        tasks=[T("a", 8)],
        replanned=(day(-3), 5.0),
        today=day(7),
        weeks=[[], ["a:8"]],
        expect={
            "baseline": (START, 0.0),
            "hours_planned_to_date": 8,
            "planned_finish": day(6),
            "projected_finish": day(13),
        },
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_table(case: Case) -> None:
    schedule = build_schedule(
        case.tasks,
        Learner(case.hours_per_week, START, case.known, case.time_off, case.replanned),
        Progress(case.done, case.skipped, case.studied, case.spent),
        case.today,
    )
    assert layout(schedule) == case.weeks
    for name, expected in case.expect.items():
        assert getattr(schedule, name) == expected, name
    for number, week in enumerate(schedule.weeks, 1):
        assert (week.number, week.start, week.end) == (
            number,
            day(7 * number - 7),
            week_end(number),
        )
        assert all(slot.recorded for slot in week.slots if slot.done)
    if case.capacities is not None:
        assert [w.away_days for w in schedule.weeks] == [away for _, away in case.capacities]
        assert [w.capacity for w in schedule.weeks] == pytest.approx(
            [hours for hours, _ in case.capacities]
        )


def test_a_hand_computed_plan() -> None:
    """Start Monday 2026-10-19 at 8 h/week; today, Monday 2026-11-30, is day 42 (week 7).

    Planned to date: 6 weeks of 8 h = 48 h. Earned: python 24 + sql 16 (their estimates,
    whatever they took) + dsa's 10 h of study (under its cap of 25.2 h) = 50 h: 2 h ahead,
    more than a day's 8/7 h. Planned finish: 68 h = 59.5 days, so day 59, 2026-12-17.
    Projected: the 18 h left from today take 15.75 days, so 2026-12-15."""
    start = date(2026, 10, 19)
    tasks = [
        T("python-programming", 24),
        T("sql-data", 16, "python-programming"),
        T("dsa", 28, "sql-data"),
    ]
    progress = Progress(
        done={"python-programming": date(2026, 11, 6), "sql-data": date(2026, 11, 20)},
        studied=(("dsa", date(2026, 11, 27), 10),),
        spent={"python-programming": 26, "sql-data": 18},
    )
    schedule = build_schedule(tasks, Learner(8, start), progress, date(2026, 11, 30))
    assert schedule.hours_planned_to_date == 48
    assert schedule.hours_earned == 50
    assert schedule.hours_behind == -2
    assert schedule.pace == "ahead"
    assert schedule.tolerance == pytest.approx(8 / 7)
    assert schedule.current_week == 7
    assert schedule.planned_finish == date(2026, 12, 17)
    assert schedule.projected_finish == date(2026, 12, 15)
    assert schedule.hours_spent == {"python-programming": 26, "sql-data": 18}
    assert schedule.hours_studied == {"dsa": 10}
    assert layout(schedule) == [
        [],
        [],
        ["python-programming:26 done"],  # week 3: Nov 2..8
        [],
        ["sql-data:18 done"],  # week 5: Nov 16..22
        ["dsa:10 recorded"],  # week 6: Nov 23..29
        ["..dsa:8.."],
        ["..dsa:8.."],
        ["..dsa:2"],  # week 9: Dec 14..20
    ]
    # Weeks 5 and 6 met their 8 h; week 4 did not; week 7 has only begun.
    assert schedule.streak == 2
    assert schedule.earned_by_week == (0, 0, 24, 24, 40, 50, 50)
    assert schedule.finish_after(18) == date(2026, 12, 15)
    assert schedule.planned_at(date(2026, 11, 30)) == 48
    assert schedule.planned_at(date(2026, 12, 17)) == pytest.approx(68 - 4 / 7)
    assert schedule.planned_at(date(2026, 12, 18)) == 68


def test_planned_at_follows_a_re_plan() -> None:
    tasks = [T("a", 8), T("b", 8), T("c", 8)]
    learner = Learner(8, START, replanned=(day(14), 4.0))
    schedule = build_schedule(tasks, learner, Progress(done={"a": day(10)}), day(21))
    # Before the re-plan: a straight line from the start to its 4 h.
    assert [schedule.planned_at(day(n)) for n in (-3, 0, 7, 14)] == [0, 0, 2, 4]
    # After it: its 4 h plus 8/7 h a day, up to the total.
    assert schedule.planned_at(day(21)) == schedule.hours_planned_to_date == 12
    assert schedule.planned_at(day(31)) == pytest.approx(4 + 17 * 8 / 7)
    assert schedule.planned_at(day(32)) == schedule.planned_at(day(300)) == 24


def test_capacity_by_hand() -> None:
    reduced = Capacity(480, ((day(3), day(9), 240),))
    assert reduced.between(day(0), day(14)) == 3 * 480 + 7 * 240 + 4 * 480
    assert reduced.between(day(5), day(5)) == reduced.between(day(6), day(5)) == 0
    assert reduced.between(day(5), day(6)) == 240
    assert reduced.reaching(day(0), 1) == day(0)
    assert reduced.reaching(day(0), 1440) == day(2)
    assert reduced.reaching(day(0), 1441) == day(3)
    assert reduced.reaching(day(0), 5040) == day(13)
    away = Capacity(480, ((day(2), day(4), 0), (day(6), day(6), 100)))
    assert away.reaching(day(0), 961) == day(5)
    assert away.reaching(day(3), 1) == day(5)  # from inside the time off
    assert away.reaching(day(3), 481) == day(6)
    assert away.reaching(day(3), 581) == day(7)
    assert away.between(day(0), day(8)) == 4 * 480 + 100


def test_week_hours_and_week_of() -> None:
    schedule = build_schedule([T("a", 20)], Learner(8, START), Progress(), START)
    assert [week.hours for week in schedule.weeks] == [8, 8, 4]
    assert [week.capacity for week in schedule.weeks] == [8, 8, 8]
    assert Week(1, START, week_end(1), (Slot("a", 0.1, False, False, True),) * 3).hours == 0.3
    recorded = Week(1, START, week_end(1), (Slot("a", 2, False, False, False, True),) * 2)
    assert (recorded.hours, recorded.recorded_hours) == (4, 4)
    assert [schedule.week_of(day(n)) for n in (-100, -1, 0, 6, 7, 13, 14)] == [1, 1, 1, 1, 2, 2, 3]


@pytest.mark.parametrize(
    ("tasks", "message"),
    [
        ([T("a", 1, "c"), T("b", 1, "a"), T("c", 1, "b")], "prerequisite cycle: a -> c -> b -> a"),
        ([T("x", 1), T("b", 1, "a"), T("a", 1, "b", "x")], "prerequisite cycle: b -> a -> b"),
        ([T("ok", 1), T("self", 1, "ok", "self")], "prerequisite cycle: self -> self"),
        ([T("z", 1, "y"), T("y", 1, "z"), T("w", 1, "z")], "prerequisite cycle: z -> y -> z"),
        # The walk from "p" enters the cycle at "c"; the message still starts at "b".
        ([T("p", 1, "c"), T("b", 1, "c"), T("c", 1, "b")], "prerequisite cycle: b -> c -> b"),
        ([T("a", 1), T("a", 2)], "duplicate milestone id 'a'"),
        ([T("a", 0)], "hours of 'a' must be a positive number, got 0"),
        ([T("a", -1)], "hours of 'a' must be a positive number"),
        ([T("a", float("nan"))], "hours of 'a' must be a positive number"),
        ([T("a", float("inf"))], "hours of 'a' must be a positive number"),
        ([Task("a", 1, min_weeks=0)], "min_weeks of 'a' must be at least 1, got 0"),
    ],
)
def test_invalid_input(tasks: list[Task], message: str) -> None:
    with pytest.raises(ScheduleError) as raised:
        build_schedule(tasks, Learner(8, START), Progress(), START)
    assert str(raised.value).startswith(message)
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize(
    ("time_off", "message"),
    [
        (((day(5), day(4), 0),), "time off from 2026-01-10 ends before it starts (2026-01-09)"),
        (
            ((day(10), day(12), 0), (day(3), day(10), 2)),
            "time off from 2026-01-15 overlaps the time off from 2026-01-08",
        ),
    ],
)
def test_invalid_time_off(time_off: tuple[tuple[date, date, float], ...], message: str) -> None:
    with pytest.raises(ScheduleError) as raised:
        build_schedule([T("a", 1)], Learner(8, START, time_off=time_off), Progress(), START)
    assert str(raised.value) == message


def test_a_cycle_through_a_skipped_milestone_is_still_an_error() -> None:
    tasks = [T("a", 1, "b", skills=("x",)), T("b", 1, "a")]
    with pytest.raises(ScheduleError, match=r"prerequisite cycle: a -> b -> a"):
        build_schedule(tasks, Learner(8, START, frozenset({"x"})), Progress(), START)


@pytest.mark.parametrize("hours_per_week", [0, -8, float("nan")])
def test_invalid_hours_per_week(hours_per_week: float) -> None:
    with pytest.raises(ScheduleError, match="hours_per_week must be a positive number"):
        build_schedule([T("a", 1)], Learner(hours_per_week, START), Progress(), START)


def test_counter_of_slots_matches_weeks_for_a_long_plan() -> None:
    """A bigger hand-checked case: 30 one-hour chains at 7 h/week fill weeks exactly."""
    tasks = [T(f"t{i}", 1, *([f"t{i - 1}"] if i % 3 else [])) for i in range(30)]
    schedule = build_schedule(tasks, Learner(7, START), Progress(), START)
    assert Counter(len(week.slots) for week in schedule.weeks) == {7: 4, 2: 1}
    assert schedule.order == tuple(f"t{i}" for i in range(30))
    assert schedule.planned_finish == day(29)  # one hour a day


# --------------------------------------------------------------------------- properties

POOL = ("python", "sql", "stats", "cloud", "ml")


@dataclass(frozen=True)
class Scenario:
    tasks: list[Task]
    learner: Learner
    progress: Progress
    today: date

    def build(self, **changes: Any) -> Schedule:
        args: dict[str, Any] = {
            "learner": self.learner,
            "progress": self.progress,
            "today": self.today,
        }
        args.update(changes)
        return build_schedule(self.tasks, args["learner"], args["progress"], args["today"])

    @property
    def from_day(self) -> date:
        """The first day remaining work may use."""
        return max(self.today, self.learner.start)


# Strategies are built once: building them inside the draw loop dominated the run time.
# A task is drawn as (quarter hours, prerequisite picks, unknown prerequisite?, skills).
# Hours are 0.25-40, often short so that milestones end near week boundaries. A pick r
# becomes task r % i, one of the i tasks drawn before it.
TASK_PARTS = st.tuples(
    st.one_of(st.integers(1, 160), st.integers(1, 8)),  # short ones land near week ends
    st.lists(st.integers(0, 10**6), max_size=3),
    st.integers(0, 9).map(lambda n: n == 0),
    st.lists(st.sampled_from(POOL), max_size=3, unique=True),
)
HOURS_PER_WEEK = st.one_of(
    st.integers(4, 320).map(lambda quarters: quarters / 4), st.floats(1, 80, allow_nan=False)
)
# Per task: done (one in three)? skipped? a done-day pick (0..1000, scaled into the
# allowed range), and the quarter hours it took (``done --hours``), if given.
PROGRESS_PARTS = st.tuples(
    st.integers(0, 2).map(lambda n: n == 0),
    st.integers(0, 4).map(lambda n: n == 0),
    st.integers(0, 1000),
    st.one_of(st.none(), st.integers(1, 200)),
)
# A study entry: (task pick, day pick scaled between the start and today, quarter hours).
STUDY_PARTS = st.tuples(st.integers(0, 10**6), st.integers(0, 1000), st.integers(1, 80))
# Time off: (days after the previous one, length in days, eighths of hours_per_week during
# it). Zero hours is the usual kind; the others are less than hours_per_week.
TIME_OFF_PARTS = st.tuples(
    st.integers(0, 90),
    st.one_of(st.integers(1, 30), st.integers(7, 16)),  # often a whole week or two
    st.sampled_from((0, 0, 0, 1, 4, 7)),
)


@st.composite
def time_offs(
    draw: st.DrawFn, start: date, today: date, hours_per_week: float
) -> tuple[tuple[date, date, float], ...]:
    """Non-overlapping time off, in no particular order, from a little before the start
    or today."""
    periods: list[tuple[date, date, float]] = []
    cursor = draw(st.sampled_from([start, today])) - timedelta(days=draw(st.integers(0, 30)))
    for gap, length, eighths in draw(st.lists(TIME_OFF_PARTS, max_size=4)):
        first = cursor + timedelta(days=gap)
        last = first + timedelta(days=length - 1)
        periods.append((first, last, hours_per_week * eighths / 8))
        cursor = last + ONE_DAY
    return tuple(draw(st.permutations(periods)))


# min_weeks: mostly 1, else a few weeks or up to the format's most (52).
MIN_WEEKS = st.one_of(st.just(1), st.integers(2, 6), st.integers(2, 52))


@st.composite
def scenarios(
    draw: st.DrawFn,
    max_tasks: int = 14,
    with_requires: bool = True,
    extras: bool = True,
    paced: bool = False,
) -> Scenario:
    """A curriculum, a learner and progress. ``extras``: also study entries, ``done
    --hours`` and time off. ``paced``: milestones get random ``min_weeks``."""
    parts = draw(st.lists(TASK_PARTS, max_size=max_tasks))
    weeks = draw(st.lists(MIN_WEEKS, min_size=len(parts), max_size=len(parts))) if paced else []
    tasks = []
    for i, (quarters, picks, ghost, skills) in enumerate(parts):
        requires = list(dict.fromkeys(f"m{r % i}" for r in picks)) if with_requires and i else []
        if with_requires and ghost:
            requires.append("not-in-curriculum")
        min_weeks = weeks[i] if paced else 1
        tasks.append(Task(f"m{i}", quarters / 4, tuple(requires), tuple(skills), min_weeks))
    tasks = draw(st.permutations(tasks))  # curriculum order need not be topological
    hours_per_week = draw(HOURS_PER_WEEK)
    start = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 365)))
    today = start + timedelta(days=draw(st.integers(-30, 900)))
    known = draw(st.frozensets(st.sampled_from(POOL)))
    # Done days lie between the start and today (either order), sometimes a little after today.
    elapsed = (today - start).days
    low = min(0, elapsed)
    high = max(0, elapsed) + draw(st.sampled_from([0, 0, 0, 20]))
    done: dict[str, date] = {}
    skipped: set[str] = set()
    spent: dict[str, float] = {}
    marks = draw(st.lists(PROGRESS_PARTS, min_size=len(tasks), max_size=len(tasks)))
    for task, (is_done, is_skipped, pick, took) in zip(tasks, marks, strict=True):
        if is_done:
            done[task.id] = start + timedelta(days=low + pick * (high - low) // 1000)
            if extras and took is not None:
                spent[task.id] = took / 4
        if is_skipped:
            skipped.add(task.id)
    studied: list[tuple[str, date, float]] = []
    time_off: tuple[tuple[date, date, float], ...] = ()
    if extras:
        # Study days lie between the start and today (either order); any milestone, even a
        # skipped one (whose study does not count).
        span = max(0, elapsed) - low
        for pick, when, quarters in draw(st.lists(STUDY_PARTS, max_size=8)) if tasks else ():
            on = start + timedelta(days=low + when * span // 1000)
            studied.append((tasks[pick % len(tasks)].id, on, quarters / 4))
        time_off = draw(time_offs(start, today, hours_per_week))
    return Scenario(
        tasks,
        Learner(hours_per_week, start, known, time_off),
        Progress(done, frozenset(skipped), tuple(studied), spent),
        today,
    )


PROPERTY = settings(max_examples=50, deadline=None, database=None)


def slots_by_milestone(schedule: Schedule) -> dict[str, list[tuple[int, Slot]]]:
    found: dict[str, list[tuple[int, Slot]]] = defaultdict(list)
    for week in schedule.weeks:
        for slot in week.slots:
            found[slot.milestone_id].append((week.number, slot))
    return found


def planned_by_milestone(schedule: Schedule) -> dict[str, list[tuple[int, Slot]]]:
    """Only the planned (not recorded) slots."""
    return {
        milestone_id: planned
        for milestone_id, pieces in slots_by_milestone(schedule).items()
        if (planned := [(n, slot) for n, slot in pieces if not slot.recorded])
    }


def status(scenario: Scenario) -> tuple[set[str], set[str], set[str], set[str]]:
    """Independently computed: (done, skipped_known, skipped, remaining) ids."""
    done, known, skipped, remaining = set(), set(), set(), set()
    for task in scenario.tasks:
        if task.id in scenario.progress.done:
            done.add(task.id)
        elif task.skills and set(task.skills) <= scenario.learner.known_skills:
            known.add(task.id)
        elif task.id in scenario.progress.skipped:
            skipped.add(task.id)
        else:
            remaining.add(task.id)
    return done, known, skipped, remaining


def reference_order(scenario: Scenario) -> list[str]:
    """Each next milestone is the first (in curriculum order) whose remaining prerequisites
    are all placed. Prerequisites done, skipped or unknown count as met."""
    _, _, _, remaining = status(scenario)
    requires = {task.id: set(task.requires) & remaining for task in scenario.tasks}
    waiting = [task.id for task in scenario.tasks if task.id in remaining]
    expected: list[str] = []
    while waiting:
        ready = next(i for i in waiting if requires[i] <= set(expected))
        expected.append(ready)
        waiting.remove(ready)
    return expected


def day_units(learner: Learner, on: date) -> int:
    """Units one day holds: hours_per_week * 60, or the time off's hours a week * 60."""
    normal = round(learner.hours_per_week * 60)
    for first, last, hours in learner.time_off:
        if first <= on <= last:
            return min(normal, round(hours * 60))
    return normal


def units_between(learner: Learner, first: date, end: date) -> int:
    """Units of the days first .. end - 1, a day at a time."""
    total, on = 0, first
    while on < end:
        total += day_units(learner, on)
        on += ONE_DAY
    return total


def day_reaching(learner: Learner, first: date, needed: int) -> date:
    """The first day by whose end ``needed`` (> 0) units fit from ``first``, a day at a time."""
    on, filled = first, day_units(learner, first)
    while filled < needed:
        on += ONE_DAY
        filled += day_units(learner, on)
    return on


def week_number(start: date, on: date) -> int:
    return max(1, (on - start).days // 7 + 1)


@dataclass(frozen=True)
class Reference:
    """What the rules say, computed a day at a time (minutes unless named units)."""

    estimate: dict[str, int]
    studied: dict[str, int]  # counted study (milestones done or remaining)
    earned_part: dict[str, int]  # remaining milestone -> study it earns
    spent: dict[str, int]  # done milestone -> what it took
    total: int
    earned: int
    planned_units: int  # planned value to date
    planned_finish: date
    projection: date | None  # the day the last remaining unit falls, unless finished
    plan: dict[int, list[tuple[str, int]]]  # week -> planned (milestone, units), in order
    recorded: dict[tuple[int, str], int]  # (week, milestone) -> minutes recorded

    @property
    def behind_units(self) -> int:
        return self.planned_units - 7 * self.earned


def reference(scenario: Scenario) -> Reference:
    done, _, _, remaining = status(scenario)
    learner, today, start = scenario.learner, scenario.today, scenario.learner.start
    estimate = {task.id: minutes(task.hours) for task in scenario.tasks}
    studied: Counter[str] = Counter()
    recorded: Counter[tuple[int, str]] = Counter()
    for milestone_id, on, hours in scenario.progress.studied:
        if milestone_id in done | remaining:
            studied[milestone_id] += minutes(hours)
            recorded[week_number(start, min(on, today)), milestone_id] += minutes(hours)
    spent = {}
    for milestone_id in done:
        given = scenario.progress.spent.get(milestone_id)
        took = minutes(given) if given else studied[milestone_id] or estimate[milestone_id]
        spent[milestone_id] = max(took, studied[milestone_id])
        on = min(scenario.progress.done[milestone_id], today)
        recorded[week_number(start, on), milestone_id] += (
            spent[milestone_id] - studied[milestone_id]
        )
    cap_num, cap_den = EARNED_CAP
    earned_part = {i: min(studied[i], estimate[i] * cap_num // cap_den) for i in remaining}
    total = sum(estimate[i] for i in done | remaining)
    earned = sum(estimate[i] for i in done) + sum(earned_part.values())
    planned_units = min(7 * total, units_between(learner, start, today))
    planned_finish = day_reaching(learner, start, 7 * total) if total else start
    # Lay the remaining work on the days from today, in order, a day at a time.
    plan: dict[int, list[tuple[str, int]]] = defaultdict(list)
    projection = None
    order = reference_order(scenario)
    need = {i: 7 * (estimate[i] - earned_part[i]) for i in order}
    on = scenario.from_day
    while order:
        room = day_units(learner, on)
        while room and order:
            milestone_id = order[0]
            take = min(room, need[milestone_id])
            room -= take
            need[milestone_id] -= take
            pieces = plan[week_number(start, on)]
            if pieces and pieces[-1][0] == milestone_id:
                pieces[-1] = (milestone_id, pieces[-1][1] + take)
            else:
                pieces.append((milestone_id, take))
            if not need[milestone_id]:
                order.pop(0)
                projection = on
        on += ONE_DAY
    return Reference(
        estimate,
        dict(studied),
        earned_part,
        spent,
        total,
        earned,
        planned_units,
        planned_finish,
        projection,
        dict(plan),
        dict(recorded),
    )


@PROPERTY
@given(scenarios())
def test_prerequisites_come_first(scenario: Scenario) -> None:
    schedule = scenario.build()
    position = {milestone_id: n for n, milestone_id in enumerate(schedule.order)}
    planned = planned_by_milestone(schedule)
    for task in scenario.tasks:
        if task.id not in position:
            continue
        first_week = planned[task.id][0][0]
        for required in task.requires:
            if required in position:
                assert position[required] < position[task.id]
                assert planned[required][-1][0] <= first_week


@PROPERTY
@given(scenarios())
def test_weeks_respect_capacity_and_the_past(scenario: Scenario) -> None:
    schedule = scenario.build()
    learner = scenario.learner
    at = {task.id: n for n, task in enumerate(scenario.tasks)}
    first_activity: dict[str, date] = {}  # the first day each milestone was worked on
    for milestone_id, on, _ in scenario.progress.studied:
        first_activity[milestone_id] = min(first_activity.get(milestone_id, on), on)
    for milestone_id, on in scenario.progress.done.items():
        first_activity[milestone_id] = min(first_activity.get(milestone_id, on), on)
    assert [week.number for week in schedule.weeks] == list(range(1, len(schedule.weeks) + 1))
    assert not schedule.weeks or schedule.weeks[-1].slots
    for week in schedule.weeks:
        assert week.end - week.start == timedelta(days=6)
        assert week.start == learner.start + timedelta(days=7 * (week.number - 1))
        after = week.end + ONE_DAY
        assert units(week.capacity) == units_between(learner, week.start, after)
        away = sum(
            first <= week.start + timedelta(days=n) <= last
            for n in range(7)
            for first, last, _ in learner.time_off
        )
        assert week.away_days == away
        planned = sum(units(slot.hours) for slot in week.slots if not slot.recorded)
        # The plan never gives a week more than its days from today on hold.
        assert planned <= units_between(learner, max(week.start, scenario.from_day), after)
        if week.number < schedule.current_week:
            assert planned == 0
        if week.number > schedule.current_week:
            assert not any(slot.recorded for slot in week.slots)
        assert not any(slot.done and not slot.recorded for slot in week.slots)
        kinds = [slot.recorded for slot in week.slots]
        assert kinds == sorted(kinds, reverse=True), "recorded slots come first"
        keys = [
            (min(first_activity[slot.milestone_id], scenario.today), at[slot.milestone_id])
            for slot in week.slots
            if slot.recorded
        ]
        assert keys == sorted(keys), "recorded slots by first day worked on, then curriculum"


@PROPERTY
@given(scenarios())
def test_the_plan_matches_a_day_by_day_model(scenario: Scenario) -> None:
    """Every milestone is placed whole: remaining ones get estimate minus earned study,
    laid on the days from today; done ones are recorded where they happened."""
    schedule = scenario.build()
    ref = reference(scenario)
    done, _, _, remaining = status(scenario)
    placed = slots_by_milestone(schedule)
    planned = planned_by_milestone(schedule)
    assert set(placed) == done | remaining
    assert set(planned) == set(schedule.order) == remaining
    # Planned slots: the day-by-day model's, week by week.
    assert {
        week.number: [(s.milestone_id, units(s.hours)) for s in week.slots if not s.recorded]
        for week in schedule.weeks
        if any(not s.recorded for s in week.slots)
    } == ref.plan
    for milestone_id in remaining:
        pieces = planned[milestone_id]
        left = ref.estimate[milestone_id] - ref.earned_part[milestone_id]
        assert sum(units(slot.hours) for _, slot in pieces) == 7 * left
        started = ref.earned_part[milestone_id] > 0
        assert [slot.continued for _, slot in pieces] == [started] + [True] * (len(pieces) - 1)
        assert [slot.continues for _, slot in pieces] == [True] * (len(pieces) - 1) + [False]
        assert not any(slot.done for _, slot in pieces)
    # Recorded slots: study where it happened, and each completion in its week.
    recorded: Counter[tuple[int, str]] = Counter()
    for week in schedule.weeks:
        for slot in week.slots:
            if slot.recorded:
                assert not slot.continued
                assert not slot.continues
                recorded[week.number, slot.milestone_id] += minutes(slot.hours)
    assert dict(recorded) == ref.recorded
    for milestone_id in done:
        [number] = [n for n, slot in placed[milestone_id] if slot.done]
        on = min(scenario.progress.done[milestone_id], scenario.today)
        assert number == schedule.week_of(on) == week_number(scenario.learner.start, on)
    assert {i: minutes(h) for i, h in schedule.hours_spent.items()} == ref.spent
    assert {i: minutes(h) for i, h in schedule.hours_studied.items()} == ref.studied
    assert minutes(schedule.hours_total) == ref.total
    assert minutes(schedule.hours_done) == sum(ref.estimate[i] for i in done)
    assert schedule.milestones_total == len(done | remaining)
    assert schedule.milestones_done == len(done)
    # The finishes.
    assert schedule.planned_finish == ref.planned_finish
    if not remaining:
        done_days = [min(scenario.progress.done[i], scenario.today) for i in done]
        assert schedule.projected_finish == max(done_days, default=scenario.learner.start)
    elif (
        abs(ref.behind_units) <= max(UNITS_PER_HOUR, round(scenario.learner.hours_per_week * 60))
        and ref.planned_finish >= scenario.from_day
    ):
        assert schedule.projected_finish == schedule.planned_finish
    else:
        assert schedule.projected_finish == ref.projection
        assert schedule.week_of(ref.projection) == max(ref.plan)


@PROPERTY
@given(scenarios())
def test_pace_and_projected_finish_agree(scenario: Scenario) -> None:
    schedule = scenario.build()
    ref = reference(scenario)
    assert units(schedule.hours_planned_to_date) == ref.planned_units
    assert units(schedule.hours_behind) == ref.behind_units
    assert schedule.tolerance == max(1, round(scenario.learner.hours_per_week * 60) / 420)
    pace = schedule.pace
    if not schedule.order:
        assert pace == "finished"
    elif pace == "on track":
        assert abs(schedule.hours_behind) <= schedule.tolerance
        assert schedule.projected_finish == schedule.planned_finish
    elif pace == "behind":
        # behind by more than the tolerance, or work left after the planned finish passed
        assert (
            schedule.hours_behind > schedule.tolerance
            or schedule.planned_finish < scenario.from_day
        )
        assert schedule.projected_finish > schedule.planned_finish
    else:
        assert pace == "ahead"
        assert schedule.hours_behind < -schedule.tolerance
        assert schedule.projected_finish < schedule.planned_finish
    if schedule.order:
        # finish_after is the unsnapped projection: the work left from today at the plan's rate
        left = schedule.hours_total - schedule.hours_earned
        assert schedule.finish_after(left) == ref.projection
        assert schedule.projected_finish >= scenario.from_day  # never a day already past


@PROPERTY
@given(scenarios(), st.data())
def test_earned_value(scenario: Scenario, data: st.DataObject) -> None:
    schedule = scenario.build()
    ref = reference(scenario)
    done, _, _, remaining = status(scenario)
    assert 0 <= schedule.hours_earned <= schedule.hours_total
    assert minutes(schedule.hours_earned) == ref.earned
    cap_num, cap_den = EARNED_CAP
    for milestone_id in remaining:
        assert 10 * ref.earned_part[milestone_id] <= 9 * ref.estimate[milestone_id]
        assert ref.earned_part[milestone_id] * cap_den <= ref.estimate[milestone_id] * cap_num
    # Earned value by week: never falling, ending at today's.
    assert len(schedule.earned_by_week) == schedule.current_week
    assert list(schedule.earned_by_week) == sorted(schedule.earned_by_week)
    assert schedule.earned_by_week[-1] == schedule.hours_earned
    start, today = scenario.learner.start, scenario.today
    for number, value in enumerate(schedule.earned_by_week, 1):
        end = min(start + timedelta(days=7 * number - 1), today)  # that week's end, or today
        earned = 0
        for milestone_id in done | remaining:
            finished = scenario.progress.done.get(milestone_id)
            if finished is not None and min(finished, today) <= end:
                earned += ref.estimate[milestone_id]
                continue
            studied = sum(
                minutes(hours)
                for i, on, hours in scenario.progress.studied
                if i == milestone_id and min(on, today) <= end
            )
            earned += min(studied, ref.estimate[milestone_id] * cap_num // cap_den)
        assert minutes(value) == earned, number
    if not scenario.tasks:
        return
    # Studying more never lowers earned value, and earns at most the hours studied.
    task = data.draw(st.sampled_from(scenario.tasks))
    hours = data.draw(st.integers(1, 400)) / 4
    on = data.draw(st.sampled_from([scenario.today, scenario.learner.start]))
    more = replace(scenario.progress, studied=(*scenario.progress.studied, (task.id, on, hours)))
    after = scenario.build(progress=more)
    gain = minutes(after.hours_earned) - minutes(schedule.hours_earned)
    assert 0 <= gain <= minutes(hours)
    if task.id in remaining:
        now = ref.studied.get(task.id, 0) + minutes(hours)
        cap = ref.estimate[task.id] * cap_num // cap_den
        assert gain == min(now, cap) - ref.earned_part[task.id]
        assert task.id in after.order, "study alone never finishes a milestone"
    else:
        assert gain == 0
    # However much is studied, a milestone earns at most 90% of its estimate until done.
    if task.id in remaining:
        lots = replace(more, studied=(*more.studied, (task.id, on, 10 * task.hours)))
        most = scenario.build(progress=lots)
        part = ref.estimate[task.id] * 9 // 10
        assert minutes(most.hours_earned) == ref.earned - ref.earned_part[task.id] + part


@PROPERTY
@given(scenarios())
def test_time_off_never_makes_a_learner_behind(scenario: Scenario) -> None:
    schedule = scenario.build()
    without = scenario.build(learner=replace(scenario.learner, time_off=()))
    assert schedule.hours_earned == without.hours_earned
    assert schedule.hours_planned_to_date <= without.hours_planned_to_date
    assert schedule.hours_behind <= without.hours_behind
    if schedule.pace == "behind":
        assert without.pace == "behind"
    # Time off only in the past (before today) leaves the plan's shape from today alone.
    past = tuple(period for period in scenario.learner.time_off if period[1] < scenario.today)
    only_past = scenario.build(learner=replace(scenario.learner, time_off=past))
    assert only_past.hours_behind <= without.hours_behind
    if schedule.order:
        hours = scenario.learner.hours_per_week  # any amount: the days from today are alike
        assert only_past.finish_after(hours) == without.finish_after(hours)


@PROPERTY
@given(scenarios(), st.data())
def test_time_off_ahead_moves_the_finish_by_its_length(
    scenario: Scenario, data: st.DataObject
) -> None:
    learner = replace(scenario.learner, time_off=())
    schedule = scenario.build(learner=learner)
    low = max(scenario.today + ONE_DAY, learner.start)
    if not schedule.hours_total or low > schedule.planned_finish:
        return
    first = low + timedelta(days=data.draw(st.integers(0, (schedule.planned_finish - low).days)))
    length = data.draw(st.integers(1, 30))
    away = ((first, first + timedelta(days=length - 1), 0),)
    after = scenario.build(learner=replace(learner, time_off=away))
    assert after.planned_finish == schedule.planned_finish + timedelta(days=length)
    # Time off after today leaves the past, and so the pace, alone.
    assert after.hours_planned_to_date == schedule.hours_planned_to_date
    assert after.hours_behind == schedule.hours_behind
    assert after.pace == schedule.pace
    if schedule.pace == "finished":
        assert after.projected_finish == schedule.projected_finish
    elif schedule.pace == "on track":
        assert after.projected_finish == after.planned_finish
    else:
        unsnapped = schedule.projected_finish
        moved = unsnapped + timedelta(days=length) if first <= unsnapped else unsnapped
        assert after.projected_finish == moved


@PROPERTY
@given(scenarios(), st.data())
def test_fully_away_weeks_hold_no_plan(scenario: Scenario, data: st.DataObject) -> None:
    learner = scenario.learner
    schedule = scenario.build()
    if schedule.order:
        # Also take one to three whole weeks off from the current week or a later one.
        number = data.draw(st.integers(schedule.current_week, len(schedule.weeks)))
        first = learner.start + timedelta(days=7 * (number - 1))
        last = first + timedelta(days=7 * data.draw(st.integers(1, 3)) - 1)
        kept = tuple(p for p in learner.time_off if p[1] < first or p[0] > last)
        learner = replace(learner, time_off=(*kept, (first, last, 0)))
        schedule = scenario.build(learner=learner)
    zero = [(first, last) for first, last, hours in learner.time_off if not round(hours * 60)]
    for week in schedule.weeks:
        all_away = all(
            any(first <= week.start + timedelta(days=n) <= last for first, last in zero)
            for n in range(7)
        )
        if all_away:
            assert week.capacity == 0
            assert week.away_days == 7
            assert all(slot.recorded for slot in week.slots)
        else:
            assert week.capacity > 0


@PROPERTY
@given(scenarios())
def test_recorded_hours_are_the_hours_spent(scenario: Scenario) -> None:
    """Past weeks hold what was really spent: done milestones' whole time, and the study
    of the ones not done yet."""
    schedule = scenario.build()
    _, _, _, remaining = status(scenario)
    recorded = sum(minutes(week.recorded_hours) for week in schedule.weeks)
    spent = sum(minutes(hours) for hours in schedule.hours_spent.values())
    studied = sum(minutes(h) for i, h in schedule.hours_studied.items() if i in remaining)
    assert recorded == spent + studied
    # Recorded study never lands after today, and a done milestone took at least its study.
    for milestone_id, hours in schedule.hours_spent.items():
        assert hours >= schedule.hours_studied.get(milestone_id, 0)
        given_hours = scenario.progress.spent.get(milestone_id)
        if given_hours and given_hours >= schedule.hours_studied.get(milestone_id, 0):
            assert hours == given_hours


@PROPERTY
@given(scenarios())
def test_skips(scenario: Scenario) -> None:
    schedule = scenario.build()
    _, known, skipped, _ = status(scenario)
    curriculum_order = [task.id for task in scenario.tasks]
    assert schedule.skipped_known == tuple(i for i in curriculum_order if i in known)
    assert schedule.skipped == tuple(i for i in curriculum_order if i in skipped)
    placed = {slot.milestone_id for week in schedule.weeks for slot in week.slots}
    assert not placed & (known | skipped)
    assert not schedule.hours_studied.keys() & (known | skipped)


@PROPERTY
@given(scenarios())
def test_deterministic(scenario: Scenario) -> None:
    schedule = scenario.build()
    assert scenario.build() == schedule
    learner, progress = scenario.learner, scenario.progress
    reordered = replace(
        learner,
        known_skills=frozenset(sorted(learner.known_skills, reverse=True)),
        time_off=tuple(reversed(learner.time_off)),
    )
    shuffled = Progress(
        dict(reversed(list(progress.done.items()))),
        progress.skipped,
        tuple(reversed(progress.studied)),
        dict(reversed(list(progress.spent.items()))),
    )
    assert scenario.build(learner=reordered, progress=shuffled) == schedule


@PROPERTY
@given(scenarios())
def test_order_is_always_the_earliest_ready_milestone(scenario: Scenario) -> None:
    assert scenario.build().order == tuple(reference_order(scenario))


@PROPERTY
@given(scenarios(max_tasks=25, with_requires=False))
def test_without_prerequisites_order_is_curriculum_order(scenario: Scenario) -> None:
    schedule = scenario.build()
    _, _, _, remaining = status(scenario)
    assert schedule.order == tuple(task.id for task in scenario.tasks if task.id in remaining)
    in_weeks = [
        slot.milestone_id for week in schedule.weeks for slot in week.slots if not slot.recorded
    ]
    assert list(dict.fromkeys(in_weeks)) == list(schedule.order)


@PROPERTY
@given(scenarios(), st.data())
def test_finishing_a_milestone_never_delays_the_finish(
    scenario: Scenario, data: st.DataObject
) -> None:
    schedule = scenario.build()
    if not schedule.order:
        return
    milestone_id = data.draw(st.sampled_from(schedule.order))
    done = {**scenario.progress.done, milestone_id: scenario.today}
    after = scenario.build(progress=replace(scenario.progress, done=done))
    assert after.hours_behind < schedule.hours_behind
    assert after.hours_earned > schedule.hours_earned
    assert after.projected_finish <= schedule.projected_finish


@PROPERTY
@given(scenarios(), st.integers(1, 60))
def test_time_passing_never_brings_the_finish_closer(scenario: Scenario, days: int) -> None:
    schedule = scenario.build()
    later = scenario.build(today=scenario.today + timedelta(days=days))
    assert later.projected_finish >= schedule.projected_finish
    assert later.planned_finish == schedule.planned_finish
    assert later.hours_planned_to_date >= schedule.hours_planned_to_date
    assert later.hours_earned == schedule.hours_earned


@PROPERTY
@given(scenarios())
def test_planned_value_over_time(scenario: Scenario) -> None:
    schedule = scenario.build()
    start, finish = scenario.learner.start, schedule.planned_finish
    assert schedule.planned_at(scenario.today) == schedule.hours_planned_to_date
    assert schedule.planned_at(start) == 0
    assert schedule.planned_at(finish + ONE_DAY) == schedule.hours_total
    if schedule.hours_total:
        assert schedule.planned_at(finish) < schedule.hours_total
    days = [start + timedelta(days=n) for n in range(-3, (finish - start).days + 3, 5)]
    values = [schedule.planned_at(on) for on in days]
    assert values == sorted(values)


@PROPERTY
@given(scenarios())
def test_on_the_first_day_with_no_progress_the_plan_is_the_baseline(scenario: Scenario) -> None:
    learner = scenario.learner
    schedule = scenario.build(progress=Progress(), today=learner.start)
    assert schedule.projected_finish == schedule.planned_finish
    assert schedule.hours_behind == 0
    assert schedule.hours_planned_to_date == 0
    assert schedule.current_week == 1
    # Every week but the last is full (weeks away hold nothing), and the plan ends in the
    # last week.
    loads = [sum(units(slot.hours) for slot in week.slots) for week in schedule.weeks]
    capacities = [units(week.capacity) for week in schedule.weeks]
    assert loads[:-1] == capacities[:-1]
    if schedule.weeks:
        assert 0 < loads[-1] <= capacities[-1]
        assert schedule.weeks[-1].start <= schedule.planned_finish <= schedule.weeks[-1].end
    else:
        assert schedule.planned_finish == learner.start


@PROPERTY
@given(
    st.integers(1, 5000),
    st.lists(st.tuples(st.integers(0, 60), st.integers(1, 40), st.integers(0, 10**6)), max_size=5),
    st.integers(-100, 400),
    st.one_of(st.integers(1, 2000), st.integers(1, 10**6)),
)
def test_capacity_reaching_and_between_agree(
    per_day: int, parts: list[tuple[int, int, int]], offset: int, needed: int
) -> None:
    segments = []
    cursor = START
    for gap, length, pick in parts:
        first = cursor + timedelta(days=gap)
        last = first + timedelta(days=length - 1)
        segments.append((first, last, pick % per_day))  # always less than a normal day
        cursor = last + ONE_DAY
    capacity = Capacity(per_day, tuple(segments))
    first = START + timedelta(days=offset)
    reached = capacity.reaching(first, needed)
    assert reached >= first
    assert capacity.between(first, reached + ONE_DAY) >= needed
    assert capacity.between(first, reached) < needed
    # between, a day at a time, over a window around the time off
    learner = Learner(per_day / 60, START, time_off=tuple((a, b, u / 60) for a, b, u in segments))
    window = first + timedelta(days=300)
    assert capacity.between(first, window) == units_between(learner, first, window)
    middle = first + timedelta(days=137)
    assert capacity.between(first, middle) + capacity.between(middle, window) == (
        capacity.between(first, window)
    )
