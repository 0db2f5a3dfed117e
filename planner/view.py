"""A plan as every output sees it: its settings, its roles' curricula merged, its progress
and its dated schedule on one day. Pure data and arithmetic; no database, no files.

The curricula come with the plan (``PlanInfo.curricula``, read from the snapshots the
database keeps), so a view never depends on where the YAML files are today.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

from planner.errors import Conflict, PlanUnreadable, UsageError
from planner.history import Activity
from planner.rules import MAX_PLAN_YEARS, check_plan_length

if TYPE_CHECKING:
    from planner.plain import Curriculum, Milestone, Project, Skill
    from planner.queries import MilestoneState
    from planner.scheduler import Learner, Progress, Schedule, Task


@dataclass(frozen=True)
class PlanCurriculum:
    """The union of a plan's roles: shared milestones appear (and count) once."""

    roles: tuple[Curriculum, ...]
    milestones: tuple[Milestone, ...]
    skills: dict[str, Skill]
    projects: tuple[Project, ...]
    serves: dict[str, tuple[str, ...]]  # milestone id -> ids of the roles it serves

    @functools.cached_property
    def by_id(self) -> dict[str, Milestone]:
        """Milestones by id (built once; read-only by convention)."""
        return {m.id: m for m in self.milestones}


def merge_roles(roles: list[Curriculum]) -> PlanCurriculum:
    milestones: dict[str, Milestone] = {}
    skills: dict[str, Skill] = {}
    projects: dict[str, Project] = {}
    serves: dict[str, list[str]] = {}
    for role in roles:
        for milestone in role.milestones:
            milestones.setdefault(milestone.id, milestone)
            serves.setdefault(milestone.id, []).append(role.id)
        for skill in role.skills:
            skills.setdefault(skill.id, skill)
        for project in role.projects:
            projects.setdefault(project.id, project)
    return PlanCurriculum(
        roles=tuple(roles),
        milestones=tuple(milestones.values()),
        skills=skills,
        projects=tuple(projects.values()),
        serves={k: tuple(v) for k, v in serves.items()},
    )


class PlanRow(Protocol):
    """What a plan's settings are read from: a stored or an imported plan."""

    @property
    def name(self) -> str: ...

    @property
    def roles(self) -> list[str]: ...

    @property
    def hours_per_week(self) -> float: ...

    @property
    def start_date(self) -> date: ...

    @property
    def known_skills(self) -> list[str]: ...

    @property
    def industry(self) -> str | None: ...

    @property
    def created_at(self) -> datetime: ...

    @property
    def curriculum_versions(self) -> dict[str, int]: ...


@dataclass(frozen=True)
class PlanInfo:
    """A plan's settings with the curricula it keeps (one resolved Curriculum per role,
    in ``roles`` order) and its latest re-plan, if any."""

    name: str
    roles: tuple[str, ...]
    hours_per_week: float
    start: date
    known_skills: tuple[str, ...]
    industry: str | None
    created_at: datetime
    curriculum_versions: dict[str, int]
    rebase: tuple[date, float] | None = None  # (day re-planned, hours done then)
    curricula: tuple[Curriculum, ...] = field(default=(), repr=False)

    @classmethod
    def of(
        cls,
        row: PlanRow,
        curricula: Sequence[Curriculum],
        rebase: tuple[date, float] | None = None,
    ) -> PlanInfo:
        """The settings of a stored plan (a ``tracker.Plan``) or an imported one (an
        ``ExportPlan``: the same field names), with the curricula it keeps."""
        return cls(
            name=row.name,
            roles=tuple(row.roles),
            hours_per_week=row.hours_per_week,
            start=row.start_date,
            known_skills=tuple(row.known_skills),
            industry=row.industry,
            created_at=row.created_at,
            curriculum_versions=dict(row.curriculum_versions),
            rebase=rebase,
            curricula=tuple(curricula),
        )


@dataclass(frozen=True)
class PlanView:
    """Everything any output needs about one plan on one day."""

    plan: PlanInfo
    curriculum: PlanCurriculum
    states: dict[str, MilestoneState]
    schedule: Schedule
    today: date
    activity: Activity = field(default_factory=Activity)

    @functools.cached_property
    def _left_out(self) -> dict[str, str]:
        s = self.schedule
        return {**dict.fromkeys(s.skipped, "skipped"), **dict.fromkeys(s.skipped_known, "known")}

    def state_of(self, milestone_id: str) -> str:
        """pending, started (study recorded), done, skipped (by choice) or known."""
        left_out = self._left_out.get(milestone_id)
        if left_out is not None:
            return left_out
        state = self.states.get(milestone_id)
        if state is not None and state.kind == "done":
            return "done"
        return "started" if milestone_id in self.schedule.hours_studied else "pending"

    def done_on(self, milestone_id: str) -> date | None:
        state = self.states.get(milestone_id)
        if state is None or state.kind != "done":
            return None
        return state.on_date or state.at.date()

    def earned(self, milestone_id: str) -> float:
        """Earned hours of one milestone: its estimate once done; while started, its
        study hours up to ``EARNED_CAP`` of the estimate; else 0."""
        from planner.scheduler import EARNED_CAP

        m = self.curriculum.by_id[milestone_id]
        state = self.state_of(milestone_id)
        if state == "done":
            return m.hours
        if state != "started":
            return 0.0
        cap = round(m.hours * 60) * EARNED_CAP[0] // EARNED_CAP[1]
        return min(round(self.schedule.hours_studied[milestone_id] * 60), cap) / 60

    def reschedule(
        self, hours_per_week: float | None = None, extra_skips: frozenset[str] = frozenset()
    ) -> Schedule:
        """The schedule with other weekly hours or more milestones skipped, measured from
        today (as a re-plan would be); same progress, study and time off."""
        from planner.scheduler import build_schedule

        tasks, learner, progress = _inputs(
            self.plan, self.curriculum, self.states, self.activity, hours_per_week
        )
        progress = dataclasses.replace(progress, skipped=progress.skipped | extra_skips)
        learner = dataclasses.replace(learner, replanned=None)
        return build_schedule(tasks, learner, progress, self.today)


def _inputs(
    plan: PlanInfo,
    curriculum: PlanCurriculum,
    states: dict[str, MilestoneState],
    activity: Activity,
    hours_per_week: float | None = None,
) -> tuple[list[Task], Learner, Progress]:
    from planner.scheduler import Learner, Progress

    known = curriculum.by_id
    done = {
        mid: (s.on_date or s.at.date())
        for mid, s in states.items()
        if s.kind == "done" and mid in known
    }
    spent = {
        mid: s.hours for mid, s in states.items() if s.kind == "done" and mid in known and s.hours
    }
    skipped = frozenset(mid for mid, s in states.items() if s.kind == "skipped" and mid in known)
    tasks = tasks_of(curriculum.milestones)
    learner = Learner(
        hours_per_week=hours_per_week or plan.hours_per_week,
        start=plan.start,
        known_skills=frozenset(plan.known_skills),
        time_off=tuple((t.first, t.last, t.hours_per_week) for t in activity.time_off),
        replanned=plan.rebase,
    )
    progress = Progress(
        done=done,
        skipped=skipped,
        studied=tuple((e.milestone_id, e.day, e.hours) for e in activity.studied),
        spent=spent,
    )
    return tasks, learner, progress


def build_view(
    plan: PlanInfo,
    states: dict[str, MilestoneState],
    today: date,
    activity: Activity | None = None,
) -> PlanView:
    """The plan's schedule on ``today`` from its own curricula, its milestone states and
    its study entries and time off.

    Raises ScheduleError (from the scheduler) when the schedule cannot be built, e.g. it
    would run past the last date the calendar can hold.
    """
    from planner.scheduler import build_schedule

    if len(plan.curricula) != len(plan.roles):
        msg = f"plan {plan.name!r} has {len(plan.roles)} roles but {len(plan.curricula)} curricula"
        raise ValueError(msg)
    activity = activity or Activity()
    curriculum = merge_roles(list(plan.curricula))
    tasks, learner, progress = _inputs(plan, curriculum, states, activity)
    schedule = build_schedule(tasks, learner, progress, today)
    return PlanView(
        plan=plan,
        curriculum=curriculum,
        states=states,
        schedule=schedule,
        today=today,
        activity=activity,
    )


@dataclass(frozen=True)
class PlanSummary:
    """One row of ``planner plans`` / ``planner team``: a plan that could be read has a
    ``view``; one that could not has ``problem`` (why, and what to do) instead."""

    name: str
    roles: tuple[str, ...]
    active: bool
    view: PlanView | None
    last_activity: datetime | None
    problem: str | None = None


def pace_of(schedule: Schedule) -> str:
    """ "behind", "ahead", "on track" or "finished": see ``Schedule.pace``."""
    return schedule.pace


def pace_text(schedule: Schedule) -> str:
    """ "on track", "finished", "behind by 6 h" or "ahead by 2.5 h" (to a tenth of an
    hour): the one wording of pace every output uses."""
    pace = schedule.pace
    if pace in ("on track", "finished"):
        return pace
    return f"{pace} by {round(abs(schedule.hours_behind), 1):g} h"


def own_rate(view: PlanView) -> tuple[float, int] | None:
    """The learner's own rate: hours really spent per estimated hour, over the done
    milestones whose time is known (given with ``done --hours`` or recorded as study),
    with how many there are; None until there are two."""
    spent = estimated = 0.0
    count = 0
    for mid, hours in view.schedule.hours_spent.items():
        state = view.states.get(mid)
        real = (state is not None and state.hours) or mid in view.schedule.hours_studied
        if real:
            spent += hours
            estimated += view.curriculum.by_id[mid].hours
            count += 1
    if count < 2 or not estimated:
        return None
    return spent / estimated, count


def percent(part: float, whole: float) -> float:
    return round(100.0 * part / whole, 1) if whole else 100.0


def view_of(
    info: PlanInfo,
    states: dict[str, MilestoneState],
    today: date,
    activity: Activity | None = None,
) -> PlanView:
    """build_view, with a schedule that cannot be built reported as an unreadable plan."""
    from planner.scheduler import ScheduleError

    try:
        return build_view(info, states, today, activity)
    except ScheduleError as exc:
        msg = (
            f"Plan '{info.name}' cannot be scheduled: {exc}. Delete it with "
            f"`planner delete-plan '{info.name}'`; other plans are not affected."
        )
        raise PlanUnreadable(msg) from None


def check_roles(curricula_: list[Curriculum]) -> None:
    """Roles planned together must agree on every milestone they share: the same id with
    different content is a Conflict naming both roles."""
    seen: dict[str, tuple[str, object]] = {}
    for role in curricula_:
        for m in role.milestones:
            first = seen.setdefault(m.id, (role.id, m))
            if first[1] != m:
                msg = (
                    f"Milestone '{m.id}' is defined differently in {first[0]} and {role.id}; "
                    "a plan can hold only one. Rename it in your curriculum file (ids are "
                    "shared only when the milestone is the same)."
                )
                raise Conflict(msg)


def checked_view(
    info: PlanInfo,
    states: dict[str, MilestoneState],
    today: date,
    activity: Activity | None = None,
) -> tuple[PlanView, list[str]]:
    """The complete schedule of a plan about to be written, with warnings, or a
    UsageError: a plan is stored only once it is known to be readable later."""
    from planner.scheduler import ScheduleError, ScheduleTooLong

    try:
        view = build_view(info, states, today, activity)
    except ScheduleTooLong as exc:
        years = exc.weeks * 7 / 365.25
        msg = (
            f"At {info.hours_per_week:g} h/week the plan would take {years:,.0f} years; a "
            f"plan may run at most {MAX_PLAN_YEARS} years. Give more --hours-per-week."
        )
        raise UsageError(msg) from None
    except ScheduleError as exc:  # a curriculum that cannot be scheduled (cycle, duplicate)
        msg = f"The plan's curriculum cannot be scheduled: {exc}."
        raise UsageError(msg) from None
    s = view.schedule
    finish = max(s.projected_finish, s.planned_finish)
    return view, check_plan_length(info.start, finish, info.hours_per_week)


def tasks_of(milestones: Sequence[Milestone]) -> list[Task]:
    """The milestones as the scheduler sees them, in curriculum order."""
    from planner.scheduler import Task

    return [
        Task(
            id=m.id,
            hours=m.hours,
            requires=tuple(m.requires),
            skills=tuple(m.skills),
            min_weeks=m.min_weeks,
        )
        for m in milestones
    ]
