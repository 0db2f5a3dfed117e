"""Released schemas, JSON transfer and time zones, against a real PostgreSQL server
(PLANNER_TEST_DATABASE_URL; each test in a schema of its own, see tests/conftest.py).

* Every released schema (``tests/fixtures/db/v{N}.db``) is rebuilt on the server with
  planner's own migrations 1..N and filled with the fixture's rows; the real
  ``planner migrate`` then upgrades it, keeping every row, and the plans read exactly
  as the same SQLite file reads with today's planner.
* ``export json`` -> ``import`` on the server -> ``export json`` gives the same document,
  and so does going on to a fresh SQLite file.
* Times written and read with the client in UTC+14 or UTC-8 (``PGTZ``) are the same
  instants as read in UTC.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import unicodedata
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings

from planner import db, export_format, server, transfer
from planner.curriculum import resolve_file
from planner.db import open_database
from planner.snapshot import digest_of, snapshot_of
from tests.conftest import FIXTURE_CURRICULA, FIXTURES, SERVER_URL, drop_schema, planners
from tests.conftest import today as cli_today
from tests.test_roundtrip_history import (
    NOW,
    histories,
    with_ids_of,
    without_moment,
    write_plans,
)

pytestmark = pytest.mark.slow

FIXTURE_DBS = FIXTURES / "db"
VERSIONS = sorted(int(p.stem[1:]) for p in FIXTURE_DBS.glob("v*.db"))
COPIED_TABLES = ("plan", "event", "curriculum_snapshot", db.MIGRATIONS_TABLE)
PRIMARY_KEYS = {"plan": "id", "event": "id", "curriculum_snapshot": "digest"}
PRIMARY_KEYS[db.MIGRATIONS_TABLE] = "version"
# planners before migration 4 made planner_migration.applied_at TIMESTAMP (no zone) on a
# server; from it on, planner creates it WITH TIME ZONE and m004 converts an old one
ZONED_SINCE = next(n for n, name, _ in db.MIGRATIONS if name == "m004_migration_times_with_zone")

# how each column's values are normalised for comparison (everything else: as it is)
JSON_COLUMNS = {"roles", "curriculum_versions", "known_skills", "curriculum_digests"}
DATE_COLUMNS = {"start_date", "on_date", "until_date"}
MOMENT_COLUMNS = {"created_at", "last_used_at", "at", "applied_at"}
FLOAT_COLUMNS = {"hours_per_week", "hours"}

EAST = "Pacific/Kiritimati"  # UTC+14, the earliest zone there is
WEST = "America/Los_Angeles"  # UTC-8 in winter, UTC-7 in summer
GONE_PLAN = "gone plan ✗"  # a schema-1 plan whose only role has no curriculum file


# --------------------------------------------------------------------------- processes


def planner_env(schema: str | None, **extra: str) -> dict[str, str]:
    """A planner process's environment: on the test server in ``schema`` (None: no
    server, for ``--db`` files), the test curricula, no client time zone unless given."""
    env = {**os.environ, "PLANNER_CURRICULA_PATH": str(FIXTURE_CURRICULA), "COLUMNS": "100"}
    for name in ("PLANNER_PLAN", "PLANNER_DB", "PLANNER_FAULT", "PGTZ", "PLANNER_DB_SCHEMA"):
        env.pop(name, None)
    env.pop("PLANNER_DATABASE_URL", None)
    if schema is not None:
        env.update({"PLANNER_DATABASE_URL": SERVER_URL, "PLANNER_DB_SCHEMA": schema})
    env.update(extra)
    return env


def planner(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return planners([(env, args)])[0]


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, (result.args, result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    return result.stdout


# --------------------------------------------------------------------------- the server


@contextlib.contextmanager
def connected(schema: str) -> Iterator[sa.Connection]:
    """A connection in ``schema`` as planner makes them, its session zone set to UTC."""
    engine, _ = server.create_engine(SERVER_URL, schema=schema, timeout_ms=10_000)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SET TIME ZONE 'UTC'"))
            yield conn
    finally:
        engine.dispose()


def server_where() -> str:
    """The server as planner's messages name it."""
    return server.describe(sa.engine.make_url(server.normalise_url(SERVER_URL)))


def server_state(schema: str) -> dict[str, Any]:
    """Everything in ``schema``: its tables' columns and types, indexes, and every row."""
    with connected(schema) as conn:
        columns = conn.execute(
            sa.text(
                "SELECT table_name, column_name, data_type, is_nullable "
                "FROM information_schema.columns WHERE table_schema = :s "
                "ORDER BY table_name, ordinal_position"
            ),
            {"s": schema},
        ).all()
        indexes = conn.execute(
            sa.text("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = :s ORDER BY 1"),
            {"s": schema},
        ).all()
        tables = sorted({row[0] for row in columns})
        rows = {
            table: conn.execute(sa.text(f'SELECT * FROM "{table}" ORDER BY 1')).all()  # noqa: S608
            for table in tables
        }
    return {"columns": columns, "indexes": indexes, "rows": rows}


def server_version(schema: str) -> list[tuple[int, str]]:
    with connected(schema) as conn:
        return [
            (int(v), str(n))
            for v, n in conn.execute(
                sa.text(f"SELECT version, name FROM {db.MIGRATIONS_TABLE} ORDER BY version")  # noqa: S608
            )
        ]


def column_type(schema: str, table: str, column: str) -> str:
    with connected(schema) as conn:
        return str(
            conn.execute(
                sa.text(
                    "SELECT data_type FROM information_schema.columns WHERE table_schema = :s "
                    "AND table_name = :t AND column_name = :c"
                ),
                {"s": schema, "t": table, "c": column},
            ).scalar_one()
        )


# --------------------------------------------------------------------------- values


def moment(value: str) -> datetime:
    """A timestamp as SQLite keeps it (naive text is UTC) as an aware UTC datetime."""
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def from_sqlite(column: str, value: Any) -> Any:
    """A value as the SQLite fixture stores it, as the Python value it means."""
    if value is None:
        return None
    if column in JSON_COLUMNS:
        assert isinstance(value, str), (column, value)
        return json.loads(value)
    if column in DATE_COLUMNS:
        return date.fromisoformat(value)
    if column in MOMENT_COLUMNS:
        return moment(value)
    if column in FLOAT_COLUMNS:
        return float(value)
    return value


def from_server(column: str, value: Any) -> Any:
    """A value as the server returns it, normalised the same way (checking its type)."""
    if value is None:
        return None
    if column in DATE_COLUMNS:
        assert type(value) is date, (column, value)
    if column in MOMENT_COLUMNS:
        assert isinstance(value, datetime), (column, value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if column in FLOAT_COLUMNS:
        assert isinstance(value, float), (column, value)
    if column in JSON_COLUMNS:
        assert isinstance(value, list | dict), (column, value)  # decoded by the driver: JSON
    return value


def fixture_rows(path: Path) -> dict[str, tuple[list[str], list[dict[str, Any]]]]:
    """The copied tables of a SQLite file: table -> (columns, rows as Python values)."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        out = {}
        for table in COPIED_TABLES:
            found = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
            ).fetchone()
            if found is None:
                continue
            cursor = conn.execute(f'SELECT * FROM "{table}" ORDER BY {PRIMARY_KEYS[table]}')  # noqa: S608
            columns = [d[0] for d in cursor.description]
            out[table] = (
                columns,
                [
                    {c: from_sqlite(c, v) for c, v in zip(columns, row, strict=True)}
                    for row in cursor.fetchall()
                ],
            )
    return out


def read_server_table(
    conn: sa.Connection, table: str, columns: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Rows of ``table`` (all columns, or those given), normalised."""
    names = ", ".join(f'"{c}"' for c in columns) if columns else "*"
    result = conn.execute(sa.text(f'SELECT {names} FROM "{table}" ORDER BY {PRIMARY_KEYS[table]}'))  # noqa: S608
    keys = list(result.keys())
    return [{k: from_server(k, v) for k, v in zip(keys, row, strict=True)} for row in result]


# --------------------------------------------------------------------------- building


def build_schema(schema: str, version: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Planner's schema ``version`` in ``schema``, made by its own migrations 1..version,
    as a planner of that schema made it: before migration 4, planner_migration's times
    had no zone on a server (``TIMESTAMP``), so the table is created so first."""
    engine, where = server.create_engine(SERVER_URL, schema=schema, timeout_ms=10_000)
    try:
        if version < ZONED_SINCE:
            with engine.begin() as conn:
                conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
                conn.execute(
                    sa.text(
                        f"CREATE TABLE {db.MIGRATIONS_TABLE} (version INTEGER PRIMARY KEY, "
                        "name VARCHAR(100) NOT NULL, applied_at TIMESTAMP NOT NULL)"
                    )
                )
        with monkeypatch.context() as patched:
            patched.setattr(db, "MIGRATIONS", [m for m in db.MIGRATIONS if m[0] <= version])
            patched.setattr(db, "SCHEMA_VERSION", version)
            db.migrate(engine, where, schema=schema)
    finally:
        engine.dispose()


def fill_schema(schema: str, rows: dict[str, tuple[list[str], list[dict[str, Any]]]]) -> None:
    """Every row of the fixture into the server's tables (the fixture's migration rows
    replace those the build recorded), then the id sequences past the copied ids."""
    engine, _ = server.create_engine(SERVER_URL, schema=schema, timeout_ms=10_000)
    try:
        with engine.begin() as conn:
            meta = sa.MetaData()
            meta.reflect(conn, only=[t for t in COPIED_TABLES if t in rows])
            conn.execute(meta.tables[db.MIGRATIONS_TABLE].delete())
            for table in ("plan", "curriculum_snapshot", "event", db.MIGRATIONS_TABLE):
                if table not in rows:
                    continue
                target = meta.tables[table]
                values = [dict(row) for row in rows[table][1]]
                if table == db.MIGRATIONS_TABLE and column_is_naive(target.c.applied_at):
                    for row in values:  # UTC without a zone, as old planners wrote it
                        row["applied_at"] = row["applied_at"].replace(tzinfo=None)
                if values:
                    conn.execute(target.insert(), values)
            set_sequences(conn)
    finally:
        engine.dispose()


def column_is_naive(column: sa.Column[Any]) -> bool:
    return not getattr(column.type, "timezone", False)


def set_sequences(conn: sa.Connection) -> None:
    for table in ("plan", "event"):
        conn.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
            )
        )


def add_gone_plan(schema: str) -> None:
    """A schema-1 plan (with one event) whose only role no curriculum file provides: the
    upgrade must keep it as it is, without a curriculum."""
    stamp = datetime(2026, 1, 21, 10, 0, tzinfo=UTC)
    with connected(schema) as conn:
        plan_id = conn.execute(
            sa.text(
                "INSERT INTO plan (name, roles, curriculum_versions, hours_per_week, "
                "start_date, known_skills, industry, created_at, last_used_at) VALUES "
                "(:n, CAST(:r AS JSON), CAST(:v AS JSON), 5.0, DATE '2026-01-19', "
                "CAST('[]' AS JSON), NULL, :t, :t) RETURNING id"
            ).bindparams(sa.bindparam("t", type_=sa.DateTime(timezone=True))),
            {"n": GONE_PLAN, "r": '["gone-role"]', "v": '{"gone-role": 1}', "t": stamp},
        ).scalar_one()
        conn.execute(
            sa.text(
                "INSERT INTO event (plan_id, milestone_id, kind, at, on_date, hours, note) "
                "VALUES (:p, 'python-basics', 'done', :t, DATE '2026-01-20', 2.0, 'kept ✓')"
            ).bindparams(sa.bindparam("t", type_=sa.DateTime(timezone=True))),
            {"p": plan_id, "t": stamp},
        )
        conn.commit()


# --------------------------------------------------------------------------- 1. migrations


@pytest.mark.parametrize("version", VERSIONS)
def test_migrate_upgrades_every_released_schema_on_a_server(
    server_schema: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, version: int
) -> None:
    schema = server_schema
    original = tmp_path / f"fixture-v{version}.db"  # read here only; never opened by planner
    shutil.copyfile(FIXTURE_DBS / f"v{version}.db", original)
    copy = tmp_path / "copy.db"  # the same file, for today's planner
    shutil.copyfile(original, copy)
    fixture = fixture_rows(original)
    names = [row["name"] for row in fixture["plan"][1]]
    before_versions = [(r["version"], r["name"]) for r in fixture[db.MIGRATIONS_TABLE][1]]
    assert before_versions == [(n, name) for n, name, _ in db.MIGRATIONS[:version]]

    build_schema(schema, version, monkeypatch)
    fill_schema(schema, fixture)
    assert server_version(schema) == before_versions
    zoned_before = column_type(schema, db.MIGRATIONS_TABLE, "applied_at")
    assert zoned_before == (
        "timestamp with time zone" if version >= ZONED_SINCE else "timestamp without time zone"
    )
    with connected(schema) as conn:  # the copy holds what the fixture holds
        for table, (columns, rows) in fixture.items():
            assert read_server_table(conn, table, columns) == rows, table
    if version == 1:
        add_gone_plan(schema)

    env = planner_env(schema)
    where = server_where()

    # before `planner migrate`: reading and writing refuse; doctor tells; nothing changes
    untouched = server_state(schema)
    if version < db.SCHEMA_VERSION:
        refused = planners(
            [
                (env, ["status"]),
                (env, ["--plan", names[0], "log"]),
                (env, ["--plan", names[0], "note", "python-basics", "refused"]),
            ]
        )
        for result in refused:
            assert result.returncode == 6, (result.args, result.returncode, result.stderr)
            (line,) = result.stderr.splitlines()
            assert line.startswith(f"Error: {where} has planner's schema {version};"), line
            assert "Nothing was changed" in line and "`planner migrate`" in line, line
            assert result.stdout == ""
        assert server_state(schema) == untouched
    doctor = planner(env, "doctor")
    assert doctor.returncode == 0, (doctor.stdout, doctor.stderr)
    assert f"schema version {version} of {db.SCHEMA_VERSION}" in doctor.stdout
    if version < db.SCHEMA_VERSION:
        assert "`planner migrate`" in doctor.stdout
    assert server_state(schema) == untouched
    assert server_version(schema) == before_versions

    # the upgrade, by the real CLI, its client in UTC+14: a conversion of the old times
    # that used the session's zone would move each by 14 hours
    started = datetime.now(UTC)
    migrated = planner({**env, "PGTZ": EAST}, "migrate")
    finished = datetime.now(UTC)
    if version < db.SCHEMA_VERSION:
        expected = f"Upgraded {where} from schema {version} to {db.SCHEMA_VERSION}.\n"
    else:
        expected = f"{where} is already at schema {db.SCHEMA_VERSION}; nothing to do.\n"
    assert ok(migrated) == expected
    assert migrated.stderr == ""
    again = planner(env, "migrate")
    assert ok(again) == f"{where} is already at schema {db.SCHEMA_VERSION}; nothing to do.\n"

    # the migrations: each once, the old ones at the same instants, now with a zone
    assert server_version(schema) == [(n, name) for n, name, _ in db.MIGRATIONS]
    assert column_type(schema, db.MIGRATIONS_TABLE, "applied_at") == "timestamp with time zone"
    with connected(schema) as conn:
        applied = read_server_table(conn, db.MIGRATIONS_TABLE)
        assert applied[:version] == fixture[db.MIGRATIONS_TABLE][1]
        for row in applied[version:]:
            assert started - timedelta(seconds=1) <= row["applied_at"] <= finished, row

        # every plan and event of the fixture, the same in the columns it had
        for table in ("plan", "event", "curriculum_snapshot"):
            if table not in fixture:
                continue
            columns, rows = fixture[table]
            kept = read_server_table(conn, table, columns)
            if table == "plan" and version == 1:
                assert [r["name"] for r in kept] == [*names, GONE_PLAN]
                kept = kept[: len(rows)]
            if table == "event" and version == 1:
                kept = kept[: len(rows)]
            assert kept == rows, f"{table}: a row changed in the upgrade"

        # the columns added since: null for the events
        events = read_server_table(conn, "event")
        assert len(events) == len(fixture["event"][1]) + (version == 1)
        added = [c for c in events[0] if c not in fixture["event"][0]]
        if version < 3:  # m003's columns
            assert added[:2] == ["until_date", "ref_id"], added
        assert all(row[c] is None for row in events for c in added)
        assert column_type(schema, "event", "until_date") == "date"

        # m002 (from schema 1): each plan whose curriculum resolves keeps it
        plans = read_server_table(conn, "plan")
        snapshots = read_server_table(conn, "curriculum_snapshot")
    if version == 1:
        tiny = snapshot_of(resolve_file(FIXTURE_CURRICULA / "tiny-role.yaml"))
        assert {p["name"]: p["curriculum_digests"] for p in plans} == {
            **{name: {"tiny-role": tiny.digest} for name in names},
            GONE_PLAN: None,
        }
        assert [(s["digest"], s["format"], s["body"]) for s in snapshots] == [
            (tiny.digest, 1, tiny.body)
        ]
        assert started - timedelta(seconds=1) <= snapshots[0]["created_at"] <= finished
    else:
        assert all(p["curriculum_digests"] for p in plans)
        assert all(digest_of(s["body"]) == s["digest"] for s in snapshots)

    # each plan reads exactly as the same fixture, opened by today's planner, reads
    local = planner_env(None)
    ok(planner(local, "--db", str(copy), "migrate"))
    commands = [
        ["--plan", name, *command]
        for name in names
        for command in (["status"], ["log"], ["log", "--json"], ["status", "--json"])
    ]
    results = planners(
        [(env, args) for args in commands] + [(local, ["--db", str(copy), *a]) for a in commands]
    )
    on_server, on_file = results[: len(commands)], results[len(commands) :]
    for args, served, filed in zip(commands, on_server, on_file, strict=True):
        served_text = ok(served).replace(where, "DATABASE")  # where each says it reads
        assert served_text == ok(filed).replace(str(copy), "DATABASE"), args
        assert served.stderr == filed.stderr, args
        assert served.stdout.strip(), args


# --------------------------------------------------------------------------- 2. JSON


def test_json_round_trip_through_the_server(server_schema: str, tmp_path: Path) -> None:
    """The newest fixture -> JSON -> the server -> JSON -> a new SQLite file -> JSON.

    Normalised: ``exported_at`` (the moment of each export), everywhere; and, between
    the fixture's export and the server's, the event ids, which are each database's own
    (the import numbers the events in the order of the file, and the fixture's plans
    are interleaved): ``with_ids_of`` maps them back event for event, checking every
    ``ref_id`` follows its event. From the server to the new file nothing else differs,
    ids included."""
    source = tmp_path / "source.db"
    shutil.copyfile(FIXTURE_DBS / f"v{db.SCHEMA_VERSION}.db", source)
    a, b, c = (tmp_path / f"{n}.json" for n in "abc")
    fresh = tmp_path / "fresh.db"
    env, local = planner_env(server_schema), planner_env(None)

    ok(planner(local, "--db", str(source), "export", "json", "--all", "--output", str(a)))
    imported = ok(planner(env, "import", str(a)))
    assert imported.count("Imported plan") == len(json.loads(a.read_text("utf-8"))["plans"])
    ok(planner(env, "export", "json", "--all", "--output", str(b)))
    ok(planner(local, "--db", str(fresh), "import", str(b)))
    ok(planner(local, "--db", str(fresh), "export", "json", "--all", "--output", str(c)))

    first, second, third = (a.read_text("utf-8"), b.read_text("utf-8"), c.read_text("utf-8"))
    document = json.loads(first)
    kinds = {e["kind"] for p in document["plans"] for e in p["events"]}
    assert {"studied", "away", "retracted", "done", "undone", "note"} <= kinds
    with contextlib.closing(sqlite3.connect(source)) as conn:
        (plans,) = conn.execute("SELECT COUNT(*) FROM plan").fetchone()
        (kept,) = conn.execute("SELECT COUNT(*) FROM curriculum_snapshot").fetchone()
    assert (len(document["plans"]), len(document["curricula"])) == (plans, kept)
    assert second != with_ids_of(first, second)  # the server gave the events other ids
    assert without_moment(with_ids_of(first, second)) == without_moment(first)
    assert without_moment(third) == without_moment(second)  # ids and all
    moments = [json.loads(t)["exported_at"] for t in (first, second, third)]
    assert len(set(moments)) == 3  # each export says when it was made


def export_text(path: Path | None, now: datetime) -> str:
    """Every plan of the SQLite file at ``path`` (None: the server) as export text."""
    export = transfer.export_document(
        db=None if path is None else str(path), plan_name=None, all_plans=True, now=now
    )
    assert export.skipped == ()
    return export_format.document_json(export.document)


MEMORY = "/dev/shm" if Path("/dev/shm").is_dir() and os.access("/dev/shm", os.W_OK) else None
GENERATED = 25


def test_generated_histories_round_trip_through_the_server(
    server_schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The generated histories of tests/test_roundtrip_history.py (its ``histories``
    and ``write_plans``), in process: a SQLite file -> JSON -> a new schema on the server
    -> JSON -> a new SQLite file -> JSON. Normalised as in the fixed example above."""
    tally = {"examples": 0}
    with tempfile.TemporaryDirectory(dir=MEMORY) as folder:
        empty = Path(folder, "empty.db")
        open_database(str(empty)).engine.dispose()

        @settings(
            max_examples=GENERATED,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(history=histories())
        def check(history: tuple[list[dict[str, Any]], list[dict[str, Any]]]) -> None:
            plans, _ = history
            schema = f"{server_schema}_{uuid.uuid4().hex[:8]}"
            monkeypatch.setenv("PLANNER_DB_SCHEMA", schema)
            with tempfile.TemporaryDirectory(dir=MEMORY) as work:
                source, target = Path(work, "source.db"), Path(work, "target.db")
                shutil.copyfile(empty, source)
                shutil.copyfile(empty, target)
                write_plans(source, plans)
                first = export_text(source, NOW)
                document = Path(work, "a.json")
                document.write_text(first, encoding="utf-8")
                try:
                    transfer.import_document(db=None, path=document, now=NOW)
                    second = export_text(None, NOW + timedelta(seconds=1))
                    with connected(schema) as conn:
                        stored = conn.execute(
                            sa.text("SELECT digest, body FROM curriculum_snapshot")
                        ).all()
                finally:
                    drop_schema(schema)
                assert {d for d, _ in stored} == set(json.loads(first)["curricula"])
                assert all(digest_of(body) == d for d, body in stored)
                again = Path(work, "b.json")
                again.write_text(second, encoding="utf-8")
                transfer.import_document(db=str(target), path=again, now=NOW)
                third = export_text(target, NOW + timedelta(seconds=2))
            assert without_moment(with_ids_of(first, second)) == without_moment(first)
            assert without_moment(third) == without_moment(second)
            tally["examples"] += 1

        check()
    assert tally["examples"] >= GENERATED


# --------------------------------------------------------------------------- 3. zones


def test_times_are_utc_whatever_the_clients_zone(server_schema: str) -> None:
    """``done`` written with the client at UTC+14, ``study`` at UTC-8/-7: ``log`` and
    ``export json`` read the same instants and dates in any zone, and those instants are
    now, in UTC (a naive time taken in the session's zone would be hours off)."""
    env = planner_env(server_schema)
    days_before = [cli_today()]
    start = (cli_today() - timedelta(days=14)).isoformat()
    ok(planner(env, "start", "tiny-role", "--start", start, "--hours-per-week", "8"))
    began = datetime.now(UTC)
    ok(planner({**env, "PGTZ": EAST}, "done", "python-basics", "--hours", "3", "--note", "east"))
    ok(planner({**env, "PGTZ": WEST}, "study", "stats-basics", "1h30m", "--note", "west"))
    ended = datetime.now(UTC)
    days_before.append(cli_today())

    zones: list[dict[str, str]] = [env, {**env, "PGTZ": EAST}, {**env, "PGTZ": WEST}]
    reads = planners(
        [(z, args) for z in zones for args in (["log"], ["log", "--json"], ["export", "json"])]
    )
    outputs = [ok(r) for r in reads]
    texts, logs, exports = outputs[0::3], outputs[1::3], outputs[2::3]
    assert texts[1] == texts[0] and texts[2] == texts[0]
    assert logs[1] == logs[0] and logs[2] == logs[0]
    documents = [without_moment(text) for text in exports]
    assert documents[1] == documents[0] and documents[2] == documents[0]

    events = json.loads(logs[0])["events"]
    assert [(e["kind"], e["milestone"], e["hours"], e["note"]) for e in events] == [
        ("done", "python-basics", 3.0, "east"),
        ("studied", "stats-basics", 1.5, "west"),
    ]
    (plan,) = json.loads(exports[0])["plans"]
    for shown, full in zip(events, plan["events"], strict=True):
        at = datetime.strptime(shown["at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        precise = datetime.strptime(full["at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        assert at == precise.replace(microsecond=0)
        assert began - timedelta(seconds=1) <= precise <= ended, (precise, began, ended)
        assert abs(datetime.now(UTC) - precise) < timedelta(minutes=1)
        assert shown["on"] in {d.isoformat() for d in days_before}  # the client's today
        assert full["on_date"] == shown["on"]
        assert f"{shown['at'][:16].replace('T', ' ')}  {shown['kind']}" in texts[0]
    created = datetime.strptime(plan["created_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert abs(datetime.now(UTC) - created) < timedelta(minutes=1)

    # what the server holds: those instants, read in UTC
    with connected(server_schema) as conn:
        stored = [row[0] for row in conn.execute(sa.text("SELECT at FROM event ORDER BY id"))]
    assert [s.astimezone(UTC) for s in stored] == [
        datetime.strptime(e["at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        for e in plan["events"]
    ]


# --------------------------------------------------------------------------- 5. names in NFC

NFC_NAME = "Zoë — second plan"  # plan 2 of the fixtures, stored composed
NFD_NAME = unicodedata.normalize("NFD", NFC_NAME)


def add_plan_named(schema: str, name: str) -> None:
    """A copy of plan 2 under ``name``, as an older planner could have stored it."""
    with connected(schema) as conn:
        conn.execute(
            sa.text(
                "INSERT INTO plan (name, roles, curriculum_versions, curriculum_digests, "
                "hours_per_week, start_date, known_skills, industry, created_at, "
                "last_used_at) SELECT :n, roles, curriculum_versions, curriculum_digests, "
                "hours_per_week, start_date, known_skills, industry, created_at, "
                "last_used_at FROM plan WHERE id = 2"
            ),
            {"n": name},
        )
        conn.commit()


def test_migration_5_writes_names_in_nfc_or_refuses_a_clash_on_a_server(
    server_schema: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema = server_schema
    build_schema(schema, 4, monkeypatch)
    fill_schema(schema, fixture_rows(FIXTURE_DBS / "v4.db"))
    with connected(schema) as conn:
        conn.execute(sa.text("UPDATE plan SET name = 'renamed' WHERE id = 2"))
        conn.commit()
    add_plan_named(schema, NFC_NAME)
    add_plan_named(schema, NFD_NAME)
    env = planner_env(schema)
    before = server_state(schema)
    refused = planner(env, "migrate")
    assert refused.returncode == 6, refused.stderr
    assert refused.stderr.startswith("Error: Plans whose names look the same"), refused.stderr
    assert f"{ascii(NFC_NAME)} (id " in refused.stderr and "nothing was changed" in refused.stderr
    assert server_state(schema) == before
    with connected(schema) as conn:  # one of the two renamed: the upgrade goes through
        conn.execute(sa.text("UPDATE plan SET name = 'another' WHERE name = :n"), {"n": NFC_NAME})
        conn.commit()
    ok(planner(env, "migrate"))
    assert server_version(schema)[-1] == (5, "m005_calendar_and_nfc_names")
    with connected(schema) as conn:
        names = [row[0] for row in conn.execute(sa.text("SELECT name FROM plan ORDER BY id"))]
    assert NFC_NAME in names and NFD_NAME not in names
    assert "Zo" in ok(planner(env, "--plan", NFD_NAME, "status"))
