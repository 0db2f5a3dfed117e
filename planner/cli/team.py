"""``planner team``: a lead's report over every plan in the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from planner.cli import clock
from planner.cli.command import command
from planner.cli.output import echo_wrapped, terminal_width
from planner.cli.state import state


@command
def team(
    ctx: typer.Context,
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", metavar="txt|md|html|pdf", help="Output format."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", metavar="FILE", help="Write to FILE (format from its name)."
        ),
    ] = None,
) -> None:
    """Report on every plan in this database: one plan per person, named after them.

    Shows each person's roles, percent done, pace, last activity and what they are
    working on, and the milestones most people who are behind are stuck on.

    \b
    Example: planner team --output team.html
    """
    from planner import renderer, service
    from planner.errors import UsageError

    if output is not None:
        renderer.check_output(
            output.resolve() if output.is_symlink() else output, example="team.html"
        )
    state(ctx).will_write(output)
    chosen = renderer.format_for(output, fmt)
    if output is None and chosen == "pdf":
        msg = "PDF is binary; give a file with --output, e.g. --output team.pdf."
        raise UsageError(msg)
    width = terminal_width() if output is None else 80
    data = service.render_team(
        db=state(ctx).db, today=clock.today(), zone=None, fmt=chosen, width=width
    )
    if output is None:
        typer.echo(data.decode("utf-8"), nl=False)
        return
    echo_wrapped("", f"Wrote {renderer.write_atomically(output, data)}")
