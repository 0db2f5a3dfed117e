"""The database: opened on demand, checked before use, migrated in transactions.

Guarantees kept here, on a SQLite file (``planner.sqlite_file``) and on a server
(``planner.server``) alike:

* one writer at a time: every write is one transaction that first takes the write lock
  (``BEGIN IMMEDIATE`` on a file, an advisory lock on a server), waiting at most 10 s;
* migrations are numbered functions (``planner.migrations``), each applied once in its
  own transaction and recorded; a database from a newer ``planner`` is refused and left
  untouched; reading commands never create a server's tables, and only
  ``planner migrate`` upgrades them;
* driver errors become one plain line (``_plain``).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from planner import settings, sqlite_file
from planner.errors import DatabaseError, PlannerError
from planner.faults import fault_point
from planner.migrations import MIGRATIONS as MIGRATIONS
from planner.migrations import MIGRATIONS_TABLE as MIGRATIONS_TABLE
from planner.migrations import SCHEMA_VERSION as SCHEMA_VERSION
from planner.sqlite_file import BUSY_TIMEOUT_MS as BUSY_TIMEOUT_MS

if TYPE_CHECKING:
    import sqlalchemy as sa
    from sqlmodel import Session


# --------------------------------------------------------------------------- errors


def _plain(exc: BaseException, where: str) -> PlannerError:
    """Turn a driver error into a message a learner can act on: SQLite's by its text
    (``planner.sqlite_file.classify``), a server's by its SQLSTATE
    (``planner.server.classify``)."""
    if isinstance(getattr(exc, "orig", exc), sqlite3.Error):
        return sqlite_file.classify(exc, where)
    from planner import server

    return server.classify(exc, where, BUSY_TIMEOUT_MS)


# --------------------------------------------------------------------------- migrating


def _applied_version(conn: sa.Connection) -> int | None:
    """Highest recorded migration, or None when the table is missing. One query when the
    table is there (the usual case); the catalogue is asked only when it is not. On a
    server the failed query ends the transaction: call it first in one."""
    import sqlalchemy as sa

    try:
        value = conn.execute(sa.text(f"SELECT MAX(version) FROM {MIGRATIONS_TABLE}")).scalar()  # noqa: S608
    except sa.exc.DBAPIError:
        conn.rollback()
        if not sa.inspect(conn).has_table(MIGRATIONS_TABLE):
            return None
        # made by another planner a moment ago (or unreadable: then this raises)
        value = conn.execute(sa.text(f"SELECT MAX(version) FROM {MIGRATIONS_TABLE}")).scalar()  # noqa: S608
    return int(value or 0)


def _foreign_tables(conn: sa.Connection) -> list[str]:
    import sqlalchemy as sa

    return sorted(sa.inspect(conn).get_table_names())


def check_version(engine: sa.Engine, where: str) -> int | None:
    """Read-only: the schema version (None for a database with no planner tables yet),
    refusing foreign and too-new databases, and a server schema this user may not use."""
    from planner import server

    with engine.connect() as conn:
        version = _applied_version(conn)
        if version is None and (schema := server.unusable_schema(conn)):
            msg = (
                f"The database user may not use the schema {schema} on {where}, so planner's "
                f"tables there cannot be read. Ask its owner for `GRANT USAGE ON SCHEMA "
                f'{schema} TO ...` (see the README\'s "A team on one server").'
            )
            raise DatabaseError(msg)
        tables = _foreign_tables(conn) if version is None else []
        if MIGRATIONS_TABLE in tables:  # made by another planner a moment ago
            version = _applied_version(conn)
        elif tables:
            fix = (
                "Set PLANNER_DB_SCHEMA (e.g. planner) to keep planner's tables in a "
                "schema of their own."
                if conn.dialect.name != "sqlite"
                else "Use --db to choose another file."
            )
            msg = (
                f"{where} is a database of another program (tables: "
                f"{', '.join(tables[:5])}), not a planner database. {fix}"
            )
            raise DatabaseError(msg)
        if version is not None and version > SCHEMA_VERSION:
            msg = (
                f"{where} was written by a newer planner (schema {version}; this one knows "
                f"up to {SCHEMA_VERSION}). Upgrade planner; the database was left untouched."
            )
            raise DatabaseError(msg)
        conn.rollback()
    return version


def migrate(engine: sa.Engine, where: str, *, schema: str | None = None) -> None:
    """Apply every pending migration, each in its own write transaction, once (the
    transaction holds the write lock, so concurrent planners apply each step once).
    ``schema``: a server schema to create first (``PLANNER_DB_SCHEMA``)."""
    import sqlalchemy as sa

    from planner.server import create_schema, migration_lock

    version = check_version(engine, where)
    if version == SCHEMA_VERSION:
        return
    with engine.connect() as conn, migration_lock(conn, schema):
        writer = conn.execution_options(planner_write=True)
        for number, name, step in MIGRATIONS:
            with writer.begin():
                if conn.dialect.name == "postgresql":  # steps write times as UTC
                    conn.execute(sa.text("SET LOCAL TIME ZONE 'UTC'"))
                create_schema(conn, schema)
                if not sa.inspect(conn).has_table(MIGRATIONS_TABLE):
                    stamp = "TIMESTAMP" if conn.dialect.name == "sqlite" else "TIMESTAMPTZ"
                    conn.execute(
                        sa.text(
                            f"CREATE TABLE {MIGRATIONS_TABLE} (version INTEGER PRIMARY KEY, "
                            f"name VARCHAR(100) NOT NULL, applied_at {stamp} NOT NULL)"
                        )
                    )
                current = conn.execute(
                    sa.text(f"SELECT COALESCE(MAX(version), 0) FROM {MIGRATIONS_TABLE}")  # noqa: S608
                ).scalar_one()
                if current >= number:
                    continue  # another process got here first
                step(conn)
                fault_point("migration-after-step")
                conn.execute(
                    sa.text(
                        f"INSERT INTO {MIGRATIONS_TABLE} (version, name, applied_at) "  # noqa: S608
                        "VALUES (:v, :n, :t)"
                    ).bindparams(sa.bindparam("t", type_=sa.DateTime(timezone=True))),
                    {"v": number, "n": name, "t": datetime.now(UTC)},
                )


def _settled_version(engine: sa.Engine, where: str) -> int | None:
    """The schema version once no migration is under way (read holding the write lock,
    which a migrating planner keeps from its first step to its last)."""
    import sqlalchemy as sa

    with engine.execution_options(planner_write=True).begin() as conn:
        value = conn.execute(sa.text(f"SELECT MAX(version) FROM {MIGRATIONS_TABLE}")).scalar()  # noqa: S608
    return int(value or 0)


# --------------------------------------------------------------------------- opening


@dataclass
class Database:
    """An opened database. ``version``: its schema version, None when it holds no planner
    tables yet (a server database opened without ``create``); ``server``: whether it is
    a database server rather than a SQLite file."""

    engine: sa.Engine
    where: str
    version: int | None = SCHEMA_VERSION
    server: bool = False

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        from sqlmodel import Session

        try:
            with Session(self.engine, expire_on_commit=False) as session:
                yield session
        except DatabaseError:
            raise
        except Exception as exc:
            if _is_driver_error(exc):
                raise _plain(exc, self.where) from None
            raise

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: everything inside commits together or not at all."""
        from sqlmodel import Session

        try:
            with Session(
                self.engine.execution_options(planner_write=True), expire_on_commit=False
            ) as session:
                yield session
                fault_point("write-before-commit")
                session.commit()
                fault_point("write-after-commit")
        except PlannerError:
            raise
        except Exception as exc:
            if _is_driver_error(exc):
                raise _plain(exc, self.where) from None
            raise


def _is_driver_error(exc: BaseException) -> bool:
    import sqlalchemy as sa

    return isinstance(exc, sa.exc.DBAPIError | sqlite3.Error)


def open_database(
    explicit_path: str | None = None,
    *,
    create: bool = True,
    upgrade: bool | None = None,
    inspect: bool = False,
) -> Database:
    """Open the database the settings point at.

    create: make it when there is none (a SQLite file, or the tables in an empty server
    database or schema); without it, a missing file or empty server database is opened
    with ``version`` None and nothing is written.
    inspect: only look (``planner doctor``): the version is returned as found.
    upgrade: apply pending migrations. By default a SQLite file is upgraded on first use
    (it is one person's), and a server is not (an upgrade changes it for everyone on it:
    ``planner migrate`` does that); a server database from an older planner raises
    DatabaseError saying so. Raises DatabaseError (exit 6) for anything unusable.
    """
    from planner import server

    url = settings.database_url(explicit_path)
    if server.is_server_url(url):
        schema = settings.database_schema()
        engine, where = server.create_engine(url, schema=schema, timeout_ms=BUSY_TIMEOUT_MS)
        return _opened(
            engine, where, create=create, upgrade=bool(upgrade), schema=schema, inspect=inspect
        )
    path = Path(url.removeprefix("sqlite:///"))
    if path.exists() or path.is_symlink():
        sqlite_file.check_existing_file(path)
    elif create:
        sqlite_file.create_file(path, migrate)
    else:
        return Database(engine=sqlite_file.create_engine(path), where=str(path), version=None)
    upgrade = True if upgrade is None else upgrade
    # A file planner may not write is still read; a write to it fails as read-only.
    engine = sqlite_file.create_engine(path, read_only=not sqlite_file.is_writable(path))
    return _opened(engine, str(path), create=create, upgrade=upgrade, inspect=inspect)


def _opened(
    engine: sa.Engine,
    where: str,
    *,
    create: bool,
    upgrade: bool,
    schema: str | None = None,
    inspect: bool = False,
) -> Database:
    """``engine`` checked (and created or migrated as allowed); driver errors become
    plain messages."""
    server = engine.dialect.name != "sqlite"
    try:
        version = check_version(engine, where)
        if (version is None and not create) or inspect:
            return Database(engine=engine, where=where, version=version, server=server)
        if version is not None and version < SCHEMA_VERSION and not upgrade and not inspect:
            version = _settled_version(engine, where)  # another planner may be migrating
        if version != SCHEMA_VERSION and not inspect:
            if version is not None and not upgrade:
                msg = (
                    f"{where} has planner's schema {version}; this planner needs "
                    f"{SCHEMA_VERSION}. Nothing was changed. Run `planner migrate` to "
                    "upgrade it (for everyone who uses it: back it up first with pg_dump)."
                )
                raise DatabaseError(msg)
            migrate(engine, where, schema=schema)
            version = SCHEMA_VERSION
    except PlannerError:
        raise
    except Exception as exc:
        if _is_driver_error(exc):
            raise _plain(exc, where) from None
        raise
    return Database(engine=engine, where=where, version=version, server=server)


def inspect_database(explicit_path: str | None = None) -> Database:
    """The database opened to look at only (``planner doctor``): never created, never
    migrated; ``version`` as found (None: no planner database there)."""
    return open_database(explicit_path, create=False, upgrade=False, inspect=True)


def migrate_database(explicit_path: str | None = None) -> tuple[int | None, Database]:
    """``planner migrate``: create or upgrade the database; returns the schema version it
    had before (None: it was new) and the database."""
    before = inspect_database(explicit_path)
    database = open_database(explicit_path, create=True, upgrade=True)
    return before.version, database
