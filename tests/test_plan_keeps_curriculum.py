"""A plan never breaks: it keeps its curriculum, input is checked before anything is
saved, and one bad plan never takes the others down.

Every case runs the real CLI against a real SQLite file; after each bad input the test
checks the one-line error, the exit code, and that stored progress is unchanged.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from planner import curriculum, store
from tests.conftest import SESSION_DAY, Run

TODAY = SESSION_DAY
README = Path(__file__).parent.parent / "README.md"


def forget() -> None:
    """What a new process knows: nothing parsed or read yet (the CLI runs in this one)."""
    curriculum._resolved.clear()
    store._constructed.clear()


@pytest.fixture(autouse=True)
def _fresh_memo() -> Iterator[None]:
    forget()
    yield
    forget()


def readme_curriculum() -> str:
    """The example curriculum from the README's 'Writing your own curriculum', verbatim."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Writing your own curriculum", 1)[1]
    return section.split("```yaml\n", 1)[1].split("```", 1)[0]


def role_file(folder: Path, role_id: str = "data-analyst", **changes: str) -> Path:
    text = readme_curriculum().replace("data-analyst", role_id)
    for old, new in changes.items():
        text = text.replace(old, new)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{role_id}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def db_rows(home: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Every plan row and every event row, to prove a refused command changed nothing."""
    path = home / "planner.db"
    if not path.exists():
        return [], []
    with sqlite3.connect(path) as conn:
        plans = conn.execute("SELECT * FROM plan ORDER BY id").fetchall()
        events = conn.execute("SELECT * FROM event ORDER BY id").fetchall()
    return plans, events


def one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("Error:")]
    assert len(errors) == 1, stderr
    assert "Traceback" not in stderr
    return errors[0]


# --------------------------------------------------------------------------- the plan keeps it


def test_the_readme_example_works_from_anywhere_after_the_file_is_gone(
    cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    role_file(work)
    monkeypatch.chdir(work)
    assert cli("curricula", "validate", "data-analyst.yaml").exit_code == 0
    started = cli("start", "./data-analyst.yaml", "--name", "da")
    assert started.exit_code == 0, started.stderr
    assert cli("start", "ai-architect").exit_code == 0
    listed = cli("plans")
    assert listed.exit_code == 0, listed.stderr
    assert "da" in listed.stdout and "ai-architect" in listed.stdout

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    (work / "data-analyst.yaml").unlink()
    status = cli("--plan", "da", "status")
    assert status.exit_code == 0, status.stderr
    assert "da: Data Analyst" in status.stdout
    done = cli("--plan", "da", "done", "first-dash")  # a prefix of the file's own milestone
    assert done.exit_code == 0, done.stderr
    for command in (["plans"], ["team"], ["doctor"], ["--plan", "da", "next"]):
        result = cli(*command)
        assert result.exit_code == 0, (command, result.stderr)


def test_a_plan_does_not_follow_edits_to_its_file(cli: Run, tmp_path: Path) -> None:
    path = role_file(tmp_path / "mine")
    assert cli("start", str(path), "--name", "da").exit_code == 0
    before = json.loads(cli("status", "--json").stdout)["progress"]["hours_total"]
    path.write_text(path.read_text().replace("hours: 12", "hours: 40"), encoding="utf-8")
    after = json.loads(cli("status", "--json").stdout)["progress"]["hours_total"]
    assert after == before
    path.write_text("not: [valid", encoding="utf-8")  # a broken file does not matter either
    assert cli("status").exit_code == 0
    path.rename(tmp_path / "moved.yaml")
    assert cli("status").exit_code == 0


def test_a_plan_started_from_the_curricula_path_works_once_it_is_unset(
    cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "path"
    role_file(folder)
    monkeypatch.setenv("PLANNER_CURRICULA_PATH", str(folder))
    assert cli("start", "data-analyst").exit_code == 0
    assert cli("done", "python-programming").exit_code == 0
    monkeypatch.delenv("PLANNER_CURRICULA_PATH")
    for command in (["status"], ["next"], ["log"], ["plans"], ["plan"], ["projects"]):
        result = cli(*command)
        assert result.exit_code == 0, (command, result.stderr)
    assert "1 of 11 milestones" in cli("status").stdout


def test_the_same_curriculum_is_stored_once(cli: Run, planner_home: Path) -> None:
    for n in range(12):
        assert cli("start", "ai-architect", "--name", f"person {n}").exit_code == 0
    with sqlite3.connect(planner_home / "planner.db") as conn:
        (count,) = conn.execute("SELECT COUNT(*) FROM curriculum_snapshot").fetchone()
        digests = {row[0] for row in conn.execute("SELECT curriculum_digests FROM plan")}
    assert count == 1
    assert len(digests) == 1


# --------------------------------------------------------------------------- upgrade


def test_upgrade_shows_then_applies_a_newer_curriculum_keeping_every_event(
    cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, planner_home: Path
) -> None:
    folder = tmp_path / "path"
    path = role_file(folder)
    monkeypatch.setenv("PLANNER_CURRICULA_PATH", str(folder))
    assert cli("start", "data-analyst").exit_code == 0
    assert cli("done", "python-programming").exit_code == 0
    assert cli("note", "first-dashboard", "halfway").exit_code == 0
    # version 2: first-dashboard leaves, a new milestone arrives, sql hours change
    text = path.read_text().replace("version: 1 ", "version: 2 ")
    text = text.replace("id: first-dashboard", "id: team-dashboard").replace(
        "title: A first dashboard", "title: A dashboard for a team"
    )
    path.write_text(text, encoding="utf-8")
    forget()

    status = cli("status")
    assert "A newer data-analyst curriculum is available (data-analyst 1 -> 2)" in status.stdout
    _, events_before = db_rows(planner_home)

    dry = cli("upgrade", "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert "data-analyst: data-analyst 1 -> 2" in dry.stdout
    assert "+ team-dashboard: A dashboard for a team, 12 h" in dry.stdout
    assert "- first-dashboard: A first dashboard, 12 h (your 1 event on it kept)" in (dry.stdout)
    assert "Nothing was changed" in dry.stdout
    assert db_rows(planner_home)[1] == events_before

    applied = cli("upgrade")
    assert applied.exit_code == 0, applied.stderr
    plans, events_after = db_rows(planner_home)
    assert events_after[: len(events_before)] == events_before  # every event kept
    log = json.loads(cli("log", "--json").stdout)["events"]
    assert log[-1]["kind"] == "upgraded"
    assert "data-analyst 1 -> 2" in log[-1]["note"]
    assert "newer" not in cli("status").stdout
    assert "already has the newest" in cli("upgrade").stdout
    ids = [
        m["id"]
        for m in json.loads(cli("curricula", "show", "data-analyst", "--json").stdout)["milestones"]
    ]
    assert "team-dashboard" in ids


def test_upgrade_of_a_plan_from_a_file_takes_the_file(cli: Run, tmp_path: Path) -> None:
    path = role_file(tmp_path / "mine")
    assert cli("start", str(path)).exit_code == 0
    path.write_text(path.read_text().replace("hours: 12", "hours: 20"), encoding="utf-8")
    forget()
    nothing = cli("upgrade")  # not on the search path: the plan keeps its own
    assert nothing.exit_code == 0
    assert "No curriculum for data-analyst on the curricula path" in nothing.stderr
    moved = cli("upgrade", str(path))
    assert moved.exit_code == 0, moved.stderr
    assert "~ first-dashboard: 12 h -> 20 h" in moved.stdout
    other = role_file(tmp_path / "other", role_id="other-role")
    wrong = cli("upgrade", str(other))
    assert wrong.exit_code == 4
    assert "not a role of this plan" in one_error_line(wrong.stderr)


# --------------------------------------------------------------------------- dates and hours


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--start", "9999-06-01"], "out of range"),
        (["--start", "0001-01-01"], "out of range"),
        (["--start", "2000-01-01"], "out of range"),
        (["--start", (TODAY + timedelta(days=6 * 366)).isoformat()], "out of range"),
        (["--hours-per-week", "0.01"], "--hours-per-week must be from 0.25 (15 minutes)"),
        (["--hours-per-week", "0"], "--hours-per-week must be from 0.25"),
        (["--name", "x" * 101], "--name must be 1 to 100"),
    ],
)
def test_bad_start_input_stores_nothing(
    cli: Run, planner_home: Path, args: list[str], expected: str
) -> None:
    assert cli("start", "ai-architect", "--name", "keep").exit_code == 0
    assert cli("done", "python-programming").exit_code == 0
    before = db_rows(planner_home)
    result = cli(
        "start", "lead-ml-engineer", *(["--name", "new"] if "--name" not in args else []), *args
    )
    assert result.exit_code == 2
    assert expected in one_error_line(result.stderr)
    assert db_rows(planner_home) == before
    assert "keep" in cli("plans").stdout


def test_warnings_go_to_stderr_and_the_plan_is_started(cli: Run) -> None:
    old = (TODAY - timedelta(days=400)).isoformat()
    result = cli("start", "ai-architect", "--start", old, "--hours-per-week", "1.5")
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert any("more than a year ago" in w for w in warnings)
    assert any("under 2 h" in w for w in warnings)
    assert any("The plan runs" in w for w in warnings)  # 500+ h at 1.5 h/week: > 5 years


def test_a_plan_in_the_future_says_when_it_starts_and_refuses_work_before_it(
    cli: Run, planner_home: Path
) -> None:
    start = TODAY + timedelta(days=10)
    assert cli("start", "ai-architect", "--start", start.isoformat()).exit_code == 0
    status = cli("status")
    assert "starts in 10 days" in status.stdout
    assert "today is week" not in status.stdout
    assert "starts in 10 days" in cli("next").stdout
    before = db_rows(planner_home)
    for args in (
        ["done", "python-programming"],
        ["done", "python-programming", "--on", TODAY.isoformat()],
    ):
        result = cli(*args)
        assert result.exit_code == 2
        line = one_error_line(result.stderr)
        assert "before the plan starts" in line
        assert "--start" in line and "skip" in line
    assert db_rows(planner_home) == before
    assert cli("skip", "python-programming").exit_code == 0  # leaving it out is fine


def test_replan_that_cannot_meet_finish_by_is_a_usage_error(cli: Run, planner_home: Path) -> None:
    assert cli("start", "ai-architect").exit_code == 0
    before = db_rows(planner_home)
    soon = (TODAY + timedelta(days=30)).isoformat()
    both = cli("replan", "--hours-per-week", "10", "--finish-by", soon)
    assert both.exit_code == 2
    assert "after --finish-by" in one_error_line(both.stderr)
    impossible = cli("replan", "--finish-by", soon)
    assert impossible.exit_code == 2
    assert "Even at 80 h/week" in one_error_line(impossible.stderr)
    far = cli("replan", "--finish-by", "9999-01-01")
    assert far.exit_code == 2
    assert db_rows(planner_home) == before


# --------------------------------------------------------------------------- roles


def test_add_role_with_a_clashing_milestone_id_changes_nothing(
    cli: Run, tmp_path: Path, planner_home: Path
) -> None:
    assert cli("start", "ai-architect").exit_code == 0
    assert cli("done", "python-programming").exit_code == 0
    before = db_rows(planner_home)
    clash = role_file(
        tmp_path / "clash",
        role_id="clashing-role",
        **{
            "includes: [foundations]": "includes: []",
            "id: first-dashboard": "id: python-programming",
            "    requires: [sql-data-wrangling]          # from the included foundations module\n": "",
        },
    )
    result = cli("add-role", str(clash))
    assert result.exit_code == 5
    assert "defined differently" in one_error_line(result.stderr)
    assert db_rows(planner_home) == before
    again = cli("add-role", "ai-architect")
    assert again.exit_code == 5
    assert db_rows(planner_home) == before


def test_unknown_industry_is_an_unknown_name(cli: Run, planner_home: Path) -> None:
    result = cli("start", "ai-architect", "--industry", "Astrology")
    assert result.exit_code == 4
    assert "Unknown industry" in one_error_line(result.stderr)
    assert db_rows(planner_home) == ([], [])
    assert cli("start", "ai-architect").exit_code == 0
    assert cli("projects", "--industry", "Astrology").exit_code == 4


# --------------------------------------------------------------------------- one bad plan


@pytest.fixture
def three_plans_one_damaged(cli: Run, planner_home: Path) -> Path:
    """Two good plans (ai-architect, lead) and 'broken', whose own snapshot is damaged."""
    assert cli("start", "ai-architect", "--name", "good one").exit_code == 0
    assert cli("done", "python-programming").exit_code == 0
    assert cli("start", "lead-ml-engineer", "--name", "good two").exit_code == 0
    assert (
        cli("start", str(role_file(planner_home.parent / "f")), "--name", "broken").exit_code == 0
    )
    path = planner_home / "planner.db"
    with sqlite3.connect(path) as conn:
        (digests,) = conn.execute(
            "SELECT curriculum_digests FROM plan WHERE name = 'broken'"
        ).fetchone()
        digest = json.loads(digests)["data-analyst"]
        conn.execute(
            "UPDATE curriculum_snapshot SET body = substr(body, 1, 200) WHERE digest = ?", (digest,)
        )
    forget()
    return path


@pytest.mark.parametrize(
    "command",
    [
        ["plans"],
        ["plans", "--json"],
        ["team"],
        ["team", "--format", "md"],
        ["export", "json", "--all"],
        ["backup"],
    ],
)
def test_one_damaged_plan_never_takes_the_others_down(
    cli: Run, three_plans_one_damaged: Path, command: list[str], planner_home: Path
) -> None:
    before = db_rows(planner_home)
    result = cli(*command)
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr
    output = result.stdout + result.stderr
    assert "good one" in output and "good two" in output or command[0] in ("export", "backup")
    assert "broken" in output
    assert "its stored curriculum is damaged" in output
    assert db_rows(planner_home) == before
    if command[0] == "export":
        names = [p["name"] for p in json.loads(result.stdout)["plans"]]
        assert names == ["good one", "good two"]


def test_commands_on_the_damaged_plan_fail_with_one_line(
    cli: Run, three_plans_one_damaged: Path
) -> None:
    for command in (["status"], ["next"], ["done", "python-programming"], ["plan"]):
        result = cli("--plan", "broken", *command)
        assert result.exit_code == 6, (command, result.stdout)
        assert "Plan 'broken' cannot be read" in one_error_line(result.stderr)
    assert cli("--plan", "broken", "log").exit_code == 0  # history is still there to read
    assert cli("--plan", "good one", "status").exit_code == 0


def test_doctor_fails_with_a_fix_for_the_damaged_plan(
    cli: Run, three_plans_one_damaged: Path
) -> None:
    result = cli("doctor")
    assert result.exit_code == 6
    lines = result.stdout.splitlines()
    fail = next(i for i, line in enumerate(lines) if line.startswith("FAIL"))
    assert "plan 'broken'" in lines[fail]
    assert lines[fail + 1].strip().startswith("fix:")
    assert "ok    plan 'good one'" in result.stdout


# --------------------------------------------------------------------------- exit codes


def readme_exit_codes() -> dict[int, str]:
    text = README.read_text(encoding="utf-8").split("### Exit codes", 1)[1]
    return {int(m[1]): m[2] for m in re.finditer(r"^\| (\d) \| (.+) \|$", text, re.MULTILINE)}


def test_every_exit_code_in_the_readme_is_what_the_commands_return(
    cli: Run, tmp_path: Path, planner_home: Path
) -> None:
    codes = readme_exit_codes()
    assert sorted(codes) == [0, 1, 2, 3, 4, 5, 6]
    bad = tmp_path / "bad-role.yaml"
    bad.write_text("id: bad-role\ntitle: [\n", encoding="utf-8")
    walked = {
        0: cli("start", "ai-architect"),
        1: cli("delete-plan", "ai-architect", input="n\n"),  # a declined confirmation
        2: cli("status", "--no-such-option"),
        3: cli("start", str(bad)),
        4: cli("start", "no-such-role"),
        5: cli("start", "ai-architect"),  # the name is taken
    }
    foreign = tmp_path / "foreign.db"
    foreign.write_bytes(b"not a database at all" * 10)
    walked[6] = cli("--db", str(foreign), "status")
    for code, result in walked.items():
        assert result.exit_code == code, (code, codes[code], result.stdout, result.stderr)
        if code >= 2:
            one_error_line(result.stderr)


def test_a_role_added_from_a_file_stays_after_the_file_is_gone(cli: Run, tmp_path: Path) -> None:
    assert cli("start", "ai-architect").exit_code == 0
    assert cli("done", "python-programming").exit_code == 0
    path = role_file(tmp_path / "mine")
    added = cli("add-role", str(path))
    assert added.exit_code == 0, added.stderr
    path.unlink()
    forget()
    status = cli("status", "--json")
    assert status.exit_code == 0, status.stderr
    data = json.loads(status.stdout)
    assert data["roles"] == ["ai-architect", "data-analyst"]
    assert data["progress"]["milestones_done"] == 1
    assert [e["kind"] for e in json.loads(cli("log", "--json").stdout)["events"]] == [
        "done",
        "role-added",
    ]


@pytest.mark.slow
def test_four_processes_adding_different_roles_at_once_all_land(
    cli: Run, tmp_path: Path, planner_home: Path
) -> None:
    import os
    import subprocess
    import sys

    assert cli("start", "ai-architect").exit_code == 0
    files = [role_file(tmp_path / "roles", role_id=f"analyst-{n}") for n in range(4)]
    env = {**os.environ, "PLANNER_HOME": str(planner_home)}
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "planner", "add-role", str(path)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path in files
    ]
    for process in processes:
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
    forget()
    roles = json.loads(cli("status", "--json").stdout)["roles"]
    assert sorted(roles) == ["ai-architect", *(f"analyst-{n}" for n in range(4))]
    kinds = [e["kind"] for e in json.loads(cli("log", "--json").stdout)["events"]]
    assert kinds == ["role-added"] * 4


def test_a_plan_longer_than_a_century_is_refused(
    cli: Run, tmp_path: Path, planner_home: Path
) -> None:
    """30 milestones of 1,000 h at 8 h/week: 72 years is accepted with a warning; at
    0.25 h/week it would take 2,300 years and is refused, storing nothing."""
    path = role_file(tmp_path / "big")
    text = path.read_text()
    head, rest = text.split("milestones:\n", 1)
    milestone = rest.replace("hours: 12", "hours: 1000").replace(
        "    requires: [sql-data-wrangling]          # from the included foundations module\n", ""
    )
    many = "".join(milestone.replace("first-dashboard", f"dashboard-{n}") for n in range(30))
    path.write_text(
        head.replace("includes: [foundations]", "includes: []") + "milestones:\n" + many
    )
    long = cli("start", str(path), "--name", "long", "--hours-per-week", "8")
    assert long.exit_code == 0, long.stderr
    assert "Warning: The plan runs 71.9 years" in long.stderr
    before = db_rows(planner_home)
    result = cli("start", str(path), "--name", "too long", "--hours-per-week", "0.25")
    assert result.exit_code == 2
    assert "a plan may run at most 100 years" in one_error_line(result.stderr)
    assert db_rows(planner_home) == before


def test_the_cache_answers_which_versions_are_available_without_parsing(tmp_path: Path) -> None:
    from planner import cache

    folder = tmp_path / "path"
    path = role_file(folder)
    assert cache.versions(path) is None  # nothing cached yet
    loaded = curriculum.load_curriculum(str(path))
    assert loaded.versions["data-analyst"] == 1
    assert cache.versions(path) == loaded.versions
    path.write_text(path.read_text().replace("version: 1 ", "version: 2 "), encoding="utf-8")
    assert cache.versions(path) is None  # the file changed: the entry no longer answers


@pytest.mark.parametrize(
    ("column", "garbage", "reason"),
    [
        ("curriculum_digests", "{garbage", "its list of stored curricula is damaged"),
        ("roles", "garbage", "its roles column is damaged"),
        ("known_skills", "[1, 2", "its known_skills column is damaged"),
    ],
)
def test_unparsable_json_in_one_plan_row_takes_nothing_down(
    cli: Run, three_plans_one_damaged: Path, column: str, garbage: str, reason: str
) -> None:
    with sqlite3.connect(three_plans_one_damaged) as conn:
        conn.execute(f"UPDATE plan SET {column} = ? WHERE name = 'good two'", (garbage,))  # noqa: S608
    forget()
    for command in (["plans"], ["team"], ["export", "json", "--all"], ["backup"]):
        result = cli(*command)
        assert result.exit_code == 0, (command, result.stderr)
        assert "plan 'good two' cannot be read" in (result.stdout + result.stderr).lower(), command
        if command[0] != "backup":  # backup names only the plans it could not read
            assert "good one" in result.stdout
    doctor = cli("doctor")
    assert doctor.exit_code == 6
    assert f"FAIL  plan 'good two': {reason}" in doctor.stdout
    bad = cli("--plan", "good two", "status")
    assert bad.exit_code == 6
    assert "cannot be read" in one_error_line(bad.stderr)
    assert cli("--plan", "good one", "status").exit_code == 0


def test_a_damaged_snapshot_is_repaired_by_storing_the_same_curriculum_again(
    cli: Run, three_plans_one_damaged: Path, planner_home: Path
) -> None:
    source = planner_home.parent / "f" / "data-analyst.yaml"
    fresh = cli("start", str(source), "--name", "fresh")  # the same curriculum, stored again
    assert fresh.exit_code == 0, fresh.stderr
    forget()
    assert cli("--plan", "fresh", "status").exit_code == 0
    assert cli("--plan", "broken", "status").exit_code == 0  # one content, one row: repaired
    assert cli("doctor").exit_code == 0


def _export_file(cli: Run, tmp_path: Path) -> tuple[Path, dict[str, object]]:
    assert cli("start", "ai-architect", "--name", "mine").exit_code == 0
    assert cli("done", "python-programming").exit_code == 0
    path = tmp_path / "export.json"
    assert cli("export", "json", "--output", str(path)).exit_code == 0
    return path, json.loads(path.read_text(encoding="utf-8"))


def _milestones(data: dict[str, object]) -> list[dict[str, object]]:
    curricula = data["curricula"]
    assert isinstance(curricula, dict)
    (body,) = curricula.values()
    return body["milestones"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda d: (
                _milestones(d)[1].update(requires=[_milestones(d)[2]["id"]])
                or _milestones(d)[2].update(requires=[_milestones(d)[1]["id"]])
            ),
            "prerequisite cycle",
        ),
        (lambda d: _milestones(d)[3].update(requires=["no-such"]), "unknown milestone 'no-such'"),
        (lambda d: _milestones(d).append(dict(_milestones(d)[0])), "duplicate milestone id"),
        (lambda d: _milestones(d).clear(), "a role needs at least one milestone"),
        (lambda d: d.update(version=1, curricula={}), "only an export of version 2 holds"),
    ],
)
def test_an_edited_export_is_checked_like_a_curriculum_file(
    cli: Run, tmp_path: Path, edit: object, expected: str
) -> None:
    path, data = _export_file(cli, tmp_path)
    edit(data)  # type: ignore[operator]
    path.write_text(json.dumps(data), encoding="utf-8")
    target = tmp_path / "other.db"
    result = cli("--db", str(target), "import", str(path))
    assert result.exit_code == 2, result.stderr
    assert expected in one_error_line(result.stderr)
    assert "Nothing was imported" in result.stderr


def test_an_export_edited_under_its_old_digest_imports_with_a_warning(
    cli: Run, tmp_path: Path
) -> None:
    path, data = _export_file(cli, tmp_path)
    _milestones(data)[0]["title"] = "Renamed by hand"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = cli("--db", str(tmp_path / "other.db"), "import", str(path))
    assert result.exit_code == 0, result.stderr
    assert "does not match its digest" in result.stderr
