"""``planner doctor``: check the database and every plan, say what is wrong and how to fix it.

It only reads. A FAIL (``level == "error"``) makes ``planner doctor`` exit 6. Progress
whose milestones have left the curriculum ("orphaned") is kept and reported, never
dropped: it counts again if the milestone comes back.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlalchemy as sa
    from sqlmodel import Session

    from planner.tracker import Plan


@dataclass(frozen=True)
class Finding:
    level: str  # ok, info, warning, error
    subject: str
    message: str
    fix: str = ""


def check(db: str | None) -> list[Finding]:
    """Every finding about the database and its plans. Reads only: a database is never
    created or migrated here (a pending migration is reported with its command)."""
    import sqlalchemy as sa

    from planner import db as dbmod
    from planner import tracker

    findings: list[Finding] = []
    database = dbmod.inspect_database(db)
    where = database.where
    if database.version is None:
        return [
            Finding(
                "info",
                "database",
                f"no planner database yet at {where}",
                "`planner start ROLE` creates it",
            )
        ]
    try:
        with database.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                findings.extend(_check_file(conn, where))
            else:
                findings.extend(_check_server(conn, where))
    except sa.exc.DBAPIError as exc:
        raise dbmod._plain(exc, where) from None  # noqa: SLF001
    version = database.version
    if version < dbmod.SCHEMA_VERSION:
        findings.append(
            Finding(
                "warning",
                "database",
                f"schema version {version} of {dbmod.SCHEMA_VERSION}: plans are checked once "
                "it is migrated",
                "`planner migrate` upgrades it (on a server, for everyone: back it up first "
                "with pg_dump)",
            )
        )
        return findings
    findings.append(
        Finding("ok", "database", f"schema version {version} of {dbmod.SCHEMA_VERSION}")
    )
    with database.read() as session:
        for plan in tracker.list_plans(session=session):
            findings.extend(_check_plan(session, plan))
    return findings


def _check_file(conn: sa.Connection, where: str) -> list[Finding]:
    findings = []
    result = [row[0] for row in conn.exec_driver_sql("PRAGMA integrity_check")]
    if result == ["ok"]:
        findings.append(Finding("ok", "database", f"{where}: integrity ok"))
    else:
        findings.append(
            Finding(
                "error",
                "database",
                f"{where}: integrity check failed: {'; '.join(result[:3])}",
                "restore your latest backup (`planner backup` makes one); keep this file",
            )
        )
    from planner.sqlite_file import is_writable

    if not is_writable(Path(where)):  # opened immutable: its journal mode is not reported
        findings.append(
            Finding(
                "info",
                "database",
                "read-only (the file or its folder): commands that only read work, "
                "commands that change it stop with exit 6",
            )
        )
        return findings
    mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
    if mode != "wal":
        findings.append(Finding("info", "database", f"journal mode is {mode}, not wal"))
    return findings


def _check_server(conn: sa.Connection, where: str) -> list[Finding]:
    """The server, database, user and schema; whether this user can write there; the
    server's version and time zone. One query, in a read-only transaction."""
    import sqlalchemy as sa

    conn.execute(sa.text("SET TRANSACTION READ ONLY"))
    row = conn.execute(
        sa.text(
            "SELECT current_setting('server_version'), current_database(), current_user, "
            "current_schema(), current_setting('TimeZone'), pg_is_in_recovery(), "
            "current_setting('default_transaction_read_only') = 'on', "
            # each table as far as it exists (an older schema may lack one)
            "COALESCE(has_table_privilege(to_regclass('event'), 'INSERT'), true) "
            "AND COALESCE(has_table_privilege(to_regclass('plan'), 'INSERT'), true) "
            "AND COALESCE(has_table_privilege(to_regclass('plan'), 'UPDATE'), true) "
            "AND COALESCE(has_table_privilege(to_regclass('curriculum_snapshot'), 'INSERT'), "
            "true) AND COALESCE(has_sequence_privilege(pg_get_serial_sequence('event', 'id'), "
            "'USAGE'), true) AND COALESCE(has_sequence_privilege("
            "pg_get_serial_sequence('plan', 'id'), 'USAGE'), true)"
        )
    ).one()
    conn.rollback()
    version, database, user, schema, zone, standby, read_only, can_write = row
    findings = [
        Finding(
            "ok",
            "database",
            f"{where}: PostgreSQL {version}, database {database}, user {user}, schema "
            f"{schema}, server time zone {zone} (times are stored and read as UTC)",
        )
    ]
    if standby or read_only:
        findings.append(
            Finding(
                "warning",
                "database",
                "the server only allows reading"
                + (" (it is a standby)" if standby else " (default_transaction_read_only)"),
                "point PLANNER_DATABASE_URL at the primary server to record progress",
            )
        )
    elif not can_write:
        findings.append(
            Finding(
                "warning",
                "database",
                f"user {user} can read but not record progress here",
                'ask the database\'s owner for the grants in the README ("A team on one server")',
            )
        )
    else:
        findings.append(Finding("ok", "database", f"user {user} can read and write"))
    return findings


def _check_plan(session: Session, plan: Plan) -> list[Finding]:
    from planner import tracker
    from planner.errors import PlannerError
    from planner.store import newer_curricula, plan_info
    from planner.view import merge_roles, view_of

    assert plan.id is not None
    subject = f"plan '{plan.name}'"
    try:
        info = plan_info(session, plan)
        view_of(info, {}, info.start)
    except PlannerError as exc:
        reason = exc.message.split(": ", 1)[-1] if "cannot be" in exc.message else exc.message
        return [Finding("error", subject, reason.split(". ")[0], _fix_of(exc.message))]
    findings = []
    if plan.curriculum_digests is None:
        findings.append(
            Finding(
                "warning",
                subject,
                "keeps no copy of its curriculum (it was made before plans kept one), so it "
                "breaks if the curriculum file moves",
                f"`planner --plan '{plan.name}' upgrade` keeps the current one with the plan",
            )
        )
    known = merge_roles(list(info.curricula)).by_id
    named = tracker.event_milestones(session=session, plan_id=plan.id)
    orphans = {mid: n for mid, n in named.items() if mid not in known}
    if orphans:
        listed = ", ".join(
            f"{mid} ({n} event{'s' if n != 1 else ''})" for mid, n in sorted(orphans.items())
        )
        findings.append(
            Finding(
                "warning",
                subject,
                f"{len(orphans)} milestone{'s' if len(orphans) != 1 else ''} with progress "
                f"{'are' if len(orphans) != 1 else 'is'} no longer in the "
                f"curriculum: {listed}",
                "nothing to do: the events are kept and count again if the milestone "
                "returns; `planner log` shows them",
            )
        )
    for role, files in newer_curricula(info):
        changed = ", ".join(f"{cid} {kept} -> {now}" for cid, kept, now in files)
        findings.append(
            Finding(
                "info",
                subject,
                f"a newer {role} curriculum is available ({changed})",
                f"`planner --plan '{plan.name}' upgrade --dry-run` shows what would change",
            )
        )
    if not orphans:
        findings.append(
            Finding(
                "ok",
                subject,
                f"{_count(sum(named.values()), 'event')}, all on milestones of its curriculum",
            )
        )
    return findings


def _fix_of(message: str) -> str:
    """The advice part of an error message (after its first sentence)."""
    parts = message.split(". ", 1)
    return parts[1].rstrip(".") if len(parts) > 1 else "restore the database from a backup"


def _count(number: int, noun: str) -> str:
    """``1 event``, ``2 events``."""
    return f"{number} {noun}{'' if number == 1 else 's'}"
