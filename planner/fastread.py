"""The read path of a SQLite file through the standard library's ``sqlite3``: what the
commands that only read use first, so that they never import SQLAlchemy.

It opens the file read-only (``mode=ro``: never created, never written; in a read-only
folder ``immutable=1``, see ``planner.sqlite_file.read_only_uri``), reads one
snapshot (one transaction) with the same busy timeout as every other connection, checks
the schema version first, and runs the read queries of ``planner.queries``. Anything
out of the ordinary (no such file, not a planner database, another schema version, a
server URL, a plan that is not there, a damaged row, any SQLite error) answers
``FALLBACK`` instead, and the caller reads again through the full path
(``planner.db``), which migrates, refuses or explains exactly as it always does: errors
have a single source.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, TypeVar

from planner import migrations, settings
from planner.queries import Reader
from planner.sqlite_file import BUSY_TIMEOUT_MS, check_existing_file, read_only_uri

T = TypeVar("T")


class Fallback:
    """The answer when the fast path cannot read: read through the full path instead."""

    def __repr__(self) -> str:
        return "FALLBACK"


FALLBACK: Final = Fallback()


def attempt(explicit_path: str | None, work: Callable[[Reader], T]) -> T | Fallback:
    """``work`` run on a read-only snapshot of the SQLite file the settings point at, or
    FALLBACK when that is not possible or anything goes wrong (nothing is ever written)."""
    url = settings.database_url(explicit_path)
    if not url.startswith("sqlite:///"):
        return FALLBACK
    try:
        connection = connect(Path(url.removeprefix("sqlite:///")))
    except Exception:  # noqa: BLE001 (the full path says what is wrong)
        return FALLBACK
    try:
        if connection is None:
            return FALLBACK
        return work(reader(connection))
    except Exception:  # noqa: BLE001 (the full path reads again and says what is wrong)
        return FALLBACK
    finally:
        if connection is not None:
            connection.close()


def connect(path: Path) -> sqlite3.Connection | None:
    """A read-only connection to the planner database at ``path`` inside one read
    transaction, or None when the file is not at this planner's schema version. Raises
    DatabaseError or sqlite3.Error for a file that cannot be read."""
    check_existing_file(path)
    uri = read_only_uri(path)
    connection = sqlite3.connect(
        uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None
    )
    try:
        connection.execute("BEGIN")
        table = migrations.MIGRATIONS_TABLE
        version = connection.execute(f"SELECT MAX(version) FROM {table}").fetchone()  # noqa: S608
    except BaseException:
        connection.close()
        raise
    if version is None or version[0] != migrations.SCHEMA_VERSION:
        connection.close()
        return None
    return connection


def reader(connection: sqlite3.Connection) -> Reader:
    """The read queries run on ``connection`` (raw values, decoded by the Reader)."""

    def run(sql: str, params: Mapping[str, Any]) -> Sequence[Sequence[Any]]:
        return connection.execute(sql, params).fetchall()

    return Reader(run, shared=False)
