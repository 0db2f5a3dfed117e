"""The ``planner`` command line: a thin typer layer over ``planner.service``.

Commands are loaded lazily: ``COMMANDS`` names each one, the module that defines it and
the line ``planner --help`` shows for it, so a command imports and builds only itself.
Errors are turned into one ``Error: ...`` line on stderr and an exit code here, in
``PlannerGroup.main``, and nowhere else. So is what a terminal, a pipe or a redirect
needs: any text printed whatever the output's encoding, no colour when ``NO_COLOR`` is
set, a reader that stops early (``planner log | head -1``) ending the run quietly, and
a Ctrl-C saying what became of the file being written (exit 130).
"""

from __future__ import annotations

import codecs
import contextlib
import difflib
import errno
import importlib
import io
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any

if TYPE_CHECKING:
    from pathlib import Path

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


# --------------------------------------------------------------------------- the terminal

ESCAPE = "planner-escape"  # the error handler stdout writes unencodable characters with


def escape_unencodable(exc: UnicodeError) -> tuple[str, int]:
    """Write each character the stream cannot encode as JSON writes it: ``\\u5b66``, a
    pair for one beyond U+FFFF. Text can still be read back, and ``--json`` output (or
    ``planner export json``) stays valid JSON holding the same data."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    import json

    return json.dumps(exc.object[exc.start : exc.end])[1:-1], exc.end


def prepare_streams() -> None:
    """Let stdout and stderr take any text: in a cp1252 or latin-1 console or redirect, a
    character the encoding lacks becomes an escape instead of a UnicodeEncodeError half
    way through the output. (stderr already backslash-escapes; planner's own glyphs,
    such as the progress bar's, have ASCII stand-ins: ``planner.cli.output.glyph``.)"""
    codecs.register_error(ESCAPE, escape_unencodable)
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors in (
            "strict",
            "surrogateescape",  # still raises for a character the encoding lacks
        ):
            stream.reconfigure(errors=ESCAPE)


class Interrupted(Exception):
    """The command was interrupted (Ctrl-C); the message says what became of the file it
    was writing (``State.interrupted``). Every file is written atomically, so it is
    either as it was or complete."""


class ReaderGone(Exception):
    """The reader of stdout or stderr closed its end of the pipe (``planner log |
    head -1``). Raised for BrokenPipeError, which typer would turn into exit code 1."""


@contextlib.contextmanager
def reader_gone() -> Iterator[None]:
    """Turn a BrokenPipeError inside the block into ``ReaderGone``."""
    try:
        yield
    except BrokenPipeError as exc:
        raise ReaderGone from exc


def stop_writing() -> None:
    """After a reader went away: point stdout and stderr at the null device, so that
    nothing more is written, not even by Python flushing them at exit (the Python docs'
    recommendation for SIGPIPE)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(AttributeError, OSError, ValueError):  # no real file
                os.dup2(devnull, stream.fileno())
    finally:
        os.close(devnull)


# Why a write of planner's output can fail for good: the disk or quota is full, the file
# would grow too big, the device fails. (A reader that went away is ReaderGone.)
OUTPUT_FAILURES = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})


def cannot_write(exc: OSError) -> None:
    """Say on stderr, in one line, that the output could not be written, and send what is
    still buffered for stdout to the null device, so Python's flush at exit cannot fail
    again with a traceback."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        with contextlib.suppress(AttributeError, OSError, ValueError):
            os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stderr.write(f"Error: cannot write the output: {exc.strerror or exc}.\n")
        sys.stderr.flush()


def no_color() -> bool:
    """Whether the user asked for no colour or styling (https://no-color.org): NO_COLOR
    is set and not empty."""
    return bool(os.environ.get("NO_COLOR"))


def version() -> str:
    """This planner's version: its installed distribution's, else (run from a source
    tree that was never installed) the one in ``pyproject.toml``, else ``unknown``."""
    from importlib import metadata

    try:
        return metadata.version("planner")
    except metadata.PackageNotFoundError:
        import pathlib

        return source_version(pathlib.Path(__file__).resolve().parents[2]) or "unknown"


def source_version(root: Path) -> str | None:
    """The version in ``root/pyproject.toml`` when that is planner's; else None."""
    import tomllib

    try:
        project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, ValueError):  # missing, unreadable, not UTF-8, not TOML
        return None
    table = project.get("project")
    if not isinstance(table, dict) or table.get("name") != "planner":
        return None
    found = table.get("version")
    return found if isinstance(found, str) else None


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

    def make_context(
        self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any
    ) -> Any:
        with reader_gone():  # `planner --help | true` writes while parsing
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: Any) -> Any:
        with reader_gone():
            try:
                return super().invoke(ctx)
            except KeyboardInterrupt:
                obj = ctx.obj if isinstance(ctx.obj, State) else State()
                raise Interrupted(obj.interrupted()) from None

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
        if no_color():
            extra["color"] = False
        code = 0
        try:
            prepare_streams()
            try:
                result = super().main(
                    args=args,
                    prog_name=prog_name,
                    complete_var=complete_var,
                    standalone_mode=False,
                    **extra,
                )
                code = result if isinstance(result, int) else 0
            except Interrupted as exc:  # Ctrl-C (SIGINT): 128 + 2, as shells report it
                code = 130
                typer.echo(str(exc), err=True)
            except PlannerError as exc:
                code = exc.exit_code  # first: a closed stderr must not change it
                typer.echo(f"Error: {exc.message}", err=True)
            except typer.Abort:
                code = 1
                typer.echo("Aborted.", err=True)
            except typer.TyperException as exc:  # usage errors from option parsing
                code = getattr(exc, "exit_code", 2)
                if type(exc).__name__ == "NoArgsIsHelpError":  # help was shown instead
                    if exc.format_message().strip():
                        typer.echo(exc.format_message())
                else:
                    message = exc.format_message().strip().rstrip(".")
                    ctx = getattr(exc, "ctx", None)
                    path = ctx.command_path if ctx is not None else "planner"
                    stop = "" if message.endswith("?") else "."
                    typer.echo(f"Error: {message}{stop} See '{path} --help'.", err=True)
            for stream in (sys.stdout, sys.stderr):
                if stream is not None:
                    stream.flush()  # a reader that went away shows here at the latest
        except (ReaderGone, BrokenPipeError):
            # The reader took what it wanted (`planner log | head -1`). Whether planner
            # notices depends on timing, so this is not an error: exit as decided so far,
            # 0 unless the command had already failed (README: Exit codes).
            stop_writing()
        except OSError as exc:
            if exc.errno not in OUTPUT_FAILURES:
                raise
            # The output cannot be written at all (`planner status > /dev/full`).
            code = 1
            cannot_write(exc)
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


def _print_version(value: bool) -> None:
    """``--version``: print ``planner X.Y.Z`` and stop, before any command is loaded."""
    if value:
        typer.echo(f"planner {version()}")
        raise typer.Exit


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
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            is_eager=True,
            callback=_print_version,
            help="Show planner's version and exit.",
        ),
    ] = False,
) -> None:
    """Turn a career-role curriculum into a dated weekly study plan and track progress.

    Example: planner start ai-architect --hours-per-week 8
    """
    from planner import settings
    from planner.errors import UsageError

    problem = settings.database_path_problem(db)
    if problem:
        raise UsageError(problem)
    ctx.obj = State(db=db, plan=plan)


def main() -> None:
    """Console-script entry point."""
    app(prog_name="planner")
