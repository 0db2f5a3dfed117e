"""Milestones that need calendar time (``min_weeks`` > 1): paced alongside the other work.

Hand-worked tables first (8 h/week: a normal day holds 8/7 h, 480 units), then hypothesis
properties on random curricula with random ``min_weeks``, then the command line on a small
curriculum written by the test.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.scheduler import Learner, Progress, Schedule, Task, build_schedule
from tests import test_scheduler as sequential
from tests.conftest import SESSION_DAY, Run
from tests.test_scheduler import (
    PROPERTY,
    START,
    Scenario,
    day,
    day_reaching,
    layout,
    minutes,
    planned_by_milestone,
    scenarios,
    status,
    units,
    units_between,
)


def P(milestone_id: str, hours: float, *requires: str, weeks: int = 1) -> Task:
    return Task(milestone_id, hours, tuple(requires), min_weeks=weeks)


def plan(tasks: list[Task], *, today: date = START, **progress: Any) -> Schedule:
    return build_schedule(tasks, Learner(8, START), Progress(**progress), today)


# --------------------------------------------------------------------------- tables


def test_a_paced_milestone_in_the_middle_runs_alongside_the_next_one() -> None:
    schedule = plan([P("a", 4), P("m", 6, "a", weeks=3), P("c", 8, "a")])
    # m takes 2 h a week for three weeks; c fills what is left of each week meanwhile.
    assert layout(schedule) == [["a:4", "m:2..", "c:2.."], ["..m:2..", "..c:6"], ["..m:2"]]
    assert schedule.order == ("a", "m", "c")
    # 18 h at 8 h/week end on day 15; so does m's last 2 h, on the second day of week 3.
    assert schedule.planned_finish == schedule.projected_finish == day(15)
    assert schedule.pace == "on track"
    # c is not held up: with m in one go it would also end in week 2, but later in it.
    sequential = plan([P("a", 4), P("m", 6, "a"), P("c", 8, "a")])
    assert layout(sequential) == [["a:4", "m:4.."], ["..m:2", "c:6.."], ["..c:2"]]


def test_a_paced_milestone_starts_as_soon_as_it_is_ready() -> None:
    """Listed after the technical work, the sessions still start with it: they need
    calendar time, so waiting for their turn in curriculum order would waste it."""
    schedule = plan([P("a", 4), P("c", 8, "a"), P("d", 8, "c"), P("m", 6, "a", weeks=3)])
    assert schedule.order == ("a", "m", "c", "d")
    assert layout(schedule)[0] == ["a:4", "m:2..", "c:2.."]


def test_paced_work_that_becomes_ready_mid_milestone_starts_then() -> None:
    """The review may start when the mentoring ends, in week 3, while the 40 h project
    still runs: it starts then, beside the project, instead of after it (which left
    the last weeks half empty and the plan two weeks longer)."""
    tasks = [
        P("basics", 4),
        P("mentoring", 6, "basics", weeks=3),
        P("project", 40, "basics"),
        P("review", 8, "mentoring", weeks=4),
        P("follow-up", 3, "mentoring"),
        P("final", 2, "project", "review", "follow-up"),
    ]
    schedule = build_schedule(tasks, Learner(5, START), Progress(), START)
    weeks = {s.milestone_id: [] for s in schedule.weeks[0].slots}
    for week in schedule.weeks:
        for slot in week.slots:
            weeks.setdefault(slot.milestone_id, []).append(week.number)
    assert weeks["review"][0] == weeks["mentoring"][-1]
    assert weeks["review"][0] < weeks["project"][-1]
    # 63 h at 5 h a week: every week but the last is full, 13 weeks in all.
    assert len(schedule.weeks) == 13
    assert all(abs(week.hours - 5) < 0.02 for week in schedule.weeks[:-1])


def test_a_dependent_of_a_paced_milestone_starts_in_its_last_week() -> None:
    schedule = plan([P("a", 4), P("m", 6, "a", weeks=3), P("c", 8, "m")])
    # Nothing else to do: weeks 1 and 2 are not full, the work needs calendar time.
    assert layout(schedule) == [["a:4", "m:2.."], ["..m:2.."], ["..m:2", "c:6.."], ["..c:2"]]
    assert [round(week.hours, 2) for week in schedule.weeks] == [6, 2, 8, 2]
    # The last 2 h of c fill the first 1.75 days of week 4.
    assert schedule.planned_finish == schedule.projected_finish == day(22)
    assert schedule.hours_behind == 0


def test_a_paced_milestone_last_leaves_idle_weeks_and_an_honest_finish() -> None:
    tasks = [P("a", 4), P("m", 3, "a", weeks=4)]
    schedule = plan(tasks)
    assert layout(schedule) == [["a:4", "m:0.75.."], ["..m:0.75.."], ["..m:0.75.."], ["..m:0.75"]]
    # 7 h at 8 h/week would end on day 6; m's last 0.75 h is done on the first day of week 4.
    assert schedule.planned_finish == schedule.projected_finish == day(21)
    # Planned value follows the plan: 4.75 h in week 1, then 0.75 h a week.
    assert schedule.planned_at(day(7)) == 4.75
    assert schedule.planned_at(day(10)) == 5.5
    assert schedule.planned_at(day(21)) == 6.25
    assert schedule.planned_at(day(22)) == 7
    # Following the plan keeps the learner on track, with the same finish.
    on = plan(tasks, today=day(10), done={"a": day(2)}, studied=(("m", day(3), 0.75),))
    assert on.pace == "on track"
    assert on.projected_finish == day(21)
    assert layout(on)[1:] == [["..m:0.75.."], ["..m:0.75.."], ["..m:0.75"]]
    # Not starting m in week 1 costs a week: behind, and the finish says so.
    late = plan(tasks, today=day(10), done={"a": day(2)})
    assert late.pace == "behind"
    assert late.projected_finish == day(28)
    assert late.planned_finish == day(21)


def test_weeks_that_hold_only_paced_work_are_met_by_it() -> None:
    tasks = [P("a", 4), P("m", 3, "a", weeks=4)]
    studied = (("m", day(3), 0.75), ("m", day(8), 0.75), ("m", day(15), 0.75))
    followed = plan(tasks, today=day(15), done={"a": day(2)}, studied=studied)
    # Week 1 asked for 4.75 h, weeks 2 and 3 for 0.75 h each: all met.
    assert followed.streak == 3
    assert followed.pace == "on track"
    # Less than a week's share breaks it.
    short = (("m", day(3), 0.75), ("m", day(8), 0.5), ("m", day(15), 0.75))
    assert plan(tasks, today=day(15), done={"a": day(2)}, studied=short).streak == 1


def test_two_paced_milestones_at_once() -> None:
    schedule = plan([P("a", 8, weeks=2), P("b", 6, weeks=3), P("c", 10)])
    assert layout(schedule) == [
        ["a:4..", "b:2..", "c:2.."],
        ["..a:4", "..b:2..", "..c:2.."],
        ["..b:2", "..c:6"],
    ]
    assert schedule.planned_finish == day(20)


def test_a_paced_milestone_never_takes_more_than_a_week_has_left() -> None:
    # a (6 h a week) leaves 2 h of weeks 1 and 2 to b (4 h a week): b makes up for it in
    # week 3, never above its share; c finds room only there.
    schedule = plan([P("a", 12, weeks=2), P("b", 8, weeks=2), P("c", 4)])
    assert layout(schedule) == [["a:6..", "b:2.."], ["..a:6", "..b:2.."], ["..b:4", "c:4"]]


def test_time_off_in_the_middle_of_a_paced_milestone() -> None:
    learner = Learner(8, START, time_off=((day(7), day(13), 0),))
    schedule = build_schedule([P("m", 6, weeks=3)], learner, Progress(), START)
    assert layout(schedule) == [["m:2.."], [], ["..m:2.."], ["..m:2"]]


def test_study_this_week_counts_against_the_weeks_share() -> None:
    tasks = [P("m", 6, weeks=3), P("c", 20)]
    schedule = plan(tasks, today=day(3), studied=(("m", day(1), 2),))
    # From day 3, week 1 holds 4 days of 8/7 h; the 2 h studied are this week's share.
    assert layout(schedule) == [
        ["m:2 recorded", "c:4.57143.."],
        ["..m:2..", "..c:6.."],
        ["..m:2", "..c:6.."],
        ["..c:3.42857"],
    ]
    # Study in an earlier week: the work left goes on at 2 h a week from today.
    later = plan(tasks, today=day(8), studied=(("m", day(1), 2),))
    assert layout(later)[1:3] == [["..m:2..", "c:4.85714.."], ["..m:2", "..c:6.."]]


def test_done_or_skipped_paced_milestones_release_their_dependents() -> None:
    tasks = [P("m", 6, weeks=3), P("c", 4, "m")]
    assert layout(plan(tasks, done={"m": START})) == [["m:6 done", "c:4"]]
    assert layout(plan(tasks, skipped=frozenset({"m"}))) == [["c:4"]]


# --------------------------------------------------------------------------- properties


def share_units(task: Task) -> int:
    return -(-minutes(task.hours) * 7 // task.min_weeks)


def paced_ids(scenario: Scenario) -> set[str]:
    _, _, _, remaining = status(scenario)
    return {t.id for t in scenario.tasks if t.min_weeks > 1 and t.id in remaining}


def last_work_day(scenario: Scenario, schedule: Schedule) -> date:
    """The day the last planned work is done, a day at a time (a week's work first in it)."""
    last = [w for w in schedule.weeks if any(not s.recorded for s in w.slots)][-1]
    used = sum(units(s.hours) for s in last.slots if not s.recorded)
    return day_reaching(scenario.learner, max(last.start, scenario.from_day), used)


@PROPERTY
@given(scenarios(paced=True))
def test_weeks_hold_at_most_their_capacity_and_all_the_work(scenario: Scenario) -> None:
    schedule = scenario.build()
    for week in schedule.weeks:
        planned = sum(units(slot.hours) for slot in week.slots if not slot.recorded)
        after = week.end + timedelta(days=1)
        assert planned <= units_between(scenario.learner, max(week.start, scenario.from_day), after)
    placed = sum(
        units(slot.hours) for week in schedule.weeks for slot in week.slots if not slot.recorded
    )
    left = minutes(schedule.hours_total) - minutes(schedule.hours_earned)
    assert placed == 7 * left
    assert set(planned_by_milestone(schedule)) == set(schedule.order)


@PROPERTY
@given(scenarios(paced=True))
def test_prerequisites_end_no_later_than_their_dependents_start(scenario: Scenario) -> None:
    schedule = scenario.build()
    planned = planned_by_milestone(schedule)
    position = {milestone_id: n for n, milestone_id in enumerate(schedule.order)}
    for task in scenario.tasks:
        if task.id not in planned:
            continue
        for required in task.requires:
            if required in planned:
                assert position[required] < position[task.id]
                assert planned[required][-1][0] <= planned[task.id][0][0]


@PROPERTY
@given(scenarios(paced=True))
def test_a_paced_milestone_takes_at_most_its_share(scenario: Scenario) -> None:
    schedule = scenario.build()
    planned = planned_by_milestone(schedule)
    for task in scenario.tasks:
        if task.id in planned and task.id in paced_ids(scenario):
            assert all(units(slot.hours) <= share_units(task) for _, slot in planned[task.id])
            pieces = [slot for _, slot in planned[task.id]]
            assert [s.continues for s in pieces] == [True] * (len(pieces) - 1) + [False]
            assert all(s.continued for s in pieces[1:])


@PROPERTY
@given(scenarios(paced=True))
def test_from_scratch_a_paced_milestone_spans_its_weeks(scenario: Scenario) -> None:
    learner = scenario.learner
    schedule = scenario.build(progress=Progress(), today=learner.start)
    planned = planned_by_milestone(schedule)
    for task in scenario.tasks:
        if task.id in planned and task.min_weeks > 1:
            weeks = [number for number, _ in planned[task.id]]
            assert weeks[-1] - weeks[0] + 1 >= task.min_weeks
            assert not planned[task.id][0][1].continued
    # The plan from scratch is the baseline: on track, and it ends when its work does.
    assert schedule.hours_behind == 0
    assert schedule.projected_finish == schedule.planned_finish
    if schedule.order:
        fresh = replace(scenario, progress=Progress(), today=learner.start)
        total = 7 * minutes(schedule.hours_total)
        by_capacity = day_reaching(learner, learner.start, total)
        assert schedule.planned_finish == max(by_capacity, last_work_day(fresh, schedule))


def depends_on_paced(scenario: Scenario) -> set[str]:
    """Remaining milestones that are paced or wait (through remaining ones) on one."""
    _, _, _, remaining = status(scenario)
    paced = paced_ids(scenario)
    dependents: dict[str, list[str]] = defaultdict(list)
    for task in scenario.tasks:
        for required in task.requires:
            if required in remaining and task.id in remaining:
                dependents[required].append(task.id)
    found, stack = set(paced), list(paced)
    while stack:
        for d in dependents[stack.pop()]:
            if d not in found:
                found.add(d)
                stack.append(d)
    return found


@PROPERTY
@given(scenarios(paced=True))
def test_work_that_does_not_wait_for_pacing_never_waits_idle(scenario: Scenario) -> None:
    """A milestone that waits for no paced one is never held up by pacing: every week
    after this one and before its last is full, so it ends as early as the work taken
    before it allows (pacing takes a share of weeks, never leaves them idle for it)."""
    schedule = scenario.build()
    planned = planned_by_milestone(schedule)
    weeks = {week.number: week for week in schedule.weeks}
    for milestone_id in set(planned) - depends_on_paced(scenario):
        last = planned[milestone_id][-1][0]
        for number in range(schedule.current_week + 1, last):
            week = weeks[number]
            assert abs(week.hours - week.capacity) < 0.02, (milestone_id, number)


@PROPERTY
@given(scenarios(paced=True))
def test_finish_dates_are_never_before_the_last_work(scenario: Scenario) -> None:
    schedule = scenario.build()
    if schedule.order:
        # The work left at the planned rate, and the day the plan's last work is done:
        # pacing can only make that later, and then the projection follows it.
        at_rate = schedule.finish_after(schedule.hours_total - schedule.hours_earned)
        last = last_work_day(scenario, schedule)
        assert last >= at_rate
        if last > at_rate:
            assert schedule.projected_finish >= last
        if schedule.pace == "on track":
            assert schedule.projected_finish <= schedule.planned_finish
    # Planned value: nothing at the start, all of it after the planned finish, never falling.
    start, finish = scenario.learner.start, schedule.planned_finish
    assert schedule.planned_at(scenario.today) == schedule.hours_planned_to_date
    assert schedule.planned_at(start) == 0
    assert schedule.planned_at(finish + timedelta(days=1)) == schedule.hours_total
    days = [start + timedelta(days=n) for n in range(-3, (finish - start).days + 3, 5)]
    values = [schedule.planned_at(on) for on in days]
    assert values == sorted(values)


@PROPERTY
@given(scenarios(paced=True))
def test_paced_plans_are_deterministic(scenario: Scenario) -> None:
    schedule = scenario.build()
    assert scenario.build() == schedule
    progress = scenario.progress
    shuffled = Progress(
        dict(reversed(list(progress.done.items()))),
        progress.skipped,
        tuple(reversed(progress.studied)),
        dict(reversed(list(progress.spent.items()))),
    )
    learner = replace(scenario.learner, time_off=tuple(reversed(scenario.learner.time_off)))
    assert scenario.build(learner=learner, progress=shuffled) == schedule


# The scheduler's general properties that pacing keeps, on curricula with min_weeks.
@PROPERTY
@given(scenarios(paced=True), st.data())
def test_earned_value_with_paced_milestones(scenario: Scenario, data: st.DataObject) -> None:
    sequential.test_earned_value.hypothesis.inner_test(scenario, data)  # type: ignore[attr-defined]


@PROPERTY
@given(scenarios(paced=True), st.data())
def test_finishing_a_milestone_earns_and_delays_nothing_once_no_pacing_is_left(
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
    # With paced work left, finishing something early may release work that takes a
    # paced milestone's room in a week, so that it ends a week later; without, never.
    if not paced_ids(replace(scenario, progress=replace(scenario.progress, done=done))):
        assert after.projected_finish <= schedule.projected_finish


@PROPERTY
@given(scenarios(paced=True), st.integers(1, 60))
def test_time_passing_never_brings_a_paced_finish_closer(scenario: Scenario, days: int) -> None:
    inner = sequential.test_time_passing_never_brings_the_finish_closer.hypothesis.inner_test  # type: ignore[attr-defined]
    inner(scenario, days)


# --------------------------------------------------------------------------- the CLI

TODAY = SESSION_DAY

CURRICULUM = """\
id: paced-role
title: Paced role
summary: A role whose mentoring needs calendar time.
version: 1
profile:
  source: "A test article (2024)"
  definition: A role learnt partly from a mentor.
  responsibilities: [Building services]
  required_skills: [Python]
  education: [Any degree]
  tools: [git]
  industries: [Finance]
  outlook:
    growth_percent: 10
    period: 2022-2032
    occupation: developers
    source: A test bureau
    text: Developers are projected to grow 10% from 2022 to 2032.
skills:
  - {id: python, name: Python, description: Writing Python.}
  - {id: design, name: Design, description: Designing services.}
  - {id: mentoring, name: Mentoring, description: Learning from a mentor.}
milestones:
  - id: basics
    title: Basics
    summary: The basics first.
    hours: 4
    skills: [python]
    resources: [{title: Tutorial, url: "https://docs.python.org/3/tutorial/", kind: docs}]
    done_when: a script
  - id: sessions
    title: Mentoring sessions
    summary: Three sessions with a mentor, a week apart.
    hours: 6
    min_weeks: 3
    skills: [mentoring]
    requires: [basics]
    resources: [{title: Mentoring guide, url: "https://example.org/mentoring", kind: article}]
    done_when: three sessions held
  - id: build
    title: Build a service
    summary: Technical work alongside the sessions.
    hours: 8
    skills: [design]
    requires: [basics]
    resources: [{title: Guide, url: "https://example.org/guide", kind: docs}]
    done_when: a running service
  - id: review
    title: Review with the mentor
    summary: Comes after the sessions.
    hours: 4
    skills: [design]
    requires: [sessions]
    resources: [{title: Checklist, url: "https://example.org/review", kind: article}]
    done_when: reviewed
"""


def on(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


@pytest.fixture
def paced(cli: Run, tmp_path: Path) -> Run:
    """A plan from today at 8 h a week on the curriculum above."""
    path = tmp_path / "paced-role.yaml"
    path.write_text(CURRICULUM, encoding="utf-8")
    result = cli("start", str(path), "--start", on(0), "--hours-per-week", "8")
    assert result.exit_code == 0, result.stderr
    return cli


def json_of(cli: Run, *args: str) -> dict[str, Any]:
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    return dict(json.loads(result.stdout))


def week_lines(cli: Run) -> list[str]:
    """The item lines of the printed plan, as "Week N" headings and "[ ] title (id), meta"
    (without the milestone's number)."""
    result = cli("plan", "--format", "txt")
    assert result.exit_code == 0, result.stderr
    return [
        re.sub(r"^(\[.\]) \d+ ", r"\1 ", " ".join(line.split()))
        for line in result.stdout.splitlines()
        if line.startswith("Week ") or line.lstrip().startswith("[")
    ]


def test_a_fresh_plan_runs_the_sessions_alongside_the_build(paced: Run) -> None:
    lines = week_lines(paced)
    assert [line.split(" (", 1)[0] if line.startswith("Week") else line for line in lines] == [
        "Week 1: " + on(0) + " to " + on(6),
        "[ ] Basics (basics), 4 h",
        "[ ] Mentoring sessions (sessions), 2 h of 6 h, continues",
        "[ ] Build a service (build), 2 h of 8 h, continues",
        "Week 2: " + on(7) + " to " + on(13),
        "[ ] Mentoring sessions (sessions), 2 h of 6 h, continues",
        "[ ] Build a service (build), 6 h of 8 h, continued",
        "Week 3: " + on(14) + " to " + on(20),
        "[ ] Mentoring sessions (sessions), 2 h of 6 h, continued",
        "[ ] Review with the mentor (review), 4 h",
    ]
    data = json_of(paced, "status", "--json")
    # 22 h end on day 19 at 8 h/week; the review's last hour is done on day 19 as well.
    assert data["finish"] == {
        "planned": on(19),
        "projected": on(19),
        "days_late": 0,
        "at_your_rate": None,
    }
    assert data["pace"]["status"] == "on track"
    # `next` shows everything due this week, the sessions next to the technical work.
    due = json_of(paced, "next", "--json")["milestones"]
    assert [(m["id"], m["hours_this_week"], m["continues"]) for m in due] == [
        ("basics", 4, False),
        ("sessions", 2, True),
        ("build", 2, True),
    ]
    text = paced("next").stdout
    assert "sessions: Mentoring sessions, 2 h of 6 h (continues)" in " ".join(text.split())


def test_study_and_done_on_the_paced_milestone(paced: Run) -> None:
    assert paced("done", "basics", "--on", on(0)).exit_code == 0
    result = paced("study", "sessions", "2h", "--on", on(0))
    assert result.exit_code == 0, result.stderr
    lines = week_lines(paced)
    # This week's session is held: the other two follow a week apart, the review after.
    assert "[ ] Mentoring sessions (sessions), studied 2 h" in lines
    week_2 = lines.index(next(line for line in lines if line.startswith("Week 2")))
    week_3 = lines.index(next(line for line in lines if line.startswith("Week 3")))
    assert "[ ] Mentoring sessions (sessions), 2 h of 6 h, continues" in lines[week_2:week_3]
    assert "[ ] Mentoring sessions (sessions), 2 h of 6 h, continued" in lines[week_3:]
    assert "[ ] Review with the mentor (review), 4 h" in lines[week_3:]
    data = json_of(paced, "status", "--json")
    assert data["progress"]["hours_earned"] == 6
    assert data["pace"]["status"] == "ahead"
    this_week = [s["milestone"] for s in data["current_week"]["slots"] if not s["recorded"]]
    assert this_week == ["build"]
    assert data["finish"]["projected"] == on(19)  # the last session's week still counts
    # Done early (the mentor had time): the review follows the build at once.
    assert paced("done", "sessions", "--on", on(0)).exit_code == 0
    lines = week_lines(paced)
    assert lines[-1] == "[ ] Review with the mentor (review), 4 h"
    assert lines[-2].startswith("Week 2")
    data = json_of(paced, "status", "--json")
    assert data["finish"]["projected"] == on(10)  # 12 h left from today


def test_skipping_the_paced_milestone(paced: Run) -> None:
    assert paced("skip", "sessions").exit_code == 0
    data = json_of(paced, "status", "--json")
    assert [s["id"] for s in data["skipped"]] == ["sessions"]
    planned = [s["milestone"] for s in data["current_week"]["slots"]]
    assert planned == ["basics", "build"]
    assert data["finish"]["planned"] == on(13)  # 16 h: two weeks, no calendar time needed


def test_knowing_the_paced_milestones_skill(cli: Run, tmp_path: Path) -> None:
    path = tmp_path / "paced-role.yaml"
    path.write_text(CURRICULUM, encoding="utf-8")
    args = ("start", str(path), "--start", on(0), "--hours-per-week", "8")
    assert cli(*args, "--know", "mentoring").exit_code == 0
    data = json_of(cli, "status", "--json")
    assert [s["id"] for s in data["skipped_known"]] == ["sessions"]
    assert [s["milestone"] for s in data["current_week"]["slots"]] == ["basics", "build"]
    assert data["finish"]["planned"] == on(13)
