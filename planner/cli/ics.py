"""``planner export ics``: the remaining study sessions as an iCalendar file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from planner.calendar import DEFAULT_MAX_SESSION, MAX_SESSION_HOURS
from planner.cli import clock
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
            help="Usual length of a session (default 2).",
        ),
    ] = 2.0,
    max_session: Annotated[
        float,
        typer.Option(
            "--max-session",
            metavar="HOURS",
            show_default=False,
            help=(
                "Longest a session may grow to fit a week's hours on the chosen days "
                f"(default {DEFAULT_MAX_SESSION:g}, at most {MAX_SESSION_HOURS:g})."
            ),
        ),
    ] = DEFAULT_MAX_SESSION,
) -> None:
    """Export your remaining study sessions as a calendar (.ics) to import anywhere.

    Each plan week's remaining milestones fill sessions on the chosen days, in
    order, at the chosen local time, from today on; today's session is kept even
    once its time has passed. Sessions are --session-hours long and a week uses
    only as many of its days as its hours need; if it needs more sessions than
    days, its sessions grow longer, up to --max-session. A week that would need
    longer sessions is refused, saying how many days or hours would fit it.
    Days of time off (`planner away`) get no session, and a week with fewer hours
    gets no more than the plan gives it. Times are written in your system's time
    zone with its daylight-saving rules, so sessions keep their local time.

    Importing a newer file updates the calendar: event ids stay the same, changed
    sessions are numbered higher, and sessions no longer planned are sent as
    cancelled (each export is recorded in the database for this).

    \b
    Example: planner export ics --days tue,thu,sun --at 07:30 --output study.ics

    \b
    Example: planner export ics --days sat --max-session 8
    """
    from planner import calendar, renderer
    from planner.publication import export_calendar

    weekdays = calendar.parse_days(days)
    start_time = calendar.parse_time(at)
    calendar.check_session_options(session_hours, max_session)
    if output is not None:
        renderer.check_output(
            output.resolve() if output.is_symlink() else output, example="study.ics"
        )
    st = state(ctx)
    st.will_write(output)
    now = clock.now(clock.local_zone())
    export = export_calendar(
        db=st.db,
        plan_name=st.plan_name,
        days=weekdays,
        at=start_time,
        session_hours=session_hours,
        max_session=max_session,
        now=now,
    )
    sessions = export.sessions
    if not export.tracked:
        typer.echo(
            "Note: the database is read-only, so this export is not recorded; a later "
            "export will not know which of these sessions changed.",
            err=True,
        )
    if not sessions:
        typer.echo(
            f"Nothing left to study in '{export.plan_name}': the calendar has no sessions.",
            err=True,
        )
    if output is None:
        typer.echo(export.data, nl=False)
        return
    written = renderer.write_atomically(output, export.data)
    count = f"{len(sessions)} session{'' if len(sessions) == 1 else 's'}"
    span = f", {sessions[0].start:%Y-%m-%d} to {sessions[-1].start:%Y-%m-%d}" if sessions else ""
    gone = f"; {export.cancelled} cancelled" if export.cancelled else ""
    echo_wrapped("", f"Wrote {written}: {count}{span}{gone}.")
