"""Study entries, time off and notes as a plan's history holds them, derived from its events.

Both are recorded as events (``studied``, ``away``) and withdrawn by a later
``retracted`` event naming the entry's id, so the history only ever grows. Pure data; the
same derivation serves the database and an imported file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

__all__ = ["Activity", "EventRow", "Note", "StudyEntry", "TimeOff", "activity_of"]


class EventRow(Protocol):
    """What an event is read from: a stored event or an imported one."""

    @property
    def id(self) -> int | None: ...

    @property
    def kind(self) -> str: ...

    @property
    def milestone_id(self) -> str: ...

    @property
    def on_date(self) -> date | None: ...

    @property
    def until_date(self) -> date | None: ...

    @property
    def hours(self) -> float | None: ...

    @property
    def note(self) -> str | None: ...

    @property
    def ref_id(self) -> int | None: ...

    @property
    def at(self) -> datetime: ...


@dataclass(frozen=True, slots=True)
class StudyEntry:
    """Time spent on a milestone without finishing it. hours: float, > 0; day: the day
    it was studied; id: the event's id (None when not stored)."""

    id: int | None
    milestone_id: str
    day: date
    hours: float
    note: str | None = None


@dataclass(frozen=True, slots=True)
class TimeOff:
    """Days with no study (``hours_per_week`` 0) or less of it: first..last, inclusive."""

    id: int | None
    first: date
    last: date
    hours_per_week: float = 0.0
    note: str | None = None

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


@dataclass(frozen=True, slots=True)
class Note:
    """A note the learner kept on a milestone (``planner note``, or ``--note`` on
    ``done`` and ``skip``): user text, and the moment it was recorded (UTC)."""

    milestone_id: str
    text: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Activity:
    """A plan's standing study entries and time off (retracted ones left out), and the
    notes kept on its milestones, oldest first."""

    studied: tuple[StudyEntry, ...] = ()
    time_off: tuple[TimeOff, ...] = ()
    notes: tuple[Note, ...] = ()

    def studied_on(self, milestone_id: str) -> float:
        """Hours of study recorded on one milestone."""
        return sum(e.hours for e in self.studied if e.milestone_id == milestone_id)


def activity_of(events: Iterable[EventRow]) -> Activity:
    """The standing study entries and time off among ``events`` (any order)."""
    rows = list(events)
    retracted = {e.ref_id for e in rows if e.kind == "retracted" and e.ref_id is not None}
    studied = []
    time_off = []
    notes = []
    for e in rows:
        if e.id is not None and e.id in retracted:
            continue
        if e.kind == "studied" and e.on_date is not None and e.hours:
            studied.append(StudyEntry(e.id, e.milestone_id, e.on_date, e.hours, e.note))
        elif e.kind == "away" and e.on_date is not None and e.until_date is not None:
            time_off.append(TimeOff(e.id, e.on_date, e.until_date, e.hours or 0.0, e.note))
        elif e.kind in ("note", "done", "skipped") and e.note and e.note.strip():
            notes.append(Note(e.milestone_id, e.note, e.at))  # planner note, done/skip --note
    studied.sort(key=lambda e: (e.day, e.id or 0))
    time_off.sort(key=lambda t: t.first)
    notes.sort(key=lambda n: n.at)
    return Activity(tuple(studied), tuple(time_off), tuple(notes))
