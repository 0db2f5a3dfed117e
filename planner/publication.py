"""``planner export ics`` as a use case: the plan's sessions laid out, compared with what
its earlier exports published, and the changes recorded, in one write transaction.

Calendars import a file by UID: an event missing from a new file is kept, and a changed
one is taken only with a higher SEQUENCE. So every export records, per plan and
append-only (``calendar_entry``), what it published of each session: UID, SEQUENCE,
STATUS, a digest of its times and text, its times and title. The next export bumps the
SEQUENCE of sessions that changed and writes the sessions that are gone as CANCELLED
(``reconcile``). A database that cannot be written (a read-only file, a standby server,
a user without the grant) still gets its file, numbered from what was recorded before;
``tracked`` says the changes were not kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, tzinfo
from typing import TYPE_CHECKING, Any

from planner import calendar
from planner.calendar import CANCELLED, CONFIRMED, Session
from planner.errors import ReadOnly
from planner.store import active_plan, existing_db, plan_id, plan_info

if TYPE_CHECKING:
    from sqlmodel import Session as DbSession

    from planner.tracker import CalendarEntry


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
    DatabaseError. A database that refuses the write (ReadOnly) is only read: the file
    is made all the same, and ``tracked`` is False."""
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
    events, changes = reconcile(planned, published, zone)
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


def _published(row: CalendarEntry) -> Published:
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


# --------------------------------------------------------------------------- updates


@dataclass(frozen=True)
class Published:
    """What an earlier export published of one session (its newest record)."""

    uid: str
    sequence: int
    status: str  # CONFIRMED or CANCELLED
    digest: str  # session_digest of what was sent
    start: datetime  # aware
    end: datetime  # aware
    summary: str


def reconcile(
    sessions: Sequence[Session], published: Sequence[Published], zone: tzinfo
) -> tuple[list[Session], list[Published]]:
    """The sessions to write after earlier exports, and what to record of them.

    A session first published gets SEQUENCE 0; one whose times or text changed since it
    was published (or that was cancelled and is back) gets the published SEQUENCE + 1;
    an unchanged one keeps its SEQUENCE. A published session that is no longer planned
    is written as CANCELLED with SEQUENCE + 1 the first time, and as it was ever after,
    so a calendar that imports any later file removes it. Returns every event to write
    (by start time) and the new records (changed and cancelled sessions only).
    """
    latest = {entry.uid: entry for entry in published}
    events: list[Session] = []
    records: list[Published] = []
    planned = set()
    for session in sessions:
        planned.add(session.uid)
        digest = session_digest(session)
        before = latest.get(session.uid)
        if before is None:
            sequence = 0
        elif before.status == CONFIRMED and before.digest == digest:
            sequence = before.sequence
        else:
            sequence = before.sequence + 1
        current = replace(session, sequence=sequence, status=CONFIRMED)
        events.append(current)
        if before is None or sequence != before.sequence:
            records.append(
                Published(
                    uid=session.uid,
                    sequence=sequence,
                    status=CONFIRMED,
                    digest=digest,
                    start=session.start,
                    end=session.end,
                    summary=session.summary,
                )
            )
    for entry in published:
        if entry.uid in planned:
            continue
        gone = entry
        if entry.status != CANCELLED:
            gone = replace(entry, sequence=entry.sequence + 1, status=CANCELLED)
            records.append(gone)
        events.append(
            Session(
                start=gone.start.astimezone(zone),
                end=gone.end.astimezone(zone),
                milestone_ids=(),
                titles=(gone.summary,),
                minutes=(),
                description="No longer in the study plan: this session was cancelled.",
                uid=gone.uid,
                sequence=gone.sequence,
                status=CANCELLED,
            )
        )
    events.sort(key=lambda event: (event.start, event.uid))
    return events, records


def session_digest(session: Session) -> str:
    """What a calendar shows of a session (its times and text), as SHA-256: a published
    session whose digest changes is sent again with a higher SEQUENCE."""
    text = "\n".join(
        [
            session.start.astimezone(UTC).isoformat(),
            session.end.astimezone(UTC).isoformat(),
            session.summary,
            session.description,
        ]
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
