"""The database: opened on demand, checked before use, migrated in transactions.

Guarantees kept here:

* an existing file is never re-initialised: a file that is not a planner database
  (empty, damaged, foreign, a directory, unreadable) is refused with its path;
* a new database is built under a temporary name and linked into place, so a
  crash can never leave a half-made file where the real one belongs;
* every write is one ``BEGIN IMMEDIATE`` transaction (WAL mode, foreign keys on,
  a 10 s busy timeout), so concurrent ``planner`` processes queue instead of failing;
* migrations are numbered functions, each applied once in its own transaction and
  recorded; a database from a newer ``planner`` is refused and left untouched.
"""

from __future__ import annotations

import contextlib
import os
import random
import sqlite3
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner import settings
from planner.errors import DatabaseError, PlannerError
from planner.faults import fault_point
from planner.migrations import MIGRATIONS as MIGRATIONS
from planner.migrations import MIGRATIONS_TABLE as MIGRATIONS_TABLE
from planner.migrations import SCHEMA_VERSION as SCHEMA_VERSION

if TYPE_CHECKING:
    import sqlalchemy as sa
    from sqlmodel import Session

SQLITE_HEADER = b"SQLite format 3\x00"
SQLITE_HEADER_BYTES = 100  # the database header at the start of page 1
BUSY_TIMEOUT_MS = 10_000
LOCK_RETRY_PAUSE_S = (0.001, 0.015)  # between tries for the write lock
LOW_SPACE_BYTES = 1024 * 1024  # below this, an I/O error is taken to mean a full disk
RESTORE_HINT = (
    "If it held your progress, restore it from a backup (`planner backup` writes one); "
    "or use --db to choose another file."
)


# --------------------------------------------------------------------------- errors


def _plain(exc: BaseException, where: str) -> PlannerError:
    """Turn a driver error into a message a learner can act on: SQLite's by its text,
    a server's by its SQLSTATE (``planner.server.classify``)."""
    if not isinstance(getattr(exc, "orig", exc), sqlite3.Error):
        from planner import server

        return server.classify(exc, where, BUSY_TIMEOUT_MS)
    text = str(getattr(exc, "orig", exc)).lower()
    if "locked" in text or "busy" in text:
        return DatabaseError(
            f"The database {where} stayed busy for {BUSY_TIMEOUT_MS // 1000} s "
            "(another planner is writing). Try again."
        )
    if "readonly" in text or "read-only" in text:
        return DatabaseError(
            f"Cannot write to {where}: the file or its folder is read-only. "
            "Nothing was changed. Make it writable, or use --db to choose another file."
        )
    if "full" in text or ("disk i/o" in text and _is_disk_nearly_full(where)):
        return DatabaseError(
            f"Cannot write to {where}: the disk is full. Nothing was changed; "
            "free some space and try again."
        )
    if "disk i/o" in text:
        return DatabaseError(
            f"Cannot write to {where}: the system reported an I/O error (the disk may be "
            "full, failing, or the folder read-only). Your previous progress is intact."
        )
    if "unable to open" in text:
        return DatabaseError(f"Cannot open {where}: check that its folder exists and is writable.")
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return DatabaseError(f"{where} is damaged or not a planner database. {RESTORE_HINT}")
    return DatabaseError(f"Database error on {where}: {getattr(exc, 'orig', exc)}")


def _is_disk_nearly_full(where: str) -> bool:
    """Whether the database's folder has almost no space left.

    SQLite reports a full disk as a generic "disk I/O error" when it is the shared-memory
    (``-shm``) or WAL file that cannot grow, which is what a full disk usually hits first.
    """
    import shutil

    try:
        return shutil.disk_usage(Path(where).parent).free < LOW_SPACE_BYTES
    except (OSError, ValueError):  # not a path (a server URL), or gone
        return False


# --------------------------------------------------------------------------- checks


def _check_existing_file(path: Path) -> None:
    """Refuse anything at ``path`` that is not a SQLite file we can read; never touch it."""
    if path.is_dir():
        msg = f"{path} is a folder, not a planner database. {RESTORE_HINT}"
        raise DatabaseError(msg)
    if not path.is_file():
        msg = f"{path} is not a regular file. {RESTORE_HINT}"
        raise DatabaseError(msg)
    try:
        with path.open("rb") as handle:
            header = handle.read(SQLITE_HEADER_BYTES)
    except PermissionError:
        msg = (
            f"Cannot read {path}: permission denied. Fix its permissions, or use --db "
            "to choose another file."
        )
        raise DatabaseError(msg) from None
    except OSError as exc:
        msg = f"Cannot read {path}: {exc.strerror}."
        raise DatabaseError(msg) from None
    if not header:
        msg = f"{path} is empty (0 bytes), not a planner database. {RESTORE_HINT}"
        raise DatabaseError(msg)
    if header[: len(SQLITE_HEADER)] != SQLITE_HEADER:
        msg = f"{path} is not a SQLite database. {RESTORE_HINT}"
        raise DatabaseError(msg)
    _check_size(path, header)


def _check_size(path: Path, header: bytes) -> None:
    """Refuse a file cut short, which SQLite reads without complaint when the missing
    bytes fall in its last page (rows there silently vanish, and a write lands in the
    damaged page). A SQLite file is whole pages, and its header records how many.

    Skipped while a journal or WAL file holds changes: SQLite recovers from those, and
    until it has, the main file may legitimately differ from its header.
    """
    for journal in (Path(f"{path}-wal"), Path(f"{path}-journal")):
        with contextlib.suppress(OSError):
            if journal.stat().st_size > 0:
                return
    if len(header) < SQLITE_HEADER_BYTES:
        return  # SQLite itself reports it as "not a database"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return  # not a page size at all: SQLite reports it as "not a database"
    size = path.stat().st_size
    pages = int.from_bytes(header[28:32], "big")
    counted = pages > 0 and header[24:28] == header[92:96]  # SQLite's own validity rule
    if size % page_size or (counted and size < pages * page_size):
        expected = f"{pages * page_size:,} bytes" if counted else "whole pages"
        msg = (
            f"{path} is damaged or not a planner database: it is {size:,} bytes, but its "
            f"header says {expected} (it may have been cut off while copying or syncing). "
            f"{RESTORE_HINT}"
        )
        raise DatabaseError(msg)


def _create_sqlite_file(path: Path) -> None:
    """Build a fully migrated database beside ``path`` and link it into place."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        msg = (
            f"Cannot create the folder {path.parent}: {exc.strerror}. "
            "Set PLANNER_HOME or use --db to choose another place."
        )
        raise DatabaseError(msg) from None
    temp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        raw = sqlite3.connect(temp)
        try:
            raw.execute("PRAGMA journal_mode=WAL")  # persistent: stored in the file
        finally:
            raw.close()
        engine = _sqlite_engine(temp)
        try:
            migrate(engine, str(temp))
        finally:
            engine.dispose()
        try:
            os.link(temp, path)  # fails if another process created it first: keep theirs
        except FileExistsError:
            pass
    except OSError as exc:
        msg = (
            f"Cannot create the database {path}: {exc.strerror}. "
            "Check the folder is writable, or use --db to choose another file."
        )
        raise DatabaseError(msg) from None
    finally:
        for leftover in (temp, Path(f"{temp}-wal"), Path(f"{temp}-shm")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


def _sqlite_engine(path: Path) -> sa.Engine:
    import sqlalchemy as sa

    engine = sa.create_engine(
        "sqlite:///" + str(path),
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        poolclass=sa.pool.NullPool,
    )
    sa.event.listen(engine, "connect", _on_connect)
    sa.event.listen(engine, "begin", _on_begin)
    return engine


def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # transactions are begun explicitly in _on_begin
    dbapi_conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    dbapi_conn.execute("PRAGMA foreign_keys=ON")
    dbapi_conn.execute("PRAGMA synchronous=FULL")


def _on_begin(conn: sa.Connection) -> None:
    write = conn.get_execution_options().get("planner_write", False)
    if write:
        _begin_immediate(conn)
    else:
        conn.exec_driver_sql("BEGIN")


def _begin_immediate(conn: sa.Connection) -> None:
    """``BEGIN IMMEDIATE``, waiting up to the busy timeout for other writers, fairly.

    SQLite's own busy handler backs off to sleeping 100 ms between tries, while a writer
    holds the lock for tens of milliseconds: a process that has waited a while almost
    never wins against newcomers, which try again within a millisecond. With several
    writers at once one of them could starve past the timeout. Here every waiter tries
    again after a short random pause, so each has the same chance whenever the lock is
    released; the statements inside the transaction keep the normal busy timeout.
    """
    raw = conn.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    raw.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                busy = "locked" in str(exc) or "busy" in str(exc)
                if not busy or time.monotonic() >= deadline:
                    raise
            time.sleep(random.uniform(*LOCK_RETRY_PAUSE_S))  # noqa: S311 (not a secret)
    finally:
        raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


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
    refusing foreign and too-new databases."""
    with engine.connect() as conn:
        version = _applied_version(conn)
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
        _check_existing_file(path)
    elif create:
        _create_sqlite_file(path)
    else:
        return Database(engine=_sqlite_engine(path), where=str(path), version=None)
    upgrade = True if upgrade is None else upgrade
    return _opened(_sqlite_engine(path), str(path), create=create, upgrade=upgrade, inspect=inspect)


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


def database_exists(explicit_path: str | None = None) -> bool:
    """Whether there is a planner database yet (a SQLite file; on a server, its tables)."""
    url = settings.database_url(explicit_path)
    from planner import server

    if not server.is_server_url(url):
        return Path(url.removeprefix("sqlite:///")).exists()
    return inspect_database(explicit_path).version is not None
