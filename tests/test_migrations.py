"""Interrupted migrations and upgrades, against real files and real processes.

``tests/fixtures/db/`` holds one database per released schema version, written by
``make_fixtures.py``. Opening each one with today's planner applies every migration
after it: from schema 1 that is ``m002_curriculum_snapshots``, which gives every plan a
snapshot of the curriculum its roles resolve to then, and from schemas 1 and 2
``m003_study_and_time_off``, which adds ``event.until_date`` and ``event.ref_id`` (null
for every event there). Beyond the real migrations the
upgrade path is exercised with two test-only ones appended after them (an
``ALTER TABLE ... ADD COLUMN`` with an ``UPDATE``, then a new table filled from
``event``): a small wrapper adds them and runs the real CLI, whose ``migrate`` applies
them exactly as it will apply the next real migration.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from planner import db
from planner.curriculum import resolve_file
from planner.snapshot import digest_of, snapshot_of
from tests.conftest import FIXTURE_CURRICULA, FIXTURES, report
from tests.conftest import today as cli_today

pytestmark = pytest.mark.slow

PLANNER = [sys.executable, "-m", "planner"]
FIXTURE_DBS = FIXTURES / "db"
OLD_VERSIONS = sorted(int(p.stem[1:]) for p in FIXTURE_DBS.glob("v*.db"))
TEST_STEPS = 2  # test-only migrations the wrapper appends
SECOND_PLAN = "Zoë — second plan"

# Runs the real CLI with TEST_STEPS extra migrations after the real ones. Environment:
# TEST_UPTO=n keeps only migrations 1..n and only opens the database (migrating it as a
# planner of schema n would: today's commands need every real migration);
# TEST_KILL_AT_STEP=k SIGKILLs the process at the k-th "migration-after-step" fault
# point it reaches.
WRAPPER = r"""
import os, signal, sys
import sqlalchemy as sa
from planner import db, migrations

def m_test_event_source(conn):
    conn.execute(sa.text(
        "ALTER TABLE event ADD COLUMN test_source VARCHAR(20) NOT NULL DEFAULT 'cli'"))
    conn.execute(sa.text("UPDATE event SET test_source = 'plan' WHERE milestone_id = ''"))

def m_test_event_tag(conn):
    conn.execute(sa.text(
        "CREATE TABLE test_event_tag (event_id INTEGER NOT NULL REFERENCES event (id), "
        "tag VARCHAR(20) NOT NULL)"))
    conn.execute(sa.text("INSERT INTO test_event_tag SELECT id, kind FROM event"))

base = db.SCHEMA_VERSION
db.MIGRATIONS = [
    *db.MIGRATIONS,
    (base + 1, "m_test_event_source", m_test_event_source),
    (base + 2, "m_test_event_tag", m_test_event_tag),
]
upto = int(os.environ.get("TEST_UPTO", "0"))
if upto:
    db.MIGRATIONS = [m for m in db.MIGRATIONS if m[0] <= upto]
db.SCHEMA_VERSION = migrations.SCHEMA_VERSION = db.MIGRATIONS[-1][0]
if upto:
    db.open_database(sys.argv[sys.argv.index("--db") + 1]).engine.dispose()
    sys.exit(0)
kill_at = int(os.environ.get("TEST_KILL_AT_STEP", "0"))
reached = 0

def fault_point(name):
    global reached
    if name == "migration-after-step":
        reached += 1
        if reached == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

db.fault_point = fault_point
from planner.cli import main
sys.argv[0] = "planner"
main()
"""


# --------------------------------------------------------------------------- helpers


def env(**extra: str) -> dict[str, str]:
    out = {**os.environ, "PLANNER_CURRICULA_PATH": str(FIXTURE_CURRICULA), "COLUMNS": "100"}
    for name in ("PLANNER_FAULT", "PLANNER_DB", "PLANNER_DATABASE_URL", "PLANNER_PLAN"):
        out.pop(name, None)
    out.update(extra)
    return out


def planner(
    path: Path, *args: str, wrapped: bool = False, **extra: str
) -> subprocess.CompletedProcess[str]:
    program = [sys.executable, "-c", WRAPPER] if wrapped else PLANNER
    return subprocess.run(
        [*program, "--db", str(path), *args],
        env=env(**extra),
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=120,
    )


def at_once(commands: Sequence[list[str]], **extra: str) -> list[tuple[int, str, str]]:
    procs = [
        subprocess.Popen(
            command,
            env=env(**extra),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        for command in commands
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        results.append((proc.returncode, out, err))
    return results


def connect(path: Path) -> contextlib.closing[sqlite3.Connection]:
    return contextlib.closing(sqlite3.connect(path))


def progress(path: Path) -> tuple[int, int, str]:
    """(plans, events, sha256 of every plan and event row in schema 1's columns)."""
    with connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        plans = conn.execute(
            "SELECT id, name, roles, curriculum_versions, hours_per_week, start_date, "
            "known_skills, industry, created_at, last_used_at FROM plan ORDER BY id"
        ).fetchall()
        events = conn.execute(
            "SELECT id, plan_id, milestone_id, kind, at, on_date, hours, note "
            "FROM event ORDER BY id"
        ).fetchall()
    digest = hashlib.sha256(repr((plans, events)).encode("utf-8")).hexdigest()
    return len(plans), len(events), digest


# The event table's columns in each schema (migration 3 appended two).
EVENT_COLUMNS = {
    1: "id, plan_id, milestone_id, kind, at, on_date, hours, note",
    2: "id, plan_id, milestone_id, kind, at, on_date, hours, note",
    3: "id, plan_id, milestone_id, kind, at, on_date, hours, note, until_date, ref_id",
}


def every_row(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, all of its columns, by table."""
    with connect(path) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {
            table: conn.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall()  # noqa: S608
            for table in tables
        }


def versions(path: Path) -> list[tuple[int, int]]:
    with connect(path) as conn:
        return conn.execute(
            f"SELECT version, COUNT(*) FROM {db.MIGRATIONS_TABLE} GROUP BY version ORDER BY version"  # noqa: S608
        ).fetchall()


# Columns that say when a migration ran, so differ between two runs of the same one.
MOMENTS = {
    db.MIGRATIONS_TABLE: "version, name",
    "curriculum_snapshot": "digest, format, body, created_at IS NOT NULL",
}


def dump(path: Path) -> dict[str, Any]:
    """Schema and every row of every table (minus when each migration was applied)."""
    with connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        schema = conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        ).fetchall()
        tables = [name for kind, name, _, _ in schema if kind == "table"]
        rows = {}
        for table in tables:
            columns = MOMENTS.get(table, "*")
            rows[table] = sorted(
                conn.execute(f'SELECT {columns} FROM "{table}"').fetchall(),  # noqa: S608
                key=repr,
            )
    return {"schema": schema, "rows": rows}


def copy_of(version: int, folder: Path) -> Path:
    path = folder / f"v{version}.db"
    shutil.copyfile(FIXTURE_DBS / f"v{version}.db", path)
    return path


def kept_curricula(path: Path) -> tuple[dict[str, Any], dict[str, tuple[int, str]]]:
    """(plan name -> its curriculum_digests, decoded; digest -> (format, body))."""
    with connect(path) as conn:
        plans = {
            name: None if digests is None else json.loads(digests)
            for name, digests in conn.execute("SELECT name, curriculum_digests FROM plan")
        }
        snapshots = {
            digest: (form, body)
            for digest, form, body in conn.execute(
                "SELECT digest, format, body FROM curriculum_snapshot"
            )
        }
    return plans, snapshots


def tiny_role_snapshot() -> tuple[str, str]:
    """(digest, body) of tiny-role as tests/fixtures/curricula resolves it today."""
    snapshot = snapshot_of(resolve_file(FIXTURE_CURRICULA / "tiny-role.yaml"))
    return snapshot.digest, snapshot.body


def last_event_id(path: Path) -> int:
    with connect(path) as conn:
        return int(conn.execute("SELECT MAX(id) FROM event").fetchone()[0])


# --------------------------------------------------------------------------- the fixtures


def test_there_is_a_fixture_for_every_released_schema_version(tmp_path: Path) -> None:
    assert list(range(1, db.SCHEMA_VERSION + 1)) == OLD_VERSIONS
    spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURE_DBS / "make_fixtures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for version in OLD_VERSIONS:
        made = tmp_path / f"v{version}.db"
        module.FIXTURES[version](made)
        assert dump(made) == dump(FIXTURE_DBS / f"v{version}.db"), (
            f"v{version}.db is not what make_fixtures.py makes: released fixtures never change"
        )
        assert versions(made) == [(n, 1) for n in range(1, version + 1)]
    plans, events, _ = progress(FIXTURE_DBS / "v1.db")
    assert (plans, events) == (2, 40)
    plans, events, _ = progress(FIXTURE_DBS / "v2.db")
    assert (plans, events) == (3, 46)
    plans, events, _ = progress(FIXTURE_DBS / "v3.db")
    assert (plans, events) == (4, 63)
    # schema 2: every plan names one stored snapshot per role, each intact; two plans
    # keeping the same curriculum share one
    kept, snapshots = kept_curricula(FIXTURE_DBS / "v2.db")
    assert len(snapshots) == 2
    assert all(
        digest_of(body) == digest and form == 1 for digest, (form, body) in snapshots.items()
    )
    assert {d for digests in kept.values() for d in digests.values()} == set(snapshots)
    assert kept["tiny-role"] == kept["Zoë — second plan"] != kept["ältere Ausgabe — kept edition"]
    # schema 3: v2's rows as the upgrade left them, then study entries, time off and
    # retractions, each naming an earlier entry of its plan, with the entry's milestone
    with connect(FIXTURE_DBS / "v2.db") as conn:
        v2_events = conn.execute(f"SELECT {EVENT_COLUMNS[2]} FROM event ORDER BY id").fetchall()  # noqa: S608
    with connect(FIXTURE_DBS / "v3.db") as conn:
        v3_events = conn.execute(f"SELECT {EVENT_COLUMNS[3]} FROM event ORDER BY id").fetchall()  # noqa: S608
    assert [row[:8] for row in v3_events[:46]] == v2_events
    assert all(row[8:] == (None, None) for row in v3_events[:46])
    by_id = {row[0]: row for row in v3_events}
    kinds = [row[3] for row in v3_events[46:]]
    assert {kind: kinds.count(kind) for kind in ("studied", "away", "retracted")} == {
        "studied": 6,
        "away": 4,
        "retracted": 4,
    }
    for row in v3_events[46:]:
        if row[3] == "retracted":
            target = by_id[row[9]]
            assert target[0] < row[0] and target[3] in ("studied", "away")
            assert (target[1], target[2]) == (row[1], row[2])
        if row[3] == "away":
            assert row[2] == "" and row[5] <= row[8] and row[6] is not None


# --------------------------------------------------------------------------- upgrades


@pytest.mark.parametrize("version", OLD_VERSIONS)
def test_opening_an_old_database_keeps_every_row(tmp_path: Path, version: int) -> None:
    path = copy_of(version, tmp_path)
    before = progress(path)
    last = last_event_id(path)
    for args in (
        ["status"],
        ["--plan", SECOND_PLAN, "log", "--json"],
        ["doctor"],
        ["plans", "--json"],
    ):
        result = planner(path, *args)
        assert result.returncode == 0, (args, result.stderr)
        assert result.stderr == ""
    after = progress(path)
    figure = (
        f"opening a schema-{version} database: {after[0]} of {before[0]} plans and "
        f"{after[1]} of {before[1]} events kept, checksum "
        f"{'equal' if after == before else 'CHANGED'}"
    )
    report(figure)
    assert after == before, figure
    assert versions(path) == [(n, 1) for n in range(1, db.SCHEMA_VERSION + 1)]
    kept, snapshots = kept_curricula(path)
    assert all(kept.values()), kept  # every plan keeps its curriculum now
    assert {d for digests in kept.values() for d in digests.values()} == set(snapshots)
    done = planner(path, "done", "first-model", "--note", "after the upgrade ✓")
    assert done.returncode == 0, done.stderr
    studied = planner(path, "study", "stats-basics", "1h15m", "--note", "studied after it")
    assert studied.returncode == 0, studied.stderr
    taken_back = planner(path, "undo", "stats-basics")
    assert taken_back.returncode == 0, taken_back.stderr
    with connect(path) as conn:
        newest = conn.execute(
            "SELECT id, milestone_id, kind, hours, note, ref_id FROM event WHERE id > ?",
            (last,),
        ).fetchall()
    assert [row[1:5] for row in newest] == [
        ("first-model", "done", None, "after the upgrade ✓"),
        ("stats-basics", "studied", 1.25, "studied after it"),
        ("stats-basics", "retracted", None, None),
    ]
    assert newest[2][5] == newest[1][0]  # the retraction names the entry


@pytest.mark.parametrize("version", [v for v in OLD_VERSIONS if v < 3])
def test_migration_3_keeps_every_row(tmp_path: Path, version: int) -> None:
    """From schema 1 and 2 to schema 3 (checked against the old file alone): every row
    of every table is kept, the events' new columns are null, and study and time off
    are recorded at once."""
    path = copy_of(version, tmp_path)
    before = every_row(path)
    result = planner(path, "plans")
    assert result.returncode == 0, result.stderr
    after = every_row(path)
    assert versions(path) == [(n, 1) for n in range(1, db.SCHEMA_VERSION + 1)]
    assert db.SCHEMA_VERSION >= 3
    with connect(path) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(event)")]
        query = f"SELECT {EVENT_COLUMNS[version]} FROM event ORDER BY id"  # noqa: S608
        old = conn.execute(query).fetchall()
        new = conn.execute("SELECT until_date, ref_id FROM event").fetchall()
    assert columns == EVENT_COLUMNS[3].split(", ")  # appended at the end
    assert old == before["event"]
    assert new == [(None, None)] * len(before["event"])
    width = len(before["plan"][0])  # m002 appended a column to the plan table
    assert [row[:width] for row in after["plan"]] == before["plan"]
    migrations = before["planner_migration"]
    assert after["planner_migration"][: len(migrations)] == migrations
    if version == 2:
        assert after["curriculum_snapshot"] == before["curriculum_snapshot"]
    last = last_event_id(path)
    today = cli_today()
    for args in (
        ["study", "stats-basics", "45m", "--on", today.isoformat()],
        ["away", (today + timedelta(days=3)).isoformat(), (today + timedelta(days=9)).isoformat()],
    ):
        result = planner(path, *args)
        assert result.returncode == 0, (args, result.stderr)
    with connect(path) as conn:
        added = conn.execute(
            "SELECT milestone_id, kind, on_date, until_date, hours FROM event WHERE id > ?",
            (last,),
        ).fetchall()
    assert added == [
        ("stats-basics", "studied", today.isoformat(), None, 0.75),
        (
            "",
            "away",
            (today + timedelta(days=3)).isoformat(),
            (today + timedelta(days=9)).isoformat(),
            0.0,
        ),
    ]
    report(
        f"migration 3 from schema {version}: {len(old)} of {len(before['event'])} events and "
        f"{len(after['plan'])} of {len(before['plan'])} plans kept, every new column null"
    )


@pytest.mark.parametrize("version", OLD_VERSIONS)
def test_upgrade_with_test_migrations_keeps_every_row(tmp_path: Path, version: int) -> None:
    path = copy_of(version, tmp_path)
    before = progress(path)
    with connect(path) as conn:
        plan_events, total = conn.execute(
            "SELECT SUM(milestone_id = ''), COUNT(*) FROM event"
        ).fetchone()
    result = planner(path, "status", wrapped=True)
    assert result.returncode == 0, result.stderr
    assert progress(path) == before
    top = db.SCHEMA_VERSION + TEST_STEPS
    assert versions(path) == [(n, 1) for n in range(1, top + 1)]
    with connect(path) as conn:
        sources = conn.execute("SELECT test_source, COUNT(*) FROM event GROUP BY 1").fetchall()
        tags = conn.execute("SELECT COUNT(*) FROM test_event_tag").fetchone()[0]
    assert sorted(sources) == [("cli", total - plan_events), ("plan", plan_events)]
    assert plan_events >= 2
    assert tags == total


@pytest.mark.parametrize("start", OLD_VERSIONS)
def test_interrupted_upgrade_leaves_each_step_whole(tmp_path: Path, start: int) -> None:
    """Killed after each pending step's changes: that step is not there at all, the
    ones before it are complete, and a rerun finishes the upgrade with nothing lost.
    From schema 1 the first step killed is m002, half-way through storing snapshots."""
    top = db.SCHEMA_VERSION + TEST_STEPS
    references: dict[int, dict[str, Any]] = {}
    for upto in range(start, top + 1):  # the database as a planner of schema `upto` leaves it
        folder = tmp_path / f"upto-{upto}"
        folder.mkdir()
        reference = copy_of(start, folder)
        if upto > start:
            made = planner(reference, "status", wrapped=True, TEST_UPTO=str(upto))
            assert made.returncode == 0, made.stderr
        references[upto] = dump(reference)
    outcomes = []
    for step in range(1, top - start + 1):
        folder = tmp_path / f"kill-{step}"
        folder.mkdir()
        path = copy_of(start, folder)
        before = progress(path)
        killed = planner(path, "status", wrapped=True, TEST_KILL_AT_STEP=str(step))
        assert killed.returncode == -9, (step, killed.returncode, killed.stderr)
        reached = start + step - 1  # steps before the killed one committed
        assert versions(path) == [(n, 1) for n in range(1, reached + 1)]
        assert dump(path) == references[reached], f"killed in step {step}: not a whole version"
        assert progress(path) == before
        rerun = planner(path, "status", wrapped=True)
        assert rerun.returncode == 0, rerun.stderr
        assert dump(path) == references[top]
        assert progress(path) == before
        outcomes.append(step)
    if start < 2:  # m002 ran: each plan keeps its curriculum
        kept, snapshots = kept_curricula(path)
        assert len(snapshots) == 1
        assert all(digests == {"tiny-role": next(iter(snapshots))} for digests in kept.values())
    if start < 3:  # m003 ran: the events' new columns, null
        with connect(path) as conn:
            new = conn.execute("SELECT until_date, ref_id FROM event").fetchall()
        assert new == [(None, None)] * before[1]
    report(
        f"interrupted upgrade from schema {start}: {len(outcomes)} of {top - start} steps "
        "killed mid-step left the previous version whole, and a rerun completed it with "
        "progress identical"
    )


def test_crash_while_creating_a_database_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "home" / "planner.db"
    killed = planner(path, "start", "tiny-role", PLANNER_FAULT="migration-after-step")
    assert killed.returncode == -9, killed.stderr
    assert not path.exists(), "a half-made database was left where the real one belongs"
    leftovers = sorted(p.name for p in path.parent.iterdir())
    pattern = re.compile(r"^\.planner\.db\.[0-9a-f]{32}\.tmp(-wal|-shm)?$")
    assert leftovers, "the kill should have left the temporary file behind"
    assert all(pattern.match(name) for name in leftovers), leftovers
    rerun = planner(path, "start", "tiny-role")
    assert rerun.returncode == 0, rerun.stderr
    assert versions(path) == [(n, 1) for n in range(1, db.SCHEMA_VERSION + 1)]
    assert progress(path)[:2] == (1, 0)


# --------------------------------------------------------------------------- racing starts


def test_processes_starting_at_once_apply_each_migration_once(tmp_path: Path) -> None:
    rounds, ok = 3, 0
    for number in range(rounds):
        path = tmp_path / f"round{number}" / "planner.db"
        results = at_once(
            [
                [*PLANNER, "--db", str(path), "start", "tiny-role", "--name", f"p{i}"]
                for i in range(4)
            ]
        )
        assert all(code == 0 for code, _, _ in results), results
        assert versions(path) == [(n, 1) for n in range(1, db.SCHEMA_VERSION + 1)]
        assert progress(path)[:2] == (4, 0)
        assert (
            sorted(p.name for p in path.parent.iterdir() if not p.name.startswith("planner.db"))
            == []
        )
        ok += 1
    upgraded = 0
    for version in OLD_VERSIONS:
        path = copy_of(version, tmp_path)
        before = progress(path)
        kept_before, snapshots_before = kept_curricula(path) if version > 1 else ({}, {})
        results = at_once(
            [[sys.executable, "-c", WRAPPER, "--db", str(path), "status"] for _ in range(4)]
        )
        assert all(code == 0 for code, _, _ in results), results
        top = db.SCHEMA_VERSION + TEST_STEPS
        assert versions(path) == [(n, 1) for n in range(1, top + 1)]
        assert progress(path) == before
        with connect(path) as conn:
            assert conn.execute("SELECT COUNT(*) FROM test_event_tag").fetchone()[0] == before[1]
        kept, snapshots = kept_curricula(path)
        if version == 1:  # m002 ran once: one snapshot, both plans naming it
            (digest,) = snapshots
            assert digest == tiny_role_snapshot()[0]
            assert list(kept.values()) == [{"tiny-role": digest}] * len(kept)
        else:
            assert (kept, snapshots) == (kept_before, snapshots_before)
        upgraded += 1
    report(
        f"four processes at once: {ok} of {rounds} fresh databases and {upgraded} of "
        f"{len(OLD_VERSIONS)} upgrades of old fixtures applied each migration exactly once"
    )


# --------------------------------------------------------------------------- m002


def test_upgrading_schema_1_keeps_each_plans_curriculum(tmp_path: Path) -> None:
    """Every plan gets a snapshot of the curriculum its roles resolve to when the
    database is upgraded (one row for the role both plans use), and reads it from then
    on: without any curriculum file the plans read exactly as before."""
    path = copy_of(1, tmp_path)
    before = progress(path)
    names = ["tiny-role", SECOND_PLAN]
    with_files = [planner(path, "--plan", name, "status", "--json") for name in names]
    assert all(r.returncode == 0 for r in with_files), [r.stderr for r in with_files]
    digest, body = tiny_role_snapshot()
    kept, snapshots = kept_curricula(path)
    assert kept == {name: {"tiny-role": digest} for name in names}
    assert snapshots == {digest: (1, body)}
    assert progress(path) == before
    nothing = tmp_path / "no-curricula"
    nothing.mkdir()
    for name, earlier in zip(names, with_files, strict=True):
        alone = planner(
            path, "--plan", name, "status", "--json", PLANNER_CURRICULA_PATH=str(nothing)
        )
        assert alone.returncode == 0, alone.stderr
        assert json.loads(alone.stdout) == json.loads(earlier.stdout)
    doctor = planner(path, "doctor", PLANNER_CURRICULA_PATH=str(nothing))
    assert doctor.returncode == 0, doctor.stdout
    assert "FAIL" not in doctor.stdout
    assert "keeps no copy of its curriculum" not in doctor.stdout


GONE = "gone plan ✗"
HALF_GONE = "half gone"


def add_schema_1_plans(path: Path) -> None:
    """Two more plans as planner 1 stored them, with events: one whose only role has no
    curriculum file any more, one with tiny-role and that gone role."""
    stamp = "2026-01-21 10:{:02d}:00.000000"
    with connect(path) as conn:
        conn.executemany(
            "INSERT INTO plan VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    plan_id,
                    name,
                    json.dumps(roles),
                    json.dumps(dict.fromkeys(roles, 1)),
                    5.0,
                    "2026-01-19",
                    json.dumps([]),
                    None,
                    stamp.format(plan_id),
                    stamp.format(plan_id),
                )
                for plan_id, name, roles in [
                    (3, GONE, ["gone-role"]),
                    (4, HALF_GONE, ["tiny-role", "gone-role"]),
                ]
            ],
        )
        conn.executemany(
            "INSERT INTO event VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (41, 3, "python-basics", "done", stamp.format(30), "2026-01-20", 2.0, "kept ✓"),
                (42, 3, "gone-milestone", "note", stamp.format(31), None, None, "still here"),
                (43, 3, "", "replanned", stamp.format(32), "2026-01-21", 2.0, "5 -> 6"),
                (44, 4, "first-model", "skipped", stamp.format(33), None, None, None),
            ],
        )
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def test_a_schema_1_plan_whose_curriculum_is_gone_is_kept(tmp_path: Path) -> None:
    """A plan whose roles do not resolve when the database is upgraded keeps every row
    and no snapshot; doctor says how to fix it, and the other plans work as before."""
    path = copy_of(1, tmp_path)
    add_schema_1_plans(path)
    before = progress(path)
    listed = planner(path, "plans")
    assert listed.returncode == 0, listed.stderr
    for name in ("tiny-role", SECOND_PLAN, GONE, HALF_GONE):
        assert name in listed.stdout, listed.stdout
    assert progress(path) == before  # every plan and event kept, unchanged
    assert versions(path) == [(n, 1) for n in range(1, db.SCHEMA_VERSION + 1)]
    digest, _ = tiny_role_snapshot()
    kept, snapshots = kept_curricula(path)
    assert kept == {
        "tiny-role": {"tiny-role": digest},
        SECOND_PLAN: {"tiny-role": digest},
        GONE: None,
        HALF_GONE: None,
    }
    assert list(snapshots) == [digest]

    as_json = planner(path, "plans", "--json")
    assert as_json.returncode == 0, as_json.stderr
    by_name = {p["name"]: p for p in json.loads(as_json.stdout)}
    assert set(by_name) == {"tiny-role", SECOND_PLAN, GONE, HALF_GONE}
    for name in (GONE, HALF_GONE):
        assert "gone-role" in by_name[name]["unreadable"]
        assert "upgrade" in by_name[name]["unreadable"]
    assert by_name["tiny-role"]["progress"]["percent"] > 0

    doctor = planner(path, "doctor")
    # each check: a line of its own, wrapped lines indented under it, then "fix: ..."
    checks = [" ".join(c.split()) for c in re.split(r"\n(?=\S)", doctor.stdout)]
    for name in (GONE, HALF_GONE):
        (check,) = [c for c in checks if re.match(rf"[A-Z]+ plan '{re.escape(name)}': ", c)]
        assert check.startswith(("WARN", "FAIL")), check
        finding, fix = check.split(" fix: ")
        assert "gone-role" in finding
        assert f"planner --plan '{name}' upgrade" in fix
    assert doctor.returncode == (6 if "FAIL" in doctor.stdout else 0), doctor.stdout

    for name in ("tiny-role", SECOND_PLAN):
        works = planner(path, "--plan", name, "status")
        assert works.returncode == 0, works.stderr
    done = planner(path, "--plan", SECOND_PLAN, "note", "python-basics", "still fine")
    assert done.returncode == 0, done.stderr
    refused = planner(path, "--plan", GONE, "status")
    assert refused.returncode == 6, refused.stderr
    (line,) = refused.stderr.splitlines()
    assert line.startswith(f"Error: Plan '{GONE}' cannot be read")

    # the fix doctor gives: the file back on the search path, then `upgrade`
    back = tmp_path / "back"
    back.mkdir()
    text = (FIXTURE_CURRICULA / "tiny-role.yaml").read_text(encoding="utf-8")
    (back / "gone-role.yaml").write_text(
        text.replace("id: tiny-role", "id: gone-role").replace("Tiny Role", "Gone Role"),
        encoding="utf-8",
    )
    search = os.pathsep.join([str(FIXTURE_CURRICULA), str(back)])
    for name in (GONE, HALF_GONE):
        fixed = planner(path, "--plan", name, "upgrade", PLANNER_CURRICULA_PATH=search)
        assert fixed.returncode == 0, fixed.stderr
    kept, snapshots = kept_curricula(path)
    assert all(kept.values()), kept
    assert kept[HALF_GONE]["tiny-role"] == digest
    assert kept[GONE]["gone-role"] == kept[HALF_GONE]["gone-role"]
    assert len(snapshots) == 2
    healthy = planner(path, "doctor", PLANNER_CURRICULA_PATH=str(tmp_path / "none"))
    assert healthy.returncode == 0, healthy.stdout
    assert "FAIL" not in healthy.stdout


# --------------------------------------------------------------------------- newer files


@pytest.mark.parametrize("version", OLD_VERSIONS)
def test_database_from_a_newer_planner_is_refused_byte_for_byte(
    tmp_path: Path, version: int
) -> None:
    path = copy_of(version, tmp_path)
    with connect(path) as conn:
        conn.execute(
            f"INSERT INTO {db.MIGRATIONS_TABLE} VALUES (?, 'm999_future', '2030-01-01')",  # noqa: S608
            (db.SCHEMA_VERSION + 1,),
        )
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    wal = Path(f"{path}-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    before = path.read_bytes()
    commands = [
        ["status"],
        ["done", "python-basics"],
        ["study", "python-basics", "1h"],
        ["away", "2027-01-04", "2027-01-08"],
        ["start", "tiny-role", "--name", "another"],
        ["note", "python-basics", "hello"],
        ["doctor"],
    ]
    results = at_once([[*PLANNER, "--db", str(path), *args] for args in commands])
    for args, (code, _out, err) in zip(commands, results, strict=True):
        assert code == 6, (args, code, err)
        assert "was written by a newer planner" in err, err
        assert str(path) in err
        assert "Traceback" not in err
    assert path.read_bytes() == before
    assert not wal.exists() or wal.stat().st_size == 0, "changes were left in the -wal file"
