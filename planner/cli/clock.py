"""The clock, read in one place: the local day every command plans and records against.

``PLANNER_TODAY=YYYY-MM-DD`` makes a command act as if that were today: the plan, pace
and week are those of that day, and ``done``, ``study`` and ``skip`` without ``--on``
record that day. It makes examples and tests reproducible (the README's samples are
checked this way) and answers "where will I stand on 1 March?". Stored timestamps
(when an entry was recorded) stay the real time.

Two answers to "what time is it here": a stored moment is shown in local time with
``moment.astimezone()`` (the C library's rules for that moment, cheap, whatever ``TZ``
holds), and a calendar, which must name a zone and its rules, gets ``local_zone()``.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timezone, tzinfo

TODAY_VARIABLE = "PLANNER_TODAY"


def today() -> date:
    """The local date, or ``PLANNER_TODAY`` when it is set and not empty.

    Raises UsageError (exit 2) when ``PLANNER_TODAY`` is not a ``YYYY-MM-DD`` date."""
    override = os.environ.get(TODAY_VARIABLE, "").strip()
    if not override:
        return date.today()
    try:
        return date.fromisoformat(override)
    except ValueError:
        from planner.errors import UsageError

        msg = (
            f"{TODAY_VARIABLE} must be a date like 2026-01-31 (got '{override}'); "
            f"unset it to use today's date."
        )
        raise UsageError(msg) from None


def now(zone: tzinfo) -> datetime:
    """The current moment in ``zone``; on the day ``PLANNER_TODAY`` gives, at the current
    time of day, when it is set. Raises UsageError as ``today`` does."""
    real = datetime.now(zone)
    day = today()
    return real if day == real.date() else datetime.combine(day, real.timetz())


def local_zone() -> tzinfo:
    """The system's time zone with its daylight-saving rules, found as the C library
    finds it: ``TZ`` naming an IANA zone (``Europe/Paris``, ``:Europe/Paris``) or a zone
    file (``/usr/share/zoneinfo/Europe/Paris``), else ``/etc/localtime`` (``tzlocal``
    knows each system's ways); ``TZ`` holding a POSIX rule (``CET-1CEST,M3.5.0,M10.5.0/3``)
    is that rule (``dateutil.tz.tzstr``, as libc reads it: valid for every year). A zone
    that disagrees with the system clock now is not trusted: the current UTC offset is
    used instead, as a last resort."""
    now = datetime.now().astimezone()
    for zone in _candidate_zones():
        if now.astimezone(zone).utcoffset() == now.utcoffset():
            return zone
    offset = now.utcoffset()
    assert offset is not None
    return timezone(offset)


def _candidate_zones() -> list[tzinfo]:
    import warnings

    import tzlocal

    try:
        with warnings.catch_warnings():  # its doubts about the clock: local_zone checks
            warnings.simplefilter("ignore")
            return [tzlocal.reload_localzone()]  # not a cached answer: TZ may have changed
    except (LookupError, ValueError, OSError):  # ZoneInfoNotFoundError is a KeyError
        pass
    rule = os.environ.get("TZ", "").removeprefix(":")
    if not rule:
        return []
    from dateutil.tz import tzstr

    try:
        return [tzstr(rule)]
    except ValueError:
        return []
