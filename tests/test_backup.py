"""Backup and moving machines: export json, import, backup."""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner import export_format, rules, tracker, transfer
from planner.curriculum import resolve_file
from planner.db import open_database
from planner.models import Curriculum
from planner.store import store_snapshots
from tests.conftest import FIXTURE_CURRICULA, SESSION_DAY, Run, local_time_zone

TODAY = SESSION_DAY
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
DIGEST = re.compile(r"^[0-9a-f]{64}$")
EXPORTED_AT = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)  # the export's own stamp
NOW = datetime.now(UTC)  # when the imports in process happen


@pytest.fixture(autouse=True)
def _curricula(fixture_curricula: Path) -> None:
    """These tests run on the small fixture curricula."""


def export_all(cli: Run, *db: str) -> dict[str, Any]:
    """``planner export json --all`` as data, without the moment it was made."""
    result = cli(*db, "export", "json", "--all")
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    del data["exported_at"]
    return data


def table_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every planner table (schema version, plans, events, snapshots)."""
    if not path.exists():
        return {}
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()  # noqa: S608
            for table in ("planner_migration", "plan", "event", "curriculum_snapshot")
        }


def renumbered(plan: dict[str, Any]) -> dict[str, Any]:
    """An exported plan with its event ids replaced by their places in the plan (from 1),
    and each ``ref_id`` by the place of the event it names: what stays the same when the
    plan moves to another database, where its events get other ids."""
    place = {e["id"]: n for n, e in enumerate(plan["events"], start=1)}
    assert len(place) == len(plan["events"])
    ids = [e["id"] for e in plan["events"]]
    assert ids == sorted(ids), "events are exported in the order of their ids"
    return {
        **plan,
        "events": [
            {
                **e,
                "id": place[e["id"]],
                "ref_id": None if e["ref_id"] is None else place[e["ref_id"]],
            }
            for e in plan["events"]
        ],
    }


def one_error_line(result: Any) -> str:
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    return str(lines[0])


def make_history(cli: Run, *db: str) -> None:
    """Two plans with done/undo/skip/note events, unicode and multi-line notes."""
    start = (TODAY - timedelta(days=10)).isoformat()
    assert cli(*db, "start", "tiny-role", "--start", start, "--know", "python").exit_code == 0
    cli(*db, "done", "stats-basics", "--hours", "2.5", "--note", "Ünïcode ✓\nline two")
    cli(*db, "undo", "stats-basics")
    cli(*db, "done", "stats-basics", "--on", start)
    cli(*db, "skip", "deploy-model", "--note", "مرحبا بالعالم 🎉👩‍💻")
    cli(*db, "undo", "deploy-model")
    cli(*db, "note", "first-model", "tab\there\r\nand a bell \x07")
    assert cli(*db, "start", "tiny-role", "--name", "zweiter Plan ✨", "-H", "4.5").exit_code == 0
    cli(*db, "done", "python-basics")


# --------------------------------------------------------------------------- export json


def test_cli_round_trip_is_exact(cli: Run, tmp_path: Path) -> None:
    make_history(cli)
    first = tmp_path / "first.json"
    result = cli("export", "json", "--all", "--output", str(first))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"Wrote {first}: 2 plans, 7 events.\n"

    text = first.read_text(encoding="utf-8")
    data = json.loads(text)
    assert list(data) == ["format", "version", "exported_at", "curricula", "plans"]
    assert (data["format"], data["version"]) == ("planner-export", 3)
    assert [p["name"] for p in data["plans"]] == ["tiny-role", "zweiter Plan ✨"]
    plan = data["plans"][0]
    assert list(plan) == [
        "name",
        "roles",
        "curriculum_versions",
        "hours_per_week",
        "start_date",
        "known_skills",
        "industry",
        "created_at",
        "last_used_at",
        "curriculum_digests",
        "events",
    ]
    # both plans keep the same curriculum: it is in the file once, under its SHA-256
    (digest,) = data["curricula"]
    assert DIGEST.match(digest)
    assert [p["curriculum_digests"] for p in data["plans"]] == [{"tiny-role": digest}] * 2
    kept = data["curricula"][digest]
    assert (kept["id"], kept["kind"], kept["version"]) == ("tiny-role", "role", 2)
    assert kept["versions"] == {"tiny-base": 1, "tiny-role": 2}
    assert kept["sources"] == {"tiny-base": "tiny-base.yaml", "tiny-role": "tiny-role.yaml"}
    assert [m["id"] for m in kept["milestones"]] == [
        "python-basics",
        "stats-basics",
        "first-model",
        "deploy-model",
    ]
    body = json.dumps(kept, ensure_ascii=False, separators=(",", ":"))
    assert hashlib.sha256(body.encode()).hexdigest() == digest
    assert plan["known_skills"] == ["python"]
    assert [list(e) for e in plan["events"]] == [
        [
            "id",
            "kind",
            "milestone_id",
            "at",
            "on_date",
            "until_date",
            "hours",
            "ref_id",
            "note",
        ]
    ] * 6
    assert [e["id"] for p in data["plans"] for e in p["events"]] == list(range(1, 8))
    assert [(e["kind"], e["milestone_id"]) for e in plan["events"]] == [
        ("done", "stats-basics"),
        ("undone", "stats-basics"),
        ("done", "stats-basics"),
        ("skipped", "deploy-model"),
        ("unskipped", "deploy-model"),
        ("note", "first-model"),
    ]
    assert plan["events"][0]["hours"] == 2.5
    assert plan["events"][0]["note"] == "Ünïcode ✓\nline two"
    assert plan["events"][5]["note"] == "tab\there\r\nand a bell \x07"
    assert "مرحبا بالعالم 🎉👩‍💻" in text  # ensure_ascii=False
    stamps = [data["exported_at"], plan["created_at"], plan["last_used_at"]]
    stamps += [e["at"] for p in data["plans"] for e in p["events"]]
    assert all(TIMESTAMP.match(s) for s in stamps), stamps
    log = json.loads(cli("--plan", "tiny-role", "log", "--json").stdout)["events"]
    assert [e["at"] for e in log] == [e["at"][:19] + "Z" for e in plan["events"]]

    other = tmp_path / "other.db"
    imported = cli("--db", str(other), "import", str(first))
    assert imported.exit_code == 0, imported.stderr
    assert imported.stdout == (
        "Imported plan 'tiny-role' with 6 events.\nImported plan 'zweiter Plan ✨' with 1 event.\n"
    )
    second = tmp_path / "second.json"
    assert cli("--db", str(other), "export", "json", "--all", "-o", str(second)).exit_code == 0
    again = second.read_text(encoding="utf-8")
    stamp = re.compile(r'^  "exported_at": "[^"]*",$', re.MULTILINE)
    assert stamp.sub("", again) == stamp.sub("", text)
    assert again != text  # exported_at differs, so the comparison above is not vacuous
    status = json.loads(cli("--db", str(other), "--plan", "tiny-role", "status", "--json").stdout)
    assert status == json.loads(cli("--plan", "tiny-role", "status", "--json").stdout)


def test_export_without_all_is_the_active_plan(cli: Run) -> None:
    make_history(cli)
    active = json.loads(cli("export", "json").stdout)
    assert [p["name"] for p in active["plans"]] == ["zweiter Plan ✨"]
    chosen = json.loads(cli("--plan", "tiny-role", "export", "json").stdout)
    assert [p["name"] for p in chosen["plans"]] == ["tiny-role"]
    assert len(chosen["plans"][0]["events"]) == 6


def test_export_without_a_database(cli: Run, planner_home: Path) -> None:
    result = cli("export", "json")
    assert result.exit_code == 4
    assert "No plan yet" in one_error_line(result)
    empty = json.loads(cli("export", "json", "--all").stdout)
    assert empty["plans"] == []
    assert not (planner_home / "planner.db").exists()


def make_study_history(cli: Run, *db: str) -> None:
    """Two plans with study entries and time off, some taken back, their events
    interleaved (so a plan's ids are not consecutive)."""
    start = TODAY - timedelta(days=10)

    def day(offset: int) -> str:
        return (start + timedelta(days=offset)).isoformat()

    def ok(name: str, *args: str) -> None:
        result = cli(*db, "--plan", name, *args)
        assert result.exit_code == 0, (args, result.stderr)

    assert cli(*db, "start", "tiny-role", "--name", "another ✓", "--start", day(0)).exit_code == 0
    ok("another ✓", "study", "python-basics", "1h", "--on", day(0))
    assert cli(*db, "start", "tiny-role", "--start", day(0)).exit_code == 0
    mine = "tiny-role"
    ok(mine, "study", "python-basics", "1h30m", "--on", day(1), "--note", "Ünïcode ✓\nline two")
    ok(mine, "study", "python-basics", "45m", "--on", day(2))
    ok("another ✓", "away", day(12), day(14))
    ok(mine, "undo", "python-basics")  # takes back the 45 minutes
    ok(mine, "study", "stats-basics", "2", "--on", day(2))
    ok(mine, "away", day(15), day(22), "--note", "holidays 🎄")
    ok(mine, "away", day(30), day(31), "--hours", "1")
    ok("another ✓", "study", "stats-basics", "90m")
    ok(mine, "undo", "--away", day(30))
    ok(mine, "away", day(31), day(33))  # overlaps only the time off taken back
    ok(mine, "done", "python-basics")
    ok(mine, "study", "stats-basics", "20m")


def test_study_and_time_off_move_with_their_history(cli: Run, tmp_path: Path) -> None:
    """Study entries, time off and what took them back are exported with their ids, and
    imported (into an empty database, and beside other plans) with new ids that the
    retractions follow: the plans read the same there."""
    make_study_history(cli)
    file = tmp_path / "study.json"
    assert cli("export", "json", "--all", "-o", str(file)).exit_code == 0
    data = json.loads(file.read_text(encoding="utf-8"))
    assert data["version"] == 3
    by_name = {p["name"]: p for p in data["plans"]}
    events = by_name["tiny-role"]["events"]
    assert [e["kind"] for e in events] == [
        "studied",
        "studied",
        "retracted",
        "studied",
        "away",
        "away",
        "retracted",
        "away",
        "done",
        "studied",
    ]
    ids = [e["id"] for e in events]
    assert ids == [2, 3, 5, 6, 7, 8, 10, 11, 12, 13]
    assert [e["id"] for e in by_name["another ✓"]["events"]] == [1, 4, 9]
    assert (events[2]["ref_id"], events[2]["milestone_id"]) == (3, "python-basics")
    assert (events[6]["ref_id"], events[6]["milestone_id"]) == (8, "")
    assert (events[5]["hours"], events[5]["on_date"], events[5]["until_date"]) == (
        1.0,
        (TODAY + timedelta(days=20)).isoformat(),
        (TODAY + timedelta(days=21)).isoformat(),
    )
    assert events[1]["hours"] == 0.75 and events[0]["note"] == "Ünïcode ✓\nline two"

    def reads(*db: str) -> dict[str, Any]:
        """What the plans say: status, study time, time off, the log's wording."""
        out: dict[str, Any] = {}
        for name in ("tiny-role", "another ✓"):
            status = cli(*db, "--plan", name, "status", "--json")
            away = cli(*db, "--plan", name, "away")
            log = cli(*db, "--plan", name, "log", "--json")
            assert status.exit_code == away.exit_code == log.exit_code == 0
            details = [(e["kind"], e["detail"]) for e in json.loads(log.stdout)["events"]]
            out[name] = (json.loads(status.stdout), away.stdout, details)
        return out

    home = reads()
    other = tmp_path / "other.db"
    imported = cli("--db", str(other), "import", str(file))
    assert imported.exit_code == 0, imported.stderr
    again = export_all(cli, "--db", str(other))
    assert [e["id"] for p in again["plans"] for e in p["events"]] == list(range(1, 14))
    assert [renumbered(p) for p in again["plans"]] == [renumbered(p) for p in data["plans"]]
    assert again["plans"] != data["plans"]  # the ids did change
    assert reads("--db", str(other)) == home

    # beside the plans it came from, under another name
    one = tmp_path / "one.json"
    assert cli("--plan", "tiny-role", "export", "json", "-o", str(one)).exit_code == 0
    copied = cli("import", str(one), "--as", "copy")
    assert copied.exit_code == 0, copied.stderr
    after = {p["name"]: p for p in export_all(cli)["plans"]}
    assert [e["id"] for e in after["copy"]["events"]] == list(range(14, 24))
    assert renumbered(after["copy"]) == {**renumbered(by_name["tiny-role"]), "name": "copy"}
    assert after["tiny-role"] == by_name["tiny-role"]
    status = json.loads(cli("--plan", "copy", "status", "--json").stdout)
    assert status == {**home["tiny-role"][0], "plan": status["plan"]}
    # taking back study in the copy takes back the copy's own entry
    assert cli("--plan", "copy", "undo", "stats-basics").exit_code == 0
    log = json.loads(cli("--plan", "copy", "log", "--json").stdout)["events"]
    assert (log[-1]["kind"], log[-1]["ref_id"]) == ("retracted", 23)
    untouched = [p for p in export_all(cli)["plans"] if p["name"] != "copy"]
    assert untouched == [after["another ✓"], after["tiny-role"]]


def test_the_format_covers_every_stored_column() -> None:
    """A column added to the tables must be added to the export too (and to its version).
    A snapshot is exported as its curriculum under its digest; its format and when it was
    stored belong to the database it is in."""
    assert set(tracker.Plan.model_fields) - {"id"} == set(export_format.ExportPlan.model_fields) - {
        "events"
    }
    assert set(tracker.Event.model_fields) - {"plan_id"} == set(
        export_format.ExportEvent.model_fields
    )
    assert set(tracker.CurriculumSnapshot.model_fields) == {
        "digest",
        "format",
        "body",
        "created_at",
    }
    assert "curricula" in export_format.ExportDocument.model_fields
    assert export_format.VERSION == 3


# --------------------------------------------------------------------------- property


NOTES = [
    "مرحبا، هذا ملاحظة",  # RTL
    "שלום\u200fעולם",
    "emoji 🎉👩‍👩‍👧‍👦🇫🇷 and skin tones 👍🏽",
    "multi\nline\n\nnote\r\nwith CRLF",
    "control \x01\x02\x1b[31mred\x1b[0m \x7f \x9f",
    "combining e\u0301 and zero width \u200b\ufeff",
    " leading and trailing spaces ",
    '"quotes" \\ backslash / slash </script>',
    "\U0010fffd private use",
]
TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=60)
NOTE = st.one_of(st.none(), TEXT, st.sampled_from(NOTES))
NAME = (
    st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=40)
    .map(str.strip)
    .filter(bool)
)
MILESTONE = st.sampled_from(["python-basics", "stats-basics", "first-model", "ünï-milestone"])
# Moments up to the import's NOW and days an import accepts (seen from NOW's date).
MOMENT = st.datetimes(
    min_value=datetime(1970, 1, 1),
    max_value=NOW.replace(tzinfo=None),
    timezones=st.just(UTC),
)
LOWEST_START, HIGHEST_START = rules.start_bounds(NOW.date())
HOURS = st.one_of(st.none(), st.floats(min_value=0, max_value=1e6, allow_nan=False))


def between(first: date, last: date) -> st.SearchStrategy[date]:
    return st.dates(min_value=first, max_value=last)


def _tiny_editions() -> dict[str, list[Curriculum]]:
    """Curricula a generated plan can keep: tiny-role as on disk, another edition of it
    that is on no disk, and c-role (tiny-base's milestones only), by role id."""
    tiny = resolve_file(FIXTURE_CURRICULA / "tiny-role.yaml")
    data = tiny.model_dump()
    edition = Curriculum.model_validate(
        {**data, "title": "Tiny Role — édition ✓", "version": 7, "summary": "Another one."}
    )
    c_role = Curriculum.model_validate(
        {
            **data,
            "id": "c-role",
            "versions": {"tiny-base": 1, "c-role": 1},
            "sources": {"tiny-base": "/a/tiny-base.yaml", "c-role": "/b/c-role.yaml"},
            "milestones": data["milestones"][:2],
            "projects": [],
        }
    )
    return {"tiny-role": [tiny, edition], "c-role": [c_role]}


EDITIONS = _tiny_editions()


@st.composite
def operation(draw: st.DrawFn, start: date) -> list[dict[str, Any]]:
    """One thing a learner does, as the events it records (work from ``start`` to today;
    none for a plan that has not started yet)."""
    today = NOW.date()
    what = draw(st.sampled_from(["cycle", "skip", "note", "plan"]))
    if what == "cycle" and start > today:
        what = "skip"
    milestone = draw(MILESTONE)

    def event(kind: str, milestone_id: str = milestone, **extra: Any) -> dict[str, Any]:
        return new_event(kind, milestone_id, draw(MOMENT), **extra)

    def day() -> date | None:
        return draw(between(start, today)) if start <= today else None

    if what == "cycle":  # done / undone, possibly many times, maybe left done
        events = []
        for _ in range(draw(st.integers(1, 6))):
            events.append(event("done", on_date=day(), hours=draw(HOURS), note=draw(NOTE)))
            events.append(event("undone"))
        return events[: len(events) - draw(st.integers(0, 1))]
    if what == "skip":
        events = [event("skipped", note=draw(NOTE))]
        return events + ([event("unskipped")] if draw(st.booleans()) else [])
    if what == "note":
        return [event("note", note=draw(st.one_of(TEXT, st.sampled_from(NOTES))))]
    kind = draw(st.sampled_from([k for k in tracker.PLAN_KINDS if k != "away"]))
    return [event(kind, "", on_date=day(), hours=draw(HOURS), note=draw(NOTE))]


def new_event(kind: str, milestone_id: str, at: datetime, **extra: Any) -> dict[str, Any]:
    """An event's fields (those not given null). A ``retracted`` event gives ``ref``,
    the place in its plan of the entry it withdraws, instead of a ``ref_id``."""
    fields = {"on_date": None, "until_date": None, "hours": None, "note": None, **extra}
    return {"kind": kind, "milestone_id": milestone_id, "at": at, "ref_id": None, **fields}


@st.composite
def plan_events(draw: st.DrawFn, start: date) -> list[dict[str, Any]]:
    """A plan's history: the operations above, study entries (at most 24 h a day),
    time off (never overlapping other standing time off) and retractions of either."""
    today = NOW.date()
    events: list[dict[str, Any]] = []
    standing: dict[int, dict[str, Any]] = {}  # place -> study entry or time off
    for _ in range(draw(st.integers(0, 12))):
        what = draw(st.sampled_from(["operation", "operation", "study", "away", "retract"]))
        at = draw(MOMENT)
        note = draw(NOTE)
        if what == "operation":
            events += draw(operation(start))
        elif what == "study" and start <= today:
            day = draw(between(start, today))
            used = sum(
                round(e["hours"] * 60)
                for e in standing.values()
                if e["kind"] == "studied" and e["on_date"] == day
            )
            if used < 24 * 60:
                minutes = draw(st.integers(1, 24 * 60 - used))
                hours = minutes / 60
                standing[len(events)] = new_event(
                    "studied", draw(MILESTONE), at, on_date=day, hours=hours, note=note
                )
                events.append(standing[len(events)])
        elif what == "away":
            last = draw(between(max(start, today - timedelta(days=400)), HIGHEST_START))
            first = last - timedelta(days=draw(st.integers(0, 90)))
            hours = draw(st.one_of(st.just(0.0), st.floats(min_value=0, max_value=80)))
            spell = new_event("away", "", at, on_date=first, until_date=last, hours=hours)
            if not any(
                e["kind"] == "away" and e["on_date"] <= last and first <= e["until_date"]
                for e in standing.values()
            ):
                standing[len(events)] = {**spell, "note": note}
                events.append(standing[len(events)])
        elif what == "retract" and standing:
            place = draw(st.sampled_from(sorted(standing)))
            target = standing.pop(place)
            events.append(new_event("retracted", target["milestone_id"], at, ref=place))
    return events


@st.composite
def plan_history(draw: st.DrawFn, name: str) -> dict[str, Any]:
    roles = draw(st.lists(st.sampled_from(sorted(EDITIONS)), min_size=1, unique=True))
    start = draw(between(LOWEST_START, HIGHEST_START))
    return {
        "name": name,
        "roles": roles,
        "curricula": [draw(st.sampled_from(EDITIONS[role])) for role in roles],
        "curriculum_versions": draw(
            st.dictionaries(st.sampled_from(["tiny-role", "tiny-base", "zz"]), st.integers(0, 99))
        ),
        "hours_per_week": draw(st.floats(min_value=0.25, max_value=80)),
        "start_date": start,
        "known_skills": draw(st.lists(TEXT.filter(bool), max_size=3)),
        "industry": draw(st.one_of(st.none(), TEXT)),
        "created_at": draw(MOMENT),
        "last_used_at": draw(MOMENT),
        "events": draw(plan_events(start)),
    }


@st.composite
def histories(draw: st.DrawFn) -> list[dict[str, Any]]:
    names = draw(st.lists(NAME, min_size=1, max_size=4, unique=True))
    return [draw(plan_history(name)) for name in names]


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _kept(curriculum: Curriculum) -> tuple[str, dict[str, Any]]:
    """(SHA-256, JSON) of a curriculum as plans keep it: its sources are file names."""
    sources = {k: Path(v).name for k, v in curriculum.sources.items()}
    body = curriculum.model_copy(update={"sources": sources}).model_dump_json()
    return hashlib.sha256(body.encode("utf-8")).hexdigest(), json.loads(body)


def stored_ids(plans: list[dict[str, Any]]) -> list[list[int]]:
    """The ids ``write_history`` gives each plan's events in an empty database: one
    after another, in the order the plans are written."""
    ids, next_id = [], 1
    for plan in plans:
        ids.append(list(range(next_id, next_id + len(plan["events"]))))
        next_id += len(plan["events"])
    return ids


def expected_document(plans: list[dict[str, Any]]) -> dict[str, Any]:
    """What the export must say about ``plans``, written out independently."""

    def day(value: date | None) -> str | None:
        return value.isoformat() if value else None

    ids = {plan["name"]: plan_ids for plan, plan_ids in zip(plans, stored_ids(plans), strict=True)}

    kept = dict(_kept(c) for plan in plans for c in plan["curricula"])
    return {
        "format": "planner-export",
        "version": 3,
        "exported_at": _stamp(EXPORTED_AT),
        "curricula": dict(sorted(kept.items())),
        "plans": [
            {
                **{k: v for k, v in plan.items() if k != "curricula"},
                "curriculum_digests": {c.id: _kept(c)[0] for c in plan["curricula"]},
                "curriculum_versions": dict(sorted(plan["curriculum_versions"].items())),
                "start_date": day(plan["start_date"]),
                "created_at": _stamp(plan["created_at"]),
                "last_used_at": _stamp(plan["last_used_at"]),
                "events": [
                    {
                        "id": ids[plan["name"]][n],
                        "kind": e["kind"],
                        "milestone_id": e["milestone_id"],
                        "at": _stamp(e["at"]),
                        "on_date": day(e["on_date"]),
                        "until_date": day(e["until_date"]),
                        "hours": e["hours"],
                        "ref_id": ids[plan["name"]][e["ref"]] if "ref" in e else None,
                        "note": e["note"],
                    }
                    for n, e in enumerate(plan["events"])
                ],
            }
            for plan in sorted(plans, key=lambda p: p["name"])
        ],
    }


def write_history(path: Path, plans: list[dict[str, Any]]) -> None:
    database = open_database(str(path))
    with database.write() as session:
        for fields in plans:
            plan = tracker.create_plan(
                session=session,
                curriculum_digests=store_snapshots(session, fields["curricula"], NOW),
                **{k: v for k, v in fields.items() if k not in ("events", "curricula")},
            )
            assert plan.id is not None
            ids: list[int | None] = []
            for event in fields["events"]:
                place = event.get("ref")
                if place is not None:
                    event = {**{k: v for k, v in event.items() if k != "ref"}, "ref_id": ids[place]}
                ids.append(tracker.record_event(session=session, plan_id=plan.id, **event).id)
    database.engine.dispose()


def same_apart_from_ids(first: str, second: str) -> bool:
    """Whether two exports of the same plans are the same text once the second's event
    ids (and the ``ref_id`` naming them) are those of the first, event for event: its
    events were stored elsewhere, where they got other ids."""
    a, b = json.loads(first), json.loads(second)
    assert [p["name"] for p in a["plans"]] == [p["name"] for p in b["plans"]]
    for plan_a, plan_b in zip(a["plans"], b["plans"], strict=True):
        assert len(plan_a["events"]) == len(plan_b["events"])
        ids = {
            eb["id"]: ea["id"] for ea, eb in zip(plan_a["events"], plan_b["events"], strict=True)
        }
        assert len(ids) == len(plan_b["events"])
        for event in plan_b["events"]:
            event["id"] = ids[event["id"]]
            if event["ref_id"] is not None:
                event["ref_id"] = ids[event["ref_id"]]
    return json.dumps(b, indent=2, ensure_ascii=False) + "\n" == first


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(histories())
def test_round_trip_of_generated_histories(plans: list[dict[str, Any]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder, "source.db"), Path(folder, "target.db")
        write_history(source, plans)
        export = transfer.export_document(
            db=str(source), plan_name=None, all_plans=True, now=EXPORTED_AT
        )
        assert export.skipped == ()
        first = export_format.document_json(export.document)
        assert json.loads(first) == expected_document(plans)
        exported = Path(folder, "export.json")
        exported.write_text(first, encoding="utf-8")
        result = transfer.import_document(db=str(target), path=exported, now=NOW)
        assert [(p.name, p.events) for p in result.plans] == [
            (p["name"], len(p["events"])) for p in sorted(plans, key=lambda p: p["name"])
        ]
        second = export_format.document_json(
            transfer.export_document(
                db=str(target), plan_name=None, all_plans=True, now=EXPORTED_AT
            ).document
        )
        assert same_apart_from_ids(first, second)
        if [p["name"] for p in plans] == sorted(p["name"] for p in plans):
            assert second == first  # imported in the order they were stored: the same ids


# --------------------------------------------------------------------------- import refusals


def _base(cli: Run) -> dict[str, Any]:
    """A valid one-plan export of the home database's 'tiny-role', renamed 'fresh'."""
    result = cli("--plan", "tiny-role", "export", "json")
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    data["plans"][0]["name"] = "fresh"
    return data


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if value is KeyError:
            del node[int(last) if last.isdigit() else last]
        else:
            node[int(last) if last.isdigit() else last] = value

    return change


DAY_BEFORE = (TODAY - timedelta(days=1)).isoformat()


def _in(days: int) -> str:
    return (TODAY + timedelta(days=days)).isoformat()


def _away(first: int, last: int, **fields: Any) -> dict[str, Any]:
    """Time off from ``first`` to ``last`` days from today, with no study."""
    return {
        "kind": "away",
        "milestone_id": "",
        "on_date": _in(first),
        "until_date": _in(last),
        "hours": 0.0,
        **fields,
    }


def _new_events(data: dict[str, Any], *events: dict[str, Any]) -> None:
    """Append ``events`` to the first plan: each a note on first-model unless it says
    otherwise, recorded with the plan's last event, ids following its last id."""
    history = data["plans"][0]["events"]
    for fields in events:
        last = history[-1]
        history.append(
            {
                "id": last["id"] + 1,
                "kind": "note",
                "milestone_id": "first-model",
                "at": last["at"],
                "on_date": None,
                "until_date": None,
                "hours": None,
                "ref_id": None,
                "note": None,
                **fields,
            }
        )


def _add_events(*events: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    return lambda data: _new_events(data, *events)


def _version_2(data: dict[str, Any], *events: dict[str, Any]) -> dict[str, Any]:
    """``data`` made a version-2 file in place (events with no id, until_date or ref_id),
    after ``events`` are appended."""
    _new_events(data, *events)
    data["version"] = 2
    for plan in data["plans"]:
        for event in plan["events"]:
            for key in ("id", "until_date", "ref_id"):
                del event[key]
    return data


REFUSALS: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("wrong format", _set("format", "something-else"), "is not a planner export"),
    ("no format", _set("format", KeyError), "is not a planner export"),
    ("newer version", _set("version", 4), "was written by a newer planner (export version 4"),
    ("version zero", _set("version", 0), "$.version: must be a whole number"),
    (
        "missing field",
        _set("plans.0.events.0.kind", KeyError),
        "$.plans[0].events[0].kind: is missing",
    ),
    ("missing plans", _set("plans", KeyError), "$.plans: is missing"),
    ("unknown field", _set("plans.0.colour", "red"), "$.plans[0].colour: is not a field"),
    (
        "mistyped hours",
        _set("plans.0.hours_per_week", "8"),
        "$.plans[0].hours_per_week: input should be a valid number",
    ),
    ("bool for a number", _set("plans.0.events.0.hours", True), "$.plans[0].events[0].hours"),
    (
        "mistyped roles",
        _set("plans.0.roles", "tiny-role"),
        "$.plans[0].roles: input should be a valid list",
    ),
    (
        "unknown kind",
        _set("plans.0.events.1.kind", "finished"),
        "$.plans[0].events[1].kind: unknown event kind 'finished'",
    ),
    (
        "bad date",
        _set("plans.0.start_date", "2026-02-30"),
        "$.plans[0].start_date: must be a date like 2026-01-31",
    ),
    (
        "date with time",
        _set("plans.0.events.0.on_date", "2026-01-05T00:00:00"),
        "$.plans[0].events[0].on_date: must be a date",
    ),
    (
        "bad timestamp",
        _set("plans.0.events.2.at", "yesterday"),
        "$.plans[0].events[2].at: must be a UTC timestamp",
    ),
    (
        "naive timestamp",
        _set("plans.0.created_at", "2026-01-05T10:00:00"),
        "$.plans[0].created_at: must be a UTC timestamp",
    ),
    ("bad exported_at", _set("exported_at", 0), "$.exported_at: must be a UTC timestamp"),
    (
        "hours too high",
        _set("plans.0.hours_per_week", 81),
        "$.plans[0].hours_per_week: input should be less than or equal to 80",
    ),
    ("empty name", _set("plans.0.name", ""), "$.plans[0].name: must be 1 to 100"),
    (
        "NUL in a note",
        _set("plans.0.events.0.note", "a\x00b"),
        "$.plans[0].events[0].note: must not contain NUL",
    ),
    (
        "plan kind on a milestone",
        _set("plans.0.events.0.kind", "replanned"),
        "$.plans[0].events[0].milestone_id: must be empty for a plan-level 'replanned' event",
    ),
    # event ids, study entries, time off and retractions (make_history's first plan has
    # events[0] to [5], ids 1 to 6, and started 10 days ago)
    ("no id", _set("plans.0.events.0.id", KeyError), "$.plans[0].events[0].id: is missing"),
    (
        "id zero",
        _set("plans.0.events.0.id", 0),
        "$.plans[0].events[0].id: input should be greater than or equal to 1",
    ),
    ("id as text", _set("plans.0.events.0.id", "1"), "$.plans[0].events[0].id: input should be"),
    (
        "an id twice",
        _set("plans.0.events.3.id", 2),
        "$.plans[0].events[3].id: 2 is also the id of events[1]; ids are unique in a plan",
    ),
    ("no until_date", _set("plans.0.events.0.until_date", KeyError), "until_date: is missing"),
    ("no ref_id", _set("plans.0.events.0.ref_id", KeyError), "ref_id: is missing"),
    (
        "until_date on a done event",
        _set("plans.0.events.0.until_date", TODAY.isoformat()),
        "$.plans[0].events[0].until_date: must be null except on an 'away' event",
    ),
    (
        "ref_id on a note",
        _set("plans.0.events.5.ref_id", 1),
        "$.plans[0].events[5].ref_id: must be null except on a 'retracted' event",
    ),
    (
        "more than a day of study",
        _add_events({"kind": "studied", "on_date": DAY_BEFORE, "hours": 24.5}),
        "$.plans[0].events[6].hours: must be more than 0 and at most 24 for a 'studied' event",
    ),
    (
        "study without hours",
        _add_events({"kind": "studied", "on_date": DAY_BEFORE}),
        "$.plans[0].events[6].hours: must be more than 0 and at most 24",
    ),
    (
        "no time of study",
        _add_events({"kind": "studied", "on_date": DAY_BEFORE, "hours": 0}),
        "$.plans[0].events[6].hours: must be more than 0 and at most 24",
    ),
    (
        "study without a day",
        _add_events({"kind": "studied", "hours": 1}),
        "$.plans[0].events[6].on_date: must be a date for a 'studied' event",
    ),
    (
        "study on no milestone",
        _add_events({"kind": "studied", "milestone_id": "", "on_date": DAY_BEFORE, "hours": 1}),
        "$.plans[0].events[6].milestone_id: must not be empty for a 'studied' event",
    ),
    (
        "time off on a milestone",
        _add_events(_away(5, 6, milestone_id="first-model")),
        "$.plans[0].events[6].milestone_id: must be empty for a plan-level 'away' event",
    ),
    (
        "time off ending before it starts",
        _add_events(_away(5, 2)),
        f"$.plans[0].events[6].until_date: {_in(2)} is before on_date {_in(5)}",
    ),
    (
        "time off without a last day",
        _add_events(_away(5, 6, until_date=None)),
        "$.plans[0].events[6].until_date: must be a date (the last day off)",
    ),
    (
        "time off without hours",
        _add_events(_away(5, 6, hours=None)),
        "$.plans[0].events[6].hours: must be from 0 to 80 (hours a week still studied)",
    ),
    (
        "time off with negative hours",
        _add_events(_away(5, 6, hours=-1)),
        "$.plans[0].events[6].hours: input should be greater than or equal to 0",
    ),
    (
        "a retraction naming nothing",
        _add_events({"kind": "retracted", "ref_id": None}),
        "$.plans[0].events[6].ref_id: must be the id of the study entry or time off it withdraws",
    ),
    (
        "a retraction of no event",
        _add_events({"kind": "retracted", "ref_id": 999}),
        "$.plans[0].events[6].ref_id: 999 names no earlier event of this plan",
    ),
    (
        "a retraction of a later entry",
        _add_events(
            {"kind": "retracted", "milestone_id": "first-model", "ref_id": 8},
            {"kind": "studied", "milestone_id": "first-model", "on_date": DAY_BEFORE, "hours": 1},
        ),
        "$.plans[0].events[6].ref_id: 8 names no earlier event of this plan",
    ),
    (
        "a retraction of a done",
        _add_events({"kind": "retracted", "milestone_id": "stats-basics", "ref_id": 1}),
        "$.plans[0].events[6].ref_id: 1 names events[0], a 'done' event; only a study entry",
    ),
    (
        "a retraction on another milestone",
        _add_events(
            {"kind": "studied", "milestone_id": "python-basics", "on_date": DAY_BEFORE, "hours": 1},
            {"kind": "retracted", "milestone_id": "first-model", "ref_id": 7},
        ),
        "$.plans[0].events[7].milestone_id: 'python-basics' (of events[6], which it withdraws) "
        "must be its milestone_id, not 'first-model'",
    ),
    (
        "time off taken back on a milestone",
        _add_events(_away(5, 6), {"kind": "retracted", "milestone_id": "first-model", "ref_id": 7}),
        "$.plans[0].events[7].milestone_id: '' (of events[6], which it withdraws) must be its",
    ),
    (
        "taken back twice",
        _add_events(
            {"kind": "studied", "on_date": DAY_BEFORE, "hours": 1},
            {"kind": "retracted", "ref_id": 7},
            {"kind": "retracted", "ref_id": 7},
        ),
        "$.plans[0].events[8].ref_id: 7 names events[6], which events[7] already withdrew",
    ),
    # version 2: no ids, no study entries or time off
    (
        "version 2 with ids",
        _set("version", 2),
        "$.plans[0].events[0].id: is not a field of export version 2",
    ),
    (
        "version 2 with until_date",
        lambda data: _version_2(data)["plans"][0]["events"][3].update(until_date=None),
        "$.plans[0].events[3].until_date: is not a field of export version 2",
    ),
    (
        "version 2 with study",
        lambda data: _version_2(data, {"kind": "studied", "on_date": DAY_BEFORE, "hours": 1.0}),
        "$.plans[0].events[6].kind: 'studied' events came in export version 3; this file says "
        "version 2",
    ),
    (
        "version 1 with time off",
        lambda data: _version_1(_version_2(data, _away(2, 3)), in_place=True),
        "$.plans[0].events[6].kind: 'away' events came in export version 3; this file says "
        "version 1",
    ),
    # the curricula a version-2 file carries
    (
        "no curricula named",
        _set("plans.0.curriculum_digests", None),
        "$: plan 'fresh' must name a curriculum for each of its roles",
    ),
    (
        "a role without a curriculum",
        _set("plans.0.curriculum_digests", {}),
        "must name a curriculum for each of its roles",
    ),
    ("no curricula at all", _set("curricula", {}), "not in $.curricula"),
]


def _second_plan(data: dict[str, Any], path: str, value: Any) -> None:
    """A valid copy of the first plan follows it, changed at ``path``."""
    second = copy.deepcopy(data["plans"][0])
    second["name"] = "fresh 2"
    data["plans"].append(second)
    _set(f"plans.1.{path}", value)(data)


def _first_curriculum(data: dict[str, Any]) -> dict[str, Any]:
    curriculum: dict[str, Any] = next(iter(data["curricula"].values()))
    return curriculum


# Files in the right format whose plans break a rule every plan made by the commands
# meets, or whose curricula are not what they claim: refused naming where in the file.
PLAN_REFUSALS: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    # make_history starts 10 days ago
    (
        "work before the start",
        _set("plans.0.events.2.on_date", (TODAY - timedelta(days=11)).isoformat()),
        f"$.plans[0].events[2].on_date {TODAY - timedelta(days=11)} is before the plan starts",
    ),
    (
        "work in year 9999",
        _set("plans.0.events.0.on_date", "9999-12-31"),
        "$.plans[0].events[0].on_date 9999-12-31 is in the future",
    ),
    (
        "a start in year 9999",
        _set("plans.0.start_date", "9999-06-01"),
        "$.plans[0].start_date 9999-06-01 is out of range",
    ),
    (
        "a start 11 years ago",
        _set("plans.0.start_date", (TODAY - timedelta(days=11 * 366)).isoformat()),
        f"$.plans[0].start_date {TODAY - timedelta(days=11 * 366)} is out of range",
    ),
    (
        "the second plan's work before its start",
        lambda data: _second_plan(data, "events.3.on_date", "2000-01-01"),
        "$.plans[1].events[3].on_date 2000-01-01 is before the plan starts",
    ),
    (
        "recorded in the future",
        _set("plans.0.events.1.at", "9999-01-01T00:00:00.000000Z"),
        "$.plans[0].events[1].at 9999-01-01T00:00:00.000000Z is in the future",
    ),
    (
        "under 15 minutes a week",
        _set("plans.0.hours_per_week", 0.01),
        "$.plans[0].hours_per_week must be from 0.25 (15 minutes) to 80 (got 0.01)",
    ),
    (
        "a curriculum that is not one",
        lambda data: _first_curriculum(data)["milestones"][0].update(hours=-1),
        ".milestones[0].hours: input should be greater than 0",
    ),
    (
        "another role's curriculum",
        lambda data: _first_curriculum(data).update(id="tiny-base", kind="module"),
        "names the curriculum of 'tiny-base' (module), not of role tiny-role",
    ),
    # study is dated as done is; time off ends after the start, at most 5 years ahead
    (
        "study before the start",
        _add_events({"kind": "studied", "on_date": _in(-11), "hours": 1.0}),
        f"$.plans[0].events[6].on_date {_in(-11)} is before the plan starts",
    ),
    (
        "study in the future",
        _add_events({"kind": "studied", "on_date": _in(3), "hours": 1.0}),
        f"$.plans[0].events[6].on_date {_in(3)} is in the future",
    ),
    (
        "time off before the start",
        _add_events(_away(-20, -11)),
        f"$.plans[0].events[6].until_date {_in(-11)} is before the plan starts",
    ),
    (
        "time off too far ahead",
        _add_events(_away(10, 6 * 366)),
        f"$.plans[0].events[6].until_date {_in(6 * 366)} is more than 5 years ahead",
    ),
    (
        "overlapping time off",
        _add_events(_away(5, 10), _away(8, 12)),
        f"$.plans[0]: the time off from {_in(8)} to {_in(12)} overlaps the time off from "
        f"{_in(5)} to {_in(10)}.",
    ),
    (
        "more than 24 hours of study in a day",
        _add_events(
            {"kind": "studied", "on_date": DAY_BEFORE, "hours": 20.0},
            {"kind": "studied", "milestone_id": "deploy-model", "on_date": DAY_BEFORE, "hours": 5},
        ),
        f"$.plans[0]: 25 h of study are recorded on {DAY_BEFORE}, more than 24 h in one day",
    ),
]


def _refuse(cli: Run, planner_home: Path, file: Path, *args: str, code: int, message: str) -> None:
    """The import exits with ``code`` and one line mentioning ``message``; nothing changed."""
    before = export_all(cli)
    stored = table_rows(planner_home / "planner.db")
    result = cli("import", str(file), *args)
    assert result.exit_code == code, result.stderr
    assert message in one_error_line(result)
    assert result.stdout == ""
    assert export_all(cli) == before
    assert table_rows(planner_home / "planner.db") == stored


@pytest.mark.parametrize(("label", "change", "message"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_import_refuses_malformed_files(
    cli: Run,
    tmp_path: Path,
    planner_home: Path,
    label: str,
    change: Callable[[dict[str, Any]], None],
    message: str,
) -> None:
    make_history(cli)
    data = _base(cli)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(data), encoding="utf-8")
    bad_data = copy.deepcopy(data)
    change(bad_data)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(bad_data, ensure_ascii=False), encoding="utf-8")
    _refuse(cli, planner_home, bad, code=2, message=message)
    assert f"{bad}" in cli("import", str(bad)).stderr
    assert cli("import", str(good)).exit_code == 0  # the unchanged file was fine


@pytest.mark.parametrize(
    ("label", "change", "message"), PLAN_REFUSALS, ids=[r[0] for r in PLAN_REFUSALS]
)
def test_import_refuses_plans_that_break_the_rules(
    cli: Run,
    tmp_path: Path,
    planner_home: Path,
    label: str,
    change: Callable[[dict[str, Any]], None],
    message: str,
) -> None:
    """One line naming the JSON path, exit 2, the database unchanged, none created."""
    make_history(cli)
    data = _base(cli)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(data), encoding="utf-8")
    change(data)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    _refuse(cli, planner_home, bad, code=2, message=message)
    assert one_error_line(cli("import", str(bad))).endswith("Nothing was imported.")
    target = tmp_path / "new.db"
    assert cli("--db", str(target), "import", str(bad)).exit_code == 2
    assert not target.exists()
    assert cli("import", str(good)).exit_code == 0  # the unchanged file was fine


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "is not valid JSON (line 1, column 2"),
        (b"", "is not valid JSON"),
        (b"[1, 2]", "is not a planner export"),
        (b'{"format": "planner-export", "version": 1, "version": 1}', "appears twice"),
        (b'{"format": "planner-export", "version": NaN}', "NaN is not a JSON number"),
        (b"\xff\xfe{}", "is not UTF-8 text"),
        (b"[" * 100_000, "nested too deeply"),
    ],
    ids=["truncated", "empty", "array", "duplicate key", "NaN", "not utf-8", "deep"],
)
def test_import_refuses_files_that_are_not_exports(
    cli: Run, tmp_path: Path, planner_home: Path, content: bytes, message: str
) -> None:
    make_history(cli)
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    _refuse(cli, planner_home, bad, code=2, message=message)


def test_import_refuses_a_name_that_exists(cli: Run, tmp_path: Path, planner_home: Path) -> None:
    make_history(cli)
    data = _base(cli)
    data["plans"][0]["name"] = "tiny-role"
    file = tmp_path / "clash.json"
    file.write_text(json.dumps(data), encoding="utf-8")
    _refuse(
        cli,
        planner_home,
        file,
        code=5,
        message="A plan named 'tiny-role' already exists in "
        f"{planner_home / 'planner.db'}. Nothing was imported. Import it under another name "
        "with --as NEW_NAME",
    )
    _refuse(cli, planner_home, file, "--as", "zweiter Plan ✨", code=5, message="already exists")


def test_import_refuses_when_any_plan_clashes(cli: Run, tmp_path: Path, planner_home: Path) -> None:
    make_history(cli)
    data = _base(cli)
    clash = copy.deepcopy(data["plans"][0])
    clash["name"] = "zweiter Plan ✨"
    data["plans"].append(clash)
    file = tmp_path / "two.json"
    file.write_text(json.dumps(data), encoding="utf-8")
    _refuse(cli, planner_home, file, code=5, message="Plans named 'zweiter Plan ✨' already exist")
    _refuse(cli, planner_home, file, "--as", "x", code=2, message="--as renames a single plan")
    data["plans"][1]["name"] = "fresh"
    file.write_text(json.dumps(data), encoding="utf-8")
    _refuse(cli, planner_home, file, code=2, message="the plan name 'fresh' appears more than once")


def test_import_refuses_a_bad_new_name(cli: Run, tmp_path: Path, planner_home: Path) -> None:
    make_history(cli)
    file = tmp_path / "one.json"
    file.write_text(json.dumps(_base(cli)), encoding="utf-8")
    _refuse(cli, planner_home, file, "--as", "bad\nname", code=2, message="--as must be 1 to 100")


def test_import_refuses_a_missing_file_and_a_huge_one(
    cli: Run, tmp_path: Path, planner_home: Path
) -> None:
    make_history(cli)
    _refuse(cli, planner_home, tmp_path / "nope.json", code=4, message="No file " + str(tmp_path))
    huge = tmp_path / "huge.json"
    with huge.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024 + 1)  # sparse: quick to make
    _refuse(cli, planner_home, huge, code=2, message="is larger than 50 MiB")
    _refuse(cli, planner_home, tmp_path, code=2, message="is not a file")


def test_a_refused_import_does_not_create_the_database(cli: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "planner-export", "version": 7}', encoding="utf-8")
    target = tmp_path / "new.db"
    result = cli("--db", str(target), "import", str(bad))
    assert result.exit_code == 2
    assert "newer planner" in one_error_line(result)
    assert not target.exists()


def test_import_is_one_transaction(
    cli: Run, tmp_path: Path, planner_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure while writing the second plan leaves no trace of the first."""
    make_history(cli)
    data = _base(cli)
    second = copy.deepcopy(data["plans"][0])
    second["name"] = "fresh two"
    data["plans"].append(second)
    file = tmp_path / "two.json"
    file.write_text(json.dumps(data), encoding="utf-8")
    before = export_all(cli)
    calls = []
    real = tracker.insert_events

    def failing(**kwargs: Any) -> int:
        calls.append(kwargs["plan_id"])
        if len(calls) == 2:
            raise sqlite3.OperationalError("disk I/O error")
        return real(**kwargs)

    monkeypatch.setattr(tracker, "insert_events", failing)
    result = cli("import", str(file))
    assert result.exit_code == 6
    assert "I/O error" in one_error_line(result)
    assert len(calls) == 2
    assert export_all(cli) == before


# --------------------------------------------------------------------------- import success


def test_import_as_renames_the_plan(cli: Run, tmp_path: Path) -> None:
    make_history(cli)
    original = export_all(cli)
    file = tmp_path / "mine.json"
    assert cli("--plan", "tiny-role", "export", "json", "-o", str(file)).exit_code == 0
    result = cli("import", str(file), "--as", "laptop copy")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Imported plan 'laptop copy' with 6 events.\n"
    after = export_all(cli)
    by_name = {p["name"]: p for p in after["plans"]}
    assert sorted(by_name) == ["laptop copy", "tiny-role", "zweiter Plan ✨"]
    copied = renumbered(by_name["laptop copy"])
    assert {**copied, "name": "tiny-role"} == renumbered(by_name["tiny-role"])
    assert [e["id"] for e in by_name["laptop copy"]["events"]] == list(range(8, 14))
    assert [p for p in after["plans"] if p["name"] != "laptop copy"] == original["plans"]
    switched = cli("--plan", "laptop copy", "done", "first-model")
    assert switched.exit_code == 0, switched.stderr
    assert export_all(cli)["plans"][1:] == original["plans"]


def test_import_into_a_database_with_plans_keeps_them(
    cli: Run, tmp_path: Path, planner_home: Path
) -> None:
    make_history(cli)
    before = export_all(cli)
    stored = table_rows(planner_home / "planner.db")
    data = _base(cli)
    file = tmp_path / "fresh.json"
    file.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = cli("import", str(file))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Imported plan 'fresh' with 6 events.\n"
    after = export_all(cli)
    assert [p["name"] for p in after["plans"]] == ["fresh", "tiny-role", "zweiter Plan ✨"]
    assert renumbered(after["plans"][0]) == renumbered(data["plans"][0])
    assert after["plans"][1:] == before["plans"]
    assert after["curricula"] == before["curricula"] == data["curricula"]
    now = table_rows(planner_home / "planner.db")
    for table in ("plan", "event"):
        assert now[table][: len(stored[table])] == stored[table]
    assert now["curriculum_snapshot"] == stored["curriculum_snapshot"]  # the same, kept once


# --------------------------------------------------------------------------- curricula


def _version_1(data: dict[str, Any], *, in_place: bool = False) -> dict[str, Any]:
    """``data`` as a version-1 file: no curricula, nothing naming them, and events
    without ids (nor until_date or ref_id)."""
    old = data if in_place else copy.deepcopy(data)
    old["version"] = 1
    del old["curricula"]
    for plan in old["plans"]:
        del plan["curriculum_digests"]
        for event in plan["events"]:
            for key in ("id", "until_date", "ref_id"):
                event.pop(key, None)
    return old


def _environment(**extra: str) -> dict[str, str]:
    env = {**os.environ, "COLUMNS": "100", **extra}
    for name in ("PLANNER_FAULT", "PLANNER_DB", "PLANNER_DATABASE_URL", "PLANNER_PLAN"):
        env.pop(name, None)
    if "PLANNER_CURRICULA_PATH" not in extra:
        env.pop("PLANNER_CURRICULA_PATH", None)
    return env


def _planner(db: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    """A planner process of its own (no curriculum read in this one can help it)."""
    return subprocess.run(
        [sys.executable, "-m", "planner", "--db", str(db), *args],
        env=_environment(**extra),
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=120,
    )


def test_a_plan_moves_to_a_machine_without_its_curriculum(cli: Run, tmp_path: Path) -> None:
    """The file carries the curriculum each plan keeps: on a machine with no tiny-role,
    and on one with a different tiny-role, the imported plans read the same as at home."""
    make_history(cli)
    file = tmp_path / "all.json"
    assert cli("export", "json", "--all", "-o", str(file)).exit_code == 0
    home = {
        name: json.loads(cli("--plan", name, "status", "--json").stdout)
        for name in ("tiny-role", "zweiter Plan ✨")
    }
    other = tmp_path / "elsewhere"
    other.mkdir()
    changed = other / "tiny-role.yaml"
    text = (FIXTURE_CURRICULA / "tiny-role.yaml").read_text(encoding="utf-8")
    changed.write_text(
        text.replace("version: 2", "version: 3").replace("hours: 12", "hours: 40"),
        encoding="utf-8",
    )
    shutil.copy(FIXTURE_CURRICULA / "tiny-base.yaml", other)
    machines = {
        "without tiny-role": {},
        "with another tiny-role": {"PLANNER_CURRICULA_PATH": str(other)},
    }
    for label, extra in machines.items():
        db = tmp_path / f"{label}.db"
        missing = _planner(db, "curricula", "show", "tiny-role", **extra)
        assert (missing.returncode == 4) == (label == "without tiny-role"), missing.stderr
        imported = _planner(db, "import", str(file), **extra)
        assert imported.returncode == 0, (label, imported.stderr)
        for name, expected in home.items():
            status = _planner(db, "--plan", name, "status", "--json", **extra)
            assert status.returncode == 0, (label, status.stderr)
            there = json.loads(status.stdout)
            if extra:  # the same plan, and word of the newer curriculum here
                assert there.pop("updates") == [
                    {
                        "role": "tiny-role",
                        "files": [{"id": "tiny-role", "version": 2, "available": 3}],
                    }
                ]
                assert expected.pop("updates") == []
            assert there == expected, label
        again = _planner(db, "export", "json", "--all", **extra)
        assert again.returncode == 0, again.stderr
        first, second = json.loads(file.read_text(encoding="utf-8")), json.loads(again.stdout)
        del first["exported_at"], second["exported_at"]
        assert second == first, label
        doctor = _planner(db, "doctor", **extra)
        assert doctor.returncode == 0, doctor.stdout + doctor.stderr
        if extra:
            assert "a newer tiny-role curriculum is available" in doctor.stdout


def test_a_version_1_file_takes_its_roles_from_this_machine(
    cli: Run, tmp_path: Path, planner_home: Path
) -> None:
    make_history(cli)
    data = _base(cli)
    file = tmp_path / "old.json"
    file.write_text(json.dumps(_version_1(data), ensure_ascii=False), encoding="utf-8")
    result = cli("import", str(file))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Imported plan 'fresh' with 6 events.\n"
    after = json.loads(cli("--plan", "fresh", "export", "json").stdout)
    assert after["version"] == 3
    assert after["curricula"] == data["curricula"]  # kept now, as found on the search path
    assert [renumbered(p) for p in after["plans"]] == [renumbered(p) for p in data["plans"]]


def test_a_version_2_file_imports(cli: Run, tmp_path: Path, planner_home: Path) -> None:
    """Its events have no ids (nor until_date or ref_id): they get them here."""
    make_history(cli)
    data = _base(cli)
    file = tmp_path / "two.json"
    file.write_text(json.dumps(_version_2(copy.deepcopy(data)), ensure_ascii=False), "utf-8")
    result = cli("import", str(file))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Imported plan 'fresh' with 6 events.\n"
    after = json.loads(cli("--plan", "fresh", "export", "json").stdout)
    assert after["version"] == 3
    assert after["curricula"] == data["curricula"]
    assert [e["id"] for e in after["plans"][0]["events"]] == list(range(8, 14))
    assert [renumbered(p) for p in after["plans"]] == [renumbered(p) for p in data["plans"]]


def test_what_was_taken_back_does_not_count(cli: Run, tmp_path: Path) -> None:
    """Study and time off that a later event withdrew break no rule: the day's hours and
    the overlaps are those of what stands."""
    make_history(cli)
    data = _base(cli)
    _new_events(
        data,
        {"kind": "studied", "on_date": DAY_BEFORE, "hours": 20.0},
        {"kind": "studied", "on_date": DAY_BEFORE, "hours": 5.0},  # id 8
        _away(5, 10),  # id 9
        {"kind": "retracted", "ref_id": 8},
        {"kind": "retracted", "milestone_id": "", "ref_id": 9},
        _away(8, 12),
    )
    file = tmp_path / "back.json"
    file.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = cli("--db", str(tmp_path / "other.db"), "import", str(file))
    assert result.exit_code == 0, result.stderr
    away = cli("--db", str(tmp_path / "other.db"), "--plan", "fresh", "away")
    assert away.stdout.splitlines()[1].split()[:3] == [_in(8), _in(12), "5"]
    log = json.loads(cli("--db", str(tmp_path / "other.db"), "log", "--json").stdout)
    assert [(e["kind"], e["ref_id"]) for e in log["events"][-3:]] == [
        ("retracted", 8),
        ("retracted", 9),
        ("away", None),
    ]


def test_time_off_that_makes_a_plan_too_long_is_refused(
    cli: Run, tmp_path: Path, planner_home: Path
) -> None:
    """A plan that fits in the 100 years a plan may run, until its time off pushes it
    past them (the schedule is built with the study and time off)."""
    make_history(cli)
    data = _base(cli)
    data["plans"][0]["hours_per_week"] = 0.25
    for milestone in _first_curriculum(data)["milestones"]:
        if milestone["id"] in ("first-model", "deploy-model"):
            milestone["hours"] = 620.0  # about 95 years at 15 minutes a week, with the rest
    fits = tmp_path / "fits.json"
    fits.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    _new_events(data, _away(1, 5 * 365))
    too_long = tmp_path / "too-long.json"
    too_long.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    _refuse(
        cli,
        planner_home,
        too_long,
        code=2,
        message="$.plans[0]: At 0.25 h/week the plan would take",
    )
    assert "a plan may run at most 100 years" in cli("import", str(too_long)).stderr
    assert cli("import", str(fits)).exit_code == 0


def test_a_version_1_file_whose_role_is_missing_is_refused(
    cli: Run, tmp_path: Path, planner_home: Path
) -> None:
    make_history(cli)
    data = _version_1(_base(cli))
    data["plans"][0]["roles"] = ["tiny-role", "gone-role"]
    file = tmp_path / "old.json"
    file.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    _refuse(
        cli,
        planner_home,
        file,
        code=4,
        message="$.plans[0] ('fresh') needs the curriculum of gone-role, which this file does "
        "not hold and this machine does not have",
    )
    assert "Nothing was imported." in cli("import", str(file)).stderr
    target = tmp_path / "new.db"
    refused = cli("--db", str(target), "import", str(file))
    assert refused.exit_code == 4
    assert not target.exists()


def test_export_all_leaves_out_a_plan_that_cannot_be_read(
    cli: Run, tmp_path: Path, planner_home: Path
) -> None:
    make_history(cli)
    with contextlib.closing(sqlite3.connect(planner_home / "planner.db")) as conn:
        conn.execute(
            "UPDATE plan SET curriculum_digests = ? WHERE name = 'tiny-role'",
            (json.dumps({"tiny-role": "f" * 64}),),
        )
        conn.commit()
    result = cli("export", "json", "--all")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        "Warning: not exported: Plan 'tiny-role' cannot be read: its stored curriculum is "
        "missing. Store its curriculum again with `planner --plan 'tiny-role' upgrade` (give "
        "the curriculum file when it is not on the curricula path), or delete the plan; other "
        "plans are not affected."
    ]
    data = json.loads(result.stdout)
    assert [p["name"] for p in data["plans"]] == ["zweiter Plan ✨"]
    assert list(data["curricula"]) == [data["plans"][0]["curriculum_digests"]["tiny-role"]]
    alone = cli("--plan", "tiny-role", "export", "json")
    assert alone.exit_code == 6
    assert "Plan 'tiny-role' cannot be read" in one_error_line(alone)
    assert alone.stdout == ""


def test_a_plan_starting_later_that_was_replanned_moves(cli: Run, tmp_path: Path) -> None:
    """A plan may start up to 5 years ahead, and a re-plan (or an added role) before it
    starts is recorded on the day it was made: such a plan's export imports as it is."""
    start = (TODAY + timedelta(days=40)).isoformat()
    assert cli("start", "tiny-role", "--start", start).exit_code == 0
    replanned = cli("replan", "--hours-per-week", "10")
    assert replanned.exit_code == 0, replanned.stderr
    file = tmp_path / "later.json"
    assert cli("export", "json", "-o", str(file)).exit_code == 0
    imported = cli("--db", str(tmp_path / "other.db"), "import", str(file))
    assert imported.exit_code == 0, imported.stderr
    assert export_all(cli, "--db", str(tmp_path / "other.db"))["plans"] == export_all(cli)["plans"]


def test_work_marked_done_east_of_utc_imports_at_once(
    cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In UTC+14 the local date is a day ahead of UTC from 10:00 UTC on: work marked done
    today there is exported and imported again straight away."""
    monkeypatch.delenv("PLANNER_TODAY", raising=False)  # this test is about the clock
    with local_time_zone("Etc/GMT-14"):
        if date.today() == datetime.now(UTC).date():
            pytest.skip("no place is a day ahead of UTC at this hour")
        assert cli("start", "tiny-role", "--start", date.today().isoformat()).exit_code == 0
        done = cli("done", "python-basics")
        assert done.exit_code == 0, done.stderr
        file = tmp_path / "today.json"
        assert cli("export", "json", "-o", str(file)).exit_code == 0
        imported = cli("--db", str(tmp_path / "other.db"), "import", str(file))
        assert imported.exit_code == 0, imported.stderr


# --------------------------------------------------------------------------- backup


def _event_rows(path: Path) -> list[tuple[Any, ...]]:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return conn.execute(
            "SELECT id, plan_id, milestone_id, kind, at FROM event ORDER BY id"
        ).fetchall()


def test_backup_default_name_beside_the_database(cli: Run, planner_home: Path) -> None:
    make_history(cli)
    result = cli("backup")
    assert result.exit_code == 0, result.stderr
    words = " ".join(result.stdout.split())  # a long path stands on a line of its own
    match = re.fullmatch(r"Backed up 2 plans and 7 events to (.+)", words)
    assert match, result.stdout
    path = Path(match.group(1))
    assert path.parent == planner_home
    assert re.fullmatch(r"planner-backup-\d{8}-\d{6}\.db", path.name)
    assert sorted(p.name for p in planner_home.iterdir() if "backup" in p.name) == [path.name]
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert export_all(cli, "--db", str(path)) == export_all(cli)  # restore with --db BACKUP
    assert _event_rows(path) == _event_rows(planner_home / "planner.db")


def test_backup_refuses_an_existing_file(cli: Run, tmp_path: Path) -> None:
    make_history(cli)
    existing = tmp_path / "old-backup.db"
    existing.write_bytes(b"precious")
    result = cli("backup", "--output", str(existing))
    assert result.exit_code == 2
    assert f"{existing} already exists; planner backup never overwrites a file" in one_error_line(
        result
    )
    assert existing.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_backup_needs_sqlite_and_a_database(
    cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = cli("backup")
    assert missing.exit_code == 4
    assert "nothing to back up" in one_error_line(missing)
    monkeypatch.setenv("PLANNER_DATABASE_URL", "postgresql://planner@localhost/planner")
    result = cli("backup", "--output", str(tmp_path / "x.db"))
    assert result.exit_code == 6
    assert "back it up with `pg_dump --format=custom" in one_error_line(result)
    assert not (tmp_path / "x.db").exists()


WRITER = """
import subprocess, sys
from pathlib import Path
command = [sys.executable, "-m", "planner"]
while not Path(sys.argv[1]).exists():
    for action in ("done", "undo"):
        subprocess.run([*command, action, "python-basics", "stats-basics"], check=True,
                       stdout=subprocess.DEVNULL)
"""
# Holds a connection open so that no planner process is the last to close the database:
# none checkpoints, recent commits stay in the WAL file, and a plain copy of planner.db
# would miss them. (It runs in its own process: in this one, planner's own opening of
# the file would cancel its POSIX locks.)
HOLDER = """
import sqlite3, sys, time
from pathlib import Path
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("SELECT COUNT(*) FROM event").fetchone()
print("holding", flush=True)
while not Path(sys.argv[2]).exists():
    time.sleep(0.05)
conn.close()
"""


def _count(db: Path) -> int:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM event").fetchone()[0])


@pytest.mark.slow
def test_backup_while_another_process_writes(cli: Run, tmp_path: Path) -> None:
    db = tmp_path / "planner.db"
    env = {**os.environ, "PLANNER_CURRICULA_PATH": str(FIXTURE_CURRICULA), "PLANNER_DB": str(db)}
    run = [sys.executable, "-m", "planner"]
    subprocess.run([*run, "start", "tiny-role"], env=env, check=True, capture_output=True)
    stop = tmp_path / "stop"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db), str(stop)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None
    assert holder.stdout.readline() == "holding\n"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(stop)], env=env, stderr=subprocess.PIPE, cwd=tmp_path
    )
    copies: list[tuple[Path, int, int]] = []
    try:
        deadline = time.monotonic() + 120
        while _count(db) < 4:
            assert writer.poll() is None, writer.stderr.read()  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the writer made no progress"
            time.sleep(0.1)
        # back up until the copies show that writes went on between them
        while len(copies) < 3 or len({before for _, before, _ in copies}) < 2:
            assert writer.poll() is None, writer.stderr.read()  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the writer stopped writing"
            before = _count(db)
            target = tmp_path / f"copy-{len(copies)}.db"
            result = cli("--db", str(db), "backup", "--output", str(target))
            after = _count(db)
            assert result.exit_code == 0, result.stderr
            copies.append((target, before, after))
            time.sleep(0.2)
        assert writer.poll() is None, writer.stderr.read()  # type: ignore[union-attr]
    finally:
        stop.touch()
        writer.wait(timeout=60)
        holder.wait(timeout=60)
    final = _event_rows(db)
    for target, before, after in copies:
        with contextlib.closing(sqlite3.connect(target)) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = _event_rows(target)
        assert before <= len(rows) <= after, (before, len(rows), after)
        assert rows == final[: len(rows)]  # a snapshot of an append-only log is a prefix
        kinds = [row[3] for row in rows if row[2] == "python-basics"]
        assert kinds == ["done", "undone"] * (len(kinds) // 2) + ["done"] * (len(kinds) % 2)
        reopened = export_all(cli, "--db", str(target))
        assert len(reopened["plans"][0]["events"]) == len(rows)
    assert len({len(_event_rows(t)) for t, _, _ in copies}) > 1
