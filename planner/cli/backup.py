"""``planner export json``, ``planner import`` and ``planner backup``."""

from __future__ import annotations

import typer


def register(export_app: typer.Typer, app: typer.Typer) -> None:
    """Add ``json`` to the ``export`` group and ``import``/``backup`` to the app."""
