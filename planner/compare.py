"""Compare two roles side by side, and what each would take this learner.

Pure apart from reading the curricula: no database, no clock (``today`` is a parameter).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from planner import plain
from planner.errors import UsageError
from planner.plain import Curriculum

PROFILE_FIELDS = (
    ("definition", "Definition"),
    ("responsibilities", "Responsibilities"),
    ("required_skills", "Required skills"),
    ("education", "Education"),
    ("tools", "Tools and software"),
    ("industries", "Industries"),
)


def _plain(value: Any) -> Any:
    """A profile field as plain data (its lists copied, so callers may change them)."""
    return list(value) if isinstance(value, list) else value


def _level(level: plain.Level) -> dict[str, Any]:
    """A profile's level as JSON: ``prepares_for``, ``path`` (first step to last), and
    ``note`` when it has one."""
    data: dict[str, Any] = {"prepares_for": level.prepares_for, "path": list(level.path)}
    if level.note is not None:
        data["note"] = level.note
    return data


def _effort(
    roles: list[Curriculum], hours_per_week: float, known: frozenset[str], today: date
) -> dict[str, Any]:
    from planner.scheduler import Learner, Progress, build_schedule
    from planner.view import merge_roles, tasks_of

    merged = merge_roles(roles)
    tasks = tasks_of(merged.milestones)
    schedule = build_schedule(tasks, Learner(hours_per_week, today, known), Progress(), today)
    return {
        "milestones": schedule.milestones_total,
        "skipped_as_known": len(schedule.skipped_known),
        "hours": schedule.hours_total,
        "weeks": sum(1 for w in schedule.weeks if w.slots),
        "finish": schedule.planned_finish.isoformat(),
    }


def compare_roles(
    first: str, second: str, *, hours_per_week: float, know: list[str], today: date
) -> dict[str, Any]:
    """Everything ``planner compare`` shows, as JSON-ready data. A profile has ``level``
    only when its curriculum gives one."""
    from planner.curriculum import load_role
    from planner.rules import check_hours_per_week, resolve_skills
    from planner.view import merge_roles

    check_hours_per_week(hours_per_week)
    a, b = plain.of(load_role(first)), plain.of(load_role(second))
    if a.id == b.id:
        msg = f"Give two different roles to compare (got '{a.id}' twice)."
        raise UsageError(msg)
    known = frozenset(resolve_skills(know, merge_roles([a, b]).skills))
    ids_a = {m.id: m for m in a.milestones}
    ids_b = {m.id: m for m in b.milestones}

    def group(ids: list[str], source: dict[str, Any]) -> dict[str, Any]:
        return {
            "count": len(ids),
            "hours": sum(source[i].hours for i in ids),
            "milestones": [{"id": i, "title": source[i].title} for i in ids],
        }

    profiles = {}
    for role in (a, b):
        assert role.profile is not None
        profile = role.profile
        profiles[role.id] = {key: _plain(getattr(profile, key)) for key, _ in PROFILE_FIELDS} | {
            "outlook": profile.outlook.text,
            "growth_percent": role.profile.outlook.growth_percent,
            "source": role.profile.source,
        }
        if profile.level is not None:
            profiles[role.id]["level"] = _level(profile.level)
    return {
        "roles": [{"id": r.id, "title": r.title} for r in (a, b)],
        "profiles": profiles,
        "shared": group([i for i in ids_a if i in ids_b], ids_a),
        "only": {
            a.id: group([i for i in ids_a if i not in ids_b], ids_a),
            b.id: group([i for i in ids_b if i not in ids_a], ids_b),
        },
        "learner": {
            "hours_per_week": hours_per_week,
            "known_skills": sorted(known),
            "start": today.isoformat(),
        },
        "effort": {
            a.id: _effort([a], hours_per_week, known, today),
            b.id: _effort([b], hours_per_week, known, today),
            "both": _effort([a, b], hours_per_week, known, today),
        },
    }
