"""The ``planner`` command line: a thin typer layer over ``planner.service``.

Errors are turned into one ``Error: ...`` line on stderr and an exit code here, in
``PlannerGroup.main``, and nowhere else.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from planner.cli import (
    backup,
    changes,
    compare,
    curricula,
    doctor,
    export,
    ics,
    plan,
    progress,
    projects,
    team,
)
from planner.cli.state import State
from planner.errors import PlannerError


class PlannerGroup(TyperGroup):
    """Runs the app and maps every user-facing failure to one line and an exit code."""

    def main(  # type: ignore[override]
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        code = 0
        try:
            result = super().main(
                args=args,
                prog_name=prog_name,
                complete_var=complete_var,
                standalone_mode=False,
                **extra,
            )
            code = result if isinstance(result, int) else 0
        except PlannerError as exc:
            typer.echo(f"Error: {exc.message}", err=True)
            code = exc.exit_code
        except typer.Abort:
            typer.echo("Aborted.", err=True)
            code = 1
        except typer.TyperException as exc:  # usage errors from option parsing
            code = getattr(exc, "exit_code", 2)
            if type(exc).__name__ == "NoArgsIsHelpError":  # help was shown instead
                if exc.format_message().strip():
                    typer.echo(exc.format_message())
                return self._finish(code, standalone_mode)
            message = exc.format_message().strip().rstrip(".")
            ctx = getattr(exc, "ctx", None)
            path = ctx.command_path if ctx is not None else "planner"
            typer.echo(f"Error: {message}. See '{path} --help'.", err=True)
        return self._finish(code, standalone_mode)

    @staticmethod
    def _finish(code: int, standalone_mode: bool) -> int:
        if standalone_mode:
            sys.exit(code)
        return code


app = typer.Typer(
    cls=PlannerGroup,
    name="planner",
    help=(
        "Turn a career-role curriculum into a dated weekly study plan and track your "
        "progress through it.\n\n"
        "Example: planner start ai-architect --hours-per-week 8"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _global_options(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option("--db", metavar="PATH", help="Database file to use (also: PLANNER_DB)."),
    ] = None,
    plan: Annotated[
        str | None,
        typer.Option("--plan", metavar="NAME", help="Plan to act on (also: PLANNER_PLAN)."),
    ] = None,
) -> None:
    """Turn a career-role curriculum into a dated weekly study plan and track progress.

    Example: planner start ai-architect --hours-per-week 8
    """
    ctx.obj = State(db=db, plan=plan)


app.add_typer(curricula.app, name="curricula")
app.add_typer(export.app, name="export")
progress.register(app)
projects.register(app)
plan.register(app)
compare.register(app)
changes.register(app)
team.register(app)
doctor.register(app)
ics.register(export.app)
backup.register(export.app, app)


def main() -> None:
    """Console-script entry point."""
    app(prog_name="planner")
