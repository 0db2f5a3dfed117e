"""The read queries of the commands that only read, written once as SQL text with named
parameters, and the plain rows they return.

A ``Reader`` runs them through whatever executes SQL text: the standard library's
``sqlite3`` on a SQLite file (``planner.fastread``: no SQLAlchemy imported), or
SQLAlchemy's ``text()`` on any other database (``planner.tracker.reader``). Values are
decoded here for both: SQLite hands back dates, times and JSON as text, a server as
Python objects. The schema itself is defined once, by the sqlmodel tables in
``planner.tracker``, where every write happens; ``tests/test_read_paths.py`` holds both
ways of running these queries, and the tracker's own queries, to the same answers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from planner.history import Activity, activity_of

__all__ = [
    "ENTRY_KINDS",
    "STATE_KINDS",
    "DamagedJSON",
    "EventRow",
    "MilestoneState",
    "PlanRow",
    "Reader",
    "Run",
]

STATE_KINDS = ("done", "undone", "skipped", "unskipped")
# "studied" records time on a milestone; "away" time off; "retracted" withdraws either
ENTRY_KINDS = ("studied", "away", "retracted", "note", "done", "skipped")  # done, skipped: notes

# Runs one statement with named parameters (``:name``); returns its rows as sequences.
Run = Callable[[str, Mapping[str, Any]], Iterable[Sequence[Any]]]


class DamagedJSON(list[Any]):
    """What a JSON column holds when its text cannot be parsed (edited or damaged by
    hand): an empty list that says so, so one damaged row is reported as unreadable
    instead of stopping every query that lists plans."""


@dataclass(frozen=True, slots=True)
class MilestoneState:
    """A milestone's latest state event."""

    kind: str  # one of STATE_KINDS
    on_date: date | None
    at: datetime
    hours: float | None


@dataclass(frozen=True, slots=True)
class PlanRow:
    """A stored plan's row (the ``plan`` table); JSON columns decoded (DamagedJSON when
    they cannot be), times in UTC."""

    id: int
    name: str
    roles: Any  # list[str]
    curriculum_versions: Any  # dict[str, int]
    curriculum_digests: Any  # dict[str, str] | None
    hours_per_week: float
    start_date: date
    known_skills: Any  # list[str]
    industry: str | None
    created_at: datetime
    last_used_at: datetime


@dataclass(frozen=True, slots=True)
class EventRow:
    """A stored event's row (the ``event`` table); ``at`` in UTC."""

    id: int
    plan_id: int
    milestone_id: str
    kind: str
    at: datetime
    on_date: date | None
    hours: float | None
    note: str | None
    until_date: date | None
    ref_id: int | None


_PLAN = (
    "SELECT id, name, roles, curriculum_versions, curriculum_digests, hours_per_week, "
    "start_date, known_skills, industry, created_at, last_used_at FROM plan"
)
_EVENT = (
    "SELECT id, plan_id, milestone_id, kind, at, on_date, hours, note, until_date, ref_id "
    "FROM event"
)
_STATE_IN = "kind IN ('done', 'undone', 'skipped', 'unskipped')"
_ENTRY_IN = "kind IN ('studied', 'away', 'retracted', 'note', 'done', 'skipped')"


class Reader:
    """The read queries over one connection, inside one transaction (one snapshot).

    run: executes SQL text with named parameters; shared: the database is a server
    several people use (so the most recently used plan may be someone else's)."""

    def __init__(self, run: Run, *, shared: bool) -> None:
        self._run = run
        self.shared = shared

    # ----------------------------------------------------------------- plans

    def plan(self, name: str) -> PlanRow | None:
        """The plan called ``name`` (exactly), or None."""
        rows = self._run(f"{_PLAN} WHERE name = :name", {"name": name})
        return next((_plan(r) for r in rows), None)

    def latest_plan(self) -> PlanRow | None:
        """The most recently used plan, or None when there is none."""
        rows = self._run(f"{_PLAN} ORDER BY last_used_at DESC, id DESC LIMIT 1", {})
        return next((_plan(r) for r in rows), None)

    def plans(self) -> list[PlanRow]:
        """Every plan, by name in code point order (sorted here, not by the server's
        collation, so every backend lists plans in the same order)."""
        return sorted((_plan(r) for r in self._run(_PLAN, {})), key=lambda p: p.name)

    def snapshots(self, digests: list[str]) -> dict[str, tuple[int, str]]:
        """digest -> (format, body) for those of ``digests`` that are stored."""
        if not digests:
            return {}
        names = [f"d{i}" for i in range(len(digests))]
        sql = (
            "SELECT digest, format, body FROM curriculum_snapshot WHERE digest IN ("  # noqa: S608 (parameter names only)
            + ", ".join(f":{n}" for n in names)
            + ")"
        )
        rows = self._run(sql, dict(zip(names, digests, strict=True)))
        return {str(r[0]): (int(r[1]), str(r[2])) for r in rows}

    # ----------------------------------------------------------------- events

    def milestone_states(self, plan_id: int) -> dict[str, MilestoneState]:
        """Each milestone's latest state event (one row per milestone)."""
        return self._latest_states(plan_id).get(plan_id, {})

    def milestone_states_by_plan(self) -> dict[int, dict[str, MilestoneState]]:
        """``milestone_states`` of every plan in one query: plan id -> milestone -> state."""
        return self._latest_states(None)

    def _latest_states(self, plan_id: int | None) -> dict[int, dict[str, MilestoneState]]:
        where = f"WHERE {_STATE_IN}" + (" AND plan_id = :plan_id" if plan_id is not None else "")
        sql = (
            "SELECT e.plan_id, e.milestone_id, e.kind, e.on_date, e.at, e.hours FROM event e "  # noqa: S608 (constants only)
            f"JOIN (SELECT MAX(id) AS last_id FROM event {where} "
            "GROUP BY plan_id, milestone_id) latest ON e.id = latest.last_id"
        )
        states: dict[int, dict[str, MilestoneState]] = {}
        for pid, mid, kind, on, at, hours in self._run(sql, {"plan_id": plan_id}):
            states.setdefault(int(pid), {})[mid] = MilestoneState(
                kind=kind, on_date=_date(on), at=_moment(at), hours=_float(hours)
            )
        return states

    def activity(self, plan_id: int) -> Activity:
        """The plan's standing study entries and time off (retracted ones left out)."""
        sql = f"{_EVENT} WHERE plan_id = :plan_id AND {_ENTRY_IN} ORDER BY id"
        return activity_of(_event(r) for r in self._run(sql, {"plan_id": plan_id}))

    def activity_by_plan(self) -> dict[int, Activity]:
        """``activity`` of every plan with any study entries or time off, in one query."""
        grouped: dict[int, list[EventRow]] = {}
        for row in self._run(f"{_EVENT} WHERE {_ENTRY_IN} ORDER BY id", {}):
            event = _event(row)
            grouped.setdefault(event.plan_id, []).append(event)
        return {pid: activity_of(events) for pid, events in grouped.items()}

    def latest_plan_event(self, plan_id: int, kind: str) -> EventRow | None:
        """The newest plan-level event of ``kind`` (e.g. the latest re-plan), or None."""
        sql = f"{_EVENT} WHERE plan_id = :plan_id AND kind = :kind ORDER BY id DESC LIMIT 1"
        return next((_event(r) for r in self._run(sql, {"plan_id": plan_id, "kind": kind})), None)

    def latest_plan_events_by_plan(self, kind: str) -> dict[int, EventRow]:
        """``latest_plan_event`` of every plan that has one, in one query."""
        sql = (
            f"{_EVENT} WHERE id IN (SELECT MAX(id) FROM event WHERE kind = :kind "  # noqa: S608 (constants only)
            "GROUP BY plan_id)"
        )
        return {e.plan_id: e for e in map(_event, self._run(sql, {"kind": kind}))}

    def last_activity_by_plan(self) -> dict[int, datetime]:
        """The time of each plan's newest event, for every plan with events."""
        rows = self._run("SELECT plan_id, MAX(at) FROM event GROUP BY plan_id", {})
        return {int(pid): _moment(at) for pid, at in rows if at is not None}

    def events(self, plan_id: int, limit: int | None = None) -> list[EventRow]:
        """The plan's events, oldest first (the newest ``limit`` ones when given)."""
        sql = f"{_EVENT} WHERE plan_id = :plan_id ORDER BY id DESC"
        params: dict[str, Any] = {"plan_id": plan_id}
        if limit is not None:
            sql += " LIMIT :limit"
            params["limit"] = limit
        return [_event(r) for r in reversed(list(self._run(sql, params)))]


# --------------------------------------------------------------------------- decoding


def _plan(row: Sequence[Any]) -> PlanRow:
    (pid, name, roles, versions, digests, hours, start, known, industry, created, used) = row
    return PlanRow(
        id=int(pid),
        name=name,
        roles=_json(roles),
        curriculum_versions=_json(versions),
        curriculum_digests=_json(digests),
        hours_per_week=float(hours),
        start_date=_day(start),
        known_skills=_json(known),
        industry=industry,
        created_at=_moment(created),
        last_used_at=_moment(used),
    )


def _event(row: Sequence[Any]) -> EventRow:
    (eid, pid, mid, kind, at, on, hours, note, until, ref) = row
    return EventRow(
        id=int(eid),
        plan_id=int(pid),
        milestone_id=mid,
        kind=kind,
        at=_moment(at),
        on_date=_date(on),
        hours=_float(hours),
        note=note,
        until_date=_date(until),
        ref_id=None if ref is None else int(ref),
    )


def _json(value: Any) -> Any:
    """A JSON column: text on SQLite, already decoded on a server."""
    if not isinstance(value, str | bytes):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return DamagedJSON()


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _date(value: Any) -> date | None:
    return None if value is None else _day(value)


def _moment(value: Any) -> datetime:
    """A stored time in UTC: SQLite keeps it as naive UTC text, a server as a zoned time."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)
