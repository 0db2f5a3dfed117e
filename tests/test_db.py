"""The database layer against real SQLite files: migrations, refusals, concurrency."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from planner import db
from planner.errors import DatabaseError
from tests.conftest import FIXTURE_CURRICULA, Run

REPO = Path(__file__).resolve().parents[1]


def _columns(inspector: sa.Inspector, table: str) -> dict[str, tuple[object, ...]]:
    """name -> (type affinity, length of a VARCHAR, nullable); not their order."""
    out: dict[str, tuple[object, ...]] = {}
    for column in inspector.get_columns(table):
        affinity = column["type"]._type_affinity  # noqa: SLF001
        length = getattr(column["type"], "length", None)
        out[column["name"]] = (getattr(affinity, "__name__", affinity), length, column["nullable"])
    return out


def _shape(engine: sa.Engine, tables: list[str]) -> dict[str, object]:
    inspector = sa.inspect(engine)
    return {
        table: {
            "columns": _columns(inspector, table),
            "pk": inspector.get_pk_constraint(table)["constrained_columns"],
            "fks": sorted(
                (
                    tuple(fk["constrained_columns"]),
                    fk["referred_table"],
                    (fk.get("options") or {}).get("ondelete"),
                )
                for fk in inspector.get_foreign_keys(table)
            ),
            "unique": sorted(
                tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)
            )
            + sorted(tuple(i["column_names"]) for i in inspector.get_indexes(table) if i["unique"]),
            "indexes": sorted(
                tuple(i["column_names"]) for i in inspector.get_indexes(table) if not i["unique"]
            ),
        }
        for table in tables
    }


def test_migrated_database_equals_the_models(tmp_path: Path) -> None:
    """Built by the migrations, a new database and one upgraded from each released
    schema have the tables the models describe: columns (type, length, nullable),
    keys, unique constraints and indexes. Column order is not compared: a migration
    that adds a column (m002's plan.curriculum_digests) appends it at the end."""
    import shutil

    from sqlmodel import SQLModel

    import planner.tracker  # noqa: F401  (registers the tables)

    migrated = sa.create_engine(f"sqlite:///{tmp_path / 'migrated.db'}")
    db.migrate(migrated, "migrated.db")
    created = sa.create_engine(f"sqlite:///{tmp_path / 'models.db'}")
    SQLModel.metadata.create_all(created)
    tables = sorted(SQLModel.metadata.tables)
    assert tables == ["calendar_entry", "curriculum_snapshot", "event", "plan"]
    assert _shape(migrated, tables) == _shape(created, tables)
    with migrated.connect() as conn:
        rows = conn.execute(sa.text("SELECT version, name FROM planner_migration")).all()
    assert [tuple(r) for r in rows] == [(n, name) for n, name, _ in db.MIGRATIONS]
    assert sorted(sa.inspect(migrated).get_table_names()) == sorted([*tables, db.MIGRATIONS_TABLE])
    fixtures = sorted((REPO / "tests" / "fixtures" / "db").glob("v*.db"))
    assert [f.name for f in fixtures] == [f"v{n}.db" for n in range(1, db.SCHEMA_VERSION + 1)]
    for fixture in fixtures:
        upgraded_path = tmp_path / fixture.name
        shutil.copyfile(fixture, upgraded_path)
        upgraded = sa.create_engine(f"sqlite:///{upgraded_path}")
        db.migrate(upgraded, fixture.name)
        assert _shape(upgraded, tables) == _shape(created, tables), fixture.name


def test_migrating_twice_applies_each_step_once(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    db.migrate(engine, "x")
    db.migrate(engine, "x")
    with engine.connect() as conn:
        count = conn.execute(sa.text("SELECT COUNT(*) FROM planner_migration")).scalar()
    assert count == len(db.MIGRATIONS)


def test_new_database_uses_wal_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    path = tmp_path / "home" / "planner.db"
    database = db.open_database(str(path))
    database.engine.dispose()
    assert sorted(
        p.name for p in path.parent.iterdir() if not p.name.startswith("planner.db-")
    ) == ["planner.db"]
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_connections_have_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    database = db.open_database(str(tmp_path / "x.db"))
    with database.write() as session:
        conn = session.connection()
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty (0 bytes), not a planner database"),
        (b"hello, I am a text file\n", "is not a SQLite database"),
        (os.urandom(4096), "is not a SQLite database"),
        (b"SQLite format 3\x00" + b"\x00" * 50, "is damaged or not a planner database"),
    ],
)
def test_foreign_or_damaged_files_are_refused_untouched(
    cli: Run, tmp_path: Path, content: bytes, message: str, fixture_curricula: Path
) -> None:
    path = tmp_path / "planner.db"
    path.write_bytes(content)
    for args in (["start", "tiny-role"], ["status"], ["done", "x"], ["plans"]):
        result = cli("--db", str(path), *args)
        assert result.exit_code == 6, (args, result.stderr)
        assert str(path) in result.stderr
        assert message in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert path.read_bytes() == content


def test_truncated_database_is_refused_untouched(
    cli: Run, tmp_path: Path, fixture_curricula: Path
) -> None:
    path = tmp_path / "planner.db"
    cli("--db", str(path), "start", "tiny-role")
    cli("--db", str(path), "done", "python-basics")
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = path.read_bytes()[:3000]
    path.write_bytes(data)
    for leftover in tmp_path.glob("planner.db-*"):
        leftover.unlink()
    result = cli("--db", str(path), "status")
    assert result.exit_code == 6
    assert "damaged or not a planner database" in result.stderr
    assert path.read_bytes() == data


def test_a_directory_is_refused(cli: Run, tmp_path: Path, planner_home: Path) -> None:
    result = cli("--db", str(tmp_path), "status")  # a usage error: --db names a file
    assert result.exit_code == 2
    assert f"--db {tmp_path} is a folder; give a database file in it" in result.stderr
    folder = planner_home / "planner.db"  # where the database should be: a folder
    folder.mkdir(parents=True)
    result = cli("status")
    assert result.exit_code == 6
    assert f"{folder} is a folder, not a planner database" in result.stderr


def test_another_programs_database_is_refused_untouched(
    cli: Run, tmp_path: Path, fixture_curricula: Path
) -> None:
    path = tmp_path / "other.db"
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.commit()
    before = path.read_bytes()
    result = cli("--db", str(path), "start", "tiny-role")
    assert result.exit_code == 6
    assert "is a database of another program (tables: notes)" in result.stderr
    assert path.read_bytes() == before


def test_database_from_a_newer_planner_is_refused_untouched(
    cli: Run, tmp_path: Path, fixture_curricula: Path
) -> None:
    path = tmp_path / "planner.db"
    cli("--db", str(path), "start", "tiny-role")
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute(
            "INSERT INTO planner_migration VALUES (?, 'm999_future', '2030-01-01')",
            (db.SCHEMA_VERSION + 1,),
        )
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = path.read_bytes()
    result = cli("--db", str(path), "done", "python-basics")
    assert result.exit_code == 6
    assert "was written by a newer planner" in result.stderr
    assert path.read_bytes() == before


@contextlib.contextmanager
def read_only_folder(folder: Path) -> Iterator[None]:
    """Make ``folder`` read-only, even for root (a read-only tmpfs mount)."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    yield from _read_only_mount(folder)


def _read_only_mount(folder: Path) -> Iterator[None]:
    saved = {p.name: p.read_bytes() for p in folder.iterdir()}
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a read-only folder here: {mounted.stderr.decode().strip()}")
    try:
        for name, data in saved.items():
            (folder / name).write_bytes(data)
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def test_read_only_folder_gives_a_plain_message(
    cli: Run, tmp_path: Path, fixture_curricula: Path
) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "planner.db"
    cli("--db", str(path), "start", "tiny-role")
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = path.read_bytes()
    with read_only_folder(folder):
        result = cli("--db", str(path), "done", "python-basics")
        assert result.exit_code == 6, result.stderr
        assert "read-only" in result.stderr or "Cannot open" in result.stderr
        assert "disk I/O error" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert path.read_bytes() == before
        new = cli("--db", str(folder / "sub" / "new.db"), "start", "tiny-role")
        assert new.exit_code == 6
        assert "Cannot create the folder" in new.stderr


@pytest.mark.slow
def test_processes_marking_done_and_studying_at_once_all_succeed(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PLANNER_CURRICULA_PATH": str(FIXTURE_CURRICULA),
        "PLANNER_DB": str(tmp_path / "planner.db"),
    }
    run = [sys.executable, "-m", "planner"]
    subprocess.run([*run, "start", "tiny-role"], env=env, check=True, capture_output=True)
    ids = ["python-basics", "stats-basics", "first-model", "deploy-model"]
    for _ in range(3):
        procs = [
            subprocess.Popen(
                [*run, "done", mid],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=tmp_path,
            )
            for mid in ids
        ]
        outcomes = [(p.wait(), p.stderr.read().decode()) for p in procs]  # type: ignore[union-attr]
        assert all(code == 0 for code, _ in outcomes), outcomes
        undo = subprocess.run([*run, "undo", *ids], env=env, capture_output=True, check=True)
        assert undo.returncode == 0
        procs = [  # and study time on each, at once
            subprocess.Popen(
                [*run, "study", mid, "20m"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=tmp_path,
            )
            for mid in ids
        ]
        outcomes = [(p.wait(), p.stderr.read().decode()) for p in procs]  # type: ignore[union-attr]
        assert all(code == 0 for code, _ in outcomes), outcomes
    with contextlib.closing(sqlite3.connect(tmp_path / "planner.db")) as conn:
        kinds = conn.execute(
            "SELECT kind, COUNT(*), SUM(hours) FROM event GROUP BY kind ORDER BY kind"
        ).fetchall()
        assert [(kind, count) for kind, count, _ in kinds] == [
            ("done", 12),
            ("studied", 12),
            ("undone", 12),
        ]
        assert round(kinds[1][2] * 60) == 12 * 20
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_database_error_messages_are_plain() -> None:
    class Fake(sqlite3.OperationalError):
        pass

    assert "disk is full" in db._plain(Fake("database or disk is full"), "x").message  # noqa: SLF001
    assert "busy" in db._plain(Fake("database is locked"), "x").message  # noqa: SLF001
    assert "I/O error" in db._plain(Fake("disk I/O error"), "x").message  # noqa: SLF001
    assert isinstance(db._plain(Fake("whatever"), "x"), DatabaseError)  # noqa: SLF001
