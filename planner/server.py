"""A database server behind ``PLANNER_DATABASE_URL`` (PostgreSQL): the engine, one
writer at a time, and server errors as one plain line each.

The guarantees of the SQLite file hold on a server too:

* **one writer at a time**: every write transaction first takes a transaction-scoped
  advisory lock (``pg_advisory_xact_lock``) on a key derived from the schema planner's
  tables live in, so check-then-write commands (a plan name taken, a milestone already
  done, migrations) behave as under SQLite's ``BEGIN IMMEDIATE``; the lock is released
  by commit or rollback, and waiters queue in arrival order;
* **bounded waits**: ``lock_timeout``, ``statement_timeout`` and ``connect_timeout``
  equal the SQLite busy timeout, so a held lock or a server that never answers ends
  in a plain "busy" or "cannot reach" line instead of a hang;
* **errors by SQLSTATE** (``classify``): a conflict exits 5, everything else 6, with
  what to do, never a traceback.

Sources: PostgreSQL 15 manual, "Advisory Locks" (13.3.5), "Client Connection Defaults"
(20.11) and Appendix A "PostgreSQL Error Codes".
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from planner.errors import Conflict, DatabaseError, PlannerError, ReadOnly

if TYPE_CHECKING:
    import sqlalchemy as sa

DRIVER_HINT = "pip install 'planner[postgres]'"
URL_FORM = "postgresql+psycopg://USER@HOST:PORT/DATABASE"
SCHEMA_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
# URL schemes people paste (a provider's console, libpq) -> SQLAlchemy's psycopg 3 dialect
SCHEME_ALIASES = {"postgres": "postgresql+psycopg", "postgresql": "postgresql+psycopg"}

# SQLSTATE classes and codes (PostgreSQL Appendix A)
UNIQUE_VIOLATION = "23505"
BUSY_CODES = {
    "55P03": "lock_not_available",
    "40001": "serialization_failure",
    "40P01": "deadlock_detected",
    "57014": "query_canceled",  # statement_timeout
}
READ_ONLY = "25006"
PRIVILEGE = "42501"
UNDEFINED_TABLE = "42P01"
INVALID_SCHEMA = "3F000"
DISK_FULL = "53100"
TOO_MANY_CONNECTIONS = "53300"


def is_server_url(url: str) -> bool:
    """Whether ``url`` names a database server rather than a SQLite file."""
    return not url.startswith("sqlite:")


def normalise_url(url: str) -> str:
    """``url`` with a bare ``postgres://`` or ``postgresql://`` scheme meaning psycopg 3
    (SQLAlchemy 2 reads ``postgresql://`` as psycopg2, which planner does not install).

    Raises DatabaseError (exit 6) for text that is not a database URL.
    """
    scheme, sep, rest = url.partition("://")
    if not sep or not scheme:
        msg = (
            f"PLANNER_DATABASE_URL is not a database URL: {redact(url)!r}. "
            f"Use the form {URL_FORM}, or unset it to use the SQLite file."
        )
        raise DatabaseError(msg)
    return f"{SCHEME_ALIASES.get(scheme.lower(), scheme)}://{rest}"


def redact(url: str) -> str:
    """``url`` without its password, for messages."""
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)


def check_schema(schema: str | None) -> None:
    """``PLANNER_DB_SCHEMA``: a plain identifier (letters, digits, _; at most 63), so it
    can be written into ``search_path`` unquoted. Raises UsageError."""
    from planner.errors import UsageError

    if schema is not None and not SCHEMA_NAME.fullmatch(schema):
        msg = (
            f"PLANNER_DB_SCHEMA {schema!r} is not a plain schema name: use letters, digits "
            "and _ (at most 63, not starting with a digit), e.g. planner."
        )
        raise UsageError(msg)


def lock_key(schema: str | None) -> int:
    """The advisory lock key of planner's tables in ``schema`` (None: the default schema):
    a signed 64-bit integer from SHA-256, so planners in different schemas of one
    database never wait for each other."""
    digest = hashlib.sha256(f"planner:{schema or ''}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def create_engine(url: str, *, schema: str | None, timeout_ms: int) -> tuple[sa.Engine, str]:
    """An engine for a server URL and the text that names it in messages
    (``postgresql://user@host:port/db``, no password).

    Raises DatabaseError (exit 6) for a malformed URL, an unknown dialect or a missing
    driver, with the install line.
    """
    import sqlalchemy as sa

    check_schema(schema)
    url = normalise_url(url)
    try:
        parsed = sa.engine.make_url(url)
    except (sa.exc.ArgumentError, ValueError):  # e.g. a port that is not a number
        msg = (
            f"PLANNER_DATABASE_URL is not a database URL: {redact(url)!r}. Use the form {URL_FORM}."
        )
        raise DatabaseError(msg) from None
    where = describe(parsed)
    postgres = parsed.get_backend_name() == "postgresql"
    connect_args: dict[str, Any] = {}
    if postgres:
        options = [
            f"-c lock_timeout={timeout_ms}",
            f"-c statement_timeout={timeout_ms}",
        ]
        if schema:
            options.append(f"-c search_path={schema}")
        connect_args = {
            "connect_timeout": max(2, timeout_ms // 1000),
            "application_name": "planner",
            "options": " ".join(options),
        }
    try:
        engine = sa.create_engine(parsed, connect_args=connect_args, poolclass=sa.pool.NullPool)
    except (sa.exc.NoSuchModuleError, ImportError) as exc:
        if parsed.drivername == "postgresql+psycopg":
            msg = f"The PostgreSQL driver psycopg is not installed: `{DRIVER_HINT}`."
        else:
            missing = (
                f" (its driver {exc.name} is not installed)" if isinstance(exc, ImportError) else ""
            )
            msg = (
                f"PLANNER_DATABASE_URL names {parsed.drivername}{missing}; planner works "
                f"with SQLite files and PostgreSQL through psycopg 3. Use {URL_FORM} "
                f"(`{DRIVER_HINT}` installs the driver)."
            )
        raise DatabaseError(msg) from None
    if postgres:
        key = lock_key(schema)
        sa.event.listen(engine, "begin", lambda conn: _on_begin(conn, key))
    return engine, where


def describe(url: sa.URL) -> str:
    """``postgresql://user@host:port/database``: the server as messages name it."""
    user = f"{url.username}@" if url.username else ""
    port = f":{url.port}" if url.port else ""
    return f"{url.get_backend_name()}://{user}{url.host or 'localhost'}{port}/{url.database or ''}"


def _on_begin(conn: sa.Connection, key: int) -> None:
    """A write transaction waits for the advisory lock before its first statement."""
    if conn.get_execution_options().get("planner_write", False):
        import sqlalchemy as sa

        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


@contextlib.contextmanager
def migration_lock(conn: sa.Connection, schema: str | None) -> Iterator[None]:
    """Hold the write lock on ``conn`` from the first migration step to the last (a
    session-level advisory lock; each step's own transaction takes it again, which the
    same session may), so no other planner sees or writes a half-migrated schema. On
    SQLite each step's ``BEGIN IMMEDIATE`` is the lock: nothing to hold between them."""
    if conn.dialect.name != "postgresql":
        yield
        return
    import sqlalchemy as sa

    key = lock_key(schema)
    with conn.execution_options(planner_write=True).begin():
        conn.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": key})
    try:
        yield
    finally:
        with contextlib.suppress(sa.exc.DBAPIError):  # a lost connection has let go already
            conn.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": key})
            conn.commit()


def create_schema(conn: sa.Connection, schema: str | None) -> None:
    """Create ``schema`` if it is missing (inside the migration's locked transaction)."""
    import sqlalchemy as sa

    if schema and conn.dialect.name == "postgresql":
        conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))


def unusable_schema(conn: sa.Connection) -> str | None:
    """A schema on the ``search_path`` that exists but that this user may not use (no
    ``USAGE``): planner's tables there would look missing. None when there is none."""
    import sqlalchemy as sa

    if conn.dialect.name != "postgresql":
        return None
    name = conn.execute(
        sa.text(
            "SELECT nspname FROM pg_namespace WHERE nspname = ANY (string_to_array("
            "replace(current_setting('search_path'), ' ', ''), ',')) AND NOT "
            "has_schema_privilege(oid, 'USAGE') LIMIT 1"
        )
    ).scalar()
    return str(name) if name else None


# --------------------------------------------------------------------------- errors


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE of a driver error (psycopg 3 ``sqlstate``, psycopg2 ``pgcode``)."""
    orig = getattr(exc, "orig", exc)
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return str(code) if code else None


def first_line(exc: BaseException) -> str:
    """The driver's message, first line, without psycopg's ``connection failed:`` and
    libpq's ``connection to server at ... failed:`` prefixes."""
    text = str(getattr(exc, "orig", exc)).strip().splitlines()
    line = text[0] if text else type(exc).__name__
    line = re.sub(r"^connection failed:\s*", "", line)
    line = re.sub(r'^connection to server at "[^"]*"(, port \d+)? failed:\s*', "", line)
    line = re.sub(r"^(FATAL|ERROR):\s*", "", line)
    return line.rstrip(".")


def classify(exc: BaseException, where: str, timeout_ms: int) -> PlannerError:
    """A server error as one line a person can act on: Conflict (exit 5) for a unique
    violation, DatabaseError (exit 6) for the rest. Sources: the SQLSTATE when the server
    sent one; libpq's connection messages otherwise (they carry none)."""
    code = sqlstate(exc)
    detail = first_line(exc)
    lowered = detail.lower()
    seconds = timeout_ms // 1000
    if code == UNIQUE_VIOLATION:
        return Conflict(
            f"Another planner wrote the same record at the same moment ({detail}). "
            "Nothing was changed; run the command again."
        )
    if code in BUSY_CODES or "timeout expired" in lowered:
        if code in BUSY_CODES:
            return DatabaseError(
                f"The database {where} stayed busy for {seconds} s (another session is "
                "writing or holds a lock). Nothing was changed. Try again."
            )
        return DatabaseError(
            f"Cannot reach the database server {where}: no answer within {seconds} s. "
            "Check that the server is up and the host and port in PLANNER_DATABASE_URL."
        )
    if code == READ_ONLY:
        return ReadOnly(
            f"Cannot write to {where}: the server only allows reading (a standby, or "
            "default_transaction_read_only). Nothing was changed. Point "
            "PLANNER_DATABASE_URL at the primary server."
        )
    if code == PRIVILEGE and "must be owner" in lowered:
        return DatabaseError(
            f"Only the owner of planner's tables can change them on {where} ({detail}). "
            "Nothing was changed. Run `planner migrate` as the role that owns them."
        )
    if code == PRIVILEGE:
        return ReadOnly(
            f"The database user may not do this on {where} ({detail}). Nothing was "
            "changed. Ask the database's owner for the grants in the README's "
            '"A team on one server".'
        )
    if code == DISK_FULL:
        return DatabaseError(
            f"Cannot write to {where}: the server's disk is full. Nothing was changed."
        )
    if code == TOO_MANY_CONNECTIONS or "too many clients" in lowered:
        return DatabaseError(
            f"The database server {where} has no free connections. Try again shortly."
        )
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        return DatabaseError(
            f"Cannot log in to {where}: {detail}. Put the password in ~/.pgpass "
            "(HOST:PORT:DATABASE:USER:PASSWORD, mode 600) rather than in the URL."
        )
    if re.search(r'role "[^"]*" does not exist', lowered):
        return DatabaseError(
            f"Cannot log in to {where}: {detail}. Create the role (`createuser NAME`) or "
            "fix the user in PLANNER_DATABASE_URL."
        )
    if re.search(r'database "[^"]*" does not exist', lowered):
        return DatabaseError(
            f"Cannot open {where}: {detail}. Create it (`createdb NAME`) or fix the "
            "database name in PLANNER_DATABASE_URL."
        )
    if "connection refused" in lowered or "failed to resolve host" in lowered:
        return DatabaseError(
            f"Cannot reach the database server {where}: {detail}. Check that the server "
            "is running and the host and port in PLANNER_DATABASE_URL."
        )
    if "no pg_hba.conf entry" in lowered:
        return DatabaseError(
            f"The server {where} refuses this connection ({detail}). Ask its "
            "administrator to allow it in pg_hba.conf."
        )
    return DatabaseError(f"Database error on {where}: {detail}.")
