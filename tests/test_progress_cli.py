"""The core loop through the CLI: start, next, done, undo, skip, note, status, log, plans."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_CURRICULA, SESSION_DAY, Run

BOTH_BACKENDS = True  # tests that run the CLI run on SQLite and on the test server

TODAY = SESSION_DAY


@pytest.fixture(autouse=True)
def _curricula(fixture_curricula: Path) -> None:
    """These tests run on the small fixture curricula."""


def db_file(home: Path) -> Path:
    return home / "planner.db"


def events(cli: Run) -> list[dict[str, object]]:
    result = cli("log", "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["events"]  # type: ignore[no-any-return]


@pytest.mark.sqlite_only  # looks at the file itself
def test_start_with_defaults_prints_a_summary(cli: Run, planner_home: Path) -> None:
    result = cli("start", "tiny-role")
    assert result.exit_code == 0, result.stderr
    assert "Started plan 'tiny-role': Tiny Role" in result.stdout
    assert "4 milestones, 36 h at 8 h/week: 5 weeks" in result.stdout
    assert f"from {TODAY}" in result.stdout
    assert "[ ] python-basics: Python basics, 6 h" in result.stdout
    assert "[ ] stats-basics: Statistics basics, 2 h (continues)" in result.stdout
    assert db_file(planner_home).is_file()


def test_first_run_walkthrough(cli: Run) -> None:
    """start -> next -> done <first> -> status shows it done and the plan re-projected."""
    start = (TODAY - timedelta(days=14)).isoformat()
    assert cli("start", "tiny-role", "--start", start).exit_code == 0
    nxt = cli("next", "--json")
    first = json.loads(nxt.stdout)["milestones"][0]
    assert first["id"] == "python-basics"
    assert first["done_when"] == "a script that reads a CSV and prints summary statistics"
    assert first["resources"][0]["url"] == "https://docs.python.org/3/tutorial/"

    before = json.loads(cli("status", "--json").stdout)
    done = cli("done", "python-basics")
    assert done.exit_code == 0, done.stderr
    assert done.stdout.startswith(f"Done: python-basics (Python basics) on {TODAY}.")
    after = json.loads(cli("status", "--json").stdout)
    assert after["progress"]["milestones_done"] == 1
    assert after["progress"]["hours_done"] == 6
    assert after["pace"]["hours_behind"] == pytest.approx(before["pace"]["hours_behind"] - 6)
    assert after["finish"]["projected"] <= before["finish"]["projected"]
    text = cli("status").stdout
    assert "1 of 4 milestones" in text
    assert "[x] python-basics" in text


def test_behind_learner_sees_the_finish_move(cli: Run) -> None:
    start = (TODAY - timedelta(days=21)).isoformat()
    cli("start", "tiny-role", "--start", start)
    status = json.loads(cli("status", "--json").stdout)
    assert status["pace"]["status"] == "behind"
    assert status["pace"]["hours_behind"] == 24
    assert status["finish"]["days_late"] == 21
    assert "more than a week of hours behind" in cli("status").stdout


def test_known_skills_are_skipped(cli: Run) -> None:
    result = cli("start", "tiny-role", "--know", "python,statistics")
    assert result.exit_code == 0, result.stderr
    assert "Skipped as known: python-basics, stats-basics." in result.stdout
    status = json.loads(cli("status", "--json").stdout)
    assert status["progress"]["hours_total"] == 20
    assert [s["id"] for s in status["skipped_known"]] == ["python-basics", "stats-basics"]


def test_prefix_matching_done_undo_skip_note_and_log(cli: Run) -> None:
    cli("start", "tiny-role")
    assert cli("done", "first", "--hours", "15", "--note", "slow going").exit_code == 0
    assert cli("undo", "first-model").stdout.startswith("Undone: first-model is back")
    assert cli("skip", "deploy", "--note", "not needed").stdout.startswith("Skipped: deploy-model")
    assert cli("undo", "deploy").stdout.startswith("Unskipped: deploy-model")
    assert cli("note", "python-b", "multi\nline ✓ <b>").stdout == "Noted on python-basics.\n"
    log = events(cli)
    assert [(e["kind"], e["milestone"]) for e in log] == [
        ("done", "first-model"),
        ("undone", "first-model"),
        ("skipped", "deploy-model"),
        ("unskipped", "deploy-model"),
        ("note", "python-basics"),
    ]
    assert log[0]["hours"] == 15 and log[0]["note"] == "slow going"
    assert log[4]["note"] == "multi\nline ✓ <b>"
    assert "multi line ✓ <b>" in cli("log").stdout


def test_done_twice_writes_one_event(cli: Run) -> None:
    cli("start", "tiny-role")
    cli("done", "python-basics")
    again = cli("done", "python-basics")
    assert again.exit_code == 0
    assert again.stdout.startswith(f"Already done: python-basics (on {TODAY})")
    assert len(events(cli)) == 1


def test_done_on_a_past_day_places_work_in_that_week(cli: Run) -> None:
    start = TODAY - timedelta(days=20)
    cli("start", "tiny-role", "--start", start.isoformat())
    cli("done", "python-basics", "--on", (start + timedelta(days=8)).isoformat())
    status = json.loads(cli("status", "--json").stdout)
    assert status["progress"]["hours_done"] == 6
    plan_week2 = json.loads(cli("status", "--json").stdout)["current_week"]
    assert plan_week2["number"] == 3


@pytest.mark.sqlite_only  # on a server: test_server.py::test_a_server_never_assumes_whose_plan
def test_several_plans_use_and_plan_option(cli: Run) -> None:
    cli("start", "tiny-role")
    cli("start", "tiny-role", "--name", "second", "--hours-per-week", "4")
    plans = json.loads(cli("plans", "--json").stdout)
    assert [(p["name"], p["active"]) for p in plans] == [("second", True), ("tiny-role", False)]
    cli("--plan", "tiny-role", "done", "python-basics")
    assert (
        json.loads(cli("--plan", "tiny-role", "status", "--json").stdout)["progress"][
            "milestones_done"
        ]
        == 1
    )
    # a write makes that plan the most recently used
    assert json.loads(cli("status", "--json").stdout)["plan"] == "tiny-role"
    assert cli("use", "second").stdout == "Now using plan 'second'.\n"
    assert json.loads(cli("status", "--json").stdout)["plan"] == "second"


def test_plan_environment_variable(cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    cli("start", "tiny-role")
    cli("start", "tiny-role", "--name", "other")
    monkeypatch.setenv("PLANNER_PLAN", "tiny-role")
    assert json.loads(cli("status", "--json").stdout)["plan"] == "tiny-role"


def test_delete_plan_asks_and_removes_only_that_plan(cli: Run) -> None:
    cli("start", "tiny-role")
    cli("start", "tiny-role", "--name", "keep")
    cli("--plan", "tiny-role", "done", "python-basics")
    refused = cli("delete-plan", "tiny-role", input="n\n")
    assert refused.exit_code == 1
    assert len(json.loads(cli("plans", "--json").stdout)) == 2
    result = cli("delete-plan", "tiny-role", input="y\n")
    assert result.exit_code == 0
    assert "Deleted plan 'tiny-role' and its 1 events." in result.stdout
    assert [p["name"] for p in json.loads(cli("plans", "--json").stdout)] == ["keep"]


@pytest.mark.sqlite_only  # looks at the file itself
def test_db_option_and_environment_name_the_file(
    cli: Run, tmp_path: Path, planner_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = tmp_path / "elsewhere" / "mine.db"
    assert cli("--db", str(chosen), "start", "tiny-role").exit_code == 0
    assert chosen.is_file()
    assert not db_file(planner_home).exists()
    monkeypatch.setenv("PLANNER_DB", str(chosen))
    assert json.loads(cli("status", "--json").stdout)["plan"] == "tiny-role"
    monkeypatch.delenv("PLANNER_DB")
    monkeypatch.setenv("PLANNER_DATABASE_URL", f"sqlite:///{chosen}")
    assert json.loads(cli("status", "--json").stdout)["plan"] == "tiny-role"


def test_json_outputs_have_the_documented_keys(cli: Run) -> None:
    cli("start", "tiny-role")
    status = json.loads(cli("status", "--json").stdout)
    assert set(status) == {
        "plan",
        "roles",
        "today",
        "start",
        "hours_per_week",
        "progress",
        "pace",
        "finish",
        "this_week",
        "time_off",
        "current_week",
        "skills",
        "role_progress",
        "skipped_known",
        "skipped",
        "updates",
    }
    assert status["updates"] == []
    assert set(status["progress"]) == {
        "percent",
        "hours_earned",
        "hours_done",
        "hours_total",
        "milestones_done",
        "milestones_started",
        "milestones_total",
    }
    assert set(status["pace"]) == {
        "status",
        "text",
        "hours_behind",
        "hours_earned",
        "hours_planned_to_date",
        "tolerance_hours",
    }
    assert set(status["this_week"]) == {
        "hours_recorded",
        "hours_planned",
        "away_days",
        "streak_weeks",
    }
    nxt = json.loads(cli("next", "--json").stdout)
    assert set(nxt) == {"plan", "today", "current_week", "week", "finished", "milestones"}
    plans = json.loads(cli("plans", "--json").stdout)
    assert set(plans[0]) == {
        "name",
        "active",
        "roles",
        "hours_per_week",
        "start",
        "progress",
        "pace",
        "finish",
        "last_activity",
    }


# --------------------------------------------------------------------------- bad input


def snapshot(home: Path) -> bytes | None:
    path = db_file(home)
    return path.read_bytes() if path.exists() else None


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["start", "tiny-rol"],
            4,
            "Error: Unknown role 'tiny-rol'. Did you mean 'tiny-role'? Available: ",
        ),
        (["start", "tiny-base"], 4, "Error: 'tiny-base' is a shared module, not a role."),
        (
            ["start", "tiny-role", "--hours-per-week", "0"],
            2,
            "Error: --hours-per-week must be from 0.25 (15 minutes) to 80 (got 0).",
        ),
        (
            ["start", "tiny-role", "--hours-per-week", "-3"],
            2,
            "Error: --hours-per-week must be from 0.25",
        ),
        (["start", "tiny-role", "--hours-per-week", "81"], 2, "(got 81)."),
        (
            ["start", "tiny-role", "--hours-per-week", "lots"],
            2,
            "Error: Invalid value for '--hours-per-week' / '-H'",
        ),
        (
            ["start", "tiny-role", "--start", "27/11/2026"],
            2,
            "Error: --start must be a date like 2026-01-31 (got '27/11/2026').",
        ),
        (
            ["start", "tiny-role", "--know", "pyton"],
            4,
            "Error: Unknown skill 'pyton' in --know. Did you mean 'python'?",
        ),
        (["start", "tiny-role", "--industry", "Retail"], 4, "Error: Unknown industry 'Retail'."),
        (
            ["start", "tiny-role", "--name", ""],
            2,
            "Error: --name must be 1 to 100 printable characters without leading or trailing "
            "spaces.",
        ),
    ],
)
def test_bad_start(cli: Run, planner_home: Path, args: list[str], code: int, message: str) -> None:
    result = cli(*args)
    assert result.exit_code == code
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""
    assert not db_file(planner_home).exists()


def test_no_plan_yet(cli: Run, planner_home: Path) -> None:
    for command in (["status"], ["next"], ["done", "x"], ["log"], ["use", "x"]):
        result = cli(*command)
        assert result.exit_code == 4, command
        assert result.stderr.startswith("Error: No plan yet. Start one with `planner start ROLE`")
    assert not db_file(planner_home).exists()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["done", "nope"], 4, "Error: No milestone 'nope' in plan 'tiny-role'."),
        (["done", "python-basic"], 0, ""),  # a unique prefix is fine
        (["done", "stats-basic"], 0, ""),
        (["done", "python-basis"], 4, "Did you mean 'python-basics'?"),
        (["done", "stat"], 0, ""),
        (["done", "python-basics", "nope"], 4, "No milestone 'nope'"),
        (
            ["done", "python-basics", "--on", "2026-13-01"],
            2,
            "Error: --on must be a date like 2026-01-31 (got '2026-13-01').",
        ),
        (
            ["done", "python-basics", "--on", "2999-01-01"],
            2,
            "Error: --on 2999-01-01 is in the future",
        ),
        (["done", "python-basics", "--on", "2000-01-01"], 2, "is before the plan starts"),
        (["done", "python-basics", "--hours", "0"], 2, "Error: --hours must be more than 0"),
        (["done", "ml-intro"], 4, "No milestone 'ml-intro'"),
        (["undo", "python-basics"], 2, "Error: 'python-basics' is neither done nor skipped"),
        (["note", "python-basics", "   "], 2, "Error: The note is empty"),
        (["--plan", "nope", "status"], 4, "Error: No plan named 'nope'. Plans: tiny-role."),
        (["start", "tiny-role"], 5, "Error: A plan named 'tiny-role' already exists."),
        (["use", "tiny-rol"], 4, "Did you mean 'tiny-role'?"),
        (["delete-plan", "nope", "--yes"], 4, "Error: No plan named 'nope'."),
    ],
)
def test_bad_progress_commands_change_nothing(
    cli: Run, planner_home: Path, args: list[str], code: int, message: str
) -> None:
    cli("start", "tiny-role")
    before = events(cli)
    result = cli(*args)
    assert result.exit_code == code, result.stderr
    if code:
        assert message in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert events(cli) == before
        assert len(json.loads(cli("plans", "--json").stdout)) == 1


def test_ambiguous_prefix_is_a_conflict(
    cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    role = (FIXTURE_CURRICULA / "tiny-role.yaml").read_text()
    (tmp_path / "tiny-base.yaml").write_text((FIXTURE_CURRICULA / "tiny-base.yaml").read_text())
    (tmp_path / "tiny-role.yaml").write_text(
        role.replace("first-model", "model-first").replace("deploy-model", "model-deploy")
    )
    monkeypatch.setenv("PLANNER_CURRICULA_PATH", str(tmp_path))
    cli("start", "tiny-role")
    result = cli("done", "python-basics", "model")
    assert result.exit_code == 5
    assert result.stderr == (
        "Error: 'model' matches several milestones (model-first, model-deploy). "
        "Type more of the id.\n"
    )
    assert events(cli) == []
    assert cli("done", "model-f").stdout.startswith("Done: model-first")


def test_usage_errors_are_one_line(cli: Run) -> None:
    result = cli("status", "--bogus")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: No such option: --bogus. See '")
    assert result.stderr.endswith(" status --help'.\n")
    assert len(result.stderr.splitlines()) == 1


def test_every_command_has_help_with_an_example(cli: Run) -> None:
    from planner.cli import COMMANDS, build_command

    names = []
    for name in COMMANDS:
        command = build_command(name)
        if hasattr(command, "commands"):
            names += [[name, sub] for sub in command.commands]
        names.append([name])
    for path in names:
        result = cli(*path, "--help")
        assert result.exit_code == 0, path
        assert "Example: planner" in result.stdout, path


def test_the_top_level_help_lists_each_command_by_its_own_first_line() -> None:
    """``planner --help`` lists commands without importing them, from ``COMMANDS``."""
    from planner.cli import COMMANDS, build_command

    for name, (_, _, line) in COMMANDS.items():
        assert build_command(name).get_short_help_str(1000) == line, name


def test_top_level_help_imports_no_command_module() -> None:
    code = (
        "import sys\n"
        "from planner.cli import app\n"
        "try:\n"
        "    app(['--help'], prog_name='planner')\n"
        "except SystemExit:\n"
        "    pass\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('planner.cli.', 'planner.service',"
        " 'sqlmodel', 'sqlalchemy', 'yaml', 'jinja2', 'rich', 'pydantic')))\n"
        "print(loaded, file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "Commands:" in result.stdout
    assert result.stderr.strip() == "['planner.cli.coercion', 'planner.cli.state']"


def test_a_mistyped_command_gets_a_suggestion(cli: Run) -> None:
    result = cli("stauts")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: No such command 'stauts'. Did you mean 'status' or 'start'? See 'planner --help'.\n"
    )
