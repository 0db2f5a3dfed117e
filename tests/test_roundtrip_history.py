"""Round trips of whole histories: ``export json`` -> ``import`` into an empty database
-> ``export json`` gives the same document (apart from ``exported_at``), and importing
into a database that already holds plans never deletes or changes anything there.

300 generated histories go through the transfer module's own functions in process (the
commands are thin wrappers around them); three more go through the real CLI.

The histories follow the rules an import checks, seen from ``NOW`` (the moment every
import here happens): a plan starts from 10 years before today to 5 years after it,
work is dated from the plan's start to today, and no event happened after ``NOW``. Each
plan keeps its curricula as snapshots: the fixture's tiny-role as it is on disk, an
older edition of it that is on no disk, or a second role that exists only in memory, so
an export must carry every curriculum its plans keep.
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

from planner import export_format, rules, tracker, transfer
from planner.curriculum import resolve_file
from planner.db import open_database
from planner.errors import PlanExists
from planner.models import Curriculum
from planner.snapshot import digest_of, snapshot_of
from planner.store import store_snapshots
from tests.conftest import FIXTURE_CURRICULA, Run, report

EXAMPLES = 300
FIRST_EXPORT = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
SECOND_EXPORT = datetime(2027, 7, 9, 8, 30, 0, 1, tzinfo=UTC)
NOW = datetime.now(UTC)  # every import in this module happens at this moment
TODAY = NOW.date()
EARLIEST_START, LATEST_START = rules.start_bounds(TODAY)
MILESTONES = [
    "python-basics",
    "stats-basics",
    "first-model",
    "deploy-model",
    "sql-basics",
    "rétiré-milestone",
]
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
MOMENT = st.integers(0, (NOW - EPOCH) // timedelta(microseconds=1)).map(
    lambda us: EPOCH + timedelta(microseconds=us)
)  # from 2000 up to NOW itself, never later
HOURS = st.one_of(st.none(), st.floats(min_value=0.01, max_value=1000, allow_nan=False))


def days(first: date, last: date) -> st.SearchStrategy[date]:
    return st.integers(first.toordinal(), last.toordinal()).map(date.fromordinal)


# Every start an import accepts (either bound included), and more often one in the past,
# where work can have been done.
START = st.one_of(days(EARLIEST_START, LATEST_START), days(EARLIEST_START, TODAY))


# --------------------------------------------------------------------------- curricula


def _curricula() -> dict[str, list[Curriculum]]:
    """The curricula a plan can keep, by role: tiny-role as the fixture file resolves,
    an older edition of it (other version, title and hours), and other-role, which shares
    tiny-base's milestones unchanged and adds one of its own."""
    tiny = resolve_file(FIXTURE_CURRICULA / "tiny-role.yaml")
    data = tiny.model_dump()
    older = Curriculum.model_validate(
        {
            **data,
            "title": "Tiny Role, first edition ✓",
            "version": 1,
            "versions": {"tiny-base": 1, "tiny-role": 1},
            "milestones": [
                {**m, "hours": 20.0, "title": "Ein erstes Modell"}
                if m["id"] == "first-model"
                else m
                for m in data["milestones"]
            ],
        }
    )
    base = [m for m in data["milestones"] if m["id"] in ("python-basics", "stats-basics")]
    other = Curriculum.model_validate(
        {
            **data,
            "id": "other-role",
            "title": "Other role 学习计划",
            "version": 3,
            "includes": ["tiny-base"],
            "versions": {"tiny-base": 1, "other-role": 3},
            "sources": {"tiny-base": "tiny-base.yaml", "other-role": "/far/away/other-role.yaml"},
            "skills": [*data["skills"], {"id": "sql", "name": "SQL", "description": "Queries."}],
            "milestones": [
                *base,
                {
                    **base[0],
                    "id": "sql-basics",
                    "title": 'SQL für Anfänger — «quoted» "text"',
                    "hours": 5.5,
                    "skills": ["sql"],
                    "requires": ["python-basics"],
                },
            ],
            "projects": [],
        }
    )
    return {"tiny-role": [tiny, older], "other-role": [other]}


CURRICULA = _curricula()


# --------------------------------------------------------------------------- histories


@st.composite
def events(draw: st.DrawFn, start: date) -> list[dict[str, Any]]:
    """What a learner could have done, following the rules of the commands: done only
    when not done, undo only after done or skip, many done/undo cycles, notes; work
    dated from ``start`` to today (none at all for a plan that starts later), nothing
    recorded after NOW."""
    at = draw(MOMENT)
    state: dict[str, str] = {}
    out: list[dict[str, Any]] = []
    can_work = start <= TODAY

    def work_day() -> date | None:
        return draw(days(start, TODAY)) if can_work else None

    def add(kind: str, milestone: str, **fields: Any) -> None:
        nonlocal at
        step = draw(st.sampled_from([timedelta(0), timedelta(microseconds=1), timedelta(days=1)]))
        at = min(at + step, NOW)
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
            on_date=work_day(),
            hours=draw(HOURS),
            note=draw(st.one_of(st.none(), NOTE)),
        )
        state[milestone] = "done"

    for _ in range(draw(st.integers(0, 16))):
        action = draw(st.sampled_from(["cycle", "cycle", "done", "undo", "skip", "note", "plan"]))
        milestone = draw(st.sampled_from(MILESTONES))
        current = state.get(milestone)
        if action in ("cycle", "done") and not can_work:
            continue  # nothing can be done before the plan starts
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
            add(kind, "", on_date=work_day(), hours=draw(HOURS), note=draw(NOTE))
    return out


@st.composite
def plan(draw: st.DrawFn, name: str) -> dict[str, Any]:
    """A plan's row, its history, and the curricula it keeps (``curricula``, one per role
    in ``roles`` order; stored as snapshots, not a column). At 0.25 h/week or more, every
    schedule fits in the 100 years a plan may run, even one started 10 years ago."""
    roles = draw(st.lists(st.sampled_from(sorted(CURRICULA)), min_size=1, unique=True))
    start = draw(START)
    return {
        "name": name,
        "roles": roles,
        "curricula": [draw(st.sampled_from(CURRICULA[role])) for role in roles],
        "curriculum_versions": draw(
            st.dictionaries(st.sampled_from(["tiny-role", "tiny-base"]), st.integers(0, 99))
        ),
        "hours_per_week": draw(st.floats(min_value=0.25, max_value=80)),
        "start_date": start,
        "known_skills": draw(st.lists(st.text(CHARS, min_size=1, max_size=20), max_size=3)),
        "industry": draw(st.one_of(st.none(), st.text(CHARS, max_size=30))),
        "created_at": draw(MOMENT),
        "last_used_at": draw(MOMENT),
        "events": draw(events(start)),
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
                    session=session,
                    curriculum_digests=store_snapshots(session, fields["curricula"], NOW),
                    **{k: v for k, v in fields.items() if k not in ("events", "curricula")},
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
    export = transfer.export_document(db=str(path), plan_name=None, all_plans=True, now=now)
    assert export.skipped == ()
    return export_format.document_json(export.document)


def import_file(db: Path, document: Path) -> transfer.ImportResult:
    return transfer.import_document(db=str(db), path=document, now=NOW)


def without_moment(text: str) -> tuple[str, dict[str, Any]]:
    """The document's text with the ``exported_at`` line blanked, and its data without it."""
    data = json.loads(text)
    moment = data.pop("exported_at")
    line = f'  "exported_at": "{moment}",\n'
    assert text.count(line) == 1
    return text.replace(line, ""), data


def rows(path: Path) -> tuple[list[tuple[Any, ...]], ...]:
    """Every row of the plan, event and curriculum_snapshot tables."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return (
            conn.execute("SELECT * FROM plan ORDER BY id").fetchall(),
            conn.execute("SELECT * FROM event ORDER BY id").fetchall(),
            conn.execute("SELECT * FROM curriculum_snapshot ORDER BY digest").fetchall(),
        )


def check_curricula(text: str, plans: list[dict[str, Any]], path: Path) -> None:
    """The document holds exactly the curricula the plans keep, each under the SHA-256
    of its snapshot, and the database at ``path`` stores every one of them intact."""
    data = json.loads(text)
    kept = {p["name"]: {c.id: snapshot_of(c) for c in p["curricula"]} for p in plans}
    assert {p["name"]: p["curriculum_digests"] for p in data["plans"]} == {
        name: {role: s.digest for role, s in snaps.items()} for name, snaps in kept.items()
    }
    wanted = {s.digest: s.body for snaps in kept.values() for s in snaps.values()}
    assert data["curricula"] == {d: json.loads(body) for d, body in sorted(wanted.items())}
    assert list(data["curricula"]) == sorted(wanted)
    with contextlib.closing(sqlite3.connect(path)) as conn:
        stored = dict(conn.execute("SELECT digest, body FROM curriculum_snapshot").fetchall())
    assert all(digest_of(body) == digest for digest, body in stored.items())
    assert wanted.items() <= stored.items()


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
        check_curricula(first, exported, source)
        document = Path(folder, "export.json")
        document.write_text(first, encoding="utf-8")

        # into an empty database, and out again
        result = import_file(empty, document)
        assert sorted(p.name for p in result.plans) == sorted(p["name"] for p in exported)
        check_curricula(first, exported, empty)
        assert len(rows(empty)[2]) == len(json.loads(first)["curricula"])  # each stored once
        second = export_text(empty, SECOND_EXPORT)
        TALLY["round trips"] += 1
        assert without_moment(second) == without_moment(first)
        assert json.loads(second)["exported_at"] == "2027-07-09T08:30:00.000001Z"
        TALLY["identical"] += 1

        # into a database that already holds plans: nothing there is deleted or changed
        write_plans(busy, existing)
        before_plans, before_events, before_snapshots = rows(busy)
        clash = {p["name"] for p in existing} & {p["name"] for p in exported}
        TALLY["imports into non-empty"] += 1
        if clash:
            with pytest.raises(PlanExists):
                import_file(busy, document)
            assert rows(busy) == (before_plans, before_events, before_snapshots)
            TALLY["refused for a clash"] += 1
        else:
            import_file(busy, document)
            after_plans, after_events, after_snapshots = rows(busy)
            assert after_plans[: len(before_plans)] == before_plans
            assert after_events[: len(before_events)] == before_events
            total = sum(len(p["events"]) for p in exported)
            assert len(after_events) == len(before_events) + total
            assert len(after_plans) == len(before_plans) + len(exported)
            assert set(before_snapshots) <= set(after_snapshots)  # none changed or dropped
            digests = {row[0] for row in before_snapshots} | set(json.loads(first)["curricula"])
            assert {row[0] for row in after_snapshots} == digests
            check_curricula(first, exported, busy)
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
