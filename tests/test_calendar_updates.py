"""``planner export ics`` keeps calendars that import its files in step: stable UIDs,
SEQUENCE raised on changed sessions, vanished sessions sent as CANCELLED; sessions no
longer than ``--max-session``; times in the system's zone, whatever form ``TZ`` takes."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from planner.calendar import plan_sessions
from planner.cli import app
from planner.errors import ReadOnly, UsageError
from tests.conftest import Run
from tests.test_ics import make_view

BOTH_BACKENDS = True
TODAY = date.today()


@pytest.fixture
def started(cli: Run, fixture_curricula: Path) -> Run:
    assert cli("start", "tiny-role", "--start", TODAY.isoformat()).exit_code == 0
    return cli


def exported(run: Run, *args: str) -> dict[str, dict[str, Any]]:
    """UID -> what a calendar sees of the event, from ``export ics``."""
    result = run("export", "ics", *args)
    assert result.exit_code == 0, result.stderr
    return parse(result.stdout_bytes)


def parse(data: bytes) -> dict[str, dict[str, Any]]:
    calendar = icalendar.Calendar.from_ical(data)
    tzids = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    found = {}
    for event in calendar.walk("VEVENT"):
        assert event["DTSTART"].params["TZID"] in tzids
        found[str(event["UID"])] = {
            "sequence": int(event["SEQUENCE"]),
            "status": str(event["STATUS"]),
            "start": event.decoded("DTSTART"),
            "end": event.decoded("DTEND"),
            "summary": str(event["SUMMARY"]),
            "description": str(event["DESCRIPTION"]),
        }
    return found


def content(event: dict[str, Any]) -> tuple[Any, ...]:
    return (event["status"], event["start"], event["end"], event["summary"], event["description"])


def check_update(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> None:
    """What a calendar that imported ``before`` needs from ``after``."""
    for uid, old in before.items():
        assert uid in after, f"{uid} vanished without being cancelled"
        new = after[uid]
        if content(new) == content(old):
            assert new["sequence"] == old["sequence"], uid
        else:
            assert new["sequence"] > old["sequence"], (uid, old, new)


def test_done_cancels_and_renumbers_what_changed(started: Run) -> None:
    first = exported(started)
    assert {e["status"] for e in first.values()} == {"CONFIRMED"}
    assert {e["sequence"] for e in first.values()} == {0}
    assert started("done", "python-basics").exit_code == 0
    second = exported(started)
    check_update(first, second)
    cancelled = {uid for uid, e in second.items() if e["status"] == "CANCELLED"}
    moved = {
        uid
        for uid, e in second.items()
        if uid in first and e["status"] == "CONFIRMED" and content(e) != content(first[uid])
    }
    assert cancelled and moved  # python-basics' sessions are gone; later ones moved up
    assert all(second[uid]["sequence"] == 1 for uid in cancelled | moved)
    # Exported again with nothing changed: the same file, cancelled sessions included.
    third = exported(started)
    assert third == second
    # Taken back: the cancelled sessions return, numbered above their cancellation.
    assert started("undo", "python-basics").exit_code == 0
    fourth = exported(started)
    check_update(third, fourth)
    assert {uid for uid in first if fourth[uid]["status"] == "CONFIRMED"} == set(first)
    assert all(fourth[uid]["sequence"] == 2 for uid in cancelled)


def test_changed_options_renumber_every_session(started: Run) -> None:
    first = exported(started)
    second = exported(started, "--at", "07:30")
    check_update(first, second)
    assert {e["sequence"] for e in second.values()} == {1}


def test_a_read_only_database_still_exports(started: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    first = exported(started)
    assert started("done", "python-basics").exit_code == 0

    @contextlib.contextmanager
    def refuse(self: Any) -> Iterator[Any]:
        raise ReadOnly("Cannot write to the database: read-only.")
        yield

    with monkeypatch.context() as patched:
        patched.setattr("planner.db.Database.write", refuse)
        result = started("export", "ics")
    assert result.exit_code == 0
    assert "read-only" in result.stderr and "not recorded" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    untracked = parse(result.stdout_bytes)
    check_update(first, untracked)  # numbered from what was recorded before
    assert exported(started) == untracked  # and the next export, recorded, agrees


def test_a_week_that_needs_longer_sessions_is_refused(cli: Run, fixture_curricula: Path) -> None:
    args = ("start", "tiny-role", "--hours-per-week", "10", "--start", TODAY.isoformat())
    assert cli(*args).exit_code == 0
    result = cli("export", "ics", "--days", "tue", "--at", "19:00")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: 10 h a week on 1 day needs sessions of 10 h, longer than --max-session 3; "
        "choose at least 4 days with --days, or allow longer sessions with --max-session 10.\n"
    )
    fitted = exported(cli, "--days", "tue", "--max-session", "10")
    assert max(e["end"] - e["start"] for e in fitted.values()) == timedelta(hours=10)
    spread = exported(cli, "--days", "mon,tue,thu,sat")
    planned = [e for e in spread.values() if e["status"] == "CONFIRMED"]
    assert max(e["end"] - e["start"] for e in planned) <= timedelta(hours=3)
    assert {e["status"] for e in spread.values() if e not in planned} == {"CANCELLED"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--session-hours", "4"], "--session-hours 4 is longer than --max-session 3"),
        (["--max-session", "0"], "--max-session must be more than 0 and at most 12"),
        (["--max-session", "13"], "--max-session must be more than 0 and at most 12"),
    ],
)
def test_session_options_must_agree(started: Run, args: list[str], message: str) -> None:
    result = started("export", "ics", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {message}"), result.stderr


# --------------------------------------------------------------------------- properties

STEP = st.one_of(
    st.tuples(
        st.sampled_from(["done", "undo", "skip"]),
        st.sampled_from(["python-basics", "stats-basics", "first-model", "deploy-model"]),
    ),
    st.tuples(st.just("study"), st.sampled_from(["python-basics", "stats-basics"])),
    st.tuples(st.just("export"), st.sampled_from(["19:00", "07:30"])),
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=st.lists(STEP, min_size=1, max_size=8))
def test_every_export_updates_what_the_earlier_ones_published(
    tmp_path_factory: pytest.TempPathFactory, fixture_curricula: Path, history: list[Any]
) -> None:
    database = tmp_path_factory.mktemp("history") / "planner.db"
    runner = CliRunner()

    def run(*args: str) -> Any:
        return runner.invoke(app, ["--db", str(database), *args], catch_exceptions=False)

    assert run("start", "tiny-role", "--start", TODAY.isoformat()).exit_code == 0
    seen: dict[str, dict[str, Any]] = {}  # every uid as a calendar last imported it
    for step, value in [*history, ("export", "19:00")]:
        if step == "export":
            result = run("export", "ics", "--at", value)
            assert result.exit_code == 0, result.stderr
            now = parse(result.stdout_bytes)
            check_update(seen, now)
            seen.update(now)
        elif step == "study":
            run("study", value, "1h")
        else:
            run(step, value)  # undoing what is not done is refused: a history goes on


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    days=st.sets(st.integers(0, 6), min_size=1),
    hours=st.sampled_from([2.0, 5.0, 8.0, 10.0, 14.0, 20.0]),
    session=st.sampled_from([0.5, 1.0, 2.0, 3.0]),
    longest=st.sampled_from([1.0, 2.0, 3.0, 4.5, 8.0, 12.0]),
)
def test_no_session_is_longer_than_max_session(
    fixture_curricula: Path, days: set[int], hours: float, session: float, longest: float
) -> None:
    view = make_view(TODAY, hours=hours, start=TODAY)
    now = datetime.combine(TODAY, time(9), tzinfo=UTC)
    try:
        sessions = plan_sessions(
            view, sorted(days), time(19), min(session, longest), now, max_session=longest
        )
    except UsageError as exc:
        # a week's own hours (each milestone's share rounded to the minute) do not fit
        assert hours * 60 > len(days) * longest * 60 - 5, str(exc)
        assert "--max-session" in str(exc)
        return
    assert hours * 60 <= len(days) * longest * 60 + 5
    assert sessions and all(s.end - s.start <= timedelta(hours=longest) for s in sessions)
    planned = sum(round(slot.hours * 60) for w in view.schedule.weeks for slot in w.slots)
    assert sum(sum(s.minutes) for s in sessions) == planned  # nothing lost when capped


# --------------------------------------------------------------------------- time zones

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("tz", "zone"),
    [
        ("CET-1CEST,M3.5.0,M10.5.0/3", PARIS),  # a POSIX rule: no IANA name anywhere
        ("/usr/share/zoneinfo/Europe/Paris", PARIS),  # a zone file's path
        ("Europe/Paris", PARIS),
        (":Europe/Paris", PARIS),
        ("UTC", ZoneInfo("UTC")),
    ],
)
def test_sessions_keep_their_local_time_in_summer_and_winter(
    cli: Run, fixture_curricula: Path, tmp_path: Path, tz: str, zone: ZoneInfo
) -> None:
    # 36 h at 1 h a week, Mondays only: 36 weeks, across both clock changes of a year.
    args = ("start", "tiny-role", "--hours-per-week", "1", "--start", TODAY.isoformat())
    assert cli(*args).exit_code == 0
    output = tmp_path / "study.ics"
    done = subprocess.run(
        [sys.executable, "-m", "planner", "export", "ics", "--days", "mon", "--at", "07:30"],
        env={**os.environ, "TZ": tz},
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    output.write_bytes(done.stdout)
    calendar = icalendar.Calendar.from_ical(output.read_bytes())  # parsed back
    assert len(calendar.walk("VTIMEZONE")) == 1
    starts = [event.decoded("DTSTART") for event in calendar.walk("VEVENT")]
    assert len(starts) == 36
    assert all(start.utcoffset() is not None for start in starts)
    local = [start.astimezone(zone) for start in starts]
    assert {moment.time() for moment in local} == {time(7, 30)}
    assert {moment.weekday() for moment in local} == {0}
    offsets = {moment.utcoffset() for moment in local}
    expected = {timedelta(0)} if zone.key == "UTC" else {timedelta(hours=1), timedelta(hours=2)}
    assert offsets == expected  # summer and winter sessions both
    with contextlib.closing(sqlite3.connect(os.environ["PLANNER_HOME"] + "/planner.db")) as db:
        recorded = db.execute("SELECT COUNT(*) FROM calendar_entry").fetchone()[0]
    assert recorded == 36
