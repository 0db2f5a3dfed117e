"""``planner export ics``."""

from __future__ import annotations

import typer


def register(export_app: typer.Typer) -> None:
    """Add ``ics`` to the ``export`` group."""
