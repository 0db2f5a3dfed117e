"""Paths: what --db and PLANNER_DB accept, databases in read-only folders, backup names
that never clash, and an interrupted write that says what it left."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Run

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
