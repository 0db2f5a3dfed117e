"""The ``planner`` command line: a thin typer layer over ``planner.service``.

Commands are loaded lazily: ``COMMANDS`` names each one, the module that defines it and
the line ``planner --help`` shows for it, so a command imports and builds only itself.
Errors are turned into one ``Error: ...`` line on stderr and an exit code here, in
``PlannerGroup.main``, and nowhere else.
"""

from __future__ import annotations

import difflib
import importlib
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from planner.cli import coercion
from planner.cli.state import State
from planner.errors import PlannerError

# typer 0.29 builds a pydantic TypeAdapter even for an unset parameter; drop this once
# typer's _TyperParameter.process_value skips coercion of None (see the module).
coercion.install()

# name -> (module in planner.cli, attribute, the one-line help `planner --help` lists).
# The line must be the first line of the command's own help (a test checks).
COMMANDS: dict[str, tuple[str, str, str]] = {
    "start": ("progress", "start", "Start a dated study plan for one or more roles."),
    "status": (
        "progress",
        "status",
        "Show where you stand: progress, pace, projected finish, skills, this week.",
    ),
    "next": (
        "progress",
        "next_",
        "Show this week's milestones: hours, why, when it is done, and where to start.",
    ),
    "done": ("progress", "done", "Mark milestones done; the plan is re-projected at once."),
    "study": (
        "study",
        "study",
        "Record time spent on a milestone you have not finished.",
    ),
    "away": (
        "study",
        "away",
        "Plan around time off: days with no study, or fewer hours; list it with no dates.",
    ),
    "undo": (
        "progress",
        "undo",
        "Take back done, skipped or the latest study time on milestones, or time off.",
    ),
    "skip": (
        "progress",
        "skip",
        "Skip milestones you choose not to study; they count neither for nor against you.",
    ),
    "note": ("progress", "note", "Keep a note on a milestone (it shows in `planner log`)."),
    "log": (
        "progress",
        "log",
        "Show the history of the active plan: study time, done, undo, skip, notes, time off.",
    ),
    "plan": (
        "plan",
        "plan",
        "Write your dated plan, with your progress on it, to print or share.",
    ),
    "projects": (
        "projects",
        "projects",
        "Suggest portfolio projects for the active plan, best first, with why and what is missing.",
    ),
    "replan": (
        "changes",
        "replan",
        "Catch up when you fall behind: see the options with numbers, then apply one.",
    ),
    "add-role": (
        "changes",
        "add_role",
        "Add a role to the active plan; shared milestones count once and stay done.",
    ),
    "upgrade": (
        "changes",
        "upgrade",
        "Move the active plan to the newest curriculum for its roles, keeping all progress.",
    ),
    "compare": (
        "compare",
        "compare",
        "Compare two roles: what they are, what they share, and how long each takes you.",
    ),
    "curricula": (
        "curricula",
        "app",
        "Browse and check the role curricula plans are built from.",
    ),
    "plans": (
        "progress",
        "plans",
        "List your plans with their progress; the active one is marked with *.",
    ),
    "use": (
        "progress",
        "use",
        "Make a plan the active one (commands act on it unless --plan says otherwise).",
    ),
    "delete-plan": ("progress", "delete_plan", "Delete a plan and its whole history."),
    "team": (
        "team",
        "team",
        "Report on every plan in this database: one plan per person, named after them.",
    ),
    "export": (
        "export",
        "app",
        "Export the active plan: a calendar of study sessions, or a JSON backup.",
    ),
    "import": (
        "backup",
        "import_file",
        "Import plans and their history from an export file; never changes existing plans.",
    ),
    "backup": (
        "backup",
        "make_backup",
        "Copy the database safely, even while other planner commands are writing to it.",
    ),
    "doctor": (
        "doctor",
        "doctor",
        "Check the database and your plans; say what is wrong and how to fix it.",
    ),
    "migrate": (
        "doctor",
        "migrate",
        "Create or upgrade the database's tables to this planner's schema.",
    ),
}


def build_command(name: str) -> Any:
    """Import the module that defines command ``name`` and build only that command."""
    module, attribute, _ = COMMANDS[name]
    target = getattr(importlib.import_module(f"planner.cli.{module}"), attribute)
    if not isinstance(target, typer.Typer):
        single = typer.Typer(rich_markup_mode=None, add_completion=False)
        single.command(name)(target)
        target = single
    command = typer.main.get_command(target)
    command.name = name
    return command


class PlannerGroup(TyperGroup):
    """Runs the app and maps every user-facing failure to one line and an exit code."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in COMMANDS:
            return None
        if cmd_name not in self.commands:
            self.commands[cmd_name] = build_command(cmd_name)
        return self.commands[cmd_name]

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and args[0] not in COMMANDS and not args[0].startswith("-"):
            matches = difflib.get_close_matches(args[0], list(COMMANDS))
            hint = f" Did you mean {' or '.join(repr(m) for m in matches)}?" if matches else ""
            ctx.fail(f"No such command '{args[0]}'.{hint}")
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """List every command from ``COMMANDS`` without importing any of them."""
        from typer._click.utils import make_default_short_help

        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [
            (name, make_default_short_help(text, limit)) for name, (_, _, text) in COMMANDS.items()
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

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
            stop = "" if message.endswith("?") else "."
            typer.echo(f"Error: {message}{stop} See '{path} --help'.", err=True)
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
    rich_markup_mode=None,
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


def main() -> None:
    """Console-script entry point."""
    app(prog_name="planner")
