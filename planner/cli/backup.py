"""``planner export json``, ``planner import`` and ``planner backup``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from planner.cli import clock
from planner.cli.command import command
from planner.cli.output import echo_wrapped
from planner.cli.state import state


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def export_json(
    ctx: typer.Context,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write to FILE (atomically)."),
    ] = None,
    all_plans: Annotated[
        bool, typer.Option("--all", help="Every plan, not only the active one.")
    ] = False,
) -> None:
    """Export plans with their full history as JSON, to keep or to move to another machine.

    \b
    Example: planner export json --all --output planner.json
    """
    from planner import renderer, transfer
    from planner.export_format import document_json

    if output is not None:
        renderer.check_output(
            output.resolve() if output.is_symlink() else output, example="plans.json"
        )
    st = state(ctx)
    st.will_write(output)
    export = transfer.export_document(
        db=st.db, plan_name=st.plan_name, all_plans=all_plans, now=datetime.now(UTC)
    )
    for problem in export.skipped:
        typer.echo(f"Warning: not exported: {problem}", err=True)
    document = export.document
    text = document_json(document)
    if output is None:
        typer.echo(text, nl=False)
        return
    written = renderer.write_atomically(output, text.encode("utf-8"))
    echo_wrapped(
        "",
        f"Wrote {written}: {_plural(len(document.plans), 'plan')}, "
        f"{_plural(document.event_count, 'event')}.",
    )


@command
def import_file(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="A file written by `planner export json`.")
    ],
    new_name: Annotated[
        str | None,
        typer.Option("--as", metavar="NEW_NAME", help="Import the file's one plan as NEW_NAME."),
    ] = None,
) -> None:
    """Import plans and their history from an export file; never changes existing plans.

    \b
    Example: planner import planner.json --as ai-architect-laptop
    """
    from planner import transfer

    result = transfer.import_document(
        db=state(ctx).db, path=file, new_name=new_name, now=datetime.now(UTC), today=clock.today()
    )
    for warning in result.warnings:
        typer.echo(f"Warning: {warning}", err=True)
    for plan in result.plans:
        echo_wrapped("", f"Imported plan '{plan.name}' with {_plural(plan.events, 'event')}.")


@command
def make_backup(
    ctx: typer.Context,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Where to write (default: planner-backup-YYYYMMDD-HHMMSS.db beside the "
            "database). Never overwrites.",
        ),
    ] = None,
) -> None:
    """Copy the database safely, even while other planner commands are writing to it.

    \b
    Example: planner backup --output ~/planner-2026-01.db
    """
    from planner import backup

    st = state(ctx)
    st.will_write(output, unnamed="no backup file was left half-made")
    result = backup.backup_database(db=st.db, output=output, now=datetime.now())
    echo_wrapped(
        "",
        f"Backed up {_plural(result.plans, 'plan')} and {_plural(result.events, 'event')} "
        f"to {result.path}",
    )
    for problem in result.unreadable:
        typer.echo(f"Warning: copied, but {problem[0].lower()}{problem[1:]}", err=True)
