"""Dates and times shown to a person are local (the system's zone); stored times stay
UTC, and so do the ISO timestamps in JSON output."""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from planner.cli.progress import local_time
from tests.conftest import START, Run, local_time_zone

# A stored time (UTC) on whose date the zone disagrees with UTC, and the local time it is.
ZONES = [
    ("Pacific/Kiritimati", "2026-03-10 10:30:00", "2026-03-11 00:30"),  # UTC+14
    ("Pacific/Pago_Pago", "2026-03-10 10:30:00", "2026-03-09 23:30"),  # UTC-11
    ("Asia/Kolkata", "2026-03-10 19:00:00", "2026-03-11 00:30"),  # UTC+5:30
]


@pytest.mark.parametrize(("zone", "stored", "shown"), ZONES)
def test_a_stored_time_is_shown_as_the_local_wall_clock(zone: str, stored: str, shown: str) -> None:
    stamp = datetime.fromisoformat(stored).replace(tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert local_time(stamp, ZoneInfo(zone)) == shown
    assert shown[:10] != stored[:10]


def _done_at(cli: Run, db: Path, stored: str) -> None:
    """A plan with one milestone done, its event stored at ``stored`` (UTC)."""
    assert cli("--db", str(db), "start", "tiny-role", "--start", START.isoformat()).exit_code == 0
    assert cli("--db", str(db), "done", "python-basics", "--on", "2026-03-09").exit_code == 0
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute("UPDATE event SET at = ?", (stored,))
        conn.commit()


@pytest.mark.parametrize(("zone", "stored", "shown"), ZONES)
def test_team_and_log_show_local_dates_and_times(
    cli: Run, tmp_path: Path, fixture_curricula: Path, zone: str, stored: str, shown: str
) -> None:
    db = tmp_path / "planner.db"
    _done_at(cli, db, stored)
    with local_time_zone(zone):
        team = cli("--db", str(db), "team")
        log = cli("--db", str(db), "log")
        log_json = cli("--db", str(db), "log", "--json")
        md = cli("--db", str(db), "team", "--format", "md")
    assert team.exit_code == 0, team.stderr
    assert f"Last activity: {shown[:10]};" in team.stdout
    assert f"| {shown[:10]} |" in md.stdout
    assert log.exit_code == 0, log.stderr
    header, row = log.stdout.splitlines()[:2]
    assert header.startswith("WHEN ")
    assert row.startswith(f"{shown}  done")
    # JSON keeps the stored moment, in UTC with a Z, whatever the zone
    assert f'"at": "{stored.replace(" ", "T")}Z"' in log_json.stdout


def test_done_now_is_todays_activity_where_the_date_differs_from_utc(
    cli: Run, tmp_path: Path, fixture_curricula: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reported case: in a zone whose date is not UTC's at this moment (UTC+14 from
    10:00 UTC, UTC-11 before 11:00 UTC: one of them always is), `team` right after
    `done` reports the local today as the last activity."""
    monkeypatch.delenv("PLANNER_TODAY", raising=False)  # this test is about the clock
    utc_today = datetime.now(UTC).date()
    zone = next(
        z
        for z in ("Pacific/Kiritimati", "Pacific/Pago_Pago")
        if datetime.now(ZoneInfo(z)).date() != utc_today
    )
    db = str(tmp_path / "planner.db")
    with local_time_zone(zone):
        today = date.today()
        assert today != utc_today
        started = cli("--db", db, "start", "tiny-role", "--start", today.isoformat())
        assert started.exit_code == 0, started.stderr
        assert cli("--db", db, "done", "python-basics").exit_code == 0
        team = cli("--db", db, "team")
        log = cli("--db", db, "log")
    assert f"Last activity: {today.isoformat()};" in team.stdout
    assert log.stdout.splitlines()[1].startswith(today.isoformat())
