"""planner doctor: reads only, reports orphaned progress and damage."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_CURRICULA, Run


def test_doctor_reports_orphaned_progress_and_keeps_it(
    cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, planner_home: Path
) -> None:
    for name in ("tiny-base.yaml", "tiny-role.yaml"):
        (tmp_path / name).write_text((FIXTURE_CURRICULA / name).read_text())
    monkeypatch.setenv("PLANNER_CURRICULA_PATH", str(tmp_path))
    cli("start", "tiny-role")
    cli("done", "deploy-model", "--note", "shipped")
    healthy = cli("doctor")
    assert healthy.exit_code == 0
    assert (
        "integrity ok" in healthy.stdout and "all on milestones of its curriculum" in healthy.stdout
    )

    role = (tmp_path / "tiny-role.yaml").read_text()
    cut = role.index("  - id: deploy-model")
    (tmp_path / "tiny-role.yaml").write_text(
        role[:cut].replace("version: 2\n", "version: 3\n", 1)
        + role[role.index("projects:") :].replace(
            "    requires: [deploy-model]\n", "    requires: [first-model]\n"
        )
    )
    from planner import curriculum

    curriculum._resolved.clear()  # noqa: SLF001
    # the plan keeps the curriculum it was started with: editing the file orphans nothing
    kept = cli("doctor")
    assert kept.exit_code == 0
    assert "all on milestones of its curriculum" in kept.stdout
    assert "a newer tiny-role curriculum is available (tiny-role 2 -> 3)" in kept.stdout
    assert json.loads(cli("status", "--json").stdout)["progress"]["milestones_total"] == 4

    assert cli("upgrade").exit_code == 0
    report = cli("doctor")
    assert report.exit_code == 0
    assert (
        "WARN plan 'tiny-role': 1 milestone with progress is no longer in the curriculum: deploy-model (1 event)"
        in " ".join(report.stdout.split())  # wrapped to the terminal
    )
    assert json.loads(cli("status", "--json").stdout)["progress"]["milestones_total"] == 3
    with sqlite3.connect(planner_home / "planner.db") as conn:
        assert (
            conn.execute("SELECT COUNT(*) FROM event WHERE milestone_id='deploy-model'").fetchone()[
                0
            ]
            == 1
        )


def test_doctor_on_a_damaged_file_refuses_and_keeps_it(cli: Run, tmp_path: Path) -> None:
    path = tmp_path / "planner.db"
    path.write_bytes(b"not a database at all")
    result = cli("--db", str(path), "doctor")
    assert result.exit_code == 6
    assert "is not a SQLite database" in result.stderr
    assert path.read_bytes() == b"not a database at all"


def test_doctor_counts_events_in_words(cli: Run, fixture_curricula: Path) -> None:
    assert cli("start", "tiny-role").exit_code == 0
    assert "plan 'tiny-role': 0 events, all on" in cli("doctor").stdout
    assert cli("done", "python-basics").exit_code == 0
    assert "plan 'tiny-role': 1 event, all on" in cli("doctor").stdout
    assert cli("note", "python-basics", "kept").exit_code == 0
    assert "plan 'tiny-role': 2 events, all on" in cli("doctor").stdout
