"""``planner export ics`` as a use case: the plan's sessions laid out, compared with what
its earlier exports published, and the changes recorded, in one write transaction.

Calendars import a file by UID: an event missing from a new file is kept, and a changed
one is taken only with a higher SEQUENCE. So every export records, per plan and
append-only (``calendar_entry``), what it published of each session: UID, SEQUENCE,
STATUS, a digest of its times and text, its times and title. The next export bumps the
SEQUENCE of sessions that changed and writes the sessions that are gone as CANCELLED
(``planner.calendar.reconcile``). A database that cannot be written (a read-only file,
a standby server, a user without the grant) still gets its file, numbered from what
was recorded before; ``tracked`` says the changes were not kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING, Any

from planner import calendar
from planner.calendar import CANCELLED, Published, Session
from planner.errors import ReadOnly
from planner.store import active_plan, existing_db, plan_id, plan_info

if TYPE_CHECKING:
    from sqlmodel import Session as DbSession


@dataclass(frozen=True)
class CalendarExport:
    """An export's file and what it holds."""

    plan_name: str
    data: bytes
    sessions: tuple[Session, ...]  # planned sessions, by start
    cancelled: int  # published sessions written as CANCELLED
    tracked: bool  # False: the database could not be written, nothing was recorded


def export_calendar(
    *,
    db: str | None,
    plan_name: str | None,
    days: Sequence[int],
    at: time,
    session_hours: float,
    max_session: float,
    now: datetime,
) -> CalendarExport:
    """The active plan's remaining sessions as iCalendar, in ``now``'s zone, numbered
    against (and recorded with) what earlier exports published. Raises NoPlan,
    PlanUnreadable, UsageError (sessions would be longer than ``max_session``) or
    DatabaseError; ReadOnly only when the database cannot even be read."""
    calendar.check_session_options(session_hours, max_session)
    database = existing_db(db)

    def work(session: DbSession, *, record: bool) -> CalendarExport:
        return _export(session, plan_name, days, at, session_hours, max_session, now, record)

    try:
        with database.write() as session:
            return work(session, record=True)
    except ReadOnly:
        with database.read() as session:
            return work(session, record=False)


def _export(
    session: DbSession,
    plan_name: str | None,
    days: Sequence[int],
    at: time,
    session_hours: float,
    max_session: float,
    now: datetime,
    record: bool,
) -> CalendarExport:
    from planner import tracker
    from planner.view import view_of

    zone = now.tzinfo
    assert zone is not None, "now is aware"
    plan = active_plan(session, plan_name)
    pid = plan_id(plan)
    info = plan_info(session, plan)
    view = view_of(
        info,
        tracker.milestone_states(session=session, plan_id=pid),
        now.date(),
        tracker.plan_activity(session=session, plan_id=pid),
    )
    planned = calendar.plan_sessions(view, days, at, session_hours, now, max_session=max_session)
    published = [_published(row) for row in tracker.published_entries(session=session, plan_id=pid)]
    events, changes = calendar.reconcile(planned, published, zone)
    if record and changes:
        stamp = now.astimezone(UTC)
        tracker.record_published(
            session=session, plan_id=pid, entries=[_row(entry, stamp) for entry in changes]
        )
    return CalendarExport(
        plan_name=view.plan.name,
        data=calendar.to_ics(events, view.plan.name, stamp=now),
        sessions=tuple(event for event in events if event.status != CANCELLED),
        cancelled=sum(event.status == CANCELLED for event in events),
        tracked=record,
    )


def _published(row: Any) -> Published:
    return Published(
        uid=row.uid,
        sequence=row.sequence,
        status=row.status,
        digest=row.digest,
        start=_aware(row.starts_at),
        end=_aware(row.ends_at),
        summary=row.summary,
    )


def _row(entry: Published, stamp: datetime) -> dict[str, Any]:
    return {
        "uid": entry.uid,
        "sequence": entry.sequence,
        "status": entry.status,
        "digest": entry.digest,
        "starts_at": entry.start.astimezone(UTC),
        "ends_at": entry.end.astimezone(UTC),
        "summary": entry.summary,
        "exported_at": stamp,
    }


def _aware(moment: datetime) -> datetime:
    """A stored time as UTC (SQLite hands back times without their zone)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
