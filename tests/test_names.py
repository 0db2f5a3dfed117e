"""Plan names are one name however they were typed: NFC and NFD forms of the same
visible text find the same plan, ``start`` refuses the second, and migration 5 rewrites
stored names in NFC, refusing (and changing nothing) when two would become one."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from planner.cli import app
from tests.conftest import FIXTURES, Run

BOTH_BACKENDS = True
FIXTURE_DBS = FIXTURES / "db"
NFC = "José"
NFD = unicodedata.normalize("NFD", NFC)


def test_the_two_forms_differ() -> None:
    assert NFC != NFD and unicodedata.normalize("NFC", NFD) == NFC


def test_start_refuses_a_name_that_only_differs_in_its_unicode_form(
    cli: Run, fixture_curricula: Path
) -> None:
    assert cli("start", "tiny-role", "--name", NFC).exit_code == 0
    again = cli("start", "tiny-role", "--name", NFD)
    assert again.exit_code == 5
    assert again.stderr == (
        f"Error: A plan named '{NFC}' already exists. Choose another name with --name, "
        f"or act on it with --plan '{NFC}'.\n"
    )
    listed = cli("plans", "--json")
    assert listed.exit_code == 0 and listed.stdout.count(NFC) == 1


def test_plan_option_and_variable_find_either_form(
    cli: Run, fixture_curricula: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("start", "tiny-role", "--name", NFD).exit_code == 0
    assert cli("start", "tiny-role", "--name", "other").exit_code == 0
    for name in (NFC, NFD):
        shown = cli("--plan", name, "status")
        assert shown.exit_code == 0, shown.stderr
        assert NFC in shown.stdout
        assert cli("--plan", name, "done", "python-basics").exit_code == 0
        assert cli("--plan", name, "undo", "python-basics").exit_code == 0
        monkeypatch.setenv("PLANNER_PLAN", name)
        assert cli("status").exit_code == 0
        monkeypatch.delenv("PLANNER_PLAN")


# A letter, then combining marks (some have a composed form, some do not).
LETTERS = st.sampled_from("aeiouAEIOUcnszyqwx ")
MARKS = st.sampled_from([chr(c) for c in (0x300, 0x301, 0x302, 0x303, 0x308, 0x30A, 0x327, 0x323)])
NAMES = (
    st.lists(st.tuples(LETTERS, st.lists(MARKS, max_size=2)), min_size=1, max_size=8)
    .map(lambda parts: "".join(letter + "".join(marks) for letter, marks in parts))
    .map(lambda text: f"plan {text} end")
)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(name=NAMES, typed_first=st.sampled_from(["NFC", "NFD"]))
def test_either_form_of_a_name_finds_the_same_plan(
    tmp_path_factory: pytest.TempPathFactory,
    fixture_curricula: Path,
    name: str,
    typed_first: str,
) -> None:
    database = tmp_path_factory.mktemp("names") / "planner.db"
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, ["--db", str(database), *args], catch_exceptions=False)
        return result.exit_code, result.stdout + result.stderr

    first = unicodedata.normalize(typed_first, name)  # type: ignore[arg-type]
    assert run("start", "tiny-role", "--name", first)[0] == 0
    assert run("start", "tiny-role", "--name", "someone else")[0] == 0
    for form in ("NFC", "NFD"):
        typed = unicodedata.normalize(form, name)  # type: ignore[arg-type]
        code, out = run("--plan", typed, "status")
        assert code == 0, out
        # shown as text wraps it: runs of spaces become one (the stored name is checked below)
        assert " ".join(unicodedata.normalize("NFC", name).split()) in " ".join(out.split())
        assert run("start", "tiny-role", "--name", typed)[0] == 5
    with contextlib.closing(sqlite3.connect(database)) as conn:
        names = [row[0] for row in conn.execute("SELECT name FROM plan ORDER BY id")]
    assert names == [unicodedata.normalize("NFC", name), "someone else"]


# --------------------------------------------------------------------------- migration 5


def copy_v4(folder: Path) -> Path:
    path = folder / "v4.db"
    shutil.copyfile(FIXTURE_DBS / "v4.db", path)
    return path


def planner(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "planner", "--db", str(path), *args],
        env={**os.environ, "PLANNER_CURRICULA_PATH": str(FIXTURES / "curricula")},
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=120,
    )


def rows(path: Path) -> list[tuple[object, ...]]:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        plans = conn.execute("SELECT * FROM plan ORDER BY id").fetchall()
        events = conn.execute("SELECT * FROM event ORDER BY id").fetchall()
    return [*plans, *events]


def add_plan(path: Path, name: str, *, copy_of: int = 2, new_id: int = 99) -> None:
    """A plan like ``copy_of`` under ``name``, written as an older planner could have."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(plan)")]
        rest = ", ".join(c for c in columns if c not in ("id", "name"))
        conn.execute(
            f"INSERT INTO plan (id, name, {rest}) SELECT ?, ?, {rest} FROM plan WHERE id = ?",  # noqa: S608
            (new_id, name, copy_of),
        )
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def test_migration_5_writes_stored_names_in_nfc(tmp_path: Path) -> None:
    path = copy_v4(tmp_path)
    add_plan(path, NFD)
    before = rows(path)
    result = planner(path, "--plan", NFC, "status")
    assert result.returncode == 0, result.stderr
    after = rows(path)
    assert len(after) == len(before)
    changed = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
    assert [(old[1], new[1]) for old, new in changed] == [(NFD, NFC)]
    assert [old[2:] == new[2:] for old, new in changed] == [True]


def test_migration_5_refuses_names_that_would_become_one(tmp_path: Path) -> None:
    path = copy_v4(tmp_path)
    add_plan(path, NFC, new_id=98)
    add_plan(path, NFD, new_id=99)
    wal = Path(f"{path}-wal")
    before = path.read_bytes()
    result = planner(path, "status")
    assert result.returncode == 6
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: Plans whose names look the same")
    assert f"{ascii(NFC)} (id 98) and {ascii(NFD)} (id 99)" in lines[0]
    assert "nothing was changed" in lines[0] and "--as NEW_NAME" in lines[0]
    assert path.read_bytes() == before
    assert not wal.exists() or wal.stat().st_size == 0, "changes were left in the -wal file"
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT MAX(version) FROM planner_migration").fetchone() == (4,)
