"""``planner export ics``: the remaining study sessions as an iCalendar file."""

from __future__ import annotations

import os
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from typing import Annotated

import typer

from planner.cli.output import echo_wrapped
from planner.cli.state import state


def ics(
    ctx: typer.Context,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write to FILE (atomically)."),
    ] = None,
    days: Annotated[
        str,
        typer.Option(
            "--days",
            metavar="DAY,...",
            show_default=False,
            help="Study days: mon, tue, ... sun (default mon,wed,sat).",
        ),
    ] = "mon,wed,sat",
    at: Annotated[
        str,
        typer.Option(
            "--at",
            metavar="HH:MM",
            show_default=False,
            help="Local start time, 24-hour (default 19:00).",
        ),
    ] = "19:00",
    session_hours: Annotated[
        float,
        typer.Option(
            "--session-hours",
            metavar="HOURS",
            show_default=False,
            help="Length of a session (default 2, at most 12).",
        ),
    ] = 2.0,
) -> None:
    """Export your remaining study sessions as a calendar (.ics) to import anywhere.

    Each plan week's remaining milestones fill sessions on the chosen days, in
    order, at the chosen local time, from today on; today's session is kept even
    once its time has passed. A week uses only as many of its days as its hours
    need; if it needs more sessions than days, its sessions grow longer instead.
    Days of time off (`planner away`) get no session, and a week with fewer hours
    gets no more than the plan gives it. Event ids stay the same across exports,
    so importing the file again updates the events instead of doubling them.

    \b
    Example: planner export ics --days tue,thu,sun --at 07:30 --output study.ics
    """
    from planner import calendar, renderer
    from planner.store import load_view

    weekdays = calendar.parse_days(days)
    start_time = calendar.parse_time(at)
    calendar.check_session_hours(session_hours)
    if output is not None:
        renderer.check_output(output.resolve() if output.is_symlink() else output)
    st = state(ctx)
    now = datetime.now(local_zone())
    view = load_view(db=st.db, plan_name=st.plan_name, today=now.date())
    sessions = calendar.plan_sessions(view, weekdays, start_time, session_hours, now)
    data = calendar.to_ics(sessions, view.plan.name, stamp=now)
    if not sessions:
        typer.echo(
            f"Nothing left to study in '{view.plan.name}': the calendar has no sessions.",
            err=True,
        )
    if output is None:
        typer.echo(data, nl=False)
        return
    written = renderer.write_atomically(output, data)
    count = f"{len(sessions)} session{'' if len(sessions) == 1 else 's'}"
    span = f", {sessions[0].start:%Y-%m-%d} to {sessions[-1].start:%Y-%m-%d}" if sessions else ""
    echo_wrapped("", f"Wrote {written}: {count}{span}.")


def local_zone() -> tzinfo:
    """The system's time zone: its IANA zone, with daylight-saving rules, when the system
    names one (``TZ``, or where ``/etc/localtime`` links to) and it agrees with the clock;
    else the current UTC offset."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    now = datetime.now().astimezone()
    name = os.environ.get("TZ", "").removeprefix(":")
    if not name:
        link = Path("/etc/localtime")
        if link.is_symlink():
            parts = link.resolve().parts
            if "zoneinfo" in parts:
                name = "/".join(parts[parts.index("zoneinfo") + 1 :])
    if name:
        try:
            zone = ZoneInfo(name)
        except (ValueError, OSError, ZoneInfoNotFoundError):
            pass
        else:
            if now.astimezone(zone).utcoffset() == now.utcoffset():
                return zone
    offset = now.utcoffset()
    assert offset is not None
    return timezone(offset)
