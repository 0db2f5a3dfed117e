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
  evenly between them: sessions grow longer, days are never added, and no session is
  longer than ``max_session``. A plan week whose own hours would need longer sessions
  on the chosen days is refused (UsageError, saying how to fit it); work a week cannot
  hold (moved from an earlier week, or its days left are fewer) moves to the next week.
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
    from planner.scheduler import Schedule
    from planner.view import PlanView

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_SESSION_HOURS = 12.0
DEFAULT_MAX_SESSION = 3.0  # `export ics --max-session`
CONFIRMED = "CONFIRMED"
CANCELLED = "CANCELLED"
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
    sequence: int = 0  # RFC 5545 SEQUENCE: raised each time a published session changes
    status: str = CONFIRMED  # or CANCELLED: a published session that is no longer planned

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


def check_session_hours(value: float, option: str = "--session-hours") -> float:
    if not 0 < value <= MAX_SESSION_HOURS:
        msg = f"{option} must be more than 0 and at most {MAX_SESSION_HOURS:g} (got {value:g})."
        raise UsageError(msg)
    return value


def check_session_options(session_hours: float, max_session: float) -> None:
    """``--session-hours`` (the usual length) and ``--max-session`` (the longest a
    session may grow to fit a week): each in range, and the usual no longer than the
    longest. Raises UsageError."""
    check_session_hours(session_hours)
    check_session_hours(max_session, "--max-session")
    if session_hours > max_session:
        msg = (
            f"--session-hours {session_hours:g} is longer than --max-session {max_session:g}; "
            f"sessions are never longer than --max-session: give --max-session "
            f"{session_hours:g} or more, or a shorter --session-hours."
        )
        raise UsageError(msg)


# --------------------------------------------------------------------------- placement


def plan_sessions(
    view: PlanView,
    days: Sequence[int],
    at: time,
    session_hours: float,
    now: datetime,
    *,
    max_session: float = MAX_SESSION_HOURS,
) -> list[Session]:
    """The remaining work as sessions on ``days`` (0 is Monday) at ``at``, from ``now``'s
    date on, in ``now``'s zone, none longer than ``max_session`` hours. See the module
    docstring for the rules; raises UsageError when a week cannot fit."""
    check_session_options(session_hours, max_session)
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
    longest = max(length, round(max_session * 60))
    schedule = view.schedule
    _check_fit(schedule, len(chosen), longest)
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
        total = min(sum(minutes for _, minutes in pending), longest * len(dates))
        if capacity.between(week_start, week_end) < full_week:
            # Time off this week: no more than the plan gives it; the rest moves on.
            room = capacity.between(max(week_start, today), week_end)
            total = min(total, max(own, round(room / 7)))
            if not total:
                continue
        for day, minutes in zip(dates, _lengths(total, length, len(dates)), strict=False):
            placed.append((day, _take(pending, minutes)))
    return _sessions(view, placed, at, zone)


def _check_fit(schedule: Schedule, days: int, longest: int) -> None:
    """UsageError when a remaining plan week's own hours need sessions longer than
    ``longest`` minutes on ``days`` days, saying how to make them fit."""
    peak = 0
    for week in schedule.weeks[schedule.current_week - 1 :]:
        own = sum(round(slot.hours * 60) for slot in week.slots if not slot.recorded)
        peak = max(peak, own)
    if peak <= longest * days:
        return
    need_days = -(-peak // longest)
    need_hours = -(-peak // (60 * days))
    ways = []
    if need_days <= len(DAY_NAMES):
        ways.append(f"choose at least {need_days} days with --days")
    if need_hours <= MAX_SESSION_HOURS:
        ways.append(f"allow longer sessions with --max-session {need_hours}")
    if not ways:
        ways.append("study fewer hours a week (`planner replan --hours-per-week`)")
    msg = (
        f"{_hours(peak)} a week on {days} day{'' if days == 1 else 's'} needs sessions of "
        f"{_hours(peak / days)}, longer than --max-session {longest / 60:g}; "
        f"{', or '.join(ways)}."
    )
    raise UsageError(msg)


def _hours(minutes: float) -> str:
    return f"{round(minutes / 60, 2):g} h"


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

    Each event carries its UID, SEQUENCE and STATUS (a CANCELLED one tells a calendar
    that imported it before to remove it). Times are written as wall-clock time in the
    sessions' zone, with its TZID and a VTIMEZONE built from the zone's rules for the
    dates the file covers (an IANA zone, a POSIX TZ rule, or a bare UTC offset alike), so
    a calendar keeps each session at its local time across clock changes. The library
    escapes text and folds lines at 75 octets; control characters RFC 5545 forbids are
    dropped.
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
    zones: dict[str, tuple[tzinfo, date, date]] = {}  # TZID -> zone, first and last day
    for session in sessions:
        event = icalendar.Event()
        event.add("uid", session.uid)
        event.add("dtstamp", dtstamp)
        for name, moment in (("dtstart", session.start), ("dtend", session.end)):
            zone = moment.tzinfo
            assert zone is not None, "session times are aware"
            tzid = zone_id(zone)
            first, last = zones.get(tzid, (zone, moment.date(), moment.date()))[1:]
            zones[tzid] = (zone, min(first, moment.date()), max(last, moment.date()))
            event.add(name, moment.replace(tzinfo=None), parameters={"TZID": tzid})
        event.add("sequence", session.sequence)
        event.add("status", session.status)
        event.add("summary", text(clean_text(session.summary)))
        event.add("description", text(clean_text(session.description)))
        event.add("categories", ["study"])
        calendar.add_component(event)
    for tzid, (zone, first, last) in zones.items():
        calendar.add_component(
            icalendar.Timezone.from_tzinfo(
                zone,
                tzid=tzid,
                first_date=first - timedelta(days=1),
                last_date=last + timedelta(days=2),
            )
        )
    data: bytes = calendar.to_ical()
    return data


def zone_id(zone: tzinfo) -> str:
    """The TZID a zone is written with: its IANA name, its POSIX rule
    (``CET-1CEST,M3.5.0,M10.5.0/3``) or its UTC offset (``UTC+03:00``). UTC itself is
    ``Etc/UTC``: icalendar writes a time with TZID ``UTC`` as a bare UTC time, and every
    session carries a TZID and its VTIMEZONE."""
    from icalendar.timezone import tzid_from_tzinfo

    tzid = tzid_from_tzinfo(zone) or zone.tzname(None) or "Local"
    return "Etc/UTC" if tzid.upper() in ("UTC", "Z") else tzid


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
