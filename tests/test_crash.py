"""Crash during a write: ``planner`` killed with SIGKILL at random moments and at the
named fault points must leave the old state or the new one, never a mix, and never lose
a change it reported.

Every measured run is its own process, killed with a real SIGKILL. To spend the time on
the writes rather than on interpreter start-up, runs are forked from a warm process that
has imported ``planner`` once (``Zygote``); each child then runs ``planner.cli.main``
as the console script does, with its own environment, folder, standard streams and
database connection, and leaves with ``os._exit`` (no interpreter shutdown; kills never
land during imports, which write nothing). Set-up runs are whole ``python -m planner`` processes. Runs are
split over two lanes (one database or output folder each) that run side by side. A
random kill comes after a delay drawn from the measured durations of normal runs in the
same lane, scaled by 0.3 to 1.1, so kills land before, inside and after the transaction,
and some runs finish.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from planner.queries import STATE_KINDS
from tests.conftest import FIXTURE_CURRICULA, report

PLANNER = [sys.executable, "-m", "planner"]
SEED = 20260105
MILESTONES = ("python-basics", "stats-basics", "first-model", "deploy-model")
LANES = 2
RUNS = {"random": 120, "write-before-commit": 40, "write-after-commit": 40}
OUTPUT_RUNS = {"random": 25, "output-before-rename": 25}
CALIBRATION_RUNS = 3
KILL_WINDOW = (0.3, 1.1)  # a kill's delay, as a fraction of a normal run
NOTES = (
    "naïve café ☕: ünïcode works",
    "two lines\nsecond line — with a dash",
    "emoji 😀🚀 and CJK 学习计划",
    "quotes \"double\" 'single' and \\ backslash",
    "right-to-left: שלום עולם",
)

pytestmark = pytest.mark.slow


# --------------------------------------------------------------------------- processes


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str
    seconds: float


def planner_env(db: Path, fault: str | None = None) -> dict[str, str]:
    env = {
        **os.environ,
        "PLANNER_CURRICULA_PATH": str(FIXTURE_CURRICULA),
        "PLANNER_DB": str(db),
        "COLUMNS": "100",
    }
    env.pop("PLANNER_FAULT", None)
    if fault is not None:
        env["PLANNER_FAULT"] = fault
    return env


def run_planner(
    args: Sequence[str], env: dict[str, str], cwd: Path, kill_after: float | None = None
) -> Outcome:
    """Run ``planner args``; with ``kill_after``, SIGKILL it after that many seconds."""
    started = time.monotonic()
    proc = subprocess.Popen(
        [*PLANNER, *args], env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    if kill_after is not None:
        time.sleep(kill_after)
        if proc.poll() is None:
            proc.kill()
    out, err = proc.communicate(timeout=120)
    return Outcome(
        proc.returncode, out.decode("utf-8"), err.decode("utf-8"), time.monotonic() - started
    )


ZYGOTE = r"""
import json, os, select, signal, sys, time, traceback
import planner.cli, planner.cli.progress, planner.cli.plan
import planner.curriculum, planner.db, planner.renderer, planner.report, planner.scheduler
import planner.service, planner.tracker, planner.projects, planner.cache
import jinja2, sqlalchemy.dialects.sqlite, yaml

def child(job):
    os.environ.clear()
    os.environ.update(job["env"])
    os.chdir(job["cwd"])
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    for fd, path in ((1, job["stdout"]), (2, job["stderr"])):
        os.dup2(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), fd)
    sys.stdin = open(0, encoding="utf-8", closefd=False)
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)
    sys.stderr = open(2, "w", encoding="utf-8", closefd=False)
    sys.argv = ["planner", *job["args"]]
    code = 1
    try:
        planner.cli.main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)

print("ready", flush=True)
for line in sys.stdin:
    job = json.loads(line)
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        child(job)
    handle = os.pidfd_open(pid)
    if job["kill_after"] is not None:
        finished, _, _ = select.select([handle], [], [], job["kill_after"])
        if not finished:  # still running (a zombie keeps its pid until reaped below)
            os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    os.close(handle)
    seconds = time.monotonic() - started
    print(json.dumps([os.waitstatus_to_exitcode(status), seconds]), flush=True)
"""


class Zygote:
    """A warm process that forks one child per run (see the module docstring)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.proc = subprocess.Popen(
            [sys.executable, "-c", ZYGOTE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=folder,
        )
        assert self.proc.stdout is not None
        assert self.proc.stdout.readline() == "ready\n"

    def run(
        self, args: Sequence[str], env: dict[str, str], kill_after: float | None = None
    ) -> Outcome:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        out, err = self.folder / "run.out", self.folder / "run.err"
        job = {
            "args": list(args),
            "env": env,
            "cwd": str(self.folder),
            "stdout": str(out),
            "stderr": str(err),
            "kill_after": kill_after,
        }
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        code, seconds = json.loads(self.proc.stdout.readline())
        return Outcome(code, out.read_text("utf-8"), err.read_text("utf-8"), seconds)

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


# --------------------------------------------------------------------------- the database


PLAN_COLUMNS = (
    "id, name, roles, curriculum_versions, hours_per_week, start_date, known_skills, "
    "industry, created_at"
)  # every column but last_used_at, which each command updates


def read_state(db: Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """(plan rows, event rows oldest first), after checking the file is sound."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        integrity = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        assert integrity == ["ok"], f"integrity_check after a crash: {integrity}"
        plans = conn.execute(f"SELECT {PLAN_COLUMNS} FROM plan ORDER BY id").fetchall()  # noqa: S608
        events = conn.execute(
            "SELECT id, plan_id, milestone_id, kind, on_date, hours, note, ref_id "
            "FROM event ORDER BY id"
        ).fetchall()
    return plans, events


def milestone_states(events: Sequence[tuple[Any, ...]]) -> dict[str, str]:
    """Each milestone's latest state event, as tracker.milestone_states derives it."""
    latest: dict[str, tuple[int, str]] = {}
    for event_id, _plan, milestone, kind, *_ in events:
        if kind in STATE_KINDS and (milestone not in latest or event_id > latest[milestone][0]):
            latest[milestone] = (event_id, kind)
    return {milestone: kind for milestone, (_, kind) in latest.items()}


def studied(events: Sequence[tuple[Any, ...]]) -> dict[str, int]:
    """Minutes of standing study (entries no ``retracted`` event withdrew) by milestone,
    as history.activity_of derives them."""
    withdrawn = {e[7] for e in events if e[3] == "retracted"}
    minutes: dict[str, int] = {}
    for event_id, _plan, milestone, kind, _on, hours, _note, _ref in events:
        if kind == "studied" and event_id not in withdrawn:
            minutes[milestone] = minutes.get(milestone, 0) + round(hours * 60)
    return minutes


def notes_of(events: Sequence[tuple[Any, ...]]) -> list[tuple[str, str]]:
    return [(e[2], e[6]) for e in events if e[3] == "note"]


# --------------------------------------------------------------------------- commands


@dataclass(frozen=True)
class Command:
    args: tuple[str, ...]
    writes: tuple[tuple[str, str, str | None], ...]  # (milestone, kind, note) it appends
    confirmations: tuple[str, ...]  # lines a successful run prints


def choose_command(
    rng: random.Random, states: dict[str, str], study: dict[str, int] | None = None
) -> Command:
    """A done, undo, note or study that changes something in the current state. undo
    takes back done, else the latest study entry; ``study`` is the minutes of standing
    study by milestone (all of it recorded today: at most 24 hours in all)."""
    study = study or {}
    done = [m for m in MILESTONES if states.get(m) == "done"]
    pending = [m for m in MILESTONES if states.get(m) != "done"]
    action = rng.choice(["done", "done", "undo", "note", "study"])
    if action == "study" and (not pending or sum(study.values()) > 20 * 60):
        action = "note"
    undoable = done + [m for m in pending if m in study]
    if action == "undo" and not undoable:
        action = "done"
    if action == "done" and not pending:
        action = "undo"
    if action == "note":
        milestone = rng.choice(MILESTONES)
        text = f"{rng.choice(NOTES)} #{rng.randrange(10_000)}"
        return Command(
            ("note", milestone, text), ((milestone, "note", text),), (f"Noted on {milestone}.",)
        )
    if action == "study":
        milestone = rng.choice(pending)
        note = rng.choice([None, rng.choice(NOTES)])
        args = ("study", milestone, f"{rng.randrange(5, 46)}m") + (("--note", note) if note else ())
        return Command(args, ((milestone, "studied", note),), (f"Studied {milestone} for ",))
    pool = pending if action == "done" else undoable
    retractable = [m for m in pending if m in study]
    if action == "undo" and retractable and rng.random() < 0.5:
        pool = retractable  # else study is mostly finished by done before it is taken back
    chosen = rng.sample(pool, k=min(len(pool), rng.choice([1, 1, 2])))
    if action == "undo":
        return Command(
            ("undo", *chosen),
            tuple((m, "undone" if m in done else "retracted", None) for m in chosen),
            tuple(
                f"Undone: {m} is back in the plan." if m in done else "Took back " for m in chosen
            ),
        )
    note = rng.choice([None, None, rng.choice(NOTES)])
    args = ("done", *chosen) + (("--note", note) if note else ())
    return Command(
        args,
        tuple((m, "done", note) for m in chosen),
        tuple(f"Done: {m} (" for m in chosen),
    )


def reported_success(outcome: Outcome, command: Command) -> bool:
    lines = outcome.stdout.splitlines()
    return outcome.code == 0 and all(
        any(line.startswith(expected) for line in lines) for expected in command.confirmations
    )


# --------------------------------------------------------------------------- the write suite


@dataclass
class Tally:
    ok: int = 0
    runs: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    writes: Counter[str] = field(default_factory=Counter)  # event kinds the runs meant to add


def write_lane(lane: int, folder: Path, schedule: list[str]) -> Tally:
    """One database, the runs in ``schedule`` one after another."""
    rng = random.Random(SEED + lane)  # noqa: S311 (reproducible choices, not secrets)
    db = folder / "planner.db"
    started = run_planner(["start", "tiny-role", "--start", "2026-01-05"], planner_env(db), folder)
    assert started.code == 0, started.stderr
    plans, _ = read_state(db)
    zygote = Zygote(folder)
    durations = []
    for i in range(CALIBRATION_RUNS):  # a normal run's duration, measured under the same load
        outcome = zygote.run(["note", MILESTONES[i % 4], f"calibration {i}"], planner_env(db))
        assert outcome.code == 0, outcome.stderr
        durations.append(outcome.seconds)
    tally = Tally()
    for index, how in enumerate(schedule):
        _, before = read_state(db)
        command = choose_command(rng, milestone_states(before), studied(before))
        fault = None if how == "random" else how
        delay = rng.choice(durations) * rng.uniform(*KILL_WINDOW) if how == "random" else None
        outcome = zygote.run(command.args, planner_env(db, fault), kill_after=delay)
        plans_after, after = read_state(db)
        problem, result = judge(before, after, command, outcome, how)
        if problem is None and plans_after != plans:
            problem = f"the plan row changed: {plans_after}"
        tally.runs += 1
        tally.kinds[f"{how}: {result}"] += 1
        tally.writes.update(kind for _, kind, _ in command.writes)
        if problem is None:
            tally.ok += 1
        else:
            tally.failures.append(
                f"lane {lane} run {index} ({how}, {command.args}, exit {outcome.code}, "
                f"stderr {outcome.stderr.strip()[-300:]!r}): {problem}"
            )
    zygote.close()
    return tally


def judge(
    before: list[tuple[Any, ...]],
    after: list[tuple[Any, ...]],
    command: Command,
    outcome: Outcome,
    how: str,
) -> tuple[str | None, str]:
    """(what is wrong or None, what happened) for one run."""
    added = after[len(before) :]
    if after[: len(before)] != before:
        return "events that existed before were changed or removed", "damaged"
    appended = tuple((e[2], e[3], e[6]) for e in added)
    if appended == ():
        result = "old"
    elif appended == command.writes:
        result = "new"
    else:
        return f"a partial or unexpected change: {appended} (expected {command.writes})", "mixed"
    if any(e[0] <= before[-1][0] for e in added):
        return "new events do not come after the old ones", result
    old_states, new_states = milestone_states(before), milestone_states(after)
    wanted = dict(old_states)
    wanted.update({m: k for m, k, _ in command.writes if k in STATE_KINDS})
    if new_states not in (old_states, wanted):
        return f"milestone states {new_states} are neither old nor new", result
    if outcome.code not in (0, -9):
        return "the run failed instead of finishing or being killed", result
    if outcome.code == 0 and outcome.stderr:
        return "a successful run wrote to stderr", result
    if reported_success(outcome, command) and result != "new":
        return "the command reported success but its change is missing", result
    if outcome.code == 0 and not reported_success(outcome, command):
        return "exit 0 without the confirmation line", result
    if how == "write-before-commit" and (outcome.code != -9 or result != "old"):
        return "killed before commit, yet the change is there (or it was not killed)", result
    if how == "write-after-commit" and (outcome.code != -9 or result != "new"):
        return "killed after commit, yet the change is missing (or it was not killed)", result
    if how == "write-after-commit" and reported_success(outcome, command):
        return "killed before reporting, yet it reported", result
    if how == "random":
        result = "finished" if outcome.code == 0 else f"killed, {result}"
    return None, result


def lane_schedules(runs: dict[str, int], rng: random.Random) -> list[list[str]]:
    every = [how for how, count in runs.items() for _ in range(count)]
    rng.shuffle(every)
    return [every[lane::LANES] for lane in range(LANES)]


def in_lanes(
    work: Callable[[int, Path, list[str]], Tally], tmp_path: Path, runs: dict[str, int]
) -> Tally:
    schedules = lane_schedules(runs, random.Random(SEED))  # noqa: S311
    folders = []
    for lane in range(LANES):
        folder = tmp_path / f"lane{lane}"
        folder.mkdir()
        folders.append(folder)
    with ThreadPoolExecutor(LANES) as pool:
        tallies = list(pool.map(work, range(LANES), folders, schedules))
    total = Tally()
    for tally in tallies:
        total.ok += tally.ok
        total.runs += tally.runs
        total.kinds.update(tally.kinds)
        total.failures.extend(tally.failures)
        total.writes.update(tally.writes)
    return total


def test_crash_during_a_write(tmp_path: Path) -> None:
    tally = in_lanes(write_lane, tmp_path, RUNS)
    detail = ", ".join(f"{k} {v}" for k, v in sorted(tally.kinds.items()))
    figure = f"crash during a write: {tally.ok} of {tally.runs} ({detail})"
    report(figure)
    assert tally.runs == sum(RUNS.values())
    assert tally.ok == tally.runs, figure + "\n" + "\n".join(tally.failures[:10])
    # the random kills must have hit more than process start-up to mean anything
    assert tally.kinds["random: finished"] > 0, figure
    assert sum(v for k, v in tally.kinds.items() if k.startswith("random: killed")) > 0, figure
    # every kind of write was among them: study entries and their retractions too
    wrote = ", ".join(f"{k} {v}" for k, v in sorted(tally.writes.items()))
    assert set(tally.writes) == {"done", "undone", "note", "studied", "retracted"}, wrote
    assert min(tally.writes.values()) >= 5, wrote


# --------------------------------------------------------------------------- output files

TEMP_NAME = re.compile(r"^\.x\.md\..+\.tmp$")


def output_lane(lane: int, folder: Path, schedule: list[str]) -> Tally:
    """One output folder; ``planner plan --output x.md`` over an existing x.md."""
    rng = random.Random(SEED + 100 + lane)  # noqa: S311
    db = folder / "planner.db"
    for args in (["start", "tiny-role", "--start", "2026-01-05"], ["done", "python-basics"]):
        setup = run_planner(args, planner_env(db), folder)
        assert setup.code == 0, setup.stderr
    out = folder / "out"
    out.mkdir()
    reference = out / "reference" / "x.md"
    reference.parent.mkdir()
    zygote = Zygote(folder)
    durations = []
    for _ in range(CALIBRATION_RUNS):
        outcome = zygote.run(["plan", "--output", str(reference)], planner_env(db))
        assert outcome.code == 0, outcome.stderr
        durations.append(outcome.seconds)
    new = {reference.read_bytes()}
    target = out / "x.md"
    tally = Tally()
    for index, how in enumerate(schedule):
        old = f"old content of run {index}\n".encode() * rng.randrange(1, 3000)
        target.write_bytes(old)
        fault = None if how == "random" else how
        delay = rng.choice(durations) * rng.uniform(*KILL_WINDOW) if how == "random" else None
        outcome = zygote.run(["plan", "--output", str(target)], planner_env(db, fault), delay)
        content = target.read_bytes()
        if content not in new and outcome.code == 0:  # the day may have changed since
            refreshed = zygote.run(["plan", "--output", str(reference)], planner_env(db))
            assert refreshed.code == 0, refreshed.stderr
            new.add(reference.read_bytes())
        result = "old" if content == old else "new" if content in new else "torn"
        problem = None
        strays = sorted(p.name for p in out.iterdir() if p.name not in ("x.md", "reference"))
        if result == "torn":
            problem = f"x.md is neither the old nor the new content ({len(content)} bytes)"
        elif outcome.code not in (0, -9):
            problem = f"exit {outcome.code}: {outcome.stderr.strip()[-300:]}"
        elif outcome.code == 0 and (
            result != "new" or " ".join(outcome.stdout.split()) != f"Wrote {target}"
        ):
            problem = "reported writing it, but the file is not the new content"
        elif how == "output-before-rename" and (outcome.code != -9 or result != "old"):
            problem = "killed before the rename, yet the file was replaced"
        elif [name for name in strays if not TEMP_NAME.match(name)]:
            problem = f"files other than hidden .tmp files left beside it: {strays}"
        elif outcome.code == 0 and len(strays) > tally.kinds["leftover"]:
            problem = "a successful run left a temporary file behind"
        tally.kinds["leftover"] = len(strays)
        tally.runs += 1
        if how == "random":
            result = "finished" if outcome.code == 0 else f"killed, {result}"
        tally.kinds[f"{how}: {result}"] += 1
        if problem is None:
            tally.ok += 1
        else:
            tally.failures.append(f"lane {lane} run {index} ({how}): {problem}")
    zygote.close()
    return tally


def test_crash_during_output_writing(tmp_path: Path) -> None:
    tally = in_lanes(output_lane, tmp_path, OUTPUT_RUNS)
    leftovers = tally.kinds.pop("leftover")
    detail = ", ".join(f"{k} {v}" for k, v in sorted(tally.kinds.items()))
    figure = (
        f"crash during output writing: {tally.ok} of {tally.runs} ({detail}; "
        f"hidden .tmp files left by kills: {leftovers})"
    )
    report(figure)
    assert tally.runs == sum(OUTPUT_RUNS.values())
    assert tally.ok == tally.runs, figure + "\n" + "\n".join(tally.failures[:10])
