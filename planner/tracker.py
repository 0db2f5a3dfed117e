"""SQL tables, every write, and keyword-only query functions for the commands that write.

The tables here define the schema; the commands that only read use the same tables
through the SQL text of ``planner.queries`` (``reader``), which a test holds to the same
answers as the queries here.

Progress is an append-only event log. A milestone's state is derived from its latest
state event; nothing is ever updated or deleted by normal commands (deleting a whole
plan with ``planner delete-plan`` is the one exception, and it asks first).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Column, Field, Session, SQLModel, col, select

from planner.history import Activity, activity_of
from planner.queries import ENTRY_KINDS, STATE_KINDS, DamagedJSON, MilestoneState, Reader


class SafeJSON(sa.types.TypeDecorator[Any]):
    """JSON (the same column type in the schema) whose unparsable values read as
    ``DamagedJSON`` instead of raising."""

    impl = sa.JSON
    cache_ok = True

    def result_processor(self, dialect: sa.Dialect, coltype: Any) -> Any:
        inner = self.impl_instance.result_processor(dialect, coltype)

        def process(value: Any) -> Any:
            try:
                return inner(value) if inner is not None else value
            except (ValueError, TypeError):
                return DamagedJSON()

        return process


# changes to the plan, and time off; milestone_id ""
PLAN_KINDS = ("replanned", "role-added", "upgraded", "away")
# "studied" records time on a milestone, "away" time off (ENTRY_KINDS); "retracted"
# withdraws the study entry or time off whose id is its ref_id (milestone_id as the entry's)
EVENT_KINDS = (*STATE_KINDS, "note", "studied", "retracted", *PLAN_KINDS)


class Plan(SQLModel, table=True):
    __tablename__ = "plan"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, sa_column_kwargs={"unique": True})
    roles: list[str] = Field(sa_column=Column(SafeJSON, nullable=False))
    curriculum_versions: dict[str, int] = Field(sa_column=Column(SafeJSON, nullable=False))
    # role id -> digest of its curriculum_snapshot; None for a plan from before snapshots
    # whose curriculum could not be found when the database was upgraded
    curriculum_digests: dict[str, str] | None = Field(
        default=None, sa_column=Column(SafeJSON, nullable=True)
    )
    hours_per_week: float
    start_date: date
    known_skills: list[str] = Field(sa_column=Column(SafeJSON, nullable=False))
    industry: str | None = Field(default=None, max_length=200)
    created_at: datetime
    last_used_at: datetime


class CurriculumSnapshot(SQLModel, table=True):
    """A resolved curriculum as plans keep it: JSON, stored once per SHA-256 of the text."""

    __tablename__ = "curriculum_snapshot"

    digest: str = Field(primary_key=True, max_length=64)
    format: int
    body: str = Field(sa_column=Column(sa.Text, nullable=False))
    created_at: datetime


class Event(SQLModel, table=True):
    __tablename__ = "event"
    __table_args__ = (
        sa.Index("ix_event_plan_milestone", "plan_id", "milestone_id"),
        sa.Index("ix_event_plan_kind_milestone", "plan_id", "kind", "milestone_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(
        sa_column=Column(sa.Integer, sa.ForeignKey("plan.id", ondelete="CASCADE"), nullable=False)
    )
    milestone_id: str = Field(max_length=200)
    kind: str = Field(max_length=20)
    at: datetime
    on_date: date | None = None
    hours: float | None = None
    note: str | None = None
    until_date: date | None = None  # last day of time off
    ref_id: int | None = None  # the entry a "retracted" event withdraws


class CalendarEntry(SQLModel, table=True):
    """What one ``export ics`` published of one session (append-only): the newest row
    of a uid is what calendars that imported the plan's files last saw of it."""

    __tablename__ = "calendar_entry"
    __table_args__ = (sa.Index("ix_calendar_entry_plan_uid", "plan_id", "uid"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(
        sa_column=Column(sa.Integer, sa.ForeignKey("plan.id", ondelete="CASCADE"), nullable=False)
    )
    uid: str = Field(max_length=200)
    sequence: int
    status: str = Field(max_length=20)  # CONFIRMED or CANCELLED
    digest: str = Field(max_length=64)  # of the session's times and text
    starts_at: datetime
    ends_at: datetime
    summary: str = Field(sa_column=Column(sa.Text, nullable=False))
    exported_at: datetime


# --------------------------------------------------------------------------- plans


def create_plan(*, session: Session, **fields: Any) -> Plan:
    plan = Plan.model_validate(fields)
    session.add(plan)
    session.flush()
    return plan


def get_plan(*, session: Session, name: str) -> Plan | None:
    return session.exec(select(Plan).where(Plan.name == name)).first()


def latest_plan(*, session: Session) -> Plan | None:
    statement = select(Plan).order_by(col(Plan.last_used_at).desc(), col(Plan.id).desc())
    return session.exec(statement).first()


def list_plans(*, session: Session) -> list[Plan]:
    """Every plan, by name in code point order (sorted here, not by the server's
    collation, so every backend lists and exports plans in the same order)."""
    return sorted(session.exec(select(Plan)), key=lambda plan: plan.name)


def touch_plan(*, session: Session, plan: Plan, at: datetime) -> None:
    """Mark a plan as the most recently used one."""
    session.execute(sa.update(Plan).where(col(Plan.id) == plan.id).values(last_used_at=at))


def update_plan(*, session: Session, plan: Plan, **fields: Any) -> None:
    """Change plan settings (hours per week, roles); callers record why as an event."""
    session.execute(sa.update(Plan).where(col(Plan.id) == plan.id).values(**fields))


def delete_plan(*, session: Session, plan: Plan) -> int:
    """Delete a plan, its events and what its calendar exports published; returns how
    many events went with it."""
    count = session.execute(sa.delete(Event).where(col(Event.plan_id) == plan.id)).rowcount  # type: ignore[attr-defined]
    session.execute(sa.delete(CalendarEntry).where(col(CalendarEntry.plan_id) == plan.id))
    session.execute(sa.delete(Plan).where(col(Plan.id) == plan.id))
    return int(count or 0)


# --------------------------------------------------------------------------- snapshots


def add_snapshot(*, session: Session, digest: str, format: int, body: str, at: datetime) -> None:
    """Store a curriculum snapshot unless one with this digest is already there. A stored
    row whose body no longer has its digest (damaged) is repaired with ``body``: the row
    is named by its content, so this restores it rather than changing it."""
    import hashlib

    table = CurriculumSnapshot
    values = {"digest": digest, "format": format, "body": body, "created_at": at}
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        session.execute(sqlite_insert(table).values(**values).on_conflict_do_nothing())
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        session.execute(pg_insert(table).values(**values).on_conflict_do_nothing())
    elif session.get(CurriculumSnapshot, digest) is None:
        session.add(CurriculumSnapshot.model_validate(values))
        session.flush()
    stored = session.execute(
        sa.select(col(CurriculumSnapshot.body)).where(col(CurriculumSnapshot.digest) == digest)
    ).scalar()
    if not isinstance(stored, str) or hashlib.sha256(stored.encode()).hexdigest() != digest:
        session.execute(
            sa.update(CurriculumSnapshot)
            .where(col(CurriculumSnapshot.digest) == digest)
            .values(body=body, format=format)
        )


def get_snapshots(*, session: Session, digests: list[str]) -> dict[str, tuple[int, str]]:
    """digest -> (format, body) for those of ``digests`` that are stored."""
    statement = sa.select(
        col(CurriculumSnapshot.digest), col(CurriculumSnapshot.format), col(CurriculumSnapshot.body)
    ).where(col(CurriculumSnapshot.digest).in_(digests))
    return {row[0]: (int(row[1]), str(row[2])) for row in session.execute(statement)}


# --------------------------------------------------------------------------- events


def record_event(
    *,
    session: Session,
    plan_id: int,
    milestone_id: str,
    kind: str,
    at: datetime,
    on_date: date | None = None,
    hours: float | None = None,
    note: str | None = None,
    until_date: date | None = None,
    ref_id: int | None = None,
) -> Event:
    if kind not in EVENT_KINDS:
        msg = f"unknown event kind {kind!r}"
        raise ValueError(msg)
    event = Event.model_validate(
        {
            "plan_id": plan_id,
            "milestone_id": milestone_id,
            "kind": kind,
            "at": at,
            "on_date": on_date,
            "hours": hours,
            "note": note,
            "until_date": until_date,
            "ref_id": ref_id,
        }
    )
    session.add(event)
    session.flush()
    return event


def milestone_states(*, session: Session, plan_id: int) -> dict[str, MilestoneState]:
    """Each milestone's latest state event, aggregated in SQL (one row per milestone)."""
    return _latest_states(session, plan_id).get(plan_id, {})


def milestone_states_by_plan(*, session: Session) -> dict[int, dict[str, MilestoneState]]:
    """``milestone_states`` of every plan in one query: plan id -> milestone -> state."""
    return _latest_states(session, None)


def _latest_states(session: Session, plan_id: int | None) -> dict[int, dict[str, MilestoneState]]:
    """plan id -> milestone -> its latest state event, for one plan or (None) all."""
    latest = sa.select(sa.func.max(col(Event.id)).label("last_id")).where(
        col(Event.kind).in_(STATE_KINDS)
    )
    if plan_id is not None:
        latest = latest.where(col(Event.plan_id) == plan_id)
    grouped = latest.group_by(col(Event.plan_id), col(Event.milestone_id)).subquery()
    statement = sa.select(
        col(Event.plan_id),
        col(Event.milestone_id),
        col(Event.kind),
        col(Event.on_date),
        col(Event.at),
        col(Event.hours),
    ).join(grouped, col(Event.id) == grouped.c.last_id)
    states: dict[int, dict[str, MilestoneState]] = {}
    for row in session.execute(statement):
        states.setdefault(row[0], {})[row[1]] = MilestoneState(
            kind=row[2], on_date=row[3], at=row[4], hours=row[5]
        )
    return states


def activity_by_plan(*, session: Session) -> dict[int, Activity]:
    """``plan_activity`` of every plan with any study entries or time off, in one query."""
    statement = select(Event).where(col(Event.kind).in_(ENTRY_KINDS)).order_by(col(Event.id))
    grouped: dict[int, list[Event]] = {}
    for event in session.exec(statement):
        grouped.setdefault(event.plan_id, []).append(event)
    return {pid: activity_of(events) for pid, events in grouped.items()}


def latest_plan_events_by_plan(*, session: Session, kind: str) -> dict[int, Event]:
    """``latest_plan_event`` of every plan that has one, in one query: plan id -> event."""
    latest = (
        sa.select(sa.func.max(col(Event.id)).label("last_id"))
        .where(col(Event.kind) == kind)
        .group_by(col(Event.plan_id))
        .subquery()
    )
    statement = select(Event).join(latest, col(Event.id) == latest.c.last_id)
    return {event.plan_id: event for event in session.exec(statement)}


def last_activity_by_plan(*, session: Session) -> dict[int, datetime]:
    """``last_activity`` of every plan with events, in one query: plan id -> moment."""
    statement = sa.select(col(Event.plan_id), sa.func.max(col(Event.at))).group_by(
        col(Event.plan_id)
    )
    return {row[0]: row[1] for row in session.execute(statement) if isinstance(row[1], datetime)}


def plan_activity(*, session: Session, plan_id: int) -> Activity:
    """The plan's standing study entries and time off (retracted ones left out)."""
    statement = (
        select(Event)
        .where(Event.plan_id == plan_id, col(Event.kind).in_(ENTRY_KINDS))
        .order_by(col(Event.id))
    )
    return activity_of(session.exec(statement).all())


def latest_plan_event(*, session: Session, plan_id: int, kind: str) -> Event | None:
    """The newest plan-level event of ``kind`` (e.g. the latest re-plan)."""
    statement = (
        select(Event)
        .where(Event.plan_id == plan_id, Event.kind == kind)
        .order_by(col(Event.id).desc())
        .limit(1)
    )
    return session.exec(statement).first()


def event_milestones(*, session: Session, plan_id: int) -> dict[str, int]:
    """Each milestone id the plan's events name, with how many events name it."""
    statement = (
        sa.select(col(Event.milestone_id), sa.func.count())
        .where(col(Event.plan_id) == plan_id, col(Event.milestone_id) != "")
        .group_by(col(Event.milestone_id))
    )
    return {row[0]: int(row[1]) for row in session.execute(statement)}


def list_events(*, session: Session, plan_id: int, limit: int | None = None) -> list[Event]:
    """The plan's events, oldest first (the newest ``limit`` ones when given)."""
    statement = select(Event).where(Event.plan_id == plan_id).order_by(col(Event.id).desc())
    if limit is not None:
        statement = statement.limit(limit)
    return list(reversed(session.exec(statement).all()))


def last_activity(*, session: Session, plan_id: int) -> datetime | None:
    value = session.execute(
        sa.select(sa.func.max(col(Event.at))).where(col(Event.plan_id) == plan_id)
    ).scalar()
    return value if isinstance(value, datetime) else None


def reader(session: Session) -> Reader:
    """The read queries of ``planner.queries``, run through ``session``'s connection (in
    its transaction) with SQLAlchemy's ``text()``."""
    connection = session.connection()

    def run(sql: str, params: Mapping[str, Any]) -> Sequence[Sequence[Any]]:
        return connection.execute(sa.text(sql), dict(params)).all()

    return Reader(run, shared=connection.dialect.name != "sqlite")


# --------------------------------------------------------------------------- backup


def insert_events(*, session: Session, plan_id: int, events: list[dict[str, Any]]) -> int:
    """Add a plan's history in the given order (ids ascend with it); returns the count.

    Each mapping has the ``Event`` fields except ``id`` and ``plan_id``.
    """
    rows = []
    for fields in events:
        if fields.get("kind") not in EVENT_KINDS:
            msg = f"unknown event kind {fields.get('kind')!r}"
            raise ValueError(msg)
        rows.append(Event.model_validate({**fields, "plan_id": plan_id}))
    session.add_all(rows)
    session.flush()
    return len(rows)


# --------------------------------------------------------------------------- calendar


def published_entries(*, session: Session, plan_id: int) -> list[CalendarEntry]:
    """The newest ``calendar_entry`` row of each uid the plan's exports published."""
    latest = (
        sa.select(sa.func.max(col(CalendarEntry.id)).label("last_id"))
        .where(col(CalendarEntry.plan_id) == plan_id)
        .group_by(col(CalendarEntry.uid))
        .subquery()
    )
    statement = (
        select(CalendarEntry)
        .join(latest, col(CalendarEntry.id) == latest.c.last_id)
        .order_by(col(CalendarEntry.id))
    )
    return list(session.exec(statement))


def record_published(*, session: Session, plan_id: int, entries: list[dict[str, Any]]) -> None:
    """Append what an export published; each mapping has the ``CalendarEntry`` fields
    except ``id`` and ``plan_id``."""
    session.add_all(
        CalendarEntry.model_validate({**fields, "plan_id": plan_id}) for fields in entries
    )
    session.flush()


def count_rows(*, session: Session) -> tuple[int, int]:
    """How many plans and events the database holds."""
    plans = session.execute(sa.select(sa.func.count()).select_from(Plan)).scalar()
    events = session.execute(sa.select(sa.func.count()).select_from(Event)).scalar()
    return int(plans or 0), int(events or 0)
