"""Round trips of whole histories: ``export json`` -> ``import`` into an empty database
-> ``export json`` gives the same document (apart from ``exported_at``), and importing
into a database that already holds plans never deletes or changes anything there.

300 generated histories go through the backup module's own functions in process (the
commands are thin wrappers around them); three more go through the real CLI.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner import backup, tracker
from planner.db import open_database
from planner.errors import PlanExists
from tests.conftest import FIXTURE_CURRICULA, Run, report

EXAMPLES = 300
FIRST_EXPORT = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
SECOND_EXPORT = datetime(2027, 7, 9, 8, 30, 0, 1, tzinfo=UTC)
MILESTONES = ["python-basics", "stats-basics", "first-model", "deploy-model", "rétiré-milestone"]
NOTE_SAMPLES = [
    "Ünïcode ✓\nline two",
    "emoji 😀🚀 and CJK 学习计划\r\nwith a CRLF",
    "  leading and trailing spaces  ",
    "\ttab-indented\n\n\nblank lines\n",
    "right to left: שלום עולם",
    "e\u0301 combining, \u200b zero width, \ufeff BOM",
    "\U0010fffd private use, \U0001f9d1\u200d\U0001f4bb joined emoji",
    "\\ backslash \"double\" 'single' </script> <b>not bold</b>",
    "a long note " * 200,
]
CHARS = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
NOTE = st.one_of(
    st.text(CHARS, max_size=60),
    st.sampled_from(NOTE_SAMPLES),
    st.lists(st.text(CHARS, max_size=20), min_size=2, max_size=6).map("\n".join),
)
NAME = (
    st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=40)
    .map(str.strip)
    .filter(bool)
)
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
MOMENT = st.integers(0, 100 * 365 * 86400 * 10**6).map(
    lambda us: EPOCH + timedelta(microseconds=us)
)
DAY = st.integers(date(2000, 1, 1).toordinal(), date(2100, 1, 1).toordinal()).map(date.fromordinal)
HOURS = st.one_of(st.none(), st.floats(min_value=0.01, max_value=1000, allow_nan=False))


# --------------------------------------------------------------------------- histories


@st.composite
def events(draw: st.DrawFn) -> list[dict[str, Any]]:
    """What a learner could have done, following the rules of the commands: done only
    when not done, undo only after done or skip, many done/undo cycles, notes."""
    at = draw(MOMENT)
    state: dict[str, str] = {}
    out: list[dict[str, Any]] = []

    def add(kind: str, milestone: str, **fields: Any) -> None:
        nonlocal at
        at += draw(st.sampled_from([timedelta(0), timedelta(microseconds=1), timedelta(days=1)]))
        out.append(
            {
                "kind": kind,
                "milestone_id": milestone,
                "at": at,
                "on_date": None,
                "hours": None,
                "note": None,
                **fields,
            }
        )

    def mark_done(milestone: str) -> None:
        add(
            "done",
            milestone,
            on_date=draw(DAY),
            hours=draw(HOURS),
            note=draw(st.one_of(st.none(), NOTE)),
        )
        state[milestone] = "done"

    for _ in range(draw(st.integers(0, 16))):
        action = draw(st.sampled_from(["cycle", "cycle", "done", "undo", "skip", "note", "plan"]))
        milestone = draw(st.sampled_from(MILESTONES))
        current = state.get(milestone)
        if action == "cycle":  # done and undone again, several times
            for _ in range(draw(st.integers(1, 4))):
                if state.get(milestone) != "done":
                    mark_done(milestone)
                add("undone", milestone)
                state[milestone] = "undone"
        elif action == "done" and current != "done":
            mark_done(milestone)
        elif action == "undo" and current in ("done", "skipped"):
            kind = "undone" if current == "done" else "unskipped"
            add(kind, milestone)
            state[milestone] = kind
        elif action == "skip" and current not in ("done", "skipped"):
            add("skipped", milestone, note=draw(st.one_of(st.none(), NOTE)))
            state[milestone] = "skipped"
        elif action == "note":
            add("note", milestone, note=draw(NOTE))
        elif action == "plan":
            kind = draw(st.sampled_from(tracker.PLAN_KINDS))
            add(kind, "", on_date=draw(DAY), hours=draw(HOURS), note=draw(NOTE))
    return out


@st.composite
def plan(draw: st.DrawFn, name: str) -> dict[str, Any]:
    return {
        "name": name,
        "roles": draw(st.lists(st.sampled_from(["tiny-role", "rôle-b"]), min_size=1, unique=True)),
        "curriculum_versions": draw(
            st.dictionaries(st.sampled_from(["tiny-role", "tiny-base"]), st.integers(0, 99))
        ),
        "hours_per_week": draw(st.floats(min_value=0.01, max_value=80)),
        "start_date": draw(DAY),
        "known_skills": draw(st.lists(st.text(CHARS, min_size=1, max_size=20), max_size=3)),
        "industry": draw(st.one_of(st.none(), st.text(CHARS, max_size=30))),
        "created_at": draw(MOMENT),
        "last_used_at": draw(MOMENT),
        "events": draw(events()),
    }


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(plans to export, plans already in the database imported into)."""
    names = draw(st.lists(NAME, min_size=2, max_size=5, unique=True))
    split = draw(st.integers(1, len(names) - 1))
    exported = [draw(plan(name)) for name in names[:split]]
    existing = [draw(plan(name)) for name in names[split:]]
    if existing and draw(st.booleans()):  # an existing plan shares a name with an imported one
        existing[0]["name"] = draw(st.sampled_from(names[:split]))
    return exported, existing


# --------------------------------------------------------------------------- databases


def write_plans(path: Path, plans: list[dict[str, Any]]) -> None:
    database = open_database(str(path))
    try:
        with database.write() as session:
            for fields in plans:
                row = tracker.create_plan(
                    session=session, **{k: v for k, v in fields.items() if k != "events"}
                )
                assert row.id is not None
                # rows built here, not with insert_events, which import itself uses
                session.add_all(
                    tracker.Event.model_validate({**event, "plan_id": row.id})
                    for event in fields["events"]
                )
                session.flush()
    finally:
        database.engine.dispose()


def export_text(path: Path, now: datetime) -> str:
    document = backup.export_document(db=str(path), plan_name=None, all_plans=True, now=now)
    return backup.document_json(document)


def without_moment(text: str) -> tuple[str, dict[str, Any]]:
    """The document's text with the ``exported_at`` line blanked, and its data without it."""
    data = json.loads(text)
    moment = data.pop("exported_at")
    line = f'  "exported_at": "{moment}",\n'
    assert text.count(line) == 1
    return text.replace(line, ""), data


def rows(path: Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return (
            conn.execute("SELECT * FROM plan ORDER BY id").fetchall(),
            conn.execute("SELECT * FROM event ORDER BY id").fetchall(),
        )


# Durability is not what these tests are about: in memory, commits cost no fsync.
MEMORY = "/dev/shm" if Path("/dev/shm").is_dir() and os.access("/dev/shm", os.W_OK) else None


@pytest.fixture(scope="module")
def empty_database() -> Iterator[Path]:
    """A migrated planner database with no plans, copied for each example."""
    with tempfile.TemporaryDirectory(dir=MEMORY) as folder:
        path = Path(folder, "empty.db")
        open_database(str(path)).engine.dispose()
        yield path


TALLY = {
    "round trips": 0,
    "identical": 0,
    "imports into non-empty": 0,
    "kept everything": 0,
    "refused for a clash": 0,
}


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(history=histories())
def check_round_trip(
    empty_database: Path, history: tuple[list[dict[str, Any]], list[dict[str, Any]]]
) -> None:
    exported, existing = history
    with tempfile.TemporaryDirectory(dir=MEMORY) as folder:
        source, empty, busy = (Path(folder, name) for name in ("source.db", "empty.db", "busy.db"))
        for copy in (source, empty, busy):
            shutil.copyfile(empty_database, copy)
        write_plans(source, exported)
        first = export_text(source, FIRST_EXPORT)
        document = Path(folder, "export.json")
        document.write_text(first, encoding="utf-8")

        # into an empty database, and out again
        result = backup.import_document(db=str(empty), path=document)
        assert sorted(p.name for p in result.plans) == sorted(p["name"] for p in exported)
        second = export_text(empty, SECOND_EXPORT)
        TALLY["round trips"] += 1
        assert without_moment(second) == without_moment(first)
        assert json.loads(second)["exported_at"] == "2027-07-09T08:30:00.000001Z"
        TALLY["identical"] += 1

        # into a database that already holds plans: nothing there is deleted or changed
        write_plans(busy, existing)
        before_plans, before_events = rows(busy)
        clash = {p["name"] for p in existing} & {p["name"] for p in exported}
        TALLY["imports into non-empty"] += 1
        if clash:
            with pytest.raises(PlanExists):
                backup.import_document(db=str(busy), path=document)
            assert rows(busy) == (before_plans, before_events)
            TALLY["refused for a clash"] += 1
        else:
            backup.import_document(db=str(busy), path=document)
            after_plans, after_events = rows(busy)
            assert after_plans[: len(before_plans)] == before_plans
            assert after_events[: len(before_events)] == before_events
            total = sum(len(p["events"]) for p in exported)
            assert len(after_events) == len(before_events) + total
            assert len(after_plans) == len(before_plans) + len(exported)
        TALLY["kept everything"] += 1


@pytest.mark.slow
def test_export_import_export_is_identical(empty_database: Path) -> None:
    for key in TALLY:
        TALLY[key] = 0
    try:
        check_round_trip(empty_database=empty_database)
    finally:
        figure = (
            f"round trips: {TALLY['identical']} of {TALLY['round trips']} generated histories "
            f"identical after export -> import -> export; {TALLY['kept everything']} of "
            f"{TALLY['imports into non-empty']} imports into a non-empty database kept "
            f"everything ({TALLY['refused for a clash']} refused for a name clash, "
            "nothing written)"
        )
        report(figure)
    assert TALLY["round trips"] >= EXAMPLES, figure
    assert TALLY["identical"] == TALLY["round trips"], figure
    assert TALLY["kept everything"] == TALLY["imports into non-empty"], figure


# --------------------------------------------------------------------------- the CLI


def make_cli_history(cli: Run, db: str, variant: int) -> None:
    start = (date.today() - timedelta(days=30)).isoformat()
    second = f"Zoë {variant} ✓"
    assert cli("--db", db, "start", "tiny-role", "--start", start).exit_code == 0
    assert cli("--db", db, "start", "tiny-role", "--name", second, "--start", start).exit_code == 0
    for cycle in range(2):
        note = NOTE_SAMPLES[(cycle + 3 * variant) % len(NOTE_SAMPLES)].strip()
        done = cli(
            "--db",
            db,
            "done",
            "python-basics",
            "stats-basics",
            "--note",
            note,
            "--hours",
            f"{cycle + 1.5}",
        )
        assert done.exit_code == 0, done.stderr
        assert cli("--db", db, "undo", "stats-basics", "python-basics").exit_code == 0
        assert cli("--db", db, "note", "first-model", f"cycle {cycle}\n{note}").exit_code == 0
    assert cli("--db", db, "skip", "deploy-model", "--note", "later").exit_code == 0
    assert cli("--db", db, "--plan", second, "done", "python-basics").exit_code == 0


def planners(*commands: list[str]) -> list[subprocess.CompletedProcess[str]]:
    """Run ``planner`` commands side by side; their results in order."""
    env = {**os.environ, "PLANNER_CURRICULA_PATH": str(FIXTURE_CURRICULA), "COLUMNS": "100"}
    env.pop("PLANNER_FAULT", None)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "planner", *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        for args in commands
    ]
    results = []
    for args, proc in zip(commands, procs, strict=True):
        out, err = proc.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(args, proc.returncode, out, err))
    return results


@pytest.mark.slow
def test_cli_round_trips(cli: Run, tmp_path: Path, fixture_curricula: Path) -> None:
    variants = range(3)
    folders = [tmp_path / f"variant{v}" for v in variants]
    for variant, folder in zip(variants, folders, strict=True):
        folder.mkdir()
        make_cli_history(cli, str(folder / "source.db"), variant)
    for step in (
        ["--db", "{folder}/source.db", "export", "json", "--all", "--output", "{folder}/a.json"],
        ["--db", "{folder}/target.db", "import", "{folder}/a.json"],
        ["--db", "{folder}/target.db", "export", "json", "--all", "--output", "{folder}/b.json"],
    ):
        results = planners(*[[a.format(folder=f) for a in step] for f in folders])
        assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    identical = 0
    for folder in folders:
        first = without_moment((folder / "a.json").read_text(encoding="utf-8"))
        if first == without_moment((folder / "b.json").read_text(encoding="utf-8")):
            identical += 1
        before = rows(folder / "target.db")
        again = cli("--db", str(folder / "target.db"), "import", str(folder / "a.json"))
        assert again.exit_code == 5, again.stderr
        assert rows(folder / "target.db") == before
    figure = f"CLI round trips: {identical} of 3 identical"
    report(figure)
    assert identical == 3, figure
