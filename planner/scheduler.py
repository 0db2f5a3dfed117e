"""Turn a curriculum's milestones into a dated weekly study plan.

Pure functions over plain dataclasses: no I/O, no clock (``today`` is an argument),
standard library only. Hours are floats at the edges; inside, everything is integer
minutes (``round(hours * 60)``) so the arithmetic is exact, and hours are reported back
as ``minutes / 60``.

Weeks are anchored on the learner's start date: week 1 is ``start .. start + 6 days``.
Work fills weeks sequentially in prerequisite order (ties keep curriculum order); a
milestone longer than what is left of a week continues into the next ones. Completed work
stays in the week it was done, and remaining work is re-planned from the current week on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from heapq import heappop, heappush
from itertools import compress

__all__ = [
    "Learner",
    "Progress",
    "Schedule",
    "ScheduleError",
    "ScheduleTooLong",
    "Slot",
    "Task",
    "Week",
    "build_schedule",
]


_INFINITY = float("inf")
_ONE_DAY = timedelta(days=1)
_SIX_DAYS = timedelta(days=6)


LAST_DAY = date(8999, 12, 31)  # no schedule runs past this day


class ScheduleError(ValueError):
    """The scheduler's input is invalid: bad hours, duplicate ids, a prerequisite cycle."""


class ScheduleTooLong(ScheduleError):
    """The schedule would run past ``LAST_DAY``; ``weeks`` is how many weeks it needs."""

    def __init__(self, start: date, weeks: int) -> None:
        self.start = start
        self.weeks = weeks
        super().__init__(f"a schedule of {weeks:,} weeks from {start} runs past {LAST_DAY}")


@dataclass(frozen=True, slots=True)
class Task:
    """A milestone as the scheduler sees it."""

    id: str
    hours: float
    requires: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Learner:
    hours_per_week: float
    start: date
    known_skills: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Progress:
    done: Mapping[str, date] = field(default_factory=dict)
    skipped: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Slot:
    """One milestone's share of one week."""

    milestone_id: str
    hours: float
    done: bool
    continued: bool
    continues: bool


@dataclass(frozen=True, slots=True)
class Week:
    number: int
    start: date
    end: date
    slots: tuple[Slot, ...]

    @property
    def hours(self) -> float:
        """Hours of every slot in the week, done or not."""
        return sum(round(slot.hours * 60) for slot in self.slots) / 60


@dataclass(frozen=True, slots=True)
class Schedule:
    weeks: tuple[Week, ...]
    order: tuple[str, ...]
    skipped_known: tuple[str, ...]
    skipped: tuple[str, ...]
    current_week: int
    hours_total: float
    hours_done: float
    hours_planned_to_date: float
    hours_behind: float
    milestones_total: int
    milestones_done: int
    planned_finish: date
    projected_finish: date
    start: date

    def week_of(self, day: date) -> int:
        """The number of the week containing ``day`` (days before the start are week 1)."""
        return _week_of(self.start, day)


def build_schedule(
    tasks: Sequence[Task], learner: Learner, progress: Progress, today: date
) -> Schedule:
    """Place done work where it was done and the remaining work from ``today``'s week on.

    Raises ScheduleError for non-positive hours, duplicate ids or a prerequisite cycle,
    and ScheduleTooLong (before building any week) when it would run past ``LAST_DAY``.
    """
    week_minutes = _minutes(learner.hours_per_week, None)
    ids = [task.id for task in tasks]
    index = {milestone_id: i for i, milestone_id in enumerate(ids)}
    if len(index) != len(ids):
        duplicate = next(x for i, x in enumerate(ids) if index[x] != i)
        msg = f"duplicate milestone id {duplicate!r}"
        raise ScheduleError(msg)
    minutes = [_minutes(task.hours, task.id) for task in tasks]
    # Repeated prerequisites are harmless: each copy is counted and released once.
    prereqs = [[index[r] for r in task.requires if r in index] for task in tasks]
    dependents: list[list[int]] = [[] for _ in ids]
    for i, required in enumerate(prereqs):
        for p in required:
            dependents[p].append(i)
    _check_acyclic(ids, prereqs, dependents)

    start = learner.start
    current = _week_of(start, today)
    done_on: dict[int, date] = {}  # task index -> done date, clamped to today
    for milestone_id, day in progress.done.items():
        if milestone_id in index:
            done_on[index[milestone_id]] = min(day, today)
    known = learner.known_skills
    skipped_known: list[int] = []
    skipped: list[int] = []
    plannable = [True] * len(ids)
    remaining = [True] * len(ids)
    for i, task in enumerate(tasks):
        if i in done_on:  # done wins over every skip
            remaining[i] = False
        elif task.skills and known.issuperset(task.skills):
            skipped_known.append(i)
            plannable[i] = remaining[i] = False
        elif task.id in progress.skipped:
            skipped.append(i)
            plannable[i] = remaining[i] = False
    order = _topological_order(remaining, prereqs, dependents)

    total = sum(compress(minutes, plannable))
    baseline_weeks = -(-total // week_minutes)
    left_over = sum(minutes[i] for i in order) - week_minutes  # beyond the current week
    _check_fits(start, max(baseline_weeks, current + max(0, -(-left_over // week_minutes))))

    # Done work, in the week it was done: by done date, then curriculum order.
    week_slots: list[list[Slot]] = [[] for _ in range(current + 1)]  # by week number
    done_in_current = 0
    for i in sorted(done_on, key=lambda i: (done_on[i], i)):
        number = _week_of(start, done_on[i])  # <= current: done dates are clamped to today
        week_slots[number].append(Slot(ids[i], minutes[i] / 60, True, False, False))
        if number == current:
            done_in_current += minutes[i]

    # Remaining work, from the current week on, filling each week up to capacity.
    slots = week_slots[current]
    capacity = max(0, week_minutes - done_in_current)
    for i in order:
        milestone_id = ids[i]
        left = minutes[i]
        if left <= capacity:  # the common case: the whole milestone fits
            slots.append(Slot(milestone_id, left / 60, False, False, False))
            capacity -= left
            continue
        while left:
            if not capacity:
                slots = []
                week_slots.append(slots)
                capacity = week_minutes
            chunk = min(left, capacity)
            capacity -= chunk
            slots.append(Slot(milestone_id, chunk / 60, False, left != minutes[i], left > chunk))
            left -= chunk
    while len(week_slots) > 1 and not week_slots[-1]:
        week_slots.pop()
    last_week = len(week_slots) - 1

    weeks: list[Week] = []
    week_start = start
    for number in range(1, last_week + 1):
        week_end = week_start + _SIX_DAYS
        weeks.append(Week(number, week_start, week_end, tuple(week_slots[number])))
        week_start = week_end + _ONE_DAY

    done_total = sum(minutes[i] for i in done_on)
    if order:
        projected_finish = weeks[-1].end
    else:
        projected_finish = max(done_on.values(), default=start)

    # Baseline: the plannable work from week 1, nothing done. The fill is work-conserving,
    # so every baseline week is full except the last, whatever the order.
    planned_finish = _week_end(start, baseline_weeks) if total else start
    if today < start:
        planned_sevenths = 0  # in units of minutes / 7
    elif current > baseline_weeks:
        planned_sevenths = total * 7
    else:
        before = (current - 1) * week_minutes
        this_week = min(week_minutes, total - before)
        elapsed = (today - _week_start(start, current)).days
        planned_sevenths = before * 7 + this_week * elapsed

    return Schedule(
        weeks=tuple(weeks),
        order=tuple([ids[i] for i in order]),
        skipped_known=tuple([ids[i] for i in skipped_known]),
        skipped=tuple([ids[i] for i in skipped]),
        current_week=current,
        hours_total=total / 60,
        hours_done=done_total / 60,
        hours_planned_to_date=planned_sevenths / 420,
        hours_behind=(planned_sevenths - done_total * 7) / 420,
        milestones_total=sum(plannable),
        milestones_done=len(done_on),
        planned_finish=planned_finish,
        projected_finish=projected_finish,
        start=start,
    )


def _minutes(hours: float, milestone_id: str | None) -> int:
    """Hours as whole minutes (a milestone's, or the week's if no id); never zero."""
    if not 0 < hours * 60 < _INFINITY:  # also rejects NaN, and hours that overflow
        what = "hours_per_week" if milestone_id is None else f"hours of {milestone_id!r}"
        msg = f"{what} must be a positive number, got {hours!r}"
        raise ScheduleError(msg)
    return max(1, round(hours * 60))


def _check_fits(start: date, weeks: int) -> None:
    try:
        fits = _week_end(start, weeks) <= LAST_DAY
    except OverflowError:
        fits = False
    if not fits:
        raise ScheduleTooLong(start, weeks)


def _week_of(start: date, day: date) -> int:
    return max(1, (day - start).days // 7 + 1)


def _week_start(start: date, number: int) -> date:
    return start + timedelta(days=7 * (number - 1))


def _week_end(start: date, number: int) -> date:
    return start + timedelta(days=7 * number - 1)


def _topological_order(
    members: list[bool], prereqs: list[list[int]], dependents: list[list[int]]
) -> list[int]:
    """Kahn's algorithm over the members: prerequisites first, ties by curriculum index.

    Prerequisites that are not members count as satisfied. Assumes there is no cycle.
    """
    waiting = [0] * len(members)
    for i, required in enumerate(prereqs):
        if members[i]:
            for p in required:
                if members[p]:
                    waiting[i] += 1
    ready = [i for i, member in enumerate(members) if member and not waiting[i]]  # sorted: a heap
    order: list[int] = []
    while ready:
        i = heappop(ready)
        order.append(i)
        for d in dependents[i]:
            if members[d]:
                waiting[d] -= 1
                if not waiting[d]:
                    heappush(ready, d)
    return order


def _check_acyclic(ids: list[str], prereqs: list[list[int]], dependents: list[list[int]]) -> None:
    """Raise ScheduleError naming one prerequisite cycle, if the tasks have any.

    The message follows ``requires``: "a -> b" means a requires b. It starts at the cycle's
    earliest milestone in curriculum order, so the same input always names the same cycle.
    """
    waiting = [len(required) for required in prereqs]
    stack = [i for i, count in enumerate(waiting) if not count]
    seen = 0
    while stack:
        i = stack.pop()
        seen += 1
        for d in dependents[i]:
            waiting[d] -= 1
            if not waiting[d]:
                stack.append(d)
    if seen == len(ids):
        return
    # Every task left waits on another task left: walk "requires" edges until one repeats.
    position: dict[int, int] = {}
    path: list[int] = []
    i = min(i for i, count in enumerate(waiting) if count)
    while i not in position:
        position[i] = len(path)
        path.append(i)
        i = next(p for p in prereqs[i] if waiting[p])
    cycle = path[position[i] :]
    first = cycle.index(min(cycle))
    cycle = cycle[first:] + cycle[:first]
    names = " -> ".join(ids[j] for j in [*cycle, cycle[0]])
    msg = f"prerequisite cycle: {names}"
    raise ScheduleError(msg)
