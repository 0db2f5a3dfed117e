"""Properties of what a plan keeps and of the check before writing.

* A curriculum stored as a snapshot in a real SQLite database reads back equal to what
  was stored (sources reduced to file names), and storing it again adds no row.
* Whatever start date and weekly hours ``start`` is given, it either stores a plan that
  every read path can read, or refuses with a PlannerError and stores nothing: there
  is no input that saves a plan which later cannot be loaded.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner import curriculum, plain, service, store, tracker
from planner.db import open_database
from planner.errors import PlannerError
from planner.snapshot import snapshot_of
from planner.status import next_data, status_data
from tests.conftest import FIXTURE_CURRICULA
from tests.test_curriculum import module_files

TODAY = date(2026, 11, 30)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=module_files())
def test_a_snapshot_reads_back_equal_and_is_stored_once(
    tmp_path_factory: pytest.TempPathFactory, data: dict[str, object]
) -> None:
    folder = tmp_path_factory.mktemp("snapshot")
    path = folder / "generated.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    resolved = curriculum.resolve_file(path)
    database = open_database(str(folder / "planner.db"))
    try:
        moment = datetime(2026, 11, 30, tzinfo=UTC)
        with database.write() as session:
            first = store.store_snapshots(session, [resolved], moment)
            again = store.store_snapshots(session, [resolved], moment)
        assert first == again
        store._constructed.clear()
        with database.read() as session:
            rows = tracker.get_snapshots(session=session, digests=list(first.values()))
        (digest,) = first.values()
        rebuilt = store._construct("p", digest, *rows[digest])
        expected = resolved.model_copy(
            update={"sources": {k: Path(v).name for k, v in resolved.sources.items()}}
        )
        assert rebuilt == plain.of(expected)
        assert snapshot_of(rebuilt).digest == digest  # idempotent: stored once, forever
        with sqlite3.connect(folder / "planner.db") as conn:
            assert conn.execute("SELECT COUNT(*) FROM curriculum_snapshot").fetchone() == (1,)
    finally:
        database.engine.dispose()


START = st.one_of(
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
    st.integers(-4000, 2000).map(lambda days: TODAY + timedelta(days=days)),
)
HOURS = st.one_of(
    st.floats(min_value=0.0001, max_value=200, allow_nan=False, allow_infinity=False),
    st.sampled_from([0.01, 0.02, 0.25, 1.0, 2.0, 8.0, 80.0, 80.5]),
)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(start=START, hours=HOURS)
def test_start_stores_only_plans_that_can_be_read(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    start: date,
    hours: float,
) -> None:
    monkeypatch.setenv("PLANNER_CURRICULA_PATH", str(FIXTURE_CURRICULA))
    db = str(tmp_path_factory.mktemp("start") / "planner.db")
    try:
        service.start_plan(
            db=db,
            roles=["tiny-role"],
            name="p",
            hours_per_week=hours,
            start=start,
            know=[],
            industry=None,
            today=TODAY,
        )
    except PlannerError as exc:
        assert exc.exit_code == 2, exc.message
        assert "\n" not in exc.message
        if Path(db).exists():
            with sqlite3.connect(db) as conn:
                assert conn.execute("SELECT COUNT(*) FROM plan").fetchone() == (0,)
        return
    store._constructed.clear()
    for today in (TODAY, TODAY + timedelta(days=400), start):
        view = store.load_view(db=db, plan_name="p", today=today)
        json.dumps(status_data(view))
        json.dumps(next_data(view))
    (summary,) = service.list_plans(db=db, plan_name=None, today=TODAY)
    assert summary.problem is None
    text = service.render_plan(db=db, plan_name="p", today=TODAY, fmt="txt", weeks=2)
    assert b"Tiny Role" in text


def test_a_stored_plan_past_the_calendar_is_listed_as_unreadable(tmp_path: Path) -> None:
    """A plan stored before the date rules (start 9999-06-01) is named, not fatal."""
    db = str(tmp_path / "planner.db")
    for name in ("good", "far"):
        service.start_plan(
            db=db,
            roles=["ai-architect"],
            name=name,
            hours_per_week=8,
            start=TODAY,
            know=[],
            industry=None,
            today=TODAY,
        )
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE plan SET start_date = '9999-06-01' WHERE name = 'far'")
    summaries = {s.name: s for s in service.list_plans(db=db, plan_name=None, today=TODAY)}
    assert summaries["good"].view is not None
    assert summaries["far"].view is None
    assert "cannot be scheduled" in (summaries["far"].problem or "")
    with pytest.raises(PlannerError) as raised:
        store.load_view(db=db, plan_name="far", today=TODAY)
    assert raised.value.exit_code == 6


def test_snapshot_is_independent_of_where_the_files_are(tmp_path: Path) -> None:
    """The same curriculum installed in two places is one snapshot (a team database)."""
    import shutil

    from planner import settings as planner_settings

    built_in = planner_settings.builtin_curricula_dir()
    copy = tmp_path / "elsewhere"
    shutil.copytree(built_in, copy)
    here = curriculum.resolve_file(built_in / "ai-architect.yaml")
    there = curriculum.resolve_file(copy / "ai-architect.yaml")
    assert here.sources != there.sources
    assert snapshot_of(here).digest == snapshot_of(there).digest
