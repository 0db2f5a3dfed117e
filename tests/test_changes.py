"""compare, add-role, replan and team."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from planner.curriculum import load_role
from planner.scheduler import Learner, Progress, Task, build_schedule
from tests.conftest import SESSION_DAY, Run

BOTH_BACKENDS = True  # tests that run the CLI run on SQLite and on the test server

TODAY = SESSION_DAY
OPTIONAL = {m.id for m in load_role("ai-architect").milestones if m.optional}


# --------------------------------------------------------------------------- compare


def test_compare_the_real_roles_with_no_options(cli: Run) -> None:
    result = cli("compare", "ai-architect", "lead-ml-engineer")
    assert result.exit_code == 0, result.stderr
    for needle in (
        "AI Architect",
        "Lead Machine Learning Engineer",
        "Responsibilities",
        "Healthcare",
        "Cybersecurity",
        "15%",
        "10%",
        "shared by both",
        "only ai-architect",
        "only lead-ml-engineer",
        "both",
    ):
        assert needle in result.stdout, needle


def test_compare_json_counts_shared_milestones_once(cli: Run) -> None:
    data = json.loads(
        cli(
            "compare",
            "ai-architect",
            "lead-ml-engineer",
            "--json",
            "-H",
            "10",
            "--know",
            "python,statistics",
        ).stdout
    )
    shared = data["shared"]
    only_a, only_b = data["only"]["ai-architect"], data["only"]["lead-ml-engineer"]
    effort = data["effort"]
    assert data["learner"]["known_skills"] == ["probability-statistics", "python"]
    assert shared["count"] > 0
    assert effort["both"]["milestones"] + effort["both"]["skipped_as_known"] == (
        shared["count"] + only_a["count"] + only_b["count"]
    )
    # known skills shorten each plan; "both" costs less than the two apart
    assert (
        effort["both"]["hours"]
        < effort["ai-architect"]["hours"] + effort["lead-ml-engineer"]["hours"]
    )
    assert effort["ai-architect"]["weeks"] == -(-int(effort["ai-architect"]["hours"]) // 10)
    assert set(data["profiles"]["ai-architect"]) >= {
        "definition",
        "responsibilities",
        "required_skills",
        "education",
        "tools",
        "industries",
        "outlook",
    }


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["ai-architect", "ai-architect"], 2, "Give two different roles"),
        (["ai-architect", "lead-ml-enginer"], 4, "Did you mean 'lead-ml-engineer'?"),
        (
            ["ai-architect", "lead-ml-engineer", "-H", "0"],
            2,
            "--hours-per-week must be from 0.25",
        ),
        (["ai-architect", "lead-ml-engineer", "--know", "cooking"], 4, "Unknown skill 'cooking'"),
    ],
)
def test_bad_compare(cli: Run, args: list[str], code: int, message: str) -> None:
    result = cli("compare", *args)
    assert result.exit_code == code
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# --------------------------------------------------------------------------- both roles


def test_both_roles_in_one_plan_count_shared_milestones_once(cli: Run) -> None:
    assert cli("start", "ai-architect", "lead-ml-engineer").exit_code == 0
    status = json.loads(cli("status", "--json").stdout)
    compare = json.loads(cli("compare", "ai-architect", "lead-ml-engineer", "--json").stdout)
    assert status["plan"] == "ai-architect+lead-ml-engineer"
    assert status["progress"]["milestones_total"] == compare["effort"]["both"]["milestones"]
    assert [r["id"] for r in status["role_progress"]] == ["ai-architect", "lead-ml-engineer"]
    cli("done", "python-programming")
    status = json.loads(cli("status", "--json").stdout)
    by_role = {r["id"]: r for r in status["role_progress"]}
    assert by_role["ai-architect"]["milestones_done"] == 1
    assert by_role["lead-ml-engineer"]["milestones_done"] == 1
    assert status["progress"]["milestones_done"] == 1
    nxt = json.loads(cli("next", "--json").stdout)
    assert all(m["roles"] for m in nxt["milestones"])


def test_add_role_keeps_progress(cli: Run) -> None:
    cli("start", "ai-architect")
    cli("done", "python-programming", "linear-algebra")
    result = cli("add-role", "lead-ml-engineer")
    assert result.exit_code == 0, result.stderr
    assert "now covers AI Architect + Lead Machine Learning Engineer" in result.stdout
    status = json.loads(cli("status", "--json").stdout)
    assert status["roles"] == ["ai-architect", "lead-ml-engineer"]
    assert status["progress"]["milestones_done"] == 2
    assert {r["id"]: r["milestones_done"] for r in status["role_progress"]} == {
        "ai-architect": 2,
        "lead-ml-engineer": 2,
    }
    kinds = [e["kind"] for e in json.loads(cli("log", "--json").stdout)["events"]]
    assert kinds == ["done", "done", "role-added"]
    again = cli("add-role", "lead-ml-engineer")
    assert again.exit_code == 5
    assert "already includes lead-ml-engineer" in again.stderr


# --------------------------------------------------------------------------- replan


@pytest.fixture
def behind(cli: Run) -> Run:
    start = (TODAY - timedelta(days=35)).isoformat()
    assert cli("start", "ai-architect", "--start", start).exit_code == 0
    return cli


def test_status_hints_at_replan_when_a_week_behind(behind: Run) -> None:
    assert "planner replan" in behind("status").stdout


def test_replan_shows_options_and_writes_nothing(behind: Run) -> None:
    before = behind("log", "--json").stdout
    data = json.loads(behind("replan", "--json").stdout)
    assert data["applied"] is False and data["change"] is None
    options = data["options"]
    assert options["keep_hours"]["finish"] == data["projected_finish"]
    assert options["raise_hours"]["hours_per_week"] > 8
    assert options["raise_hours"]["finish"] <= data["target"]
    dropped = options["drop_optional"]
    assert {m["id"] for m in dropped["milestones"]} == OPTIONAL
    assert dropped["hours_saved"] == sum(m["hours"] for m in dropped["milestones"])
    assert dropped["finish"] < data["projected_finish"]
    assert behind("log", "--json").stdout == before


def test_replan_dry_run_changes_nothing(behind: Run) -> None:
    before = behind("log", "--json").stdout
    result = behind("replan", "--hours-per-week", "12", "--dry-run")
    assert result.exit_code == 0
    assert "Would change: hours per week 8 -> 12" in result.stdout
    assert behind("log", "--json").stdout == before
    assert json.loads(behind("status", "--json").stdout)["hours_per_week"] == 8


def test_replan_to_a_date_raises_the_hours_and_is_recorded(behind: Run) -> None:
    target = json.loads(behind("status", "--json").stdout)["finish"]["planned"]
    result = behind("replan", "--finish-by", target)
    assert result.exit_code == 0, result.stderr
    status = json.loads(behind("status", "--json").stdout)
    assert status["hours_per_week"] > 8
    assert status["finish"]["projected"] <= target
    assert status["pace"]["status"] == "on track"  # measured against the new plan
    events = json.loads(behind("log", "--json").stdout)["events"]
    assert events[-1]["kind"] == "replanned"
    assert f"target {target}" in events[-1]["note"]


def test_replan_drop_optional_skips_them(behind: Run) -> None:
    result = behind("replan", "--drop-optional")
    assert result.exit_code == 0, result.stderr
    status = json.loads(behind("status", "--json").stdout)
    assert {s["id"] for s in status["skipped"]} == OPTIONAL
    assert behind("undo", "r-programming").exit_code == 0  # reversible


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--finish-by", "2020-01-01"], 2, "is not in the future"),
        (["--finish-by", (TODAY + timedelta(days=8)).isoformat()], 2, "Even at 80 h/week"),
        (["--finish-by", "soon"], 2, "--finish-by must be a date"),
        (["--hours-per-week", "99"], 2, "to 80 (got 99)"),
        (["--hours-per-week", "8"], 2, "already at 8 h/week; nothing to change"),
    ],
)
def test_bad_replan_changes_nothing(behind: Run, args: list[str], code: int, message: str) -> None:
    before = behind("log", "--json").stdout
    result = behind("replan", *args)
    assert result.exit_code == code, result.stderr
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert behind("log", "--json").stdout == before


def test_a_replan_measures_pace_from_the_hours_earned_then() -> None:
    start = date(2026, 1, 5)
    tasks = [Task(id=f"m{i}", hours=10) for i in range(10)]
    progress = Progress(done={"m0": date(2026, 1, 6)})
    schedule = build_schedule(tasks, Learner(10, start), progress, date(2026, 2, 2))
    assert schedule.hours_behind == pytest.approx(30)
    replanned = Learner(10, start, replanned=(date(2026, 2, 2), 10.0))
    rebased = build_schedule(tasks, replanned, progress, date(2026, 2, 9))
    assert rebased.hours_planned_to_date == pytest.approx(20)  # 10 then, 10 a week since
    assert rebased.hours_behind == pytest.approx(10)
    assert rebased.planned_finish == date(2026, 4, 5)  # 90 h at 10 h/week: 63 days from 2 Feb
    assert rebased.pace == "behind"
    assert rebased.projected_finish > rebased.planned_finish


# --------------------------------------------------------------------------- team


def test_team_report_over_every_plan(cli: Run, tmp_path: Path) -> None:
    old = (TODAY - timedelta(days=30)).isoformat()
    cli("start", "ai-architect", "--name", "Ada <script>x</script>", "--start", old)
    cli("start", "lead-ml-engineer", "--name", "Grace", "--start", old)
    cli("start", "ai-architect", "--name", "Linus")
    cli("--plan", "Grace", "done", "python-programming")
    text = cli("team").stdout
    assert "Team report" in text and "3 plans" in text
    assert "Grace (lead-ml-engineer)" in text and "behind by" in text
    assert "Linus (ai-architect)" in text and "on track" in text
    assert "python-programming" in text.split("Where people are stuck")[1]
    md = cli("team", "--format", "md").stdout
    assert "| Ada &lt;script&gt;x&lt;/script&gt; |" in md
    out = tmp_path / "team.html"
    assert cli("team", "-o", str(out)).exit_code == 0
    page = out.read_text()
    assert "<script>" not in page and "Ada &lt;script&gt;" in page
    assert re.search(r"@page \{\s*size: A4;", page)  # the plan's print stylesheet


def test_team_without_plans(cli: Run) -> None:
    result = cli("team")
    assert result.exit_code == 4
    assert "No plan yet" in result.stderr
