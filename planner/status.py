"""The data behind ``planner status`` and ``planner next`` (and their ``--json``), built
from a PlanView. Pure: dictionaries of plain values, never text for the terminal."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from planner.view import pace_of, percent

if TYPE_CHECKING:
    from planner.view import PlanView


def milestone_data(view: PlanView, milestone_id: str) -> dict[str, Any]:
    m = view.curriculum.by_id[milestone_id]
    done_on = view.done_on(milestone_id)
    return {
        "id": m.id,
        "title": m.title,
        "hours": m.hours,
        "state": view.state_of(m.id),
        "done_on": done_on.isoformat() if done_on else None,
        "summary": m.summary,
        "done_when": m.done_when,
        "skills": list(m.skills),
        "requires": list(m.requires),
        "roles": list(view.curriculum.serves.get(m.id, ())),
        "optional": m.optional,
        "resources": [dict(r) for r in m.resources],  # flat models: no pydantic serializer
    }


def week_data(view: PlanView, number: int) -> dict[str, Any]:
    schedule = view.schedule
    start = view.plan.start

    week_start = start + timedelta(days=7 * (number - 1))
    slots = schedule.weeks[number - 1].slots if number <= len(schedule.weeks) else ()
    return {
        "number": number,
        "start": week_start.isoformat(),
        "end": (week_start + timedelta(days=6)).isoformat(),
        "hours": sum(s.hours for s in slots),
        "slots": [
            {
                "milestone": s.milestone_id,
                "title": view.curriculum.by_id[s.milestone_id].title,
                "hours": s.hours,
                "done": s.done,
                "continued": s.continued,
                "continues": s.continues,
            }
            for s in slots
        ],
    }


def status_data(view: PlanView) -> dict[str, Any]:
    """Where the learner stands: the data behind ``planner status`` and its --json."""
    s = view.schedule
    by_id = view.curriculum.by_id
    plannable = [
        m for m in view.curriculum.milestones if view.state_of(m.id) in ("pending", "done")
    ]
    skills = []
    for skill in view.curriculum.skills.values():
        related = [m for m in plannable if skill.id in m.skills]
        if not related:
            continue
        total = sum(m.hours for m in related)
        done = sum(m.hours for m in related if view.state_of(m.id) == "done")
        skills.append(
            {
                "id": skill.id,
                "name": skill.name,
                "hours_done": done,
                "hours_total": total,
                "percent": percent(done, total),
            }
        )
    roles = []
    for role in view.curriculum.roles:
        ids = {m.id for m in role.milestones}
        related = [m for m in plannable if m.id in ids]
        total = sum(m.hours for m in related)
        done = sum(m.hours for m in related if view.state_of(m.id) == "done")
        roles.append(
            {
                "id": role.id,
                "title": role.title,
                "hours_done": done,
                "hours_total": total,
                "percent": percent(done, total),
                "milestones_done": sum(1 for m in related if view.state_of(m.id) == "done"),
                "milestones_total": len(related),
            }
        )
    late_days = (s.projected_finish - s.planned_finish).days
    return {
        "plan": view.plan.name,
        "roles": list(view.plan.roles),
        "today": view.today.isoformat(),
        "start": view.plan.start.isoformat(),
        "hours_per_week": view.plan.hours_per_week,
        "progress": {
            "percent": percent(s.hours_done, s.hours_total),
            "hours_done": s.hours_done,
            "hours_total": s.hours_total,
            "milestones_done": s.milestones_done,
            "milestones_total": s.milestones_total,
        },
        "pace": {
            "status": pace_of(s.hours_behind),
            "hours_behind": round(s.hours_behind, 2),
            "hours_planned_to_date": round(s.hours_planned_to_date, 2),
        },
        "finish": {
            "planned": s.planned_finish.isoformat(),
            "projected": s.projected_finish.isoformat(),
            "days_late": late_days,
        },
        "current_week": week_data(view, s.current_week),
        "skills": skills,
        "role_progress": roles,
        "skipped_known": [{"id": mid, "title": by_id[mid].title} for mid in s.skipped_known],
        "skipped": [{"id": mid, "title": by_id[mid].title} for mid in s.skipped],
    }


def next_data(view: PlanView) -> dict[str, Any]:
    """This week's remaining work (or the next week that has some)."""
    s = view.schedule
    number = s.current_week
    while number <= len(s.weeks) and not any(not slot.done for slot in s.weeks[number - 1].slots):
        number += 1
    week = week_data(view, number)
    items = []
    for slot in week["slots"]:
        if slot["done"]:
            continue
        item = milestone_data(view, slot["milestone"])
        item["hours_this_week"] = slot["hours"]
        item["continued"] = slot["continued"]
        item["continues"] = slot["continues"]
        items.append(item)
    return {
        "plan": view.plan.name,
        "today": view.today.isoformat(),
        "current_week": s.current_week,
        "week": {k: week[k] for k in ("number", "start", "end")},
        "finished": not s.order,
        "milestones": items,
    }


# --------------------------------------------------------------------------- printable plan
