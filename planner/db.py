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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner import settings
from planner.errors import DatabaseError
from planner.faults import fault_point

if TYPE_CHECKING:
    import sqlalchemy as sa
    from sqlmodel import Session

SQLITE_HEADER = b"SQLite format 3\x00"
SQLITE_HEADER_BYTES = 100  # the database header at the start of page 1
MIGRATIONS_TABLE = "planner_migration"
BUSY_TIMEOUT_MS = 10_000
LOCK_RETRY_PAUSE_S = (0.001, 0.015)  # between tries for the write lock
LOW_SPACE_BYTES = 1024 * 1024  # below this, an I/O error is taken to mean a full disk
RESTORE_HINT = (
    "If it held your progress, restore it from a backup (`planner backup` writes one); "
    "or use --db to choose another file."
)


# --------------------------------------------------------------------------- migrations


def m001_initial(conn: sa.Connection) -> None:
    """The original schema, written out (not derived from today's models)."""
    import sqlalchemy as sa

    meta = sa.MetaData()
    sa.Table(
        "plan",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("roles", sa.JSON, nullable=False),
        sa.Column("curriculum_versions", sa.JSON, nullable=False),
        sa.Column("hours_per_week", sa.Float, nullable=False),
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("known_skills", sa.JSON, nullable=False),
        sa.Column("industry", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=False),
    )
    sa.Table(
        "event",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "plan_id",
            sa.Integer,
            sa.ForeignKey("plan.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("milestone_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("on_date", sa.Date, nullable=True),
        sa.Column("hours", sa.Float, nullable=True),
        sa.Column("note", sa.String, nullable=True),
        sa.Index("ix_event_plan_milestone", "plan_id", "milestone_id"),
    )
    meta.create_all(conn)


def m002_curriculum_snapshots(conn: sa.Connection) -> None:
    """Plans keep their curriculum: a table of snapshots (one per content digest) and
    each plan's digests per role, filled with the curriculum each plan's roles resolve to
    now. A plan whose curriculum cannot be found is kept as it is (digests NULL) and
    reported by ``planner doctor``; no row is changed or dropped otherwise."""
    import json

    import sqlalchemy as sa

    from planner.curriculum import load_role
    from planner.errors import PlannerError
    from planner.snapshot import FORMAT, snapshot_of

    meta = sa.MetaData()
    sa.Table(
        "curriculum_snapshot",
        meta,
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("format", sa.Integer, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    meta.create_all(conn)
    conn.execute(sa.text("ALTER TABLE plan ADD COLUMN curriculum_digests JSON"))
    now = datetime.now(UTC)
    stored: set[str] = set()
    for pid, roles_json in conn.execute(sa.text("SELECT id, roles FROM plan ORDER BY id")):
        try:
            roles = json.loads(roles_json) if isinstance(roles_json, str) else roles_json
            snapshots = [snapshot_of(load_role(str(role))) for role in roles]
        except (PlannerError, ValueError, TypeError):
            continue  # kept without a snapshot; `planner doctor` reports it
        for snap in snapshots:
            if snap.digest not in stored:
                conn.execute(
                    sa.text(
                        "INSERT INTO curriculum_snapshot (digest, format, body, created_at) "
                        "VALUES (:d, :f, :b, :t)"
                    ).bindparams(sa.bindparam("t", type_=sa.DateTime(timezone=True))),
                    {"d": snap.digest, "f": FORMAT, "b": snap.body, "t": now},
                )
                stored.add(snap.digest)
        digests = {snap.role: snap.digest for snap in snapshots}
        conn.execute(
            sa.text("UPDATE plan SET curriculum_digests = :d WHERE id = :i"),
            {"d": json.dumps(digests), "i": pid},
        )


def m003_study_and_time_off(conn: sa.Connection) -> None:
    """Study entries and time off: ``event.until_date`` (the last day of time off) and
    ``event.ref_id`` (the entry a ``retracted`` event withdraws). Columns are only added;
    every row is kept as it is."""
    import sqlalchemy as sa

    conn.execute(sa.text("ALTER TABLE event ADD COLUMN until_date DATE"))
    conn.execute(sa.text("ALTER TABLE event ADD COLUMN ref_id INTEGER"))


MIGRATIONS: list[tuple[int, str, Callable[[sa.Connection], None]]] = [
    (1, "m001_initial", m001_initial),
    (2, "m002_curriculum_snapshots", m002_curriculum_snapshots),
    (3, "m003_study_and_time_off", m003_study_and_time_off),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]


# --------------------------------------------------------------------------- errors


def _plain(exc: BaseException, where: str) -> DatabaseError:
    """Turn a driver error into a message a learner can act on."""
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
    """Highest recorded migration, or None when the table is missing."""
    import sqlalchemy as sa

    if not sa.inspect(conn).has_table(MIGRATIONS_TABLE):
        return None
    value = conn.execute(sa.text(f"SELECT MAX(version) FROM {MIGRATIONS_TABLE}")).scalar()  # noqa: S608
    return int(value or 0)


def _foreign_tables(conn: sa.Connection) -> list[str]:
    import sqlalchemy as sa

    return sorted(sa.inspect(conn).get_table_names())


def check_version(engine: sa.Engine, where: str) -> int | None:
    """Read-only: the schema version, refusing foreign and too-new databases."""
    with engine.connect() as conn:
        version = _applied_version(conn)
        if version is None:
            tables = _foreign_tables(conn)
            if tables:
                msg = (
                    f"{where} is a database of another program (tables: "
                    f"{', '.join(tables[:5])}), not a planner database. "
                    "Use --db to choose another file."
                )
                raise DatabaseError(msg)
        elif version > SCHEMA_VERSION:
            msg = (
                f"{where} was written by a newer planner (schema {version}; this one knows "
                f"up to {SCHEMA_VERSION}). Upgrade planner; the file was left untouched."
            )
            raise DatabaseError(msg)
        conn.rollback()
    return version


def migrate(engine: sa.Engine, where: str) -> None:
    """Apply every pending migration, each in its own write transaction, once."""
    import sqlalchemy as sa

    version = check_version(engine, where)
    if version == SCHEMA_VERSION:
        return
    writer = engine.execution_options(planner_write=True)
    for number, name, step in MIGRATIONS:
        with writer.begin() as conn:
            if not sa.inspect(conn).has_table(MIGRATIONS_TABLE):
                conn.execute(
                    sa.text(
                        f"CREATE TABLE {MIGRATIONS_TABLE} (version INTEGER PRIMARY KEY, "
                        "name VARCHAR(100) NOT NULL, applied_at TIMESTAMP NOT NULL)"
                    )
                )
            current = _applied_version(conn) or 0
            if current >= number:
                continue  # another process got here first
            step(conn)
            fault_point("migration-after-step")
            conn.execute(
                sa.text(
                    f"INSERT INTO {MIGRATIONS_TABLE} (version, name, applied_at) "  # noqa: S608
                    "VALUES (:v, :n, :t)"
                ),
                {"v": number, "n": name, "t": datetime.now(UTC)},
            )


# --------------------------------------------------------------------------- opening


@dataclass
class Database:
    engine: sa.Engine
    where: str

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
        except DatabaseError:
            raise
        except Exception as exc:
            if _is_driver_error(exc):
                raise _plain(exc, self.where) from None
            raise


def _is_driver_error(exc: BaseException) -> bool:
    import sqlalchemy as sa

    return isinstance(exc, sa.exc.OperationalError | sa.exc.DatabaseError | sqlite3.Error)


def open_database(explicit_path: str | None = None, *, create: bool = True) -> Database:
    """Open (creating and migrating as needed) the database the settings point at.

    With ``create=False`` a missing SQLite file is not created and ``None``-like
    behaviour is signalled by raising nothing: callers check ``exists`` first.
    """
    url = settings.database_url(explicit_path)
    if not url.startswith("sqlite:///"):
        import sqlalchemy as sa

        engine = sa.create_engine(url)
        return _migrated(engine, engine.url.render_as_string(hide_password=True))
    path = Path(url.removeprefix("sqlite:///"))
    if path.exists() or path.is_symlink():
        _check_existing_file(path)
    elif create:
        _create_sqlite_file(path)
    return _migrated(_sqlite_engine(path), str(path))


def _migrated(engine: sa.Engine, where: str) -> Database:
    """``engine`` brought to the current schema; driver errors become plain messages."""
    try:
        migrate(engine, where)
    except DatabaseError:
        raise
    except Exception as exc:
        if _is_driver_error(exc):
            raise _plain(exc, where) from None
        raise
    return Database(engine=engine, where=where)


def database_exists(explicit_path: str | None = None) -> bool:
    url = settings.database_url(explicit_path)
    if not url.startswith("sqlite:///"):
        return True
    return Path(url.removeprefix("sqlite:///")).exists()
