"""``planner backup``: a consistent copy of a SQLite database, safe while others write."""

from __future__ import annotations

import contextlib
import os
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from planner.errors import DatabaseError, NotFound, UsageError
from planner.faults import fault_point

# --------------------------------------------------------------------------- backup


@dataclass(frozen=True)
class BackupResult:
    path: Path
    plans: int
    events: int
    unreadable: tuple[str, ...] = ()  # plans that cannot be read (copied all the same)


def _remove_quietly(path: Path) -> None:
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(OSError):  # never made (a read-only folder), or gone
            leftover.unlink()


def default_names(folder: Path, now: datetime) -> list[Path]:
    """The names a backup made at ``now`` may take in ``folder``, first free first:
    ``planner-backup-YYYYMMDD-HHMMSS.db``, then ``...-HHMMSS-2.db``, ``-3`` and so on
    for more backups in the same second."""
    stem = f"planner-backup-{now:%Y%m%d-%H%M%S}"
    return [folder / f"{stem}.db"] + [folder / f"{stem}-{n}.db" for n in range(2, 1000)]


def _link_first_free(temp: Path, names: list[Path]) -> Path:
    """Link ``temp`` under the first of ``names`` that does not exist. A link never
    replaces a file, so two backups at once can never take the same name."""
    for target in names:
        try:
            os.link(temp, target)
        except FileExistsError:
            continue
        except OSError as exc:
            msg = f"Cannot write {target}: {exc.strerror}. Nothing was written."
            raise UsageError(msg) from None
        return target
    if len(names) == 1:
        msg = f"{names[0]} appeared while the backup was made; it was left as it is."
    else:
        msg = f"{names[0].parent} has {len(names)} backups from this second; try again."
    raise UsageError(msg)


def backup_database(*, db: str | None, output: Path | None, now: datetime) -> BackupResult:
    """A consistent copy of the SQLite database, made with SQLite's backup API.

    The copy is one read transaction, so commands writing meanwhile neither block nor
    tear it. It is made under a temporary name, checked by opening it as a planner
    database, then linked into place; an existing file is never overwritten.
    ``now`` (local time) names the default file ``planner-backup-YYYYMMDD-HHMMSS.db``
    (``-2``, ``-3``... added when that is taken: ``default_names``).
    """
    import sqlite3

    import sqlalchemy as sa

    from planner import settings, tracker
    from planner.db import _plain, open_database
    from planner.errors import PlannerError
    from planner.renderer import check_output
    from planner.store import read_snapshots

    url = settings.database_url(db)
    if not url.startswith("sqlite:///"):
        msg = (
            "`planner backup` copies a SQLite database file, and PLANNER_DATABASE_URL "
            "points at a server: back it up with `pg_dump --format=custom DATABASE > "
            "planner.dump`, or `planner export json --all --output FILE`."
        )
        raise DatabaseError(msg)
    source = Path(url.removeprefix("sqlite:///"))
    if not source.exists():
        msg = f"No database at {source}; there is nothing to back up."
        raise NotFound(msg)
    names = [output] if output is not None else default_names(source.parent, now)
    target = names[0]
    if output is not None and target.is_dir():
        check_output(target, example="planner-backup.db")  # says it is a folder
    if output is not None and (target.exists() or target.is_symlink()):
        msg = (
            f"{target} already exists; planner backup never overwrites a file. "
            "Choose another --output, or move the old file away."
        )
        raise UsageError(msg)
    check_output(target)
    if not os.access(target.parent, os.W_OK):
        msg = (
            f"Cannot write a backup in {target.parent}: the folder is not writable. "
            "Choose a writable place with --output."
        )
        raise UsageError(msg)

    database = open_database(db, create=False)
    temp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        try:
            raw = database.engine.raw_connection()
        except sa.exc.DBAPIError as exc:
            raise _plain(exc, database.where) from None
        try:
            connection = raw.driver_connection
            assert isinstance(connection, sqlite3.Connection)
            copy = sqlite3.connect(temp)
            try:
                connection.backup(copy)  # all pages in one step: one consistent snapshot
            finally:
                copy.close()
        except sqlite3.Error as exc:
            raise _plain(exc, str(target)) from None
        finally:
            raw.close()
        copied = open_database(str(temp), create=False)
        try:
            with copied.read() as session:
                plans, events = tracker.count_rows(session=session)
                unreadable = []
                for plan in tracker.list_plans(session=session):
                    try:
                        read_snapshots(session, plan)
                    except PlannerError as exc:
                        unreadable.append(exc.message)
        finally:
            copied.engine.dispose()
        fault_point("backup-before-link")
        target = _link_first_free(temp, names)
    finally:
        database.engine.dispose()
        _remove_quietly(temp)
    return BackupResult(path=target, plans=plans, events=events, unreadable=tuple(unreadable))
