"""The SQLite file: checked before it is opened, created whole, written one writer at a
time.

* an existing file is never re-initialised: a file that is not a planner database
  (empty, damaged, foreign, a directory, unreadable, cut short) is refused with its path;
* a new database is built under a temporary name and linked into place, so a crash can
  never leave a half-made file where the real one belongs;
* every write is one ``BEGIN IMMEDIATE`` transaction (WAL mode, foreign keys on,
  ``synchronous=FULL``, a 10 s busy timeout), so concurrent ``planner`` processes queue
  instead of failing.
"""

from __future__ import annotations

import contextlib
import os
import random
import sqlite3
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner.errors import DatabaseError, ReadOnly

if TYPE_CHECKING:
    import sqlalchemy as sa

SQLITE_HEADER = b"SQLite format 3\x00"
SQLITE_HEADER_BYTES = 100  # the database header at the start of page 1
BUSY_TIMEOUT_MS = 10_000
LOCK_RETRY_PAUSE_S = (0.001, 0.015)  # between tries for the write lock
LOW_SPACE_BYTES = 1024 * 1024  # below this, an I/O error is taken to mean a full disk
RESTORE_HINT = (
    "If it held your progress, restore it from a backup (`planner backup` writes one); "
    "or use --db to choose another file."
)


def classify(exc: BaseException, where: str) -> DatabaseError:
    """A SQLite error as one line a person can act on (SQLite has no error codes in
    its Python exceptions, only its message text)."""
    text = str(getattr(exc, "orig", exc)).lower()
    if "locked" in text or "busy" in text:
        return DatabaseError(
            f"The database {where} stayed busy for {BUSY_TIMEOUT_MS // 1000} s "
            "(another planner is writing). Try again."
        )
    if "readonly" in text or "read-only" in text:
        return ReadOnly(
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


def check_existing_file(path: Path) -> None:
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


def create_file(path: Path, migrate: Callable[[sa.Engine, str], None]) -> None:
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
        engine = create_engine(temp)
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


def is_writable(path: Path) -> bool:
    """Whether the database at ``path`` can be written: the file, and its folder, where
    SQLite keeps its ``-wal`` and ``-shm`` files beside it."""
    return os.access(path.parent, os.W_OK) and os.access(path, os.W_OK)


def read_only_uri(path: Path) -> str:
    """The URI that reads the database at ``path`` without writing anything, anywhere.

    ``mode=ro`` never writes the database, but reading a WAL-mode file (as planner's
    are) needs its ``-shm`` file, which SQLite creates when it is missing: in a read-only
    folder it cannot, and the open fails. There, if nothing is pending in a ``-wal`` or
    ``-journal`` file, the file is opened ``immutable=1``: no writer can change it either
    (a writer would have to create those files in the same folder), so reading it without
    locks is exact (https://sqlite.org/wal.html#readonly, https://sqlite.org/uri.html).
    Raises DatabaseError when changes are pending that only a writable folder can show.
    """
    uri = path.absolute().as_uri() + "?mode=ro"
    if os.access(path.parent, os.W_OK):
        return uri
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    if wal.is_file() and shm.is_file():
        return uri  # SQLite reads a WAL and its index that are already there
    for pending in (wal, Path(f"{path}-journal")):
        with contextlib.suppress(OSError):
            if pending.stat().st_size > 0:
                msg = (
                    f"Cannot read {path}: its folder is read-only, and {pending.name} beside "
                    "it holds changes SQLite can only read with write access to the folder. "
                    f"Make the folder writable, or copy the database with its {pending.name} "
                    "file to a folder that is."
                )
                raise DatabaseError(msg)
    return uri + "&immutable=1"


def create_engine(path: Path, *, read_only: bool = False) -> sa.Engine:
    """An engine on the database at ``path``; ``read_only``: opened through
    ``read_only_uri``, so that any write fails as read-only and nothing is created."""
    import sqlalchemy as sa

    if read_only:
        uri = read_only_uri(path)
        engine = sa.create_engine(
            "sqlite://",
            creator=lambda: sqlite3.connect(
                uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
            ),
            poolclass=sa.pool.NullPool,
        )
    else:
        engine = sa.create_engine(
            sa.engine.URL.create("sqlite", database=str(path)),  # a path, never URL syntax
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
