"""``planner doctor``."""

from __future__ import annotations

import typer

from planner.cli.state import state

MARKS = {"ok": "ok", "info": "info", "warning": "WARN", "error": "FAIL"}


def doctor(ctx: typer.Context) -> None:
    """Check the database and your plans; say what is wrong and how to fix it.

    It only reads: nothing is changed, and progress on milestones that left the
    curriculum is reported, never dropped. Exits 6 when any check FAILs (a damaged
    database, or a plan that cannot be read), 0 otherwise.

    Example: planner doctor
    """
    from planner.doctor import check
    from planner.errors import DatabaseError

    findings = check(state(ctx).db)
    for f in findings:
        typer.echo(f"{MARKS[f.level]:<5} {f.subject}: {f.message}")
        if f.fix:
            typer.echo(f"      fix: {f.fix}")
    failed = sum(1 for f in findings if f.level == "error")
    if failed:
        typer.echo(
            f"{failed} check{'s' if failed != 1 else ''} failed; each FAIL says how to fix it.",
            err=True,
        )
        raise typer.Exit(DatabaseError.exit_code)
