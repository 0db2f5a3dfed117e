"""Paths: what --db and PLANNER_DB accept, databases in read-only folders, backup names
that never clash, and an interrupted write that says what it left."""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_CURRICULA, START, Run

# --------------------------------------------------------------------------- --db


@pytest.mark.parametrize(
    ("given", "says"),
    [
        (
            "newdir/",
            "--db newdir/ ends with '/', so it names a folder; give a database file in "
            "it, e.g. --db newdir/planner.db.",
        ),
        ("", "--db is empty; give a database file, e.g. --db ~/planner.db"),
        (
            "existing",
            "--db existing is a folder; give a database file in it, e.g. --db existing/planner.db.",
        ),
    ],
)
def test_db_that_is_not_a_file_is_refused(
    cli: Run,
    tmp_path: Path,
    fixture_curricula: Path,
    monkeypatch: pytest.MonkeyPatch,
    given: str,
    says: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "existing").mkdir()
    for command in (["start", "tiny-role"], ["status"]):
        result = cli("--db", given, *command)
        assert result.exit_code == 2, result.stdout
        assert result.stderr.startswith(f"Error: {says}")
        assert len(result.stderr.splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing"]  # nothing created
    assert not (tmp_path / "planner-home").exists()  # nor the default database


def test_planner_db_that_names_a_folder_is_refused(
    cli: Run, tmp_path: Path, fixture_curricula: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PLANNER_DB", "newdir/")
    result = cli("start", "tiny-role")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: PLANNER_DB=newdir/ ends with '/', so it names a folder; give a database "
        "file in it, e.g. PLANNER_DB=newdir/planner.db.\n"
    )
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setenv("PLANNER_DB", "")  # empty: unset, the default database
    assert cli("start", "tiny-role").exit_code == 0
    assert (tmp_path / "planner-home" / "planner.db").is_file()


# --------------------------------------------------------------------------- read-only

READING = [
    ["status"],
    ["next"],
    ["plan"],
    ["plans"],
    ["log"],
    ["team"],
    ["projects"],
    ["export", "json"],
]


def _plan_with_history(cli: Run, db: Path) -> None:
    assert cli("--db", str(db), "start", "tiny-role", "--start", START.isoformat()).exit_code == 0
    assert cli("--db", str(db), "done", "python-basics", "--on", "2026-01-06").exit_code == 0
    assert cli("--db", str(db), "study", "stats-basics", "1h").exit_code == 0


def _settle(db: Path) -> None:
    """Leave the database file alone in its folder, as planner does when the last
    connection closes: no -wal or -shm file."""
    gc.collect()  # connections the commands left for the garbage collector to close
    with contextlib.closing(sqlite3.connect(db)) as conn:  # the last to close: no -wal left
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert sorted(p.name for p in db.parent.iterdir()) == [db.name]


def _outputs(cli: Run, db: Path) -> list[str]:
    outputs = []
    for command in READING:
        result = cli("--db", str(db), *command)
        assert result.exit_code == 0, (command, result.stderr)
        lines = result.stdout.splitlines()
        outputs.append("\n".join(line for line in lines if '"exported_at"' not in line))
    return outputs


def test_a_database_in_a_read_only_folder_is_read_and_never_written(
    cli: Run, tmp_path: Path, fixture_curricula: Path
) -> None:
    from planner import fastread, store
    from tests.test_db import read_only_folder

    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "planner.db"
    _plan_with_history(cli, db)
    expected = _outputs(cli, db)
    _settle(db)
    before = db.read_bytes()
    with read_only_folder(folder):
        assert _outputs(cli, db) == expected
        # both read paths, not only the first
        assert fastread.attempt(str(db), lambda r: len(r.plans())) == 1
        assert store.read_fully(str(db), lambda r: len(r.plans())) == 1
        for command in (["done", "stats-basics"], ["study", "stats-basics", "1h"], ["migrate"]):
            result = cli("--db", str(db), *command)
            if command == ["migrate"]:  # nothing to do, so nothing to write
                assert result.exit_code == 0, result.stderr
                continue
            assert result.exit_code == 6, result.stderr
            assert result.stderr == (
                f"Error: Cannot write to {db}: the file or its folder is read-only. Nothing "
                "was changed. Make it writable, or use --db to choose another file.\n"
            )
        backup = cli("--db", str(db), "backup")  # beside it: no
        assert backup.exit_code == 2
        assert backup.stderr == (
            f"Error: Cannot write a backup in {folder}: the folder is not writable. Choose a "
            "writable place with --output.\n"
        )
        elsewhere = cli("--db", str(db), "backup", "--output", str(tmp_path / "copy.db"))
        assert elsewhere.exit_code == 0, elsewhere.stderr
        doctor = cli("--db", str(db), "doctor")
        assert "read-only (the file or its folder)" in doctor.stdout
        assert sorted(p.name for p in folder.iterdir()) == [db.name]
        assert db.read_bytes() == before


def test_changes_pending_in_the_wal_are_read_in_a_read_only_folder(
    cli: Run, tmp_path: Path, fixture_curricula: Path
) -> None:
    """A -wal with changes and its -shm beside the file: read as they are (not skipped,
    as an immutable open would)."""
    from tests.test_db import read_only_folder

    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "planner.db"
    _plan_with_history(cli, db)
    writer = sqlite3.connect(db)
    try:
        writer.execute("PRAGMA wal_autocheckpoint=0")
        writer.execute("UPDATE plan SET hours_per_week = 3")
        writer.commit()
        assert Path(f"{db}-wal").stat().st_size > 0
        with read_only_folder(folder):
            result = cli("--db", str(db), "status", "--json")
            assert result.exit_code == 0, result.stderr
            assert '"hours_per_week": 3' in result.stdout
    finally:
        writer.close()


def test_pending_changes_a_read_only_folder_hides_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from planner.errors import DatabaseError
    from planner.sqlite_file import read_only_uri

    db = tmp_path / "planner.db"
    db.write_bytes(b"")
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: p != db.parent and real_access(p, mode))
    assert read_only_uri(db).endswith("?mode=ro&immutable=1")
    Path(f"{db}-wal").write_bytes(b"")  # empty: nothing pending
    assert read_only_uri(db).endswith("?mode=ro&immutable=1")
    Path(f"{db}-wal").write_bytes(b"x" * 32)
    with pytest.raises(DatabaseError, match="planner.db-wal beside it holds changes"):
        read_only_uri(db)
    Path(f"{db}-shm").write_bytes(b"")
    assert read_only_uri(db).endswith("?mode=ro")  # SQLite reads both as they are


# --------------------------------------------------------------------------- backup names

SAME_SECOND = datetime(2026, 3, 10, 9, 5, 7)


def test_backups_in_the_same_second_take_numbered_names(
    cli: Run, tmp_path: Path, fixture_curricula: Path
) -> None:
    from planner.backup import backup_database

    db = tmp_path / "planner.db"
    _plan_with_history(cli, db)
    made = [backup_database(db=str(db), output=None, now=SAME_SECOND).path for _ in range(3)]
    assert [p.name for p in made] == [
        "planner-backup-20260310-090507.db",
        "planner-backup-20260310-090507-2.db",
        "planner-backup-20260310-090507-3.db",
    ]
    for path in made:
        assert cli("--db", str(path), "log").stdout == cli("--db", str(db), "log").stdout
    assert not list(tmp_path.glob(".*.tmp*"))


BACKUP_AT_ONCE = """
import sys, time
from datetime import datetime
from planner.backup import backup_database
while time.time() < float(sys.argv[2]):  # start together
    pass
print(backup_database(db=sys.argv[1], output=None, now=datetime(2026, 3, 10, 9, 5, 7)).path)
"""


@pytest.mark.slow
def test_backups_made_at_once_by_several_processes_never_clash(
    cli: Run, tmp_path: Path, fixture_curricula: Path
) -> None:
    db = tmp_path / "planner.db"
    _plan_with_history(cli, db)
    start = f"{time.time() + 1.5}"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", BACKUP_AT_ONCE, str(db), start],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outcomes = [(p.wait(), *p.communicate()) for p in procs]
    assert all(code == 0 for code, _, _ in outcomes), outcomes
    paths = {out.strip() for _, out, _ in outcomes}
    assert len(paths) == 4
    assert {Path(p).name for p in paths} == {
        "planner-backup-20260310-090507.db",
        *(f"planner-backup-20260310-090507-{n}.db" for n in (2, 3, 4)),
    }
    for path in paths:
        assert cli("--db", path, "plans").exit_code == 0


# --------------------------------------------------------------------------- Ctrl-C


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize(
    ("command", "fault", "old"),
    [
        (["plan", "--output", "{out}.txt"], "output-before-rename", b"the old plan\n"),
        (["export", "json", "--output", "{out}.json"], "output-before-rename", b"{}\n"),
        (["team", "--output", "{out}.md"], "output-before-rename", None),
        (["backup", "--output", "{out}.db"], "backup-before-link", None),
        (["backup"], "backup-before-link", None),
    ],
)
def test_ctrl_c_while_writing_says_what_became_of_the_file(
    cli: Run, tmp_path: Path, fixture_curricula: Path, command: list[str], fault: str, old: bytes
) -> None:
    """A real SIGINT while the output waits under its temporary name, fully written."""
    db = tmp_path / "data" / "planner.db"
    db.parent.mkdir()
    _plan_with_history(cli, db)
    out = tmp_path / "out"
    args = [arg.format(out=out) for arg in command]
    target = Path(args[-1]) if "--output" in args else None
    if target is not None and old is not None:
        target.write_bytes(old)
    env = {
        **os.environ,
        "PLANNER_CURRICULA_PATH": str(FIXTURE_CURRICULA),
        "PLANNER_FAULT": f"{fault}:wait",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "planner", "--db", str(db), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        # A test run started in the background (nohup, `&` without job control) passes
        # SIGINT on as ignored, and Python then leaves it ignored: give the command a
        # terminal's default, as a person pressing Ctrl-C has.
        preexec_fn=_default_sigint,
    )
    folder = (target or db).parent
    deadline = time.monotonic() + 60
    while not list(folder.glob(".*.tmp")) and time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    assert list(folder.glob(".*.tmp")), "the write never started"
    time.sleep(0.2)  # into the wait
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr
    assert stdout == ""
    if target is None:
        expected = "Interrupted: no backup file was left half-made."
        assert not list(folder.glob("planner-backup-*"))
    elif old is None:
        expected = f"Interrupted: {target} was not written."
        assert not target.exists()
    else:
        expected = f"Interrupted: {target} was not changed."
        assert target.read_bytes() == old
    assert stderr == expected + "\n"
    assert not list(folder.glob(".*.tmp*"))  # no temporary file left


@pytest.mark.parametrize(
    ("args", "example"),
    [
        (["plan", "--output"], "plan.html"),
        (["team", "--output"], "team.html"),
        (["export", "ics", "--output"], "study.ics"),
        (["export", "json", "--output"], "plans.json"),
        (["backup", "--output"], "planner-backup.db"),
    ],
)
def test_an_output_that_is_a_folder_is_told_a_file_of_its_kind(
    cli: Run, tmp_path: Path, fixture_curricula: Path, args: list[str], example: str
) -> None:
    assert cli("start", "tiny-role").exit_code == 0
    before = cli("log", "--json").stdout
    result = cli(*args, str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {tmp_path} is a folder; give a file name, e.g. {tmp_path / example}.\n"
    )
    assert cli("log", "--json").stdout == before


def test_an_interruption_with_no_file_says_nothing_is_half_saved() -> None:
    from planner.cli.state import State

    line = State().interrupted()
    assert line.startswith("Interrupted.")
    assert "half-saved" in line and "planner log" in line
