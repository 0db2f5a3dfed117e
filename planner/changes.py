"""Changes to a plan itself: add a role, and re-plan when the learner falls behind.

Every change is recorded as an event (kind ``role-added`` or ``replanned``), so the
history shows when and why the plan changed; progress is never rewritten.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from planner.errors import PlannerError, UsageError

if TYPE_CHECKING:
    from planner.scheduler import Schedule
    from planner.service import PlanView

HOUR_STEP = 0.5


def rebase(
    schedule: Schedule,
    *,
    start: date,
    hours_per_week: float,
    since: date,
    hours_done_then: float,
    today: date,
) -> Schedule:
    """Measure pace against the plan as re-planned on ``since`` rather than the original.

    From the re-plan on, the plan expects ``hours_done_then`` plus ``hours_per_week``
    a week, and its planned finish is when the hours left then would be done.
    """
    total = schedule.hours_total
    days = max((today - since).days, 0)
    planned = min(total, hours_done_then + hours_per_week * days / 7)
    left = max(total - hours_done_then, 0.0)
    first_week = max((since - start).days // 7, 0)  # 0-based week of the re-plan
    weeks = math.ceil(left / hours_per_week - 1e-9) if left else 0
    finish = start + timedelta(days=7 * (first_week + max(weeks, 1)) - 1)
    return dataclasses.replace(
        schedule,
        hours_planned_to_date=planned,
        hours_behind=planned - schedule.hours_done,
        planned_finish=finish,
    )


def _projected(view: PlanView, hours_per_week: float, extra_skips: frozenset[str]) -> date:
    from planner.scheduler import Learner, Progress, Task, build_schedule

    done = {mid: day for mid in view.curriculum.by_id if (day := view.done_on(mid))}
    skipped = frozenset(view.schedule.skipped) | extra_skips
    tasks = [
        Task(id=m.id, hours=m.hours, requires=tuple(m.requires), skills=tuple(m.skills))
        for m in view.curriculum.milestones
    ]
    schedule = build_schedule(
        tasks,
        Learner(hours_per_week, view.plan.start, frozenset(view.plan.known_skills)),
        Progress(done=done, skipped=skipped),
        view.today,
    )
    return schedule.projected_finish


def hours_needed(view: PlanView, target: date, extra_skips: frozenset[str]) -> float | None:
    """The fewest hours a week (in half hours, at most 80) that finish by ``target``."""
    from planner.service import MAX_HOURS_PER_WEEK

    low, high = 1, int(MAX_HOURS_PER_WEEK / HOUR_STEP)
    if _projected(view, high * HOUR_STEP, extra_skips) > target:
        return None
    while low < high:
        middle = (low + high) // 2
        if _projected(view, middle * HOUR_STEP, extra_skips) <= target:
            high = middle
        else:
            low = middle + 1
    return low * HOUR_STEP


def replan_options(view: PlanView, finish_by: date | None) -> dict[str, Any]:
    """The ways to catch up, with numbers: keep hours, raise hours, drop optional work."""
    s = view.schedule
    target = finish_by or s.planned_finish
    optional = [
        m for m in view.curriculum.milestones if m.optional and view.state_of(m.id) == "pending"
    ]
    dropped = frozenset(m.id for m in optional)
    needed = hours_needed(view, target, frozenset())
    return {
        "plan": view.plan.name,
        "today": view.today.isoformat(),
        "hours_per_week": view.plan.hours_per_week,
        "hours_behind": round(s.hours_behind, 2),
        "planned_finish": s.planned_finish.isoformat(),
        "projected_finish": s.projected_finish.isoformat(),
        "target": target.isoformat(),
        "options": {
            "keep_hours": {
                "hours_per_week": view.plan.hours_per_week,
                "finish": s.projected_finish.isoformat(),
            },
            "raise_hours": {
                "hours_per_week": needed,
                "finish": _projected(view, needed, frozenset()).isoformat() if needed else None,
            },
            "drop_optional": {
                "milestones": [{"id": m.id, "title": m.title, "hours": m.hours} for m in optional],
                "hours_saved": sum(m.hours for m in optional),
                "finish": _projected(view, view.plan.hours_per_week, dropped).isoformat(),
            },
        },
    }


def check_finish_by(view: PlanView, finish_by: date) -> None:
    if finish_by <= view.today:
        msg = f"--finish-by {finish_by} is not in the future; give a later date."
        raise UsageError(msg)


def plan_change(
    view: PlanView,
    *,
    hours_per_week: float | None,
    finish_by: date | None,
    drop_optional: bool,
) -> dict[str, Any]:
    """What applying the options would change (not yet written)."""
    from planner.service import check_hours_per_week

    if finish_by is not None:
        check_finish_by(view, finish_by)
    dropped = (
        [
            m.id
            for m in view.curriculum.milestones
            if m.optional and view.state_of(m.id) == "pending"
        ]
        if drop_optional
        else []
    )
    new_hours = view.plan.hours_per_week
    if hours_per_week is not None:
        new_hours = check_hours_per_week(hours_per_week)
    elif finish_by is not None:
        needed = hours_needed(view, finish_by, frozenset(dropped))
        if needed is None:
            msg = (
                f"Even at 80 h/week the plan cannot finish by {finish_by}; choose a later "
                "--finish-by, or also --drop-optional."
            )
            raise PlannerError(msg)
        new_hours = needed
    if new_hours == view.plan.hours_per_week and not dropped:
        msg = "Nothing to change: give --hours-per-week, --finish-by or --drop-optional."
        raise UsageError(msg)
    finish = _projected(view, new_hours, frozenset(dropped))
    parts = []
    if new_hours != view.plan.hours_per_week:
        parts.append(f"hours per week {view.plan.hours_per_week:g} -> {new_hours:g}")
    if dropped:
        parts.append(f"dropped optional {', '.join(dropped)}")
    reason = "; ".join(parts) + f"; projected finish {finish}"
    if finish_by is not None:
        reason += f" (target {finish_by})"
    return {
        "hours_per_week": new_hours,
        "dropped": dropped,
        "finish": finish.isoformat(),
        "reason": reason,
    }
