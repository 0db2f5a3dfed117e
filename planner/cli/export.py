"""``planner export ...``: take your plan elsewhere (calendar, backup)."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Export the active plan: a calendar of study sessions, or a JSON backup.\n\n"
    "Example: planner export ics --output study.ics",
    no_args_is_help=True,
)
