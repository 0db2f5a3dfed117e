"""Study time and time off: ``planner study`` and ``planner away``."""

from __future__ import annotations

from typing import Annotated

import typer

from planner.cli import clock
from planner.cli.command import command
from planner.cli.output import echo_table, echo_warnings, echo_wrapped, hours, wrap
from planner.cli.progress import NoteOption, finish_line, parse_date, progress_line
from planner.cli.state import state


@command
def study(
    ctx: typer.Context,
    milestone: Annotated[
        str, typer.Argument(metavar="MILESTONE", help="Milestone id (or unique prefix).")
    ],
    duration: Annotated[
        str, typer.Argument(metavar="DURATION", help="Time spent: 2, 1.5h, 90m or 1h30m.")
    ],
    on: Annotated[
        str | None,
        typer.Option("--on", metavar="YYYY-MM-DD", help="Day you studied (default today)."),
    ] = None,
    note: NoteOption = None,
) -> None:
    """Record time spent on a milestone you have not finished.

    It counts toward your progress at once (up to 90% of the milestone's estimate until
    you mark it done), lands in the week you studied, and `planner undo MILESTONE` takes
    back the latest entry.

    \b
    Example: planner study python-programming 1h30m --note "NumPy exercises"
    """
    from planner import progress

    change, view, warnings = progress.study(
        db=state(ctx).db,
        plan_name=state(ctx).plan_name,
        query=milestone,
        duration=duration,
        today=clock.today(),
        on=parse_date(on, "--on"),
        note=note,
    )
    echo_warnings(warnings)
    m = view.curriculum.by_id[change.milestone_id]
    studied = view.schedule.hours_studied.get(m.id, 0.0)
    echo_wrapped(
        "",
        f"Studied {change.milestone_id} for {hours(change.hours or 0)} h on {change.on}: "
        f"{hours(round(studied, 2))} of {hours(m.hours)} h.",
    )
    typer.echo(progress_line(view))


@command
def away(
    ctx: typer.Context,
    first: Annotated[
        str | None, typer.Argument(metavar="FROM", help="First day away (YYYY-MM-DD).")
    ] = None,
    last: Annotated[
        str | None, typer.Argument(metavar="TO", help="Last day away (YYYY-MM-DD).")
    ] = None,
    hours_per_week: Annotated[
        float,
        typer.Option(
            "--hours",
            metavar="HOURS",
            show_default=False,
            help="Hours a week you can still study (default 0).",
        ),
    ] = 0.0,
    note: Annotated[
        str | None, typer.Option("--note", metavar="TEXT", help="Why, for your own record.")
    ] = None,
) -> None:
    """Plan around time off: days with no study, or fewer hours; list it with no dates.

    The schedule moves past those days, they do not count as planned hours (so time off
    never makes you behind), the printed plan shades them and `planner export ics` puts
    no sessions in them. `planner undo --away FROM` takes it back.

    \b
    Example: planner away 2026-12-20 2027-01-03 --note "holidays"
    Example: planner away
    """
    from planner import progress
    from planner.errors import UsageError

    st = state(ctx)
    if first is None:
        name, entries = progress.time_off(db=st.db, plan_name=st.plan_name)
        if not entries:
            echo_wrapped("", f"No time off in '{name}'. Add some with `planner away FROM TO`.")
            return
        echo_table(
            ["FROM", "TO", "DAYS", "H/WEEK", "NOTE"],
            [
                [
                    str(t.first),
                    str(t.last),
                    str(t.days),
                    hours(t.hours_per_week),
                    " ".join((t.note or "").split()),
                ]
                for t in entries
            ],
            give={"NOTE": "text"},
        )
        return
    if last is None:
        msg = "Give the last day away too: `planner away FROM TO` (the same day for one day)."
        raise UsageError(msg)
    change, before, after, warnings = progress.away(
        db=st.db,
        plan_name=st.plan_name,
        first=parse_date(first, "FROM") or clock.today(),
        last=parse_date(last, "TO") or clock.today(),
        today=clock.today(),
        hours=hours_per_week,
        note=note,
    )
    echo_warnings(warnings)
    days = ((change.until or change.on or clock.today()) - (change.on or clock.today())).days + 1
    what = "no study" if not change.hours else f"{hours(change.hours)} h/week"
    echo_wrapped("", f"Away from {change.on} to {change.until} ({_days(days)}, {what}).")
    b, a = before.schedule, after.schedule
    moved = (a.planned_finish - b.planned_finish).days
    shift = ("+" if moved > 0 else "") + _days(moved)
    text = f"Planned finish {b.planned_finish} -> {a.planned_finish} ({shift}); "
    text += finish_line(after) + "."
    typer.echo(wrap("", text))


def _days(count: int) -> str:
    """``1 day``, ``15 days``, ``-2 days``."""
    return f"{count} day" if abs(count) == 1 else f"{count} days"
