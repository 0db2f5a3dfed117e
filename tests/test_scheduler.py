"""The scheduler: hand-written tables first, then hypothesis properties on random DAGs."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.scheduler import (
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


def day(offset: int) -> date:
    """The day ``offset`` days after START (week 1 is days 0..6, week 2 days 7..13, ...)."""
    return START + timedelta(days=offset)


def week_end(number: int) -> date:
    return day(7 * number - 1)


def T(milestone_id: str, hours: float, *requires: str, skills: tuple[str, ...] = ()) -> Task:
    return Task(milestone_id, hours, tuple(requires), skills)


def layout(schedule: Schedule) -> list[list[str]]:
    """Weeks as compact text: "a:8" a whole slot, "..a:8" continued, "a:8.." continues."""
    return [
        [
            f"{'..' if s.continued else ''}{s.milestone_id}:{s.hours:g}"
            f"{'..' if s.continues else ''}{' done' if s.done else ''}"
            for s in week.slots
        ]
        for week in schedule.weeks
    ]


def minutes(hours: float) -> int:
    return round(hours * 60)


# --------------------------------------------------------------------------- tables


@dataclass
class Case:
    tasks: list[Task]
    weeks: list[list[str]]
    hours_per_week: float = 8
    known: frozenset[str] = frozenset()
    done: dict[str, date] = field(default_factory=dict)
    skipped: frozenset[str] = frozenset()
    today: date = START
    expect: dict[str, Any] = field(default_factory=dict)


CASES = {
    "linear chain, listed backwards": Case(
        tasks=[T("c", 4, "b"), T("b", 4, "a"), T("a", 4)],
        weeks=[["a:4", "b:4"], ["c:4"]],
        expect={"order": ("a", "b", "c"), "planned_finish": week_end(2)},
    ),
    "diamond: prerequisites first, the two middles in curriculum order": Case(
        tasks=[T("d", 2, "b", "c"), T("c", 2, "a"), T("b", 2, "a"), T("a", 2)],
        weeks=[["a:2", "c:2", "b:2", "d:2"]],
        expect={"order": ("a", "c", "b", "d")},
    ),
    "ties keep curriculum order": Case(
        tasks=[T("zeta", 3), T("alpha", 3), T("mu", 3)],
        weeks=[["zeta:3", "alpha:3", "mu:2.."], ["..mu:1"]],
        expect={"order": ("zeta", "alpha", "mu")},
    ),
    "a dependent waits only for its own prerequisite": Case(
        tasks=[T("a", 1), T("b", 1, "c"), T("c", 1), T("d", 1)],
        weeks=[["a:1", "c:1", "b:1", "d:1"]],
    ),
    "20 hours at 8 h/week spans three weeks": Case(
        tasks=[T("big", 20), T("next", 2, "big")],
        weeks=[["big:8.."], ["..big:8.."], ["..big:4", "next:2"]],
        expect={"planned_finish": week_end(3), "projected_finish": week_end(3)},
    ),
    "a milestone that exactly fills a week does not continue": Case(
        tasks=[T("a", 8), T("b", 8)],
        weeks=[["a:8"], ["b:8"]],
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
        weeks=[["known-but-done:4 done", "both:4"], ["none:4"]],
        expect={
            "skipped_known": ("py",),
            "skipped": (),
            "order": ("both", "none"),
            "hours_total": 12,
            "milestones_total": 3,
            "milestones_done": 1,
        },
    ),
    "learner skip: the dependent is still scheduled": Case(
        tasks=[T("a", 4), T("b", 4, "a"), T("c", 4, "b")],
        skipped=frozenset({"a", "not-a-milestone"}),
        weeks=[["b:4", "c:4"]],
        expect={"skipped": ("a",), "order": ("b", "c"), "hours_total": 8},
    ),
    "known wins over a learner skip; done wins over both": Case(
        tasks=[T("a", 4, skills=("x",)), T("b", 4, skills=("x",))],
        known=frozenset({"x"}),
        skipped=frozenset({"a", "b"}),
        done={"b": day(0)},
        weeks=[["b:4 done"]],
        expect={"skipped_known": ("a",), "skipped": (), "order": ()},
    ),
    "behind: nothing done by week 4 pushes the finish 3 weeks out": Case(
        tasks=[T("a", 8), T("b", 8, "a"), T("c", 8, "b"), T("d", 8, "c")],
        today=day(24),  # week 4, 3 days elapsed
        weeks=[[], [], [], ["a:8"], ["b:8"], ["c:8"], ["d:8"]],
        expect={
            "current_week": 4,
            "planned_finish": week_end(4),
            "projected_finish": week_end(7),
            "hours_planned_to_date": pytest.approx(24 + 8 * 3 / 7),
            "hours_behind": pytest.approx(24 + 8 * 3 / 7),
            "hours_done": 0,
        },
    ),
    "ahead: two weeks of work done in week 1 brings the finish closer": Case(
        tasks=[T("a", 8), T("b", 8), T("c", 8), T("d", 8)],
        done={"b": day(1), "a": day(2)},
        today=day(3),
        weeks=[["b:8 done", "a:8 done"], ["c:8"], ["d:8"]],
        expect={
            "planned_finish": week_end(4),
            "projected_finish": week_end(3),
            "hours_done": 16,
            "hours_planned_to_date": pytest.approx(8 * 3 / 7),
            "hours_behind": pytest.approx(8 * 3 / 7 - 16),
            "milestones_done": 2,
        },
    ),
    "done work stays in past weeks; the current week's capacity shrinks": Case(
        tasks=[T("a", 3), T("b", 3), T("c", 3), T("d", 3), T("e", 4)],
        done={"c": day(16), "a": day(-5), "b": day(9)},
        today=day(17),  # week 3
        weeks=[["a:3 done"], ["b:3 done"], ["c:3 done", "d:3", "e:2.."], ["..e:2"]],
        expect={"current_week": 3, "order": ("d", "e"), "projected_finish": week_end(4)},
    ),
    "same done day: curriculum order": Case(
        tasks=[T("a", 1), T("b", 1), T("c", 1)],
        done={"c": day(1), "b": day(0), "a": day(1)},
        today=day(1),
        weeks=[["b:1 done", "a:1 done", "c:1 done"]],
        expect={"order": (), "projected_finish": day(1), "hours_behind": pytest.approx(3 / 7 - 3)},
    ),
    "done after today counts as done today": Case(
        tasks=[T("a", 2), T("b", 2)],
        done={"a": day(40)},
        today=day(8),
        weeks=[[], ["a:2 done", "b:2"]],
        expect={"current_week": 2, "projected_finish": week_end(2), "hours_done": 2},
    ),
    "everything done: projected finish is the last done day": Case(
        tasks=[T("a", 2), T("b", 2)],
        done={"a": day(3), "b": day(12)},
        today=day(30),
        weeks=[["a:2 done"], ["b:2 done"]],
        expect={"projected_finish": day(12), "hours_planned_to_date": 4, "hours_behind": 0},
    ),
    "today before the start": Case(
        tasks=[T("a", 10)],
        today=day(-10),
        weeks=[["a:8.."], ["..a:2"]],
        expect={"current_week": 1, "hours_planned_to_date": 0, "projected_finish": week_end(2)},
    ),
    "today after the baseline's end": Case(
        tasks=[T("a", 10)],
        today=day(100),
        weeks=[*[[]] * 14, ["a:8.."], ["..a:2"]],
        expect={"hours_planned_to_date": 10, "hours_behind": 10, "planned_finish": week_end(2)},
    ),
    "unknown prerequisites are ignored": Case(
        tasks=[T("a", 1, "ghost"), T("b", 1, "a", "a")],
        weeks=[["a:1", "b:1"]],
    ),
    "fractional hours are whole minutes": Case(
        tasks=[T("a", 1 / 3), T("b", 2.5)],
        hours_per_week=1.5,
        weeks=[["a:0.333333", "b:1.16667.."], ["..b:1.33333"]],
        expect={"hours_total": pytest.approx(17 / 6)},
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
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_table(case: Case) -> None:
    schedule = build_schedule(
        case.tasks,
        Learner(case.hours_per_week, START, case.known),
        Progress(case.done, case.skipped),
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


def test_week_hours_and_week_of() -> None:
    schedule = build_schedule([T("a", 20)], Learner(8, START), Progress(), START)
    assert [week.hours for week in schedule.weeks] == [8, 8, 4]
    assert Week(1, START, week_end(1), (Slot("a", 0.1, False, False, True),) * 3).hours == 0.3
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
    ],
)
def test_invalid_input(tasks: list[Task], message: str) -> None:
    with pytest.raises(ScheduleError) as raised:
        build_schedule(tasks, Learner(8, START), Progress(), START)
    assert str(raised.value).startswith(message)
    assert isinstance(raised.value, ValueError)


def test_a_cycle_through_a_skipped_milestone_is_still_an_error() -> None:
    tasks = [T("a", 1, "b", skills=("x",)), T("b", 1, "a")]
    with pytest.raises(ScheduleError, match=r"prerequisite cycle: a -> b -> a"):
        build_schedule(tasks, Learner(8, START, frozenset({"x"})), Progress(), START)


@pytest.mark.parametrize("hours_per_week", [0, -8, float("nan")])
def test_invalid_hours_per_week(hours_per_week: float) -> None:
    with pytest.raises(ScheduleError, match="hours_per_week must be a positive number"):
        build_schedule([T("a", 1)], Learner(hours_per_week, START), Progress(), START)


# --------------------------------------------------------------------------- properties

POOL = ("python", "sql", "stats", "cloud", "ml")


@dataclass(frozen=True)
class Scenario:
    tasks: list[Task]
    learner: Learner
    progress: Progress
    today: date

    def build(self, **changes: Any) -> Schedule:
        args = {"learner": self.learner, "progress": self.progress, "today": self.today}
        args.update(changes)
        return build_schedule(self.tasks, args["learner"], args["progress"], args["today"])


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
# Per task: done? skipped? and a done-day pick (0..1000, scaled into the allowed range).
PROGRESS_PARTS = st.tuples(
    st.booleans(), st.integers(0, 4).map(lambda n: n == 0), st.integers(0, 1000)
)


@st.composite
def scenarios(draw: st.DrawFn, max_tasks: int = 14, with_requires: bool = True) -> Scenario:
    parts = draw(st.lists(TASK_PARTS, max_size=max_tasks))
    tasks = []
    for i, (quarters, picks, ghost, skills) in enumerate(parts):
        requires = list(dict.fromkeys(f"m{r % i}" for r in picks)) if with_requires and i else []
        if with_requires and ghost:
            requires.append("not-in-curriculum")
        tasks.append(Task(f"m{i}", quarters / 4, tuple(requires), tuple(skills)))
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
    marks = draw(st.lists(PROGRESS_PARTS, min_size=len(tasks), max_size=len(tasks)))
    for task, (is_done, is_skipped, pick) in zip(tasks, marks, strict=True):
        if is_done:
            done[task.id] = start + timedelta(days=low + pick * (high - low) // 1000)
        if is_skipped:
            skipped.add(task.id)
    return Scenario(
        tasks, Learner(hours_per_week, start, known), Progress(done, frozenset(skipped)), today
    )


PROPERTY = settings(max_examples=50, deadline=None, database=None)


def slots_by_milestone(schedule: Schedule) -> dict[str, list[tuple[int, Slot]]]:
    found: dict[str, list[tuple[int, Slot]]] = defaultdict(list)
    for week in schedule.weeks:
        for slot in week.slots:
            found[slot.milestone_id].append((week.number, slot))
    return found


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


@PROPERTY
@given(scenarios())
def test_prerequisites_come_first(scenario: Scenario) -> None:
    schedule = scenario.build()
    position = {milestone_id: n for n, milestone_id in enumerate(schedule.order)}
    placed = slots_by_milestone(schedule)
    for task in scenario.tasks:
        if task.id not in position:
            continue
        first_week = placed[task.id][0][0]
        for required in task.requires:
            if required in position:
                assert position[required] < position[task.id]
                assert placed[required][-1][0] <= first_week


@PROPERTY
@given(scenarios())
def test_weeks_respect_capacity_and_the_past(scenario: Scenario) -> None:
    schedule = scenario.build()
    capacity = minutes(scenario.learner.hours_per_week)
    at = {task.id: n for n, task in enumerate(scenario.tasks)}
    assert [week.number for week in schedule.weeks] == list(range(1, len(schedule.weeks) + 1))
    assert not schedule.weeks or schedule.weeks[-1].slots
    for week in schedule.weeks:
        done = sum(minutes(slot.hours) for slot in week.slots if slot.done)
        planned = sum(minutes(slot.hours) for slot in week.slots if not slot.done)
        assert planned <= capacity
        if week.number < schedule.current_week:
            assert planned == 0
        if week.number == schedule.current_week:
            assert planned <= max(0, capacity - done)
        kinds = [slot.done for slot in week.slots]
        assert kinds == sorted(kinds, reverse=True), "done slots come first"
        done_keys = [
            (min(scenario.progress.done[slot.milestone_id], scenario.today), at[slot.milestone_id])
            for slot in week.slots
            if slot.done
        ]
        assert done_keys == sorted(done_keys), "done slots by done day, then curriculum order"
        assert week.end - week.start == timedelta(days=6)
        assert week.start == scenario.learner.start + timedelta(days=7 * (week.number - 1))


@PROPERTY
@given(scenarios())
def test_every_milestone_is_placed_whole(scenario: Scenario) -> None:
    schedule = scenario.build()
    done, _, _, remaining = status(scenario)
    by_id = {task.id: task for task in scenario.tasks}
    placed = slots_by_milestone(schedule)
    assert set(placed) == done | remaining
    assert set(schedule.order) == remaining
    for milestone_id in remaining:
        pieces = placed[milestone_id]
        assert sum(minutes(slot.hours) for _, slot in pieces) == minutes(by_id[milestone_id].hours)
        weeks = [number for number, _ in pieces]
        assert weeks == list(range(weeks[0], weeks[0] + len(weeks))), "consecutive weeks"
        assert [slot.continued for _, slot in pieces] == [False] + [True] * (len(pieces) - 1)
        assert [slot.continues for _, slot in pieces] == [True] * (len(pieces) - 1) + [False]
        assert not any(slot.done for _, slot in pieces)
    start = scenario.learner.start
    for milestone_id in done:
        [(number, slot)] = placed[milestone_id]
        on = min(scenario.progress.done[milestone_id], scenario.today)
        assert number == schedule.week_of(on) == max(1, (on - start).days // 7 + 1)
        assert slot.done
        assert not slot.continued
        assert not slot.continues
        assert minutes(slot.hours) == minutes(by_id[milestone_id].hours)
    total = sum(minutes(by_id[i].hours) for i in done | remaining)
    assert minutes(schedule.hours_total) == total
    assert minutes(schedule.hours_done) == sum(minutes(by_id[i].hours) for i in done)
    assert schedule.milestones_total == len(done | remaining)
    assert schedule.milestones_done == len(done)
    if remaining:
        last = max(number for i in remaining for number, _ in placed[i])
        assert schedule.projected_finish == start + timedelta(days=7 * last - 1)
    else:
        done_days = [min(scenario.progress.done[i], scenario.today) for i in done]
        assert schedule.projected_finish == max(done_days, default=start)


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


@PROPERTY
@given(scenarios())
def test_deterministic(scenario: Scenario) -> None:
    schedule = scenario.build()
    assert scenario.build() == schedule
    reordered = Learner(
        scenario.learner.hours_per_week,
        scenario.learner.start,
        frozenset(sorted(scenario.learner.known_skills, reverse=True)),
    )
    done = dict(reversed(list(scenario.progress.done.items())))
    assert scenario.build(
        learner=reordered, progress=Progress(done, scenario.progress.skipped)
    ) == (schedule)


@PROPERTY
@given(scenarios())
def test_order_is_always_the_earliest_ready_milestone(scenario: Scenario) -> None:
    """Reference model: each next milestone is the first (in curriculum order) whose remaining
    prerequisites are all placed. Prerequisites done, skipped or unknown count as met."""
    _, _, _, remaining = status(scenario)
    requires = {task.id: set(task.requires) & remaining for task in scenario.tasks}
    waiting = [task.id for task in scenario.tasks if task.id in remaining]
    expected: list[str] = []
    while waiting:
        ready = next(i for i in waiting if requires[i] <= set(expected))
        expected.append(ready)
        waiting.remove(ready)
    assert scenario.build().order == tuple(expected)


@PROPERTY
@given(scenarios(max_tasks=25, with_requires=False))
def test_without_prerequisites_order_is_curriculum_order(scenario: Scenario) -> None:
    schedule = scenario.build()
    _, _, _, remaining = status(scenario)
    assert schedule.order == tuple(task.id for task in scenario.tasks if task.id in remaining)
    in_weeks = [
        slot.milestone_id
        for week in schedule.weeks
        for slot in week.slots
        if not slot.done and not slot.continued
    ]
    assert in_weeks == list(schedule.order)


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
    after = scenario.build(progress=Progress(done, scenario.progress.skipped))
    assert after.projected_finish <= schedule.projected_finish
    assert after.hours_behind < schedule.hours_behind


@PROPERTY
@given(scenarios(), st.integers(1, 60))
def test_time_passing_never_brings_the_finish_closer(scenario: Scenario, days: int) -> None:
    schedule = scenario.build()
    later = scenario.build(today=scenario.today + timedelta(days=days))
    assert later.projected_finish >= schedule.projected_finish
    assert later.planned_finish == schedule.planned_finish
    assert later.hours_planned_to_date >= schedule.hours_planned_to_date


@PROPERTY
@given(scenarios())
def test_on_the_first_day_with_no_progress_the_plan_is_the_baseline(scenario: Scenario) -> None:
    learner = scenario.learner
    schedule = scenario.build(progress=Progress(), today=learner.start)
    assert schedule.projected_finish == schedule.planned_finish
    assert schedule.hours_behind == 0
    assert schedule.hours_planned_to_date == 0
    assert schedule.current_week == 1
    # Every week but the last is full, and the plan ends in the last week's end.
    capacity = minutes(learner.hours_per_week)
    loads = [sum(minutes(slot.hours) for slot in week.slots) for week in schedule.weeks]
    assert all(load == capacity for load in loads[:-1])
    if schedule.weeks:
        assert schedule.planned_finish == schedule.weeks[-1].end
    else:
        assert schedule.planned_finish == learner.start


def test_counter_of_slots_matches_weeks_for_a_long_plan() -> None:
    """A bigger hand-checked case: 30 one-hour chains at 7 h/week fill weeks exactly."""
    tasks = [T(f"t{i}", 1, *([f"t{i - 1}"] if i % 3 else [])) for i in range(30)]
    schedule = build_schedule(tasks, Learner(7, START), Progress(), START)
    assert Counter(len(week.slots) for week in schedule.weeks) == {7: 4, 2: 1}
    assert schedule.order == tuple(f"t{i}" for i in range(30))
    assert schedule.planned_finish == week_end(5)
