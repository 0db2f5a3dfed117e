"""Concurrent writers: 2, 4 and 8 processes marking milestones done in one database at
once, two processes appending notes to the same milestone, four recording study time,
and four marking done and recording study in a database of schema 2 (so they race to
apply migration 3 first). Every change must land, every command must succeed, each
migration is applied once, and no one may ever see "database is locked".

The writers are long-lived worker processes (started once for the module, so that the
suite pays for eight interpreter starts instead of hundreds). Each worker runs real
``planner`` commands through the CLI's own entry point, in its own process with its own
SQLite connections; a trial hands each worker its commands at the same moment. A
worker marks its 50 milestones in 5 commands of 10 ids (one transaction each): 8
workers then hold 40 write transactions that contend for the same file.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import pytest

from planner.db import SCHEMA_VERSION
from tests.conftest import report

pytestmark = pytest.mark.slow

MILESTONES = 400
PER_PROCESS = 50
BATCH = 10
NOTES_PER_PROCESS = 50
NOTE_MILESTONE = "notes-here"
STUDY_WRITERS = 4
STUDY_PER_PROCESS = 10  # commands, one study entry each
TRIALS = {2: 6, 4: 5, 8: 5, "notes": 4, "study": 3, "upgrade": 3}  # 26 trials in all
FORBIDDEN = ("database is locked", "stayed busy", "Traceback")

WORKER = r"""
import contextlib, io, json, sys, time, traceback
import typer.main
from planner.cli import app

import planner.curriculum, planner.db, planner.scheduler, planner.service, planner.tracker

command = typer.main.get_command(app)
print("ready", flush=True)
for line in sys.stdin:
    job = json.loads(line)
    results = []
    for args in job["commands"]:
        out, err = io.StringIO(), io.StringIO()
        started = time.monotonic()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = command.main(args, prog_name="planner", standalone_mode=False)
            except BaseException:
                traceback.print_exc()
                code = 1
        results.append(
            {"args": args, "code": code, "stdout": out.getvalue(), "stderr": err.getvalue(),
             "seconds": time.monotonic() - started}
        )
    print(json.dumps(results), flush=True)
"""


# --------------------------------------------------------------------------- the curriculum


def resource(i: int | str) -> str:
    return f"[{{title: Docs, url: 'https://example.org/{i}', kind: docs}}]"


def write_curriculum(folder: Path) -> None:
    """A role including a module of MILESTONES milestones, plus one for notes."""
    lines = [
        "id: many-base",
        "kind: module",
        "title: Many milestones",
        "summary: A module big enough for eight writers.",
        "version: 1",
        "skills:",
        "  - {id: patience, name: Patience, description: Doing one thing after another.}",
        "milestones:",
    ]
    lines += [
        f"  - {{id: m-{i:03d}, title: Milestone {i}, summary: Step {i}., hours: 2, "
        f"skills: [patience], resources: {resource(i)}, done_when: step {i} is done}}"
        for i in range(MILESTONES)
    ]
    (folder / "many-base.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "many-role.yaml").write_text(
        f"""id: many-role
title: Many Role
summary: A role with hundreds of milestones, for concurrency tests.
version: 1
includes: [many-base]
profile:
  source: The planner test suite
  definition: A role that exists to be marked done by many processes at once.
  responsibilities: [Marking milestones done]
  required_skills: [Patience]
  education: [Any]
  tools: [planner]
  industries: [Testing]
  outlook: {{growth_percent: 1, period: 2020-2030, occupation: testers, source: tests,
            text: Steady.}}
milestones:
  - {{id: {NOTE_MILESTONE}, title: Notes go here, summary: Where notes pile up., hours: 1,
      resources: {resource("notes")}, done_when: never}}
""",
        encoding="utf-8",
    )


# --------------------------------------------------------------------------- workers


@dataclass
class Worker:
    proc: subprocess.Popen[str]

    @property
    def stdin(self) -> TextIO:
        assert self.proc.stdin is not None
        return self.proc.stdin

    @property
    def stdout(self) -> TextIO:
        assert self.proc.stdout is not None
        return self.proc.stdout

    def send(self, commands: list[list[str]]) -> None:
        self.stdin.write(json.dumps({"commands": commands}) + "\n")
        self.stdin.flush()

    def receive(self) -> list[dict[str, Any]]:
        line = self.stdout.readline()
        assert line, f"worker {self.proc.pid} died (exit {self.proc.poll()})"
        results: list[dict[str, Any]] = json.loads(line)
        return results


@pytest.fixture(scope="module")
def curricula(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("curricula")
    write_curriculum(folder)
    return folder


@pytest.fixture(scope="module")
def workers(curricula: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Worker]]:
    env = {
        **os.environ,
        "PLANNER_CURRICULA_PATH": str(curricula),
        "PLANNER_HOME": str(tmp_path_factory.mktemp("worker-home")),
        "COLUMNS": "100",
    }
    for name in ("PLANNER_FAULT", "PLANNER_DB", "PLANNER_DATABASE_URL", "PLANNER_PLAN"):
        env.pop(name, None)
    started = [
        Worker(
            subprocess.Popen(
                [sys.executable, "-c", WORKER],
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                encoding="utf-8",
            )
        )
        for _ in range(max(k for k in TRIALS if isinstance(k, int)))
    ]
    try:
        for worker in started:
            assert worker.stdout.readline() == "ready\n"
        yield started
    finally:
        for worker in started:
            worker.stdin.close()
        for worker in started:
            try:
                worker.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.proc.kill()
                worker.proc.wait()


@pytest.fixture(scope="module")
def template(workers: list[Worker], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding a fresh 'many-role' plan, copied for every trial."""
    path = tmp_path_factory.mktemp("template") / "planner.db"
    workers[0].send([["--db", str(path), "start", "many-role", "--start", "2026-01-05"]])
    (result,) = workers[0].receive()
    assert result["code"] == 0, result
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture(scope="module")
def schema_2_template(template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template as a planner of schema 2 left it: without migration 3's columns."""
    path = tmp_path_factory.mktemp("schema-2") / "planner.db"
    shutil.copyfile(template, path)
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT COUNT(*) FROM event").fetchone()[0] == 0
        conn.execute("ALTER TABLE event DROP COLUMN ref_id")
        conn.execute("ALTER TABLE event DROP COLUMN until_date")
        conn.execute("DELETE FROM planner_migration WHERE version >= 3")
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def run_at_once(
    workers: list[Worker], jobs: list[list[list[str]]]
) -> tuple[list[list[dict[str, Any]]], float]:
    """Hand each worker its commands at once; their results and the wall time."""
    started = time.monotonic()
    for worker, commands in zip(workers, jobs, strict=False):
        worker.send(commands)
    results = [worker.receive() for worker in workers[: len(jobs)]]
    return results, time.monotonic() - started


def problems_in(results: list[list[dict[str, Any]]]) -> list[str]:
    found = []
    for number, commands in enumerate(results):
        for result in commands:
            text = result["stdout"] + result["stderr"]
            if result["code"] != 0 or result["stderr"] or any(w in text for w in FORBIDDEN):
                found.append(
                    f"process {number}: {result['args'][2:5]}... exit {result['code']}: "
                    f"{result['stderr'].strip()[-300:]}"
                )
    return found


def read_events(db: Path) -> list[tuple[Any, ...]]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return conn.execute("SELECT id, milestone_id, kind, note FROM event ORDER BY id").fetchall()


def writers_trial(
    workers: list[Worker], template: Path, db: Path, processes: int
) -> tuple[list[str], list[list[dict[str, Any]]], float]:
    shutil.copyfile(template, db)
    ids = [f"m-{i:03d}" for i in range(MILESTONES)]
    owned = [ids[p * PER_PROCESS : (p + 1) * PER_PROCESS] for p in range(processes)]
    jobs = [
        [
            ["--db", str(db), "done", *mine[start : start + BATCH]]
            for start in range(0, PER_PROCESS, BATCH)
        ]
        for mine in owned
    ]
    results, seconds = run_at_once(workers, jobs)
    problems = problems_in(results)
    events = read_events(db)
    done = sorted(m for _, m, kind, _ in events if kind == "done")
    wanted = sorted(m for mine in owned for m in mine)
    if done != wanted or len(events) != len(wanted):
        problems.append(
            f"{len(done)} done events in the database, {len(wanted)} expected "
            f"(missing: {sorted(set(wanted) - set(done))[:5]}, {len(events)} events in all)"
        )
    for number, commands in enumerate(results):
        confirmed = [line for r in commands for line in r["stdout"].splitlines()]
        if len([line for line in confirmed if line.startswith("Done: ")]) != PER_PROCESS:
            problems.append(f"process {number} did not confirm all of its {PER_PROCESS}")
    return problems, results, seconds


def study_trial(
    workers: list[Worker], template: Path, db: Path
) -> tuple[list[str], list[list[dict[str, Any]]], float]:
    """Each process records study on milestones of its own, one command each."""
    shutil.copyfile(template, db)
    owned = [
        [f"m-{i:03d}" for i in range(p * PER_PROCESS, p * PER_PROCESS + STUDY_PER_PROCESS)]
        for p in range(STUDY_WRITERS)
    ]
    jobs = [
        [["--db", str(db), "study", m, "15m", "--note", f"ü {m}"] for m in mine] for mine in owned
    ]
    results, seconds = run_at_once(workers, jobs)
    problems = problems_in(results)
    studied = sorted((m, note) for _, m, kind, note in read_events(db) if kind == "studied")
    wanted = sorted((m, f"ü {m}") for mine in owned for m in mine)
    if studied != wanted:
        problems.append(f"{len(studied)} study entries in the database, {len(wanted)} expected")
    for number, commands in enumerate(results):
        confirmed = [r["stdout"] for r in commands if r["stdout"].startswith("Studied m-")]
        if len(confirmed) != STUDY_PER_PROCESS:
            problems.append(f"process {number} did not confirm all of its study entries")
    return problems, results, seconds


def upgrade_trial(
    workers: list[Worker], template: Path, db: Path
) -> tuple[list[str], list[list[dict[str, Any]]], float]:
    """Four processes at once on a database of schema 2: the first command of each
    finds migration 3 pending; it is applied once, and every done and study lands."""
    shutil.copyfile(template, db)
    owned = [[f"m-{i:03d}" for i in range(p * 20, p * 20 + 20)] for p in range(4)]
    jobs = [
        [
            ["--db", str(db), "done", *mine[:10]],
            ["--db", str(db), "study", mine[10], "1h"],
            ["--db", str(db), "done", *mine[11:]],
        ]
        for mine in owned
    ]
    results, seconds = run_at_once(workers, jobs)
    problems = problems_in(results)
    with contextlib.closing(sqlite3.connect(db)) as conn:
        applied = conn.execute("SELECT version FROM planner_migration ORDER BY version").fetchall()
        columns = [row[1] for row in conn.execute("PRAGMA table_info(event)")]
    expected = list(range(1, SCHEMA_VERSION + 1))
    if [v for (v,) in applied] != expected or columns[-2:] != ["until_date", "ref_id"]:
        problems.append(f"migrations {applied}, event columns {columns}")
    events = read_events(db)
    done = sorted(m for _, m, kind, _ in events if kind == "done")
    studied = sorted(m for _, m, kind, _ in events if kind == "studied")
    if done != sorted(m for mine in owned for m in mine if m != mine[10]):
        problems.append(f"{len(done)} done events in the database, 76 expected")
    if studied != sorted(mine[10] for mine in owned) or len(events) != 80:
        problems.append(f"{len(studied)} study entries of 4, {len(events)} events of 80")
    return problems, results, seconds


def notes_trial(
    workers: list[Worker], template: Path, db: Path
) -> tuple[list[str], list[list[dict[str, Any]]], float]:
    shutil.copyfile(template, db)
    texts = [
        [f"process {p} note {i}: ünïcode ✓ 学习\nsecond line" for i in range(NOTES_PER_PROCESS)]
        for p in range(2)
    ]
    jobs = [[["--db", str(db), "note", NOTE_MILESTONE, text] for text in mine] for mine in texts]
    results, seconds = run_at_once(workers, jobs)
    problems = problems_in(results)
    notes = [note for _, m, kind, note in read_events(db) if kind == "note" and m == NOTE_MILESTONE]
    for p, mine in enumerate(texts):
        landed = [n for n in notes if n.startswith(f"process {p} ")]
        if landed != mine:
            problems.append(f"process {p}: {len(landed)} of its {len(mine)} notes, in order?")
    if len(notes) != sum(len(mine) for mine in texts):
        problems.append(f"{len(notes)} notes in the database")
    return problems, results, seconds


LABELS = {
    "notes": "2 note writers",
    "study": f"{STUDY_WRITERS} study writers",
    "upgrade": "4 writers upgrading schema 2",
}


def test_concurrent_writers(
    workers: list[Worker], template: Path, schema_2_template: Path, tmp_path: Path
) -> None:
    passed: dict[str, int] = {}
    failures: list[str] = []
    slowest: dict[str, float] = {}
    walls: dict[str, float] = {}
    for config, trials in TRIALS.items():
        label = f"{config} writers" if isinstance(config, int) else LABELS[config]
        for trial in range(trials):
            db = tmp_path / f"{config}-{trial}.db"
            if isinstance(config, int):
                problems, results, seconds = writers_trial(workers, template, db, config)
            elif config == "study":
                problems, results, seconds = study_trial(workers, template, db)
            elif config == "upgrade":
                problems, results, seconds = upgrade_trial(workers, schema_2_template, db)
            else:
                problems, results, seconds = notes_trial(workers, template, db)
            longest = max(r["seconds"] for rs in results for r in rs)
            slowest[label] = max(slowest.get(label, 0.0), longest)
            walls[label] = walls.get(label, 0.0) + seconds
            if problems:
                failures.append(f"{label}, trial {trial}: " + "; ".join(problems[:3]))
            else:
                passed[label] = passed.get(label, 0) + 1
            for path in tmp_path.glob(f"{config}-{trial}.db*"):
                path.unlink()
    total = sum(TRIALS.values())
    detail = ", ".join(
        f"{label} {passed.get(label, 0)}/{n} ({walls[label]:.0f} s, slowest command "
        f"{slowest[label]:.1f} s)"
        for label, n in zip(walls, TRIALS.values(), strict=True)
    )
    figure = f"concurrent writers: {sum(passed.values())} of {total} trials ({detail})"
    report(figure)
    assert sum(passed.values()) == total, figure + "\n" + "\n".join(failures[:10])
