"""Study sessions for a calendar: the plan's remaining weeks laid out on chosen weekdays
at a chosen time of day, and written as iCalendar (RFC 5545).

How sessions are placed (``plan_sessions``):

- Only remaining work counts: the plan's planned slots (not its recorded study or
  completions), from the current plan week on. Plan weeks run from the
  plan's start day, so a week holds each weekday once; its chosen days are taken in
  date order, and days before today are never used. Today is used even when the time of
  day has passed: the layout depends on the date alone, so exports made the same day agree.
- Each week's remaining slots fill its sessions in order, so one session can finish one
  milestone and start the next. Sessions are ``session_hours`` long, the last one shorter,
  using as many of the chosen days as the hours need. When the hours need more sessions
  than there are chosen days, every chosen day gets a session and the hours are shared
  evenly between them: sessions grow longer, days are never added.
- Time off: a day with no study hours (``planner away`` without ``--hours``) never gets
  a session. A week with time off carries at most its planned hours (what the plan
  gives it after time off, from today on); work beyond that moves to the next week.
- Work of a week with no chosen day left (today is past them all, or they are all days
  off) moves to the next week, ahead of that week's own work.

Pure: the clock comes in as ``now``, whose zone is the zone of every session.
``icalendar`` is imported only by ``to_ics``.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from planner.errors import UsageError

if TYPE_CHECKING:
    from planner.view import PlanView

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_SESSION_HOURS = 12.0
PRODID = "-//planner//study sessions//EN"

_TIME = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")
# RFC 5545 forbids control characters in TEXT values, except the line breaks it escapes.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class Session:
    """One study session: a time span and the milestone work it covers, in order."""

    start: datetime  # aware
    end: datetime  # aware, in the same zone
    milestone_ids: tuple[str, ...]
    titles: tuple[str, ...]
    minutes: tuple[int, ...]  # minutes of each milestone in this session
    description: str
    uid: str

    @property
    def summary(self) -> str:
        return " + ".join(self.titles)


# --------------------------------------------------------------------------- options


def parse_days(text: str) -> tuple[int, ...]:
    """``"mon,Wed,sat"`` -> ``(0, 2, 5)``: weekday numbers, Monday 0, in week order."""
    names = [part.strip().lower() for part in text.split(",")]
    for name in names:
        if name not in DAY_NAMES:
            shown = f"{name!r} is not a day" if name else "a day name is missing"
            msg = (
                f"--days: {shown}; give day names from mon, tue, wed, thu, fri, sat, sun, "
                f"separated by commas, e.g. --days mon,wed,sat (got {text!r})."
            )
            raise UsageError(msg)
    repeated = sorted({name for name in names if names.count(name) > 1}, key=DAY_NAMES.index)
    if repeated:
        msg = f"--days names {', '.join(repeated)} more than once; give each day once."
        raise UsageError(msg)
    return tuple(sorted(DAY_NAMES.index(name) for name in names))


def parse_time(text: str) -> time:
    """``"19:00"`` -> ``time(19, 0)``; 24-hour clock."""
    match = _TIME.fullmatch(text.strip())
    if match is None:
        msg = f"--at must be a 24-hour time of day like 19:00 or 07:30 (got {text!r})."
        raise UsageError(msg)
    return time(int(match[1]), int(match[2]))


def check_session_hours(value: float) -> float:
    if not 0 < value <= MAX_SESSION_HOURS:
        msg = (
            f"--session-hours must be more than 0 and at most {MAX_SESSION_HOURS:g} "
            f"(got {value:g})."
        )
        raise UsageError(msg)
    return value


# --------------------------------------------------------------------------- placement


def plan_sessions(
    view: PlanView, days: Sequence[int], at: time, session_hours: float, now: datetime
) -> list[Session]:
    """The remaining work as sessions on ``days`` (0 is Monday) at ``at``, from ``now``'s
    date on, in ``now``'s zone. See the module docstring for the rules."""
    check_session_hours(session_hours)
    chosen = frozenset(days)
    if not chosen or not chosen <= frozenset(range(7)):
        msg = f"days must be weekday numbers from 0 (Monday) to 6, at least one: {days!r}"
        raise ValueError(msg)
    zone = now.tzinfo
    if zone is None:
        msg = "now must be timezone-aware"
        raise ValueError(msg)
    today = now.date()
    length = max(1, round(session_hours * 60))
    schedule = view.schedule
    capacity = schedule.capacity
    full_week = 7 * capacity.per_day  # units of a week without time off

    pending: list[tuple[str, int]] = []  # (milestone id, minutes) not yet in a session
    placed: list[tuple[date, list[tuple[str, int]]]] = []
    number = schedule.current_week
    while number <= len(schedule.weeks) or pending:
        week_start = schedule.start + timedelta(days=7 * (number - 1))
        week_end = week_start + timedelta(days=7)
        own = 0  # minutes the plan gives this week
        if number <= len(schedule.weeks):
            for slot in schedule.weeks[number - 1].slots:
                minutes = round(slot.hours * 60)
                if not slot.recorded and minutes > 0:
                    pending.append((slot.milestone_id, minutes))
                    own += minutes
        number += 1
        dates = [
            day
            for day in (week_start + timedelta(days=i) for i in range(7))
            if day.weekday() in chosen
            and day >= today
            and capacity.between(day, day + timedelta(days=1)) > 0  # not a day off
        ]
        if not pending or not dates:
            continue  # nothing to do, or no day left: the work moves to the next week
        total = sum(minutes for _, minutes in pending)
        if capacity.between(week_start, week_end) < full_week:
            # Time off this week: no more than the plan gives it; the rest moves on.
            room = capacity.between(max(week_start, today), week_end)
            total = min(total, max(own, round(room / 7)))
            if not total:
                continue
        for day, minutes in zip(dates, _lengths(total, length, len(dates)), strict=False):
            placed.append((day, _take(pending, minutes)))
    return _sessions(view, placed, at, zone)


def _lengths(total: int, length: int, days: int) -> list[int]:
    """Session lengths in minutes for ``total`` minutes on at most ``days`` days."""
    needed = -(-total // length)
    if needed <= days:
        return [length] * (needed - 1) + [total - length * (needed - 1)]
    share, extra = divmod(total, days)
    return [share + 1] * extra + [share] * (days - extra)


def _take(pending: list[tuple[str, int]], minutes: int) -> list[tuple[str, int]]:
    """Remove ``minutes`` of work from the front of ``pending``; one part per milestone."""
    parts: list[tuple[str, int]] = []
    while minutes:
        milestone_id, left = pending[0]
        chunk = min(left, minutes)
        if parts and parts[-1][0] == milestone_id:
            parts[-1] = (milestone_id, parts[-1][1] + chunk)
        else:
            parts.append((milestone_id, chunk))
        minutes -= chunk
        if chunk == left:
            pending.pop(0)
        else:
            pending[0] = (milestone_id, left - chunk)
    return parts


def _sessions(
    view: PlanView,
    placed: list[tuple[date, list[tuple[str, int]]]],
    at: time,
    zone: tzinfo,
) -> list[Session]:
    by_id = view.curriculum.by_id
    count: dict[str, int] = {}  # sessions so far of each milestone
    sessions = []
    for day, parts in placed:
        start = datetime.combine(day, at, tzinfo=zone)
        minutes = sum(m for _, m in parts)
        # Elapsed time, not wall-clock time: a session across a clock change lasts as long.
        end = (start.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(zone)
        ids = tuple(mid for mid, _ in parts)
        keys = []
        for mid in ids:
            count[mid] = count.get(mid, 0) + 1
            keys.append(f"{mid}#{count[mid]}")
        blocks = []
        for mid, part in parts:
            milestone = by_id[mid]
            resource = milestone.resources[0]
            whole = max(1, round(milestone.hours * 60))
            blocks.append(
                f"{milestone.title} ({mid}): {_duration(part)} of {_duration(whole)}\n"
                f"Done when: {milestone.done_when}\n"
                f"Start with: {resource.title} {resource.url}"
            )
        sessions.append(
            Session(
                start=start,
                end=end,
                milestone_ids=ids,
                titles=tuple(by_id[mid].title for mid in ids),
                minutes=tuple(m for _, m in parts),
                description="\n\n".join(blocks),
                uid=session_uid(view.plan.name, keys),
            )
        )
    return sessions


def session_uid(plan_name: str, keys: Sequence[str]) -> str:
    """Stable across exports: the plan, and each milestone with this session's number
    among that milestone's sessions (``python-basics#2``)."""
    text = "\n".join([plan_name, *keys])
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest() + "@planner"


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not rest:
        return f"{hours} h"
    return f"{hours} h {rest:02d} min" if hours else f"{rest} min"


# --------------------------------------------------------------------------- iCalendar


def to_ics(sessions: Sequence[Session], plan_name: str, *, stamp: datetime) -> bytes:
    """An iCalendar file with one event per session; ``stamp`` (aware) is its DTSTAMP.

    Times in an IANA zone (``zoneinfo.ZoneInfo``) are written with its TZID and a
    VTIMEZONE; any other zone (a bare UTC offset) is written as UTC. The library escapes
    text and folds lines at 75 octets; control characters RFC 5545 forbids are dropped.
    """
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    # An X- property: icalendar writes and reads it as it is, without TEXT escapes.
    calendar.add("x-wr-calname", clean_text(f"Study plan: {plan_name}"))
    text = _text_type()
    dtstamp = stamp.astimezone(UTC).replace(microsecond=0)
    for session in sessions:
        event = icalendar.Event()
        event.add("uid", session.uid)
        event.add("dtstamp", dtstamp)
        event.add("dtstart", _zoned(session.start))
        event.add("dtend", _zoned(session.end))
        event.add("summary", text(clean_text(session.summary)))
        event.add("description", text(clean_text(session.description)))
        event.add("categories", ["study"])
        calendar.add_component(event)
    if sessions:
        calendar.add_missing_timezones(
            first_date=min(s.start for s in sessions).date() - timedelta(days=1),
            last_date=max(s.end for s in sessions).date() + timedelta(days=1),
        )
    data: bytes = calendar.to_ical()
    return data


@functools.cache
def _text_type() -> type[Any]:
    """icalendar's TEXT value, escaped by RFC 5545 alone: icalendar first turns a literal
    ``\\N`` in the text into a line break, which would change what a curriculum says."""
    import icalendar

    class LiteralText(icalendar.vText):
        __slots__ = ()

        def to_ical(self) -> bytes:
            escaped = (
                self.replace("\\", "\\\\")
                .replace(";", "\\;")
                .replace(",", "\\,")
                .replace("\n", "\\n")
            )
            return escaped.encode("utf-8")

    return LiteralText


def clean_text(text: str) -> str:
    """Text as it can appear in iCalendar: line breaks as ``\\n``, no control characters."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _zoned(moment: datetime) -> datetime:
    from zoneinfo import ZoneInfo

    return moment if isinstance(moment.tzinfo, ZoneInfo) else moment.astimezone(UTC)
