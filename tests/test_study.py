"""Study time, time off and earned-value pace, through the command line and the view.

The learner of the README's tour: 8 h a week, two milestones done with their real hours,
then some hours into the next one. Dates are relative to today where pace depends on it;
hours come from the built-in curriculum, so a revision of its estimates keeps the story.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from planner.curriculum import load_role
from planner.history import Activity, StudyEntry, TimeOff
from planner.queries import MilestoneState
from planner.rules import parse_duration
from planner.view import PlanInfo, PlanView, build_view
from tests.conftest import SESSION_DAY, Run

BOTH_BACKENDS = True  # tests that run the CLI run on SQLite and on the test server

TODAY = SESSION_DAY
START = TODAY - timedelta(days=42)  # six weeks ago: the plan expects 48 h by today
PLANNED = 48
_HOURS = {m.id: m.hours for m in load_role("ai-architect").milestones}
DONE_EARNED = _HOURS["python-programming"] + _HOURS["sql-data-wrangling"]  # estimates earned
DSA = _HOURS["data-structures-algorithms"]  # the milestone studied next


def hours(value: float) -> str:
    return f"{value:g}"


def day(offset: int) -> str:
    return (START + timedelta(days=offset)).isoformat()


@pytest.fixture
def learner(cli: Run) -> Run:
    """The tour's learner, before recording any study time."""
    assert (
        cli(
            "start",
            "ai-architect",
            "--name",
            "learner",
            "--start",
            START.isoformat(),
            "--hours-per-week",
            "8",
        ).exit_code
        == 0
    )
    assert cli("done", "python-programming", "--on", day(18), "--hours", "26").exit_code == 0
    assert cli("done", "sql-data", "--on", day(32), "--hours", "18").exit_code == 0
    return cli


def status(cli: Run) -> dict[str, Any]:
    result = cli("status", "--json")
    assert result.exit_code == 0, result.stderr
    return dict(json.loads(result.stdout))


def events(cli: Run) -> list[dict[str, Any]]:
    return list(json.loads(cli("log", "--json").stdout)["events"])


def one_error_line(result: Any) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert "Traceback" not in result.stderr
    return str(lines[0])


# --------------------------------------------------------------------------- the story


def test_the_learner_behind_before_recording_study(learner: Run) -> None:
    data = status(learner)
    assert DONE_EARNED < PLANNED  # the story needs the learner behind here
    assert data["pace"]["hours_planned_to_date"] == PLANNED
    assert data["pace"]["hours_earned"] == DONE_EARNED
    assert data["pace"]["status"] == "behind"
    assert data["finish"]["projected"] > data["finish"]["planned"]


def test_study_time_makes_the_learner_two_hours_ahead(learner: Run) -> None:
    studied = PLANNED + 2 - DONE_EARNED
    result = learner("study", "data-structures", f"{hours(studied)}h", "--on", day(39))
    assert result.exit_code == 0, result.stderr
    assert f"{hours(studied)} of {hours(DSA)} h" in result.stdout
    data = status(learner)
    assert data["pace"]["hours_earned"] == PLANNED + 2
    assert data["pace"]["hours_behind"] == -2
    assert data["pace"]["status"] == "ahead"
    assert data["pace"]["text"] == "ahead by 2 h"
    assert data["finish"]["projected"] < data["finish"]["planned"]
    assert data["progress"]["milestones_started"] == 1
    text = learner("status").stdout
    assert "ahead by 2 h (earned 50 h; the plan expected 48 h by today)" in text
    assert "days earlier than planned" in text
    assert len(text.splitlines()) <= 24
    nxt = learner("next")
    assert f"{hours(studied)} of {hours(DSA)} h studied" in nxt.stdout
    next_json = json.loads(learner("next", "--json").stdout)
    assert next_json["milestones"][0]["hours_studied"] == studied
    replan = learner("replan")
    assert "No catch-up is needed: you are ahead of the plan." in replan.stdout
    assert "Study" not in replan.stdout  # no option that changes nothing
    # the same numbers everywhere
    plans = json.loads(learner("plans", "--json").stdout)[0]
    assert plans["pace"] == data["pace"]
    assert plans["progress"] == data["progress"]


def test_done_without_hours_takes_the_study_time(learner: Run) -> None:
    spent = DSA + 4
    learner("study", "data-structures", "20h", "--on", day(38))
    learner("study", "data-structures", f"{hours(spent - 20)}h", "--on", day(39))
    result = learner("done", "data-structures", "--on", day(40))
    assert f"{hours(spent)} h of {hours(DSA)} h estimated" in " ".join(result.stdout.split())
    log = " ".join(learner("log").stdout.split())  # the detail may wrap in its column
    assert f"{hours(spent)} h spent of {hours(DSA)} h estimated (+4 h)" in log
    data = status(learner)
    assert data["pace"]["hours_earned"] == DONE_EARNED + DSA  # a done milestone earns its estimate


def test_done_with_fewer_hours_than_studied_is_refused(learner: Run) -> None:
    learner("study", "data-structures", "10h", "--on", day(39))
    before = events(learner)
    result = learner("done", "data-structures", "--hours", "5")
    assert result.exit_code == 2
    assert "already recorded" in one_error_line(result)
    assert events(learner) == before


def test_undo_takes_back_done_then_study_entries_newest_first(learner: Run) -> None:
    learner("study", "data-structures", "2h", "--on", day(38))
    learner("study", "data-structures", "90m", "--on", day(39))
    assert status(learner)["pace"]["hours_earned"] == DONE_EARNED + 3.5
    result = learner("undo", "data-structures")
    assert "Took back 1.5 h of study" in result.stdout
    assert status(learner)["pace"]["hours_earned"] == DONE_EARNED + 2
    kinds = [e["kind"] for e in events(learner)]
    assert kinds[-3:] == ["studied", "studied", "retracted"]  # nothing is deleted
    assert "takes back 1.5 h studied on" in learner("log").stdout
    learner("undo", "data-structures")
    result = learner("undo", "data-structures")
    assert result.exit_code == 2
    assert "nothing to undo" in one_error_line(result)


def test_study_beyond_the_estimate_earns_at_most_nine_tenths(cli: Run) -> None:
    cli("start", "ai-architect", "--name", "over", "--start", START.isoformat())
    milestone = load_role("ai-architect").milestones[0]
    for offset in range(4):
        result = cli("study", milestone.id, "20h", "--on", day(offset))
        assert result.exit_code == 0
    assert "more than its" in result.stderr and "until you mark it done" in result.stderr
    data = status(cli)
    assert data["pace"]["hours_earned"] == pytest.approx(round(milestone.hours * 60) * 9 // 10 / 60)


@pytest.mark.parametrize(
    ("duration", "message"),
    [
        ("0", "at least a minute"),
        ("abc", "must be a duration like 2, 1.5h, 90m or 1h30m"),
        ("1e9", "must be a duration"),
        ("25h", "more than 24 hours"),
        ("1h61m", "61 minutes after the hours"),
        ("-1h", "must be a duration"),
        ("", "must be a duration"),
        ("nan", "must be a duration"),
        ("\u0661\u0662", "must be a duration"),  # Arabic-Indic digits are not hours here
    ],
)
def test_bad_durations_store_nothing(learner: Run, duration: str, message: str) -> None:
    before = events(learner)
    result = learner("study", "data-structures", "--", duration)
    assert result.exit_code == 2
    assert message in one_error_line(result)
    assert events(learner) == before


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("2", 2),
        ("1.5", 1.5),
        ("1.5h", 1.5),
        ("90m", 1.5),
        ("1h30m", 1.5),
        ("1h 30m", 1.5),
        ("45min", 0.75),
        ("2 hours", 2),
        ("24h", 24),
    ],
)
def test_durations_as_people_type_them(text: str, hours: float) -> None:
    assert parse_duration(text) == hours


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["python-programming", "1h"], 2, "is done"),
        (["no-such-milestone", "1h"], 4, "no-such-milestone"),
        (["data-structures", "1h", "--on", "2000-01-01"], 2, "before the plan starts"),
        (
            ["data-structures", "1h", "--on", (TODAY + timedelta(days=1)).isoformat()],
            2,
            "in the future",
        ),
        (["data-structures", "1h", "--on", "yesterday"], 2, "must be a date"),
        (["data-structures", "1h", "--note", "  "], 2, "note is empty"),
    ],
)
def test_bad_study_stores_nothing(learner: Run, args: list[str], code: int, message: str) -> None:
    before = events(learner)
    result = learner("study", *args)
    assert result.exit_code == code, result.stdout
    assert message in one_error_line(result)
    assert events(learner) == before


def test_study_on_a_skipped_milestone_is_refused(learner: Run) -> None:
    learner("skip", "r-programming")
    before = events(learner)
    result = learner("study", "r-programming", "1h")
    assert result.exit_code == 2
    assert "undo" in one_error_line(result)
    assert events(learner) == before


def test_a_day_holds_at_most_24_hours(learner: Run) -> None:
    assert learner("study", "data-structures", "20h", "--on", day(39)).exit_code == 0
    before = events(learner)
    result = learner("study", "data-structures", "5h", "--on", day(39))
    assert result.exit_code == 2
    assert "more than 24 h in one day" in one_error_line(result)
    assert events(learner) == before


# --------------------------------------------------------------------------- time off

HOLIDAY = ("2026-12-20", "2027-01-03")  # 15 days


@pytest.fixture
def fixed(cli: Run) -> Run:
    cli("start", "ai-architect", "--name", "fixed", "--start", "2026-10-19")
    return cli


def test_time_off_moves_the_planned_finish_by_exactly_its_days(fixed: Run) -> None:
    before = status(fixed)["finish"]["planned"]
    result = fixed("away", *HOLIDAY, "--note", "holidays")
    assert result.exit_code == 0, result.stderr
    assert "15 days, no study" in result.stdout
    after = status(fixed)["finish"]["planned"]
    assert (date.fromisoformat(after) - date.fromisoformat(before)).days == 15
    listed = fixed("away").stdout
    assert "2026-12-20  2027-01-03" in listed and "holidays" in listed
    assert "+15 days" in result.stdout


def test_time_off_with_reduced_hours_moves_the_finish_less(fixed: Run) -> None:
    before = date.fromisoformat(status(fixed)["finish"]["planned"])
    fixed("away", *HOLIDAY, "--hours", "4")
    after = date.fromisoformat(status(fixed)["finish"]["planned"])
    assert 7 <= (after - before).days <= 8  # half the hours for 15 days


def test_undo_away_restores_the_plan(fixed: Run) -> None:
    before = status(fixed)["finish"]
    fixed("away", *HOLIDAY)
    result = fixed("undo", "--away", "2026-12-25")
    assert result.exit_code == 0, result.stderr
    assert "Took back the time off from 2026-12-20 to 2027-01-03" in result.stdout
    assert status(fixed)["finish"] == before
    assert [e["kind"] for e in events(fixed)][-2:] == ["away", "retracted"]
    assert "No time off" in fixed("away").stdout


def test_time_off_in_the_past_never_makes_a_learner_behind(learner: Run) -> None:
    before = status(learner)["pace"]
    learner("away", day(7), day(20))
    after = status(learner)["pace"]
    assert after["hours_planned_to_date"] == before["hours_planned_to_date"] - 16
    assert after["hours_behind"] == before["hours_behind"] - 16


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["2027-01-03", "2026-12-20"], 2, "before it starts"),
        (["2020-01-01", "2020-02-01"], 2, "before the plan starts"),
        (["2026-12-24", "2026-12-26"], 5, "overlaps your time off from 2026-12-20"),
        (["2026-10-19", "2040-01-01"], 2, "more than 5 years from today"),
        (["2026-10-01", "2030-06-01"], 2, "covers the whole plan"),
        (["2026-12-20", "2026-12-21", "--hours", "8"], 2, "fewer than the plan's 8"),
        (["2026-12-20", "2026-12-21", "--hours", "-1"], 2, "at least 0"),
        (["2026-12-20"], 2, "Give the last day away too"),
        (["2026-12-20", "soon"], 2, "must be a date"),
    ],
)
def test_bad_time_off_stores_nothing(
    fixed: Run, args: list[str], code: int, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if "overlaps" in message:
        fixed("away", *HOLIDAY)
    if "covers" in message:
        fixed("start", "ai-architect", "--name", "short", "--start", "2026-11-02", "-H", "80")
        monkeypatch.setenv("PLANNER_PLAN", "short")
    before = events(fixed)
    result = fixed("away", *args)
    assert result.exit_code == code, result.stdout
    assert message in one_error_line(result)
    assert events(fixed) == before


def test_undo_away_on_a_day_without_time_off(fixed: Run) -> None:
    result = fixed("undo", "--away", "2026-12-25")
    assert result.exit_code == 4
    assert "No time off includes 2026-12-25" in one_error_line(result)


# --------------------------------------------------------------------------- steady study


def _view(today: date, activity: Activity) -> PlanView:
    role = load_role("ai-architect")
    info = PlanInfo(
        name="steady",
        roles=(role.id,),
        hours_per_week=8,
        start=date(2026, 10, 19),
        known_skills=(),
        industry=None,
        created_at=datetime(2026, 10, 19, tzinfo=UTC),
        curriculum_versions={},
        curricula=(role,),
    )
    at = datetime(2026, 11, 20, tzinfo=UTC)
    states = {
        "python-programming": MilestoneState("done", date(2026, 11, 6), at, 26.0),
        "sql-data-wrangling": MilestoneState("done", date(2026, 11, 20), at, 18.0),
    }
    return build_view(info, states, today, activity)


def test_two_weeks_of_steady_study_on_one_milestone_never_look_behind() -> None:
    """From the tour's Monday on, 2 h every other day on the 28 h milestone (8 h a week
    on average): every day of the next two weeks is on track or ahead."""
    first = date(2026, 11, 30)
    entries = [StudyEntry(1, "data-structures-algorithms", date(2026, 11, 27), 10.0)]
    entries += [
        StudyEntry(i + 2, "data-structures-algorithms", first + timedelta(days=d), 2.0)
        for i, d in enumerate(range(0, 14, 2))
    ]
    for offset in range(15):
        today = first + timedelta(days=offset)
        activity = Activity(tuple(e for e in entries if e.day <= today))
        schedule = _view(today, activity).schedule
        assert schedule.pace in ("on track", "ahead"), (today, schedule.hours_behind)
        if schedule.pace == "on track":
            assert schedule.projected_finish == schedule.planned_finish


def test_time_off_puts_no_planned_work_in_its_weeks() -> None:
    away = TimeOff(1, date(2026, 12, 21), date(2027, 1, 3))  # two whole plan weeks
    schedule = _view(date(2026, 11, 30), Activity((), (away,))).schedule
    weeks = [w for w in schedule.weeks if w.start >= away.first and w.end <= away.last]
    assert len(weeks) == 2
    assert all(not w.slots and w.capacity == 0 and w.away_days == 7 for w in weeks)


def test_undo_of_time_off_and_a_milestone_together_is_refused_whole(fixed: Run) -> None:
    fixed("away", *HOLIDAY)
    before = events(fixed)
    result = fixed("undo", "linear-algebra", "--away", "2026-12-25")
    assert result.exit_code == 2
    assert "two commands" in one_error_line(result)
    assert events(fixed) == before


def test_done_before_its_own_study_time_is_refused(learner: Run) -> None:
    learner("study", "data-structures", "5h", "--on", day(39))
    before = events(learner)
    result = learner("done", "data-structures", "--on", day(35))
    assert result.exit_code == 2
    assert f"give --on {day(39)} or later" in one_error_line(result)
    assert events(learner) == before


def test_undoing_done_on_a_known_milestone_says_where_it_goes(cli: Run) -> None:
    cli("start", "ai-architect", "--know", "python")
    cli("done", "python")
    result = cli("undo", "python")
    assert "skipped as known again" in result.stdout
    assert status(cli)["skipped_known"][0]["id"] == "python-programming"
