"""The data behind ``planner status`` and ``planner next`` (and their ``--json``), built
from a PlanView. Pure: dictionaries of plain values, never text for the terminal."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from planner.view import own_rate, pace_of, pace_text, percent

if TYPE_CHECKING:
    from planner.history import EventRow
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
        "hours_studied": round(view.schedule.hours_studied.get(m.id, 0.0), 2),
        "hours_spent": (
            round(view.schedule.hours_spent[m.id], 2) if m.id in view.schedule.hours_spent else None
        ),
        "hours_earned": round(view.earned(m.id), 2),
        "summary": m.summary,
        "done_when": m.done_when,
        "skills": list(m.skills),
        "requires": list(m.requires),
        "roles": list(view.curriculum.serves.get(m.id, ())),
        "optional": m.optional,
        "resources": [{"title": r.title, "url": r.url, "kind": r.kind} for r in m.resources],
    }


def week_data(view: PlanView, number: int) -> dict[str, Any]:
    schedule = view.schedule
    start = view.plan.start

    week_start = start + timedelta(days=7 * (number - 1))
    week_end = week_start + timedelta(days=6)
    if number <= len(schedule.weeks):
        week = schedule.weeks[number - 1]
        slots, capacity, away = week.slots, week.capacity, week.away_days
    else:
        slots = ()
        capacity = schedule.capacity.between(week_start, week_end + timedelta(days=1)) / 420
        away = sum(
            max(0, (min(t.last, week_end) - max(t.first, week_start)).days + 1)
            for t in view.activity.time_off
        )
    return {
        "number": number,
        "start": week_start.isoformat(),
        "end": week_end.isoformat(),
        "hours": round(sum(s.hours for s in slots), 2),
        "hours_planned": round(capacity, 2),
        "hours_recorded": round(sum(s.hours for s in slots if s.recorded), 2),
        "away_days": away,
        "slots": [
            {
                "milestone": s.milestone_id,
                "title": view.curriculum.by_id[s.milestone_id].title,
                "hours": round(s.hours, 2),
                "recorded": s.recorded,
                "done": s.done,
                "continued": s.continued,
                "continues": s.continues,
            }
            for s in slots
        ],
    }


def status_data(view: PlanView) -> dict[str, Any]:
    """Where the learner stands: the data behind ``planner status`` and its --json.

    Hours are estimated hours earned (see ``planner.scheduler``); ``this_week`` holds
    hours really recorded against the week's planned hours."""
    s = view.schedule
    by_id = view.curriculum.by_id
    plannable = [
        m
        for m in view.curriculum.milestones
        if view.state_of(m.id) in ("pending", "started", "done")
    ]
    known = set(view.plan.known_skills)
    skills = []
    for skill in view.curriculum.skills.values():
        related = [m for m in plannable if skill.id in m.skills]
        if skill.id in known:
            skills.append(
                {
                    "id": skill.id,
                    "name": skill.name,
                    "known": True,
                    "hours_done": 0.0,
                    "hours_total": 0.0,
                    "percent": 100.0,
                }
            )
            continue
        if not related:
            continue
        total = sum(m.hours for m in related)
        earned = sum(view.earned(m.id) for m in related)
        skills.append(
            {
                "id": skill.id,
                "name": skill.name,
                "known": False,
                "hours_done": round(earned, 2),
                "hours_total": total,
                "percent": percent(earned, total),
            }
        )
    roles = []
    for role in view.curriculum.roles:
        ids = {m.id for m in role.milestones}
        related = [m for m in plannable if m.id in ids]
        total = sum(m.hours for m in related)
        earned = sum(view.earned(m.id) for m in related)
        roles.append(
            {
                "id": role.id,
                "title": role.title,
                "hours_done": round(earned, 2),
                "hours_total": total,
                "percent": percent(earned, total),
                "milestones_done": sum(1 for m in related if view.state_of(m.id) == "done"),
                "milestones_total": len(related),
            }
        )
    late_days = (s.projected_finish - s.planned_finish).days
    rate = own_rate(view)
    at_rate = None
    if rate is not None:
        left = s.hours_total - s.hours_earned
        finish = None
        if left > 0:
            try:
                finish = s.finish_after(left * rate[0]).isoformat()
            except OverflowError:
                finish = None
        at_rate = {"rate": round(rate[0], 2), "milestones": rate[1], "finish": finish}
    this_week = week_data(view, s.current_week)
    return {
        "plan": view.plan.name,
        "roles": list(view.plan.roles),
        "today": view.today.isoformat(),
        "start": view.plan.start.isoformat(),
        "hours_per_week": view.plan.hours_per_week,
        "progress": {
            "percent": percent(s.hours_earned, s.hours_total),
            "hours_earned": round(s.hours_earned, 2),
            "hours_done": s.hours_done,
            "hours_total": s.hours_total,
            "milestones_done": s.milestones_done,
            "milestones_started": sum(1 for m in plannable if view.state_of(m.id) == "started"),
            "milestones_total": s.milestones_total,
        },
        "pace": {
            "status": pace_of(s),
            "text": pace_text(s),
            "hours_behind": round(s.hours_behind, 2),
            "hours_earned": round(s.hours_earned, 2),
            "hours_planned_to_date": round(s.hours_planned_to_date, 2),
            "tolerance_hours": round(s.tolerance, 2),
        },
        "finish": {
            "planned": s.planned_finish.isoformat(),
            "projected": s.projected_finish.isoformat(),
            "days_late": late_days,
            "at_your_rate": at_rate,
        },
        "this_week": {
            "hours_recorded": this_week["hours_recorded"],
            "hours_planned": this_week["hours_planned"],
            "away_days": this_week["away_days"],
            "streak_weeks": s.streak,
        },
        "time_off": [
            {
                "from": t.first.isoformat(),
                "to": t.last.isoformat(),
                "hours_per_week": t.hours_per_week,
                "note": t.note,
            }
            for t in view.activity.time_off
            if t.last >= view.today
        ],
        "current_week": this_week,
        "skills": skills,
        "role_progress": roles,
        "skipped_known": [{"id": mid, "title": by_id[mid].title} for mid in s.skipped_known],
        "skipped": [{"id": mid, "title": by_id[mid].title} for mid in s.skipped],
    }


def next_data(view: PlanView) -> dict[str, Any]:
    """This week's remaining work (or the next week that has some)."""
    s = view.schedule
    number = s.current_week
    while number <= len(s.weeks) and all(slot.recorded for slot in s.weeks[number - 1].slots):
        number += 1
    week = week_data(view, number)
    items = []
    for slot in week["slots"]:
        if slot["recorded"]:
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


# --------------------------------------------------------------------------- history


def _h(value: float) -> str:
    return f"{round(value, 2):g}"


def event_detail(event: EventRow, earlier: dict[int, EventRow], estimates: dict[str, float]) -> str:
    """One event's detail for ``planner log``: its days, hours (against the estimate for
    a done milestone whose time is known) and note. ``earlier`` maps the ids of the
    events before it, so a ``retracted`` event says what it took back."""
    parts: list[str] = []
    kind = event.kind
    if kind == "studied":
        parts.append(f"{_h(event.hours or 0)} h on {event.on_date}")
    elif kind == "away":
        what = f"{_h(event.hours)} h/week" if event.hours else "no study"
        parts.append(f"{event.on_date} to {event.until_date}, {what}")
    elif kind == "retracted":
        target = earlier.get(event.ref_id or -1)
        if target is None:
            parts.append(f"takes back event {event.ref_id}")
        elif target.kind == "studied":
            parts.append(f"takes back {_h(target.hours or 0)} h studied on {target.on_date}")
        else:
            parts.append(f"takes back time off {target.on_date} to {target.until_date}")
    elif kind == "replanned":
        if event.on_date:
            parts.append(f"on {event.on_date}")
        if event.hours:
            parts.append(f"{_h(event.hours)} h earned by then")
    else:
        if event.on_date:
            parts.append(f"on {event.on_date}")
        if kind == "done":
            spent = event.hours
            if spent is None:
                retracted = {e.ref_id for e in earlier.values() if e.kind == "retracted"}
                spent = (
                    sum(
                        e.hours or 0
                        for i, e in earlier.items()
                        if e.kind == "studied"
                        and e.milestone_id == event.milestone_id
                        and i not in retracted
                    )
                    or None
                )
            estimate = estimates.get(event.milestone_id)
            if spent and estimate:
                diff = spent - estimate
                parts.append(f"{_h(spent)} h spent of {_h(estimate)} h estimated ({diff:+g} h)")
            elif spent:
                parts.append(f"{_h(spent)} h spent")
    if event.note:
        parts.append(" ".join(event.note.split()))
    return "; ".join(parts)
