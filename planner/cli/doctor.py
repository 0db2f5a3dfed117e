"""``planner doctor`` and ``planner migrate``."""

from __future__ import annotations

import typer

from planner.cli.command import command
from planner.cli.output import echo_wrapped
from planner.cli.state import state

MARKS = {"ok": "ok", "info": "info", "warning": "WARN", "error": "FAIL"}


@command
def doctor(ctx: typer.Context) -> None:
    """Check the database and your plans; say what is wrong and how to fix it.

    It only reads: nothing is changed, and progress on milestones that left the
    curriculum is reported, never dropped. Exits 6 when any check FAILs (a damaged
    database, or a plan that cannot be read), 0 otherwise.

    \b
    Example: planner doctor
    """
    from planner.doctor import check
    from planner.errors import DatabaseError

    findings = check(state(ctx).db)
    for f in findings:
        echo_wrapped(f"{MARKS[f.level]:<5} ", f"{f.subject}: {f.message}", " " * 6)
        if f.fix:
            echo_wrapped("      fix: ", f.fix, " " * 11)
    failed = sum(1 for f in findings if f.level == "error")
    if failed:
        typer.echo(
            f"{failed} check{'s' if failed != 1 else ''} failed; each FAIL says how to fix it.",
            err=True,
        )
        raise typer.Exit(DatabaseError.exit_code)


@command
def migrate(ctx: typer.Context) -> None:
    """Create or upgrade the database's tables to this planner's schema.

    A SQLite file is upgraded by the first command that uses it; a database server is
    upgraded only by this command, since the upgrade changes it for everyone who uses
    it (planners older than this one then refuse it). Each step is applied once, in its
    own transaction, holding the write lock; run it again and it changes nothing.

    With PLANNER_DATABASE_URL=postgresql+psycopg://lead@db.example.org/planner set:

    \b
    Example: planner migrate
    """
    from planner.db import SCHEMA_VERSION, migrate_database

    before, database = migrate_database(state(ctx).db)
    if before is None:
        text = f"Created planner's tables (schema {SCHEMA_VERSION}) in {database.where}."
    elif before < SCHEMA_VERSION:
        text = f"Upgraded {database.where} from schema {before} to {SCHEMA_VERSION}."
    else:
        text = f"{database.where} is already at schema {SCHEMA_VERSION}; nothing to do."
    echo_wrapped("", text)
