"""Plan and progress commands: start, status, next, done, undo, skip, note, log, plans."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the progress commands to the top-level app."""
