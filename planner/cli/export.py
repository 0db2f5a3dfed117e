"""``planner export ...``: take your plan elsewhere (calendar, backup)."""

from __future__ import annotations

import typer

from planner.cli.backup import export_json
from planner.cli.command import Command
from planner.cli.ics import ics

app = typer.Typer(
    help="Export the active plan: a calendar of study sessions, or a JSON backup.\n\n"
    "Example: planner export ics --output study.ics",
    no_args_is_help=True,
    rich_markup_mode=None,
    add_completion=False,
)

app.command("ics", cls=Command)(ics)
app.command("json", cls=Command)(export_json)
