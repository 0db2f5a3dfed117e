"""Turn a curriculum's milestones into a dated weekly study plan, and measure progress
against it as earned value.

Pure functions over plain dataclasses: no I/O, no clock (``today`` is an argument),
standard library only. Hours are floats at the edges; inside, everything is integers so
the arithmetic is exact: work in minutes (``round(hours * 60)``) and capacity in units of
a seventh of a minute, because a week's hours are spread evenly over its seven days (a
normal day holds ``hours_per_week * 60`` units, a week seven times that).

Weeks are anchored on the learner's start date: week 1 is ``start .. start + 6 days``.
Recorded work (study entries and completions) stays in the week it happened. Remaining
work fills the days from today on, in prerequisite order (ties keep curriculum order); a
milestone longer than what is left of a week continues into the next ones. Time off
takes away (or reduces) the capacity of its days.

A milestone with ``min_weeks`` > 1 needs calendar time (mentoring sessions, a review):
it is paced, spread over at least that many weeks alongside the other work instead of
blocking it. It starts as soon as its prerequisites allow (of the milestones ready, a
paced one is taken first), takes at most its estimate / min_weeks (rounded up) in
each week from then on, and what it takes is kept free of later work; its dependents
start no earlier than its last week, and when nothing else is left to do the weeks until
then hold only the paced work. A started one goes on at the same weekly share for the
work left. See ``planner.placement``.

Progress is earned value, in estimated hours: a done milestone earns its estimate; a
started one earns its recorded study time, at most ``EARNED_CAP`` of its estimate until
it is done. Planned value to date is the capacity of the days before today, counted from
the start (or from the latest re-plan, which begins at the hours earned then), up to the
total. Pace is earned minus planned. Within ``tolerance`` (one day's planned hours, at
least an hour) the learner is on track and the projected finish is the planned one
(once the planned finish has passed with work left, the learner is behind);
beyond it, the projected finish is when the work left would be done at the planned rate
from today, so "behind" always comes with a later finish and "ahead" with an earlier one.

With paced milestones the hours keep their meaning, and the dates stay honest: the
planned finish is never before the plan laid from the start (or the re-plan, with the
progress made by then) is done, and planned value follows that plan week by week (a
week's work first in the week), so weeks that hold only paced work plan only it. On
track, the projected finish is the day the planned hours would be done at the planned
rate (the planned finish when pacing does not stretch it; earlier when the paced work
is already done). When the work placed from today ends later than the work left would at
the planned rate (paced work needs calendar time), the projected finish is never before
that day, and past the planned finish the learner is behind.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import compress

from planner.placement import Placement, place_work

__all__ = [
    "EARNED_CAP",
    "Capacity",
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
_INFINITY_INT = 2**63
_ONE_DAY = timedelta(days=1)
_SIX_DAYS = timedelta(days=6)
_UNITS_PER_HOUR = 420  # 60 minutes x 7 days

EARNED_CAP = (9, 10)  # a started milestone earns at most 9/10 of its estimate until done

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
    min_weeks: int = 1  # calendar weeks the work is spread over, at least


@dataclass(frozen=True, slots=True)
class Learner:
    """hours_per_week: float, > 0. time_off: (first day, last day, hours a week during it:
    0 for none, else less than hours_per_week), not overlapping. replanned: (day, hours
    earned that day) of the latest re-plan, the baseline planned value is measured from."""

    hours_per_week: float
    start: date
    known_skills: frozenset[str] = frozenset()
    time_off: tuple[tuple[date, date, float], ...] = ()
    replanned: tuple[date, float] | None = None


@dataclass(frozen=True, slots=True)
class Progress:
    """done: milestone -> day finished. studied: (milestone, day, hours) study entries.
    spent: milestone -> total hours it took, when the learner said so on ``done``."""

    done: Mapping[str, date] = field(default_factory=dict)
    skipped: frozenset[str] = frozenset()
    studied: tuple[tuple[str, date, float], ...] = ()
    spent: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Slot:
    """One milestone's share of one week: work recorded (``recorded``: hours really spent,
    ``done`` when it was finished that week) or planned (hours of its estimate)."""

    milestone_id: str
    hours: float
    done: bool
    continued: bool
    continues: bool
    recorded: bool = False


@dataclass(frozen=True, slots=True)
class Week:
    number: int
    start: date
    end: date
    slots: tuple[Slot, ...]
    capacity: float = 0.0  # hours the plan gives this week, after time off
    away_days: int = 0  # days of time off in this week

    @property
    def hours(self) -> float:
        """Hours of every slot in the week, recorded or planned."""
        return sum(round(slot.hours * 60) for slot in self.slots) / 60

    @property
    def recorded_hours(self) -> float:
        """Hours really spent this week (study entries and completions)."""
        return sum(round(slot.hours * 60) for slot in self.slots if slot.recorded) / 60


@dataclass(frozen=True, slots=True)
class Capacity:
    """How much study each day holds: ``per_day`` units (a seventh of a minute) on a
    normal day, less on days of time off (``segments``: first, last, units a day)."""

    per_day: int
    segments: tuple[tuple[date, date, int], ...] = ()

    def between(self, first: date, end: date) -> int:
        """Units of the days from ``first`` up to (not including) ``end``."""
        days = (end - first).days
        if days <= 0:
            return 0
        units = days * self.per_day
        for low, high, per_day in self.segments:
            overlap = (min(high + _ONE_DAY, end) - max(low, first)).days
            if overlap > 0:
                units -= overlap * (self.per_day - per_day)
        return units

    def reaching(self, first: date, units: int) -> date:
        """The first day by whose end ``units`` (> 0) fit from ``first`` on.

        Raises OverflowError past the calendar's last day."""
        cursor, left = first, units
        for low, high, per_day in self.segments:
            if high < cursor:
                continue
            if low > cursor:
                room = (low - cursor).days * self.per_day
                if room >= left:
                    return cursor + timedelta(days=-(-left // self.per_day) - 1)
                left -= room
                cursor = low
            room = ((high - cursor).days + 1) * per_day
            if per_day and room >= left:
                return cursor + timedelta(days=-(-left // per_day) - 1)
            left -= room
            cursor = high + _ONE_DAY
        return cursor + timedelta(days=-(-left // self.per_day) - 1)


@dataclass(frozen=True, slots=True)
class Schedule:
    """A plan on one day. Hours are floats; ``hours_earned`` (earned value) and
    ``hours_planned_to_date`` (planned value) are in estimated hours, ``hours_behind`` is
    planned minus earned (negative when ahead)."""

    weeks: tuple[Week, ...]
    order: tuple[str, ...]
    skipped_known: tuple[str, ...]
    skipped: tuple[str, ...]
    current_week: int
    hours_total: float
    hours_done: float  # estimates of the milestones done
    hours_planned_to_date: float
    hours_behind: float
    milestones_total: int
    milestones_done: int
    planned_finish: date
    projected_finish: date
    start: date
    today: date = date.min
    hours_earned: float = 0.0
    hours_studied: Mapping[str, float] = field(default_factory=dict)  # per milestone
    hours_spent: Mapping[str, float] = field(default_factory=dict)  # done ones: really spent
    tolerance: float = 1.0
    streak: int = 0  # weeks in a row (to this one) whose plan was met
    earned_by_week: tuple[float, ...] = ()  # earned value at each past week's end, then today
    capacity: Capacity = Capacity(1)
    baseline: tuple[date, float] = (date.min, 0.0)  # (day, hours) planned value counts from
    # With paced milestones, the plan laid from the baseline's day: (week, units in the
    # weeks before, units in the week), for planned value; empty otherwise.
    paced_baseline: tuple[tuple[int, int, int], ...] = ()

    @property
    def finished(self) -> bool:
        """Every planned milestone is done (or there is nothing to plan)."""
        return not self.order

    @property
    def pace(self) -> str:
        """ "behind", "ahead" or "on track" (within ``tolerance``), or "finished"."""
        if self.finished:
            return "finished"
        if self.hours_behind > self.tolerance or self.projected_finish > self.planned_finish:
            return "behind"  # the second: work left after the planned finish has passed
        if self.hours_behind < -self.tolerance:
            return "ahead"
        return "on track"

    def week_of(self, day: date) -> int:
        """The number of the week containing ``day`` (days before the start are week 1)."""
        return _week_of(self.start, day)

    def finish_after(self, hours: float) -> date:
        """The day ``hours`` (> 0) of study from today on would be done at the planned
        rate, around time off. Raises OverflowError past the calendar's end."""
        units = max(1, round(hours * _UNITS_PER_HOUR))
        return self.capacity.reaching(max(self.today, self.start), units)

    def planned_at(self, day: date) -> float:
        """Planned value (hours) by the start of ``day``: the baseline's line, and before
        a re-plan a straight line from the start to the hours earned at the re-plan."""
        anchor, hours = self.baseline
        if day <= anchor:
            if anchor <= self.start:
                return 0.0
            span = (anchor - self.start).days
            return hours * max((day - self.start).days, 0) / span
        total_units = round(self.hours_total * _UNITS_PER_HOUR)
        if day > self.planned_finish:
            return total_units / _UNITS_PER_HOUR
        units = _planned_units(
            self.start,
            self.capacity,
            (anchor, round(hours * _UNITS_PER_HOUR)),
            self.paced_baseline,
            day,
        )
        return min(units, total_units) / _UNITS_PER_HOUR


def build_schedule(
    tasks: Sequence[Task], learner: Learner, progress: Progress, today: date
) -> Schedule:
    """Place recorded work where it happened and the remaining work from ``today`` on.

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
    for task in tasks:
        if not 1 <= task.min_weeks:
            msg = f"min_weeks of {task.id!r} must be at least 1, got {task.min_weeks!r}"
            raise ScheduleError(msg)
    # Repeated prerequisites are harmless: each copy is counted and released once.
    prereqs = [[index[r] for r in task.requires if r in index] for task in tasks]
    dependents: list[list[int]] = [[] for _ in ids]
    for i, required in enumerate(prereqs):
        for p in required:
            dependents[p].append(i)
    _check_acyclic(ids, prereqs, dependents)

    start = learner.start
    capacity = _capacity(learner, week_minutes)
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

    # Study entries, in minutes, with their days clamped to today.
    studied = [0] * len(ids)
    entries: list[tuple[date, int, int]] = []  # (day, task, minutes)
    for milestone_id, day, hours in progress.studied:
        i = index.get(milestone_id, -1)
        if i < 0 or not (plannable[i] or i in done_on):
            continue
        spent = round(hours * 60)
        if spent > 0:
            studied[i] += spent
            entries.append((min(day, today), i, spent))
    cap_num, cap_den = EARNED_CAP
    earned_part = [min(studied[i], minutes[i] * cap_num // cap_den) for i in range(len(ids))]
    left = [minutes[i] - earned_part[i] for i in range(len(ids))]

    total = sum(compress(minutes, plannable))
    earned = sum(minutes[i] for i in done_on) + sum(compress(earned_part, remaining))
    total_units, earned_units = total * 7, earned * 7
    try:
        if learner.replanned is not None and learner.replanned[0] > start:
            anchor = learner.replanned[0]
            anchor_units = min(total_units, max(0, round(learner.replanned[1] * 420)))
        else:
            anchor, anchor_units = start, 0
        planned_finish = (
            capacity.reaching(anchor, total_units - anchor_units)
            if total_units > anchor_units
            else (anchor if total else start)
        )
        from_day = max(today, start)
        anything_left = any(remaining)
        projected = (
            capacity.reaching(from_day, total_units - earned_units) if anything_left else from_day
        )
        _check_fits(start, _week_of(start, max(planned_finish, projected)))
        # Remaining work, from today on (see planner.placement).
        placement = _place(
            tasks,
            capacity,
            start,
            from_day,
            (remaining, minutes, left, _studied_in_week(entries, start, from_day)),
            prereqs,
            dependents,
        )
        last_work = _last_work_day(placement, capacity, start, from_day)
        paced_baseline: tuple[tuple[int, int, int], ...] = ()
        at_rate = planned_finish  # the planned day at the planned rate, pacing aside
        if any(task.min_weeks > 1 for task in compress(tasks, plannable)):
            # The plan as laid from the baseline's day, with the progress made by then.
            cut = anchor if anchor > start else None
            members = [
                plannable[i] and not (cut and i in done_on and done_on[i] <= cut)
                for i in range(len(ids))
            ]
            until = [entry for entry in entries if cut and entry[0] <= cut]
            then = [0] * len(ids)
            for _, i, spent in until:
                then[i] += spent
            need = [
                minutes[i] - min(then[i], minutes[i] * cap_num // cap_den) for i in range(len(ids))
            ]
            base = _place(
                tasks,
                capacity,
                start,
                anchor,
                (members, minutes, need, _studied_in_week(until, start, anchor)),
                prereqs,
                dependents,
            )
            before = 0
            rows = []
            for number in sorted(base.used):
                rows.append((number, before, base.used[number]))
                before += base.used[number]
            paced_baseline = tuple(rows)
            planned_finish = max(planned_finish, _last_work_day(base, capacity, start, anchor))
        _check_fits(start, max(placement.last_week, _week_of(start, planned_finish)))
    except OverflowError:
        raise ScheduleTooLong(start, _weeks_past_end(start, week_minutes, total)) from None
    order = placement.order

    if today <= anchor:
        planned_units = anchor_units if today == anchor else 0
    elif today > planned_finish:
        planned_units = total_units
    else:
        planned_units = min(
            total_units,
            _planned_units(start, capacity, (anchor, anchor_units), paced_baseline, today),
        )
    tolerance_units = max(_UNITS_PER_HOUR, capacity.per_day)
    behind_units = planned_units - earned_units
    unsnapped = projected
    if not order:
        projected = max(done_on.values(), default=start)
    elif abs(behind_units) <= tolerance_units and at_rate >= from_day:
        projected = at_rate  # on track: the planned day (never one already past)
    if order and last_work > unsnapped:  # work that needs calendar time ends later
        projected = max(projected, last_work)

    # Recorded work, in the week it happened: study entries, then completions.
    week_slots: list[list[Slot]] = [[] for _ in range(current + 1)]  # by week number
    recorded: dict[tuple[int, int], list[int]] = {}  # (week, task) -> [minutes, done]
    for day, i, spent in entries:
        slot = recorded.setdefault((_week_of(start, day), i), [0, 0])
        slot[0] += spent
    spent_total: dict[int, int] = {}
    for i, day in done_on.items():
        given = progress.spent.get(ids[i])
        took = round(given * 60) if given else (studied[i] or minutes[i])
        took = max(took, studied[i])
        spent_total[i] = took
        slot = recorded.setdefault((_week_of(start, day), i), [0, 0])
        slot[0] += took - studied[i]
        slot[1] = 1
    first_day = {i: day for day, i, _ in sorted(entries, reverse=True)}
    for i, day in done_on.items():
        first_day[i] = min(first_day.get(i, day), day)
    for (number, i), (spent, finished) in sorted(
        recorded.items(), key=lambda item: (item[0][0], first_day[item[0][1]], item[0][1])
    ):
        week_slots[number].append(Slot(ids[i], spent / 60, bool(finished), False, False, True))

    for number in sorted(placement.weeks):
        while number >= len(week_slots):
            week_slots.append([])
        week_slots[number].extend(
            Slot(ids[p.task], p.units / _UNITS_PER_HOUR, False, p.continued, p.continues)
            for p in placement.weeks[number]
        )
    while len(week_slots) > 1 and not week_slots[-1]:
        week_slots.pop()
    last_week = len(week_slots) - 1

    weeks: list[Week] = []
    week_start = start
    for n in range(1, last_week + 1):
        week_end = week_start + _SIX_DAYS
        units = capacity.between(week_start, week_end + _ONE_DAY)
        away = _away_days(learner.time_off, week_start, week_end)
        weeks.append(Week(n, week_start, week_end, tuple(week_slots[n]), units / 420, away))
        week_start = week_end + _ONE_DAY

    return Schedule(
        weeks=tuple(weeks),
        order=tuple([ids[i] for i in order]),
        skipped_known=tuple([ids[i] for i in skipped_known]),
        skipped=tuple([ids[i] for i in skipped]),
        current_week=current,
        hours_total=total / 60,
        hours_done=sum(minutes[i] for i in done_on) / 60,
        hours_planned_to_date=planned_units / _UNITS_PER_HOUR,
        hours_behind=behind_units / _UNITS_PER_HOUR,
        milestones_total=sum(plannable),
        milestones_done=len(done_on),
        planned_finish=planned_finish,
        projected_finish=projected,
        start=start,
        today=today,
        hours_earned=earned / 60,
        hours_studied={ids[i]: studied[i] / 60 for i in range(len(ids)) if studied[i]},
        hours_spent={ids[i]: m / 60 for i, m in spent_total.items()},
        tolerance=tolerance_units / _UNITS_PER_HOUR,
        streak=_streak(weeks, current, paced_baseline),
        earned_by_week=_earned_by_week(
            start, today, current, minutes, done_on, entries, (cap_num, cap_den)
        ),
        capacity=capacity,
        baseline=(anchor, anchor_units / _UNITS_PER_HOUR),
        paced_baseline=paced_baseline,
    )


def _place(
    tasks: Sequence[Task],
    capacity: Capacity,
    start: date,
    from_day: date,
    work: tuple[list[bool], list[int], list[int], dict[int, int]],
    prereqs: list[list[int]],
    dependents: list[list[int]],
) -> Placement:
    """Lay the work of the members on the days from ``from_day`` on. ``work``: (members,
    estimate minutes, minutes left, minutes studied in the week of ``from_day`` by task).

    A milestone with ``min_weeks`` > 1 is paced: at most its estimate / min_weeks a week
    (rounded up), less what was studied of it in the first week; its work left spread
    over the matching part of min_weeks."""
    members, minutes, left, studied = work
    share = [0] * len(tasks)
    spread = [0] * len(tasks)
    already = [0] * len(tasks)
    for i, task in enumerate(tasks):
        if task.min_weeks > 1 and members[i]:
            whole = minutes[i] * 7
            share[i] = -(-whole // task.min_weeks)
            spread[i] = -(-task.min_weeks * left[i] * 7 // whole)
            already[i] = min(share[i], studied.get(i, 0) * 7)

    def room_of(number: int) -> int:
        first = _week_start(start, number)
        return capacity.between(max(first, from_day), first + timedelta(days=7))

    return place_work(
        members=members,
        prereqs=prereqs,
        dependents=dependents,
        need=[m * 7 for m in left],
        started=[left[i] != minutes[i] for i in range(len(tasks))],
        share=share,
        spread=spread,
        already=already,
        first_week=_week_of(start, from_day),
        room_of=room_of,
    )


def _studied_in_week(
    entries: list[tuple[date, int, int]], start: date, day: date
) -> dict[int, int]:
    """Minutes studied by task in the week of ``day``, up to that day."""
    number = _week_of(start, day)
    studied: dict[int, int] = {}
    for on, i, spent in entries:
        if on <= day and _week_of(start, on) == number:
            studied[i] = studied.get(i, 0) + spent
    return studied


def _last_work_day(placement: Placement, capacity: Capacity, start: date, from_day: date) -> date:
    """The day the last placed work is done (work in a week comes first in it);
    ``from_day`` when nothing was placed."""
    number = placement.last_week
    if not number:
        return from_day
    first = max(_week_start(start, number), from_day)
    return capacity.reaching(first, placement.used[number])


def _planned_units(
    start: date,
    capacity: Capacity,
    anchor: tuple[date, int],
    paced: tuple[tuple[int, int, int], ...],
    day: date,
) -> int:
    """Planned value (units, uncapped) by the start of ``day``, after the anchor: its
    units plus the capacity since, or with paced milestones the work the plan from the
    anchor placed before ``day`` (a week's work first in the week)."""
    anchor_day, anchor_units = anchor
    if not paced:
        return anchor_units + capacity.between(anchor_day, day)
    number = _week_of(start, day)
    at = bisect_right(paced, (number, _INFINITY_INT)) - 1
    if at < 0:
        return anchor_units
    week, before, used = paced[at]
    if week < number:
        return anchor_units + before + used
    first = max(_week_start(start, week), anchor_day)
    return anchor_units + before + min(used, capacity.between(first, day))


def _capacity(learner: Learner, week_minutes: int) -> Capacity:
    segments: list[tuple[date, date, int]] = []
    for first, last, hours in sorted(learner.time_off):
        if last < first:
            msg = f"time off from {first} ends before it starts ({last})"
            raise ScheduleError(msg)
        per_day = min(week_minutes, max(0, round(hours * 60)))
        if segments and first <= segments[-1][1]:
            msg = f"time off from {first} overlaps the time off from {segments[-1][0]}"
            raise ScheduleError(msg)
        segments.append((first, last, per_day))
    return Capacity(week_minutes, tuple(segments))


def _away_days(time_off: tuple[tuple[date, date, float], ...], first: date, last: date) -> int:
    return sum(max(0, (min(high, last) - max(low, first)).days + 1) for low, high, _ in time_off)


def _streak(weeks: list[Week], current: int, paced: tuple[tuple[int, int, int], ...] = ()) -> int:
    """Weeks in a row, back from the current one, whose recorded hours met the week's
    plan: its capacity, or within a paced plan's weeks the work that plan gave it.
    Weeks with no planned hours (time off) neither count nor break it; the current
    week counts once met and does not break it before it ends."""
    planned = {number: used for number, _, used in paced}
    first, last = (paced[0][0], paced[-1][0]) if paced else (0, -1)
    count = 0
    for week in reversed(weeks[:current]):
        target = round(week.capacity * 60)
        if first <= week.number <= last:
            target = min(target, -(-planned.get(week.number, 0) // 7))
        if target <= 0:
            continue
        met = round(week.recorded_hours * 60) >= target
        if met:
            count += 1
        elif week.number != current:
            break
    return count


def _earned_by_week(
    start: date,
    today: date,
    current: int,
    minutes: list[int],
    done_on: dict[int, date],
    entries: list[tuple[date, int, int]],
    cap: tuple[int, int],
) -> tuple[float, ...]:
    """Earned value (hours) at the end of each week before the current one, then today."""
    changes: list[tuple[date, int, int, int]] = []  # (day, kind 0 study / 1 done, task, min)
    changes += [(day, 0, i, spent) for day, i, spent in entries]
    changes += [(day, 1, i, 0) for i, day in done_on.items()]
    changes.sort()
    studied: dict[int, int] = {}
    finished: set[int] = set()
    earned = 0
    values: list[float] = []
    position = 0
    for number in range(1, current + 1):
        end = min(_week_start(start, number) + _SIX_DAYS, today)
        while position < len(changes) and changes[position][0] <= end:
            _, kind, i, spent = changes[position]
            position += 1
            if i in finished:
                continue
            before = min(studied.get(i, 0), minutes[i] * cap[0] // cap[1])
            if kind:
                finished.add(i)
                earned += minutes[i] - before
            else:
                studied[i] = studied.get(i, 0) + spent
                earned += min(studied[i], minutes[i] * cap[0] // cap[1]) - before
        values.append(earned / 60)
    return tuple(values)


def _weeks_past_end(start: date, week_minutes: int, total: int) -> int:
    return max(1, -(-total // week_minutes))


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
