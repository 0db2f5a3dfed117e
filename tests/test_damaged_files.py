"""Damaged or foreign database files, and a full disk.

Every command refuses a file it cannot trust with one plain line on stderr that names
the file and says what to do, exits 6, and leaves the file's bytes exactly as they were.
A full disk gets a plain "the disk is full", never "disk I/O error", and loses nothing.
(A read-only folder is covered in test_db.py.)
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURE_CURRICULA, FIXTURES, Run, report

V1 = FIXTURES / "db" / "v1.db"
SEED = 20260105
COMMANDS = {
    "status": ["status"],
    "done": ["done", "python-basics"],
    "start": ["start", "tiny-role", "--name", "fresh"],
    "doctor": ["doctor"],
}
RESTORE_WORDS = ("restore", "planner backup")


# --------------------------------------------------------------------------- damaged files


def _truncated(size: int) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        path.write_bytes(V1.read_bytes()[:size])

    return make


def _random(path: Path) -> None:
    path.write_bytes(random.Random(SEED).randbytes(16384))  # noqa: S311


def _header_then_random(path: Path) -> None:
    path.write_bytes(b"SQLite format 3\x00" + random.Random(SEED + 1).randbytes(16368))  # noqa: S311


V1_SIZE = V1.stat().st_size  # 8 pages of 4096 bytes
DAMAGED: dict[str, Callable[[Path], None]] = {
    **{
        f"truncated at {size}": _truncated(size)
        for size in (
            16,  # the magic string only
            100,  # the database header, no page
            1024,  # part of the first page
            4096,  # exactly the first page
            3 * 4096 + 1000,  # mid-file, mid-page
            V1_SIZE - 4096,  # the last page lost
            V1_SIZE - 2048,  # half of the last page lost
            V1_SIZE - 100,  # the end of the last page lost
        )
    },
    "zero-length": lambda path: path.write_bytes(b""),
    "random bytes": _random,
    "SQLite header, then random bytes": _header_then_random,
    "a text file": lambda path: path.write_text("my shopping list\n- milk\n", encoding="utf-8"),
}


def _file_state(path: Path) -> tuple[bytes, int]:
    wal = Path(f"{path}-wal")
    return path.read_bytes(), wal.stat().st_size if wal.exists() else 0


def _check_refusal(path: Path, code: int, stderr: str, hint: tuple[str, ...]) -> str:
    """What is wrong with one refusal, or ''."""
    lines = stderr.strip().splitlines()
    if code != 6:
        return f"exit {code}"
    if "Traceback" in stderr or len(lines) != 1 or not lines[0].startswith("Error: "):
        return f"not one 'Error:' line: {stderr[-300:]!r}"
    if str(path) not in stderr:
        return "the message does not name the file"
    if not any(word in stderr for word in hint):
        return f"no hint ({' or '.join(hint)}): {stderr.strip()}"
    if "disk I/O error" in stderr or "sqlite3." in stderr or "(Background on" in stderr:
        return f"a driver message leaked: {stderr.strip()}"
    return ""


def test_damaged_or_foreign_files_are_refused_untouched(
    cli: Run, tmp_path: Path, fixture_curricula: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    failures = []
    runs = 0
    for kind, make in DAMAGED.items():
        folder = tmp_path / kind.replace(" ", "-").replace(",", "")
        folder.mkdir()
        path = folder / "planner.db"
        make(path)
        before = _file_state(path)
        for command, args in COMMANDS.items():
            runs += 1
            result = cli("--db", str(path), *args)
            problem = _check_refusal(path, result.exit_code, result.stderr, RESTORE_WORDS)
            if not problem and _file_state(path) != before:
                problem = "the file (or its -wal) changed"
            if problem:
                failures.append(f"{kind}, {command}: {problem}")
    # a folder where the file should be (--db naming a folder is a usage error instead)
    folder = tmp_path / "a-folder"
    (folder / "planner.db").mkdir(parents=True)
    monkeypatch.setenv("PLANNER_HOME", str(folder))
    for command, args in COMMANDS.items():
        runs += 1
        result = cli(*args)
        problem = _check_refusal(
            folder / "planner.db", result.exit_code, result.stderr, RESTORE_WORDS
        )
        if problem or list((folder / "planner.db").iterdir()):
            failures.append(f"a folder, {command}: {problem or 'files were created in it'}")
    figure = f"damaged or foreign files: {runs - len(failures)} of {runs} refusals clean"
    report(figure)
    assert not failures, figure + "\n" + "\n".join(failures)


def test_a_whole_database_is_still_accepted(
    cli: Run, tmp_path: Path, fixture_curricula: Path
) -> None:
    """The size check must not refuse sound files: the v1 fixture, and a busy WAL file."""
    path = tmp_path / "planner.db"
    shutil.copyfile(V1, path)
    assert cli("--db", str(path), "status").exit_code == 0
    with contextlib.closing(sqlite3.connect(path)) as holder:  # leaves changes in the WAL
        holder.execute("PRAGMA wal_autocheckpoint=0")
        holder.execute(
            "INSERT INTO event (plan_id, milestone_id, kind, at, on_date, hours, note) "
            "SELECT plan_id, milestone_id, kind, at, on_date, hours, note FROM event"
        )
        holder.commit()
        assert Path(f"{path}-wal").stat().st_size > 0
        result = cli("--db", str(path), "done", "first-model")
        assert result.exit_code == 0, result.stderr


# --------------------------------------------------------------------------- unreadable


def _unreadable_runner() -> list[str] | None:
    """A command prefix under which a chmod 000 file cannot be read, or None."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    drop = "-dac_override,-dac_read_search"
    return [setpriv, f"--bounding-set={drop}", f"--inh-caps={drop}", "--"]


def test_an_unreadable_file_is_refused_untouched(tmp_path: Path) -> None:
    prefix = _unreadable_runner()
    if prefix is None:
        pytest.skip(
            "running as root without setpriv: root reads any file, so a chmod 000 "
            "file is not unreadable here"
        )
    path = tmp_path / "planner.db"
    shutil.copyfile(V1, path)
    path.chmod(0)
    env = {**os.environ, "PLANNER_CURRICULA_PATH": str(FIXTURE_CURRICULA), "COLUMNS": "100"}
    failures = []
    try:
        check = subprocess.run([*prefix, "cat", str(path)], capture_output=True, check=False)
        if check.returncode == 0:
            pytest.skip("cannot make a file unreadable here (capabilities cannot be dropped)")
        procs = {
            command: subprocess.Popen(
                [*prefix, sys.executable, "-m", "planner", "--db", str(path), *args],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
            )
            for command, args in COMMANDS.items()
        }
        for command, proc in procs.items():
            _, err = proc.communicate(timeout=120)
            problem = _check_refusal(path, proc.returncode, err, ("permission",))
            if problem:
                failures.append(f"{command}: {problem}")
    finally:
        path.chmod(0o644)
    assert path.read_bytes() == V1.read_bytes()
    figure = f"unreadable file: {len(COMMANDS) - len(failures)} of {len(COMMANDS)} refusals clean"
    report(figure)
    assert not failures, figure + "\n" + "\n".join(failures)


# --------------------------------------------------------------------------- disk full


@contextlib.contextmanager
def tiny_disk(folder: Path, size: str = "256k") -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.skip("a full disk is simulated with a tmpfs mount, which needs root")
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        if subprocess.run(["umount", str(folder)], capture_output=True, check=False).returncode:
            subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path, leave: int = 0) -> Path:
    """Fill the file system with one file, then give back ``leave`` bytes."""
    filler = folder / "filler"
    with filler.open("ab", buffering=0) as handle:
        with contextlib.suppress(OSError):
            while True:
                handle.write(b"\xff" * 4096)
    os.truncate(filler, max(0, filler.stat().st_size - leave))
    return filler


def events(path: Path) -> list[tuple[Any, ...]]:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return conn.execute("SELECT * FROM event ORDER BY id").fetchall()


def _full_message(path: Path, result: Any) -> str:
    problem = _check_refusal(path, result.exit_code, result.stderr, ("disk is full",))
    if not problem and "free some space" not in result.stderr:
        problem = f"no advice: {result.stderr.strip()}"
    return problem


def test_disk_full_gives_a_plain_message_and_loses_nothing(
    cli: Run, tmp_path: Path, fixture_curricula: Path
) -> None:
    with tiny_disk(tmp_path / "disk") as disk:
        path = disk / "planner.db"
        assert cli("--db", str(path), "start", "tiny-role").exit_code == 0
        assert cli("--db", str(path), "done", "python-basics", "--note", "before").exit_code == 0
        before = events(path)
        failures = []
        filler = fill(disk)
        data = path.read_bytes()
        for args in (
            ["done", "stats-basics"],
            ["note", "python-basics", "a note"],
            ["undo", "python-basics"],
            ["start", "tiny-role", "--name", "second"],
        ):
            result = cli("--db", str(path), *args)
            problem = _full_message(path, result) or (
                "" if path.read_bytes() == data else "the file changed"
            )
            if problem:
                failures.append(f"{args[0]}: {problem}")
        filler.unlink()
        after = events(path)
        figure = (
            f"disk full: {4 - len(failures)} of 4 writes refused plainly; events "
            f"{'intact' if after == before else 'CHANGED'} ({len(after)} before and after)"
        )
        report(figure)
        assert not failures, figure + "\n" + "\n".join(failures)
        assert after == before, figure
        assert cli("--db", str(path), "done", "stats-basics").exit_code == 0


@pytest.mark.slow
def test_disk_filling_up_during_a_write_is_all_or_nothing(
    cli: Run, tmp_path: Path, fixture_curricula: Path
) -> None:
    """With a little space left, a write either fits whole or is refused plainly."""
    note = "a long note to make the write need several pages " * 60
    outcomes: dict[str, int] = {}
    failures = []
    with tiny_disk(tmp_path / "disk") as disk:
        path = disk / "planner.db"
        assert cli("--db", str(path), "start", "tiny-role").exit_code == 0
        for kib in range(4, 72, 4):
            before = events(path)
            filler = fill(disk, leave=kib * 1024)
            result = cli("--db", str(path), "done", "stats-basics", "first-model", "--note", note)
            filler.unlink()
            after = events(path)
            if result.exit_code == 0:
                outcome = "fitted" if len(after) == len(before) + 2 else "MISSING"
            else:
                problem = _full_message(path, result)
                outcome = "refused" if not problem and after == before else "BROKEN"
                if problem:
                    failures.append(f"{kib} KiB free: {problem}")
            if after[: len(before)] != before:
                outcome = "CHANGED"
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            if outcome not in ("fitted", "refused"):
                failures.append(f"{kib} KiB free: {outcome}")
            if outcome == "fitted":
                assert cli("--db", str(path), "undo", "stats-basics", "first-model").exit_code == 0
    total = sum(outcomes.values())
    figure = (
        f"disk filling up mid-write: {outcomes.get('fitted', 0) + outcomes.get('refused', 0)} "
        f"of {total} all-or-nothing ({outcomes})"
    )
    report(figure)
    assert not failures, figure + "\n" + "\n".join(failures)
    assert outcomes.get("refused", 0) > 0, figure
