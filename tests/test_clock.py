"""PLANNER_TODAY: a command acts as if that day were today; a bad value changes nothing."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.cli import clock
from tests.conftest import Run


@pytest.fixture(autouse=True)
def _curricula(fixture_curricula: Path) -> None:
    """These tests run on the small fixture curricula."""


@settings(max_examples=50, deadline=None)
@given(day=st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)))
def test_today_is_the_day_given(day: date) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PLANNER_TODAY", day.isoformat())
        assert clock.today() == day


def test_today_is_the_local_date_when_unset_or_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLANNER_TODAY", raising=False)
    before = date.today()
    assert clock.today() in {before, date.today()}  # the same, unless midnight passed
    monkeypatch.setenv("PLANNER_TODAY", "  ")
    assert clock.today() in {before, date.today()}


def test_a_plan_seen_on_another_day(cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANNER_TODAY", "2026-03-02")
    assert cli("start", "tiny-role", "--start", "2026-02-16").exit_code == 0
    status = json.loads(cli("status", "--json").stdout)
    assert status["today"] == "2026-03-02"
    assert status["current_week"]["number"] == 3
    assert status["pace"]["hours_planned_to_date"] == 16.0  # two weeks of 8 h
    done = cli("done", "python-basics")
    assert done.exit_code == 0, done.stderr
    assert "on 2026-03-02" in done.stdout
    entry = json.loads(cli("log", "--json").stdout)["events"][-1]
    assert entry["kind"] == "done"
    assert "2026-03-02" in json.dumps(entry)

    monkeypatch.setenv("PLANNER_TODAY", "2026-03-16")  # two weeks later: behind
    later = json.loads(cli("status", "--json").stdout)
    assert later["current_week"]["number"] == 5
    assert later["pace"]["hours_planned_to_date"] == 32.0


@pytest.mark.parametrize("value", ["tomorrow", "2026-02-30", "2026-13-01", "1/3/2026"])
def test_a_bad_day_is_one_line_and_changes_nothing(
    cli: Run, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    assert cli("start", "tiny-role").exit_code == 0
    before = cli("log", "--json").stdout
    monkeypatch.setenv("PLANNER_TODAY", value)
    for args in (("done", "python-basics"), ("status",), ("next",)):
        result = cli(*args)
        assert result.exit_code == 2, (args, result.stdout)
        assert result.stderr.count("\n") == 1
        assert f"PLANNER_TODAY must be a date like 2026-01-31 (got '{value}')" in result.stderr
    monkeypatch.delenv("PLANNER_TODAY")
    assert cli("log", "--json").stdout == before


def test_future_days_are_refused_against_the_given_day(
    cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLANNER_TODAY", "2026-03-02")
    assert cli("start", "tiny-role", "--start", "2026-02-16").exit_code == 0
    tomorrow = (date(2026, 3, 2) + timedelta(days=1)).isoformat()
    result = cli("done", "python-basics", "--on", tomorrow)
    assert result.exit_code == 2
    assert cli("done", "python-basics", "--on", "2026-03-02").exit_code == 0
