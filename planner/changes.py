"""Changes to a plan itself: add a role, and re-plan when the learner falls behind.

Every change is recorded as an event (kind ``role-added`` or ``replanned``), so the
history shows when and why the plan changed; progress is never rewritten.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from planner.errors import UsageError
from planner.rules import MAX_HOURS_PER_WEEK, check_finish_by, check_hours_per_week

if TYPE_CHECKING:
    from planner.view import PlanView

HOUR_STEP = 0.5


def _projected(view: PlanView, hours_per_week: float, extra_skips: frozenset[str]) -> date:
    """The projected finish at other weekly hours or with more milestones skipped, with
    the same progress, study time and time off, measured from today."""
    return view.reschedule(hours_per_week, extra_skips).projected_finish


def hours_needed(view: PlanView, target: date, extra_skips: frozenset[str]) -> float | None:
    """The fewest hours a week (in half hours, at most 80) that finish by ``target``."""
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
    """Where the plan stands and the ways to catch up that change something: more hours
    a week (when the current hours do not reach the target) and dropping optional work
    (when there is some left). ``catch_up_needed`` is false when the learner is on track
    or ahead, or the projection already meets ``finish_by``."""
    from planner.view import pace_text

    s = view.schedule
    target = finish_by or s.planned_finish
    optional = [
        m
        for m in view.curriculum.milestones
        if m.optional and view.state_of(m.id) in ("pending", "started")
    ]
    dropped = frozenset(m.id for m in optional)
    keep = _projected(view, view.plan.hours_per_week, frozenset())
    if finish_by is None:
        needed_now = s.pace == "behind"
    else:
        needed_now = keep > finish_by
    raise_hours = None
    if needed_now:
        needed = hours_needed(view, target, frozenset())
        if needed is None or needed > view.plan.hours_per_week:
            raise_hours = {
                "hours_per_week": needed,
                "finish": _projected(view, needed, frozenset()).isoformat() if needed else None,
            }
    drop_optional = None
    if optional:
        finish = _projected(view, view.plan.hours_per_week, dropped)
        drop_optional = {
            "milestones": [{"id": m.id, "title": m.title, "hours": m.hours} for m in optional],
            "hours_saved": sum(m.hours for m in optional),
            "finish": finish.isoformat(),
        }
    return {
        "plan": view.plan.name,
        "today": view.today.isoformat(),
        "hours_per_week": view.plan.hours_per_week,
        "pace": s.pace,
        "pace_text": pace_text(s),
        "hours_behind": round(s.hours_behind, 2),
        "planned_finish": s.planned_finish.isoformat(),
        "projected_finish": s.projected_finish.isoformat(),
        "target": target.isoformat(),
        "catch_up_needed": needed_now,
        "options": {
            "keep_hours": {
                "hours_per_week": view.plan.hours_per_week,
                "finish": s.projected_finish.isoformat(),
            },
            "raise_hours": raise_hours,
            "drop_optional": drop_optional,
        },
    }


def plan_change(
    view: PlanView,
    *,
    hours_per_week: float | None,
    finish_by: date | None,
    drop_optional: bool,
) -> dict[str, Any]:
    """What applying the options would change (not yet written)."""
    if finish_by is not None:
        check_finish_by(finish_by, view.today, view.plan.start)
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
        if finish_by is not None:
            reached = _projected(view, new_hours, frozenset(dropped))
            if reached > finish_by:
                needed = hours_needed(view, finish_by, frozenset(dropped))
                meets = (
                    f"{needed:g} h/week would meet it"
                    if needed is not None
                    else "no weekly hours up to 80 meet it"
                )
                msg = (
                    f"At {new_hours:g} h/week the plan finishes on {reached}, after --finish-by "
                    f"{finish_by}; {meets}. Nothing was changed."
                )
                raise UsageError(msg)
    elif finish_by is not None:
        needed = hours_needed(view, finish_by, frozenset(dropped))
        if needed is None:
            msg = (
                f"Even at 80 h/week the plan cannot finish by {finish_by}; choose a later "
                "--finish-by, or also --drop-optional."
            )
            raise UsageError(msg)
        new_hours = needed
    if new_hours == view.plan.hours_per_week and not dropped:
        if hours_per_week is not None or finish_by is not None:
            msg = (
                f"The plan is already at {new_hours:g} h/week"
                + (" and has no optional milestones left to drop" if drop_optional else "")
                + "; nothing to change."
            )
        else:
            msg = "No optional milestones are left to drop; nothing to change."
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
