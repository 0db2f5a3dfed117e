"""How a command's help names its arguments: by the word a person reads, not a Python type.

typer writes an argument as ``{milestones}...`` in the usage line and as
``milestones... <list[str]>`` in the Arguments section, whatever its metavar. ``Command``
writes it the way command-line help always has: ``MILESTONE...`` when it is required,
``[FROM]`` when it is not, and no type. Options are left to typer, which already writes an
option's metavar (``--on YYYY-MM-DD``) when it has one; every option here has one.

``command`` turns a command function into the one-command ``typer.Typer`` that
``planner.cli.COMMANDS`` names, built with ``Command``; a group (``planner curricula``)
passes ``cls=Command`` to ``app.command`` itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer
from typer.core import TyperArgument, TyperCommand


def argument_name(param: TyperArgument) -> str:
    """``MILESTONE...`` for an argument that takes several values, else ``MILESTONE``: its
    metavar, or its name in capitals when it has none."""
    name = param.metavar or (param.name or "value").upper()
    return f"{name}..." if param.nargs != 1 else name


def argument_usage(param: TyperArgument) -> str:
    """``MILESTONE...`` when required, ``[MILESTONE]...`` or ``[FROM]`` when optional."""
    name = param.metavar or (param.name or "value").upper()
    shown = name if param.required else f"[{name}]"
    return f"{shown}..." if param.nargs != 1 else shown


class Command(TyperCommand):
    """A typer command whose help names arguments as people write them (see the module)."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                pieces.append(argument_usage(param))
            else:
                pieces.extend(param.get_usage_pieces(ctx))
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        arguments: list[tuple[str, str]] = []
        options: list[tuple[str, str]] = []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if isinstance(param, TyperArgument):
                arguments.append((argument_name(param), record[1]))
            else:
                options.append(record)
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


def command(function: Callable[..., Any]) -> typer.Typer:
    """``function`` as a one-command app whose help is written by ``Command``."""
    app = typer.Typer(rich_markup_mode=None, add_completion=False)
    app.command(cls=Command)(function)
    return app
