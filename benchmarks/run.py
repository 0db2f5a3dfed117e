"""The benchmark suite: how fast ``planner`` starts, answers and scales.

Usage::

    python benchmarks/run.py             # full: 15 runs a command, sizes up to 20,000 / 100,000
    python benchmarks/run.py --quick     # 1 run, baselines once, tiny sizes: a smoke test
    python benchmarks/run.py --markdown  # the tables as GitHub Markdown, for the README

Every command runs as a whole process: the ``planner`` console script of the virtualenv
that runs this script, never through a shell. After one warm-up run, each command is run
N times alternating with its baseline (command, baseline, command, baseline ...), so both
see the same machine weather; its ratio is the median of the pairwise ratios. Baselines:

    P   python -c pass                          (interpreter start)
    B0  python -c "import typer, pydantic"      (the floor of a command that reads YAML)
    B1  python -c "import typer, sqlmodel"      (the floor of a command that opens the db)

Peak RSS is each child's own ``ru_maxrss`` from ``os.wait4``. The package is byte-compiled
first and children run without ``PYTHONDONTWRITEBYTECODE``. Everything happens in a
temporary ``PLANNER_HOME``: the user's data is never read or written.

The scale section generates random curricula (fixed seed) and event logs in the temporary
folder and reports in-process scheduling, ``planner status`` and ``planner plan --format
html`` at each size, with the growth between consecutive sizes.

The script measures; it does not judge: it exits 0 when targets are missed, and 1 only
when something crashed (a command failed, or a bug here).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path

PYTHON = sys.executable
PLANNER = str(Path(sys.executable).parent / "planner")
ROLE = "ai-architect"
OTHER_ROLE = "lead-ml-engineer"
SEED = 20231206
MAX_RSS_MIB = 80.0
MILESTONES_PER_FILE = 1000  # the loader caps a file at 1 MiB and 100,000 YAML nodes
SKILLS = ("modelling", "data", "systems", "statistics", "communication")

BASELINES = {
    "P": [PYTHON, "-c", "pass"],
    "B0": [PYTHON, "-c", "import typer, pydantic"],
    "B1": [PYTHON, "-c", "import typer, sqlmodel"],
}
TYPER_FLOOR = "T: a one-option typer command"
TYPER_FLOOR_CODE = "import typer\ndef main(json: bool = False) -> None: pass\ntyper.run(main)"
BASELINE_LABELS = {
    "P": "P: python -c pass",
    "B0": "B0: python -c 'import typer, pydantic'",
    "B1": "B1: python -c 'import typer, sqlmodel'",
}
# Variables that change what a child does or how fast: unset for every child.
UNSET = (
    "PYTHONDONTWRITEBYTECODE",
    "PYTHONPROFILEIMPORTTIME",
    "PYTHONDEVMODE",
    "PYTHONTRACEMALLOC",
    "PLANNER_DB",
    "PLANNER_DATABASE_URL",
    "PLANNER_PLAN",
    "PLANNER_CURRICULA_PATH",
    "PLANNER_FAULT",
)


# --------------------------------------------------------------------------- running


class CommandFailed(Exception):
    def __init__(self, argv: Sequence[str], code: int, stderr: str) -> None:
        super().__init__(f"{' '.join(argv)} exited with {code}")
        self.argv = list(argv)
        self.code = code
        self.stderr = stderr


@dataclass(frozen=True)
class Sample:
    seconds: float
    rss_mib: float


def _rss_mib(maxrss: int) -> float:
    """``ru_maxrss`` is KiB on Linux and bytes on macOS."""
    return maxrss / (1024 * 1024) if sys.platform == "darwin" else maxrss / 1024


class Runner:
    """Runs one child at a time with a clean environment, in the temporary folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.base_env = {k: v for k, v in os.environ.items() if k not in UNSET}
        self.base_env["COLUMNS"] = "100"  # the same help layout on every terminal

    def env(self, home: Path, curricula: Path | None = None) -> dict[str, str]:
        env = {**self.base_env, "PLANNER_HOME": str(home)}
        if curricula is not None:
            env["PLANNER_CURRICULA_PATH"] = str(curricula)
        return env

    def time(self, argv: Sequence[str], env: dict[str, str]) -> Sample:
        """Wall time and peak RSS of one child; CommandFailed if it exits non-zero."""
        with tempfile.TemporaryFile(dir=self.root) as err:
            started = time.perf_counter()
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
                env=env,
                cwd=self.root,
            )
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - started
            proc.returncode = os.waitstatus_to_exitcode(status)
            if proc.returncode:
                err.seek(0)
                tail = err.read().decode("utf-8", "replace")[-3000:]
                raise CommandFailed(argv, proc.returncode, tail)
        return Sample(seconds, _rss_mib(usage.ru_maxrss))

    def output(self, argv: Sequence[str], env: dict[str, str]) -> str:
        """Run a setup command and return its stdout; CommandFailed if it fails."""
        done = subprocess.run(
            argv, capture_output=True, text=True, env=env, cwd=self.root, check=False
        )
        if done.returncode:
            raise CommandFailed(argv, done.returncode, done.stderr[-3000:])
        return done.stdout

    def succeeds(self, argv: Sequence[str], env: dict[str, str]) -> bool:
        done = subprocess.run(argv, capture_output=True, env=env, cwd=self.root, check=False)
        return done.returncode == 0


def progress(message: str) -> None:
    print(f"... {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Target:
    """What a row should meet: a ratio to its baseline or an absolute time, and RSS."""

    ratio: float | None = None
    ms: float | None = None
    rss_mib: float | None = MAX_RSS_MIB

    def describe(self, baseline: str | None) -> str:
        parts = []
        if self.ratio is not None:
            parts.append(f"≤{self.ratio:g}× {baseline}")
        if self.ms is not None:
            parts.append(f"≤{self.ms:,.0f} ms")
        if self.rss_mib is not None:
            parts.append(f"≤{self.rss_mib:g} MiB")
        return ", ".join(parts)


@dataclass
class Row:
    name: str
    samples: list[Sample] = field(default_factory=list)
    baseline: str | None = None
    ratios: list[float] = field(default_factory=list)
    target: Target | None = None
    note: str | None = None  # replaces the numbers: "n/a (command missing)", an error

    @property
    def median_ms(self) -> float:
        return statistics.median(s.seconds for s in self.samples) * 1000

    @property
    def ratio(self) -> float | None:
        return statistics.median(self.ratios) if self.ratios else None

    @property
    def rss(self) -> float:
        return max(s.rss_mib for s in self.samples)

    def verdict(self) -> str:
        if self.target is None or self.note is not None or not self.samples:
            return ""
        missed = []
        ratio = self.ratio
        if self.target.ratio is not None and ratio is not None and ratio > self.target.ratio:
            missed.append("time")
        if self.target.ms is not None and self.median_ms > self.target.ms:
            missed.append("time")
        if self.target.rss_mib is not None and self.rss > self.target.rss_mib:
            missed.append("RSS")
        return f"MISS ({', '.join(missed)})" if missed else "PASS"

    def cells(self) -> list[str]:
        if self.note is not None:
            return [self.name, self.note, "", "", "", "", "", ""]
        ms = [s.seconds * 1000 for s in self.samples]
        ratio = self.ratio
        return [
            self.name,
            f"{self.median_ms:,.0f}",
            f"{min(ms):,.0f}–{max(ms):,.0f}",
            f"{self.rss:.1f}",
            self.baseline or "",
            f"{ratio:.2f}×" if ratio is not None else "",
            self.target.describe(self.baseline) if self.target else "",
            self.verdict(),
        ]


COMMAND_HEADER = [
    "command",
    "median ms",
    "min–max ms",
    "peak RSS MiB",
    "baseline",
    "ratio",
    "target",
    "result",
]


@dataclass
class ScaleRow:
    measure: str
    size: str
    ms: float | None  # median
    spread: str
    rss: float | None
    growth: float | None  # median over the previous size's median
    targets: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)

    def check(self, target: str, ok: bool, what: str) -> None:
        """Add a target; ``what`` names it in the result when it is missed."""
        self.targets.append(target)
        if not ok:
            self.missed.append(what)

    def cells(self) -> list[str]:
        return [
            self.measure,
            self.size,
            f"{self.ms:,.1f}" if self.ms is not None else "n/a",
            self.spread,
            f"{self.rss:.1f}" if self.rss is not None else "",
            f"{self.growth:.1f}×" if self.growth is not None else "",
            "; ".join(self.targets),
            ""
            if not self.targets
            else (f"MISS ({', '.join(self.missed)})" if self.missed else "PASS"),
        ]


SCALE_HEADER = [
    "measure",
    "size",
    "median ms",
    "min–max ms",
    "peak RSS MiB",
    "growth",
    "target",
    "result",
]


def table(header: list[str], rows: list[list[str]], markdown: bool) -> str:
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    numeric = {i for i, h in enumerate(header) if h.endswith(("ms", "MiB", "ratio", "growth"))}

    def line(cells: list[str]) -> str:
        out = [
            c.rjust(w) if i in numeric else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(out).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


# --------------------------------------------------------------------------- commands


@dataclass(frozen=True)
class Case:
    """One or more commands measured together, each step alternating with the baseline."""

    steps: tuple[tuple[str, tuple[str, ...]], ...]  # (row name, argv)
    baseline: str
    target: Target | None
    home: Path


def measure_case(
    runner: Runner, case: Case, repeats: int, baseline_rows: dict[str, Row], *, warm_up: bool
) -> list[Row]:
    env = runner.env(case.home)
    base_argv = BASELINES[case.baseline]
    rows = [Row(name, baseline=case.baseline, target=case.target) for name, _ in case.steps]
    for _, argv in case.steps if warm_up else ():
        runner.time(argv, env)
    for _ in range(repeats):
        for row, (_, argv) in zip(rows, case.steps, strict=True):
            sample = runner.time(argv, env)
            known = baseline_rows[case.baseline].samples
            if warm_up or not known:  # --quick measures each baseline once
                known.append(runner.time(base_argv, env))
            row.samples.append(sample)
            row.ratios.append(sample.seconds / known[-1].seconds)
    return rows


def role_milestones(runner: Runner, env: dict[str, str]) -> list[str]:
    shown = json.loads(runner.output([PLANNER, "curricula", "show", ROLE, "--json"], env))
    return [m["id"] for m in shown["milestones"]]


def setup_main_plan(runner: Runner, home: Path, today: date, ids: list[str]) -> str:
    """A plan started 60 days ago with 30 events; returns a milestone that is not done."""
    env = runner.env(home)
    runner.output([PLANNER, "start", ROLE, "--start", str(today - timedelta(days=60))], env)
    runner.output([PLANNER, "done", *ids[:15]], env)  # 15 events
    runner.output([PLANNER, "undo", *ids[9:15]], env)  # 6
    runner.output([PLANNER, "done", *ids[12:15]], env)  # 3
    for mid in ids[:6]:  # 6
        runner.output([PLANNER, "note", mid, f"notes on {mid}"], env)
    return ids[20]


def command_rows(
    runner: Runner, root: Path, repeats: int, today: date, ids: list[str], *, warm_up: bool
) -> list[Row]:
    home = root / "home-main"
    progress(f"setting up a plan with 30 events in {home}")
    target_id = setup_main_plan(runner, home, today, ids)
    env = runner.env(home)
    pdf = str(root / "plan.pdf")
    b0 = Target(ratio=1.3)
    b1_fast = Target(ratio=1.15)
    b1_render = Target(ratio=1.3)

    def single(name: str, argv: list[str], baseline: str, target: Target) -> Case:
        return Case(((name, (PLANNER, *argv)),), baseline, target, home)

    cases: list[Case | Row] = [
        single("planner --help", ["--help"], "P", Target(ratio=8)),
        # Not planner: the floor under every B0 row. typer 0.29 parses options through
        # pydantic TypeAdapters, which `import typer, pydantic` does not load.
        Case(((TYPER_FLOOR, (PYTHON, "-c", TYPER_FLOOR_CODE, "--json")),), "B0", None, home),
        single("planner curricula list", ["curricula", "list"], "B0", b0),
        single(f"planner curricula show {ROLE}", ["curricula", "show", ROLE], "B0", b0),
        single(f"planner compare {ROLE} {OTHER_ROLE}", ["compare", ROLE, OTHER_ROLE], "B0", b0),
        single("planner status", ["status"], "B1", b1_fast),
        single("planner next", ["next"], "B1", b1_fast),
        single("planner log", ["log"], "B1", b1_fast),
        single("planner plan --format html", ["plan", "--format", "html"], "B1", b1_render),
        single("planner plan --format md", ["plan", "--format", "md"], "B1", b1_render),
        single(
            "planner plan --format pdf",
            ["plan", "--format", "pdf", "--output", pdf],
            "B1",
            Target(ms=3000),
        ),
        # No target was given for it; like `plan --format md` it renders the plan.
        single("planner export ics", ["export", "ics"], "B1", b1_render)
        if runner.succeeds([PLANNER, "export", "ics", "--help"], env)
        else Row("planner export ics", note="n/a (command missing)"),
        # Last: done/undo add events (they leave the milestone as it was, undone).
        Case(
            (
                ("planner done ID", (PLANNER, "done", target_id)),
                ("planner undo ID", (PLANNER, "undo", target_id)),
            ),
            "B1",
            b1_fast,
            home,
        ),
    ]
    baseline_rows = {key: Row(BASELINE_LABELS[key]) for key in BASELINES}
    for argv in BASELINES.values() if warm_up else ():
        runner.time(argv, env)
    rows: list[Row] = []
    for case in cases:
        if isinstance(case, Row):
            rows.append(case)
            continue
        progress(f"measuring {', '.join(name for name, _ in case.steps)}")
        try:
            rows += measure_case(runner, case, repeats, baseline_rows, warm_up=warm_up)
        except CommandFailed as exc:
            report_failure(exc)
            rows += [Row(name, note=f"error (exit {exc.code})") for name, _ in case.steps]
    return [row for row in baseline_rows.values() if row.samples] + rows


FAILURES: list[CommandFailed] = []


def report_failure(exc: CommandFailed) -> None:
    FAILURES.append(exc)
    print(f"FAILED: {exc}\n{exc.stderr}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- scale: data


@dataclass(frozen=True)
class Node:
    id: str
    hours: int
    requires: tuple[str, ...]
    skills: tuple[str, ...]


def random_graph(size: int) -> list[Node]:
    """Milestones each requiring 0-3 earlier ones; hours 1-20; one or two skills."""
    rng = random.Random(SEED + size)
    ids = [f"m-{i:05d}" for i in range(size)]
    nodes = []
    for i, mid in enumerate(ids):
        requires = tuple(ids[j] for j in sorted(rng.sample(range(i), rng.randint(0, min(3, i)))))
        skills = tuple(rng.sample(SKILLS, rng.randint(1, 2)))
        nodes.append(Node(mid, rng.randint(1, 20), requires, skills))
    return nodes


PROFILE = """\
profile:
  source: "Generated by benchmarks/run.py"
  definition: A role generated to measure how planner scales.
  responsibilities: [Being measured]
  required_skills: [Patience]
  education: [None]
  tools: [planner]
  industries: [Software]
  outlook:
    growth_percent: 10
    period: 2022-2032
    occupation: benchmarks
    source: benchmarks/run.py
    text: Generated.
"""


def _milestone_yaml(node: Node) -> str:
    lines = [
        f"  - id: {node.id}",
        f"    title: Synthetic milestone {node.id}",
        "    summary: A generated milestone.",
        f"    hours: {node.hours}",
        f"    skills: [{', '.join(node.skills)}]",
    ]
    if node.requires:
        lines.append(f"    requires: [{', '.join(node.requires)}]")
    lines += [
        "    resources:",
        f'      - {{title: Reference {node.id}, url: "https://example.org/{node.id}", kind: docs}}',
        "    done_when: the generated check passes",
    ]
    return "\n".join(lines) + "\n"


def write_curriculum(folder: Path, role_id: str, nodes: list[Node]) -> None:
    """A role including a chain of modules of at most MILESTONES_PER_FILE milestones each.

    Module k includes module k-1, so every milestone sees the ones it requires; the
    skills live in module 1.
    """
    parts = [nodes[i : i + MILESTONES_PER_FILE] for i in range(0, len(nodes), MILESTONES_PER_FILE)]
    for number, part in enumerate(parts, 1):
        module_id = f"{role_id}-part-{number}"
        head = [
            f"id: {module_id}",
            "kind: module",
            f"title: Part {number} of {role_id}",
            "summary: Generated milestones.",
            "version: 1",
        ]
        if number == 1:
            head.append("skills:")
            head += [
                f"  - {{id: {s}, name: {s.title()}, description: A generated skill.}}"
                for s in SKILLS
            ]
        else:
            head.append(f"includes: [{role_id}-part-{number - 1}]")
        text = "\n".join(head) + "\nmilestones:\n" + "".join(map(_milestone_yaml, part))
        path = folder / f"{module_id}.yaml"
        path.write_text(text, encoding="utf-8")
        assert path.stat().st_size < 1024 * 1024, path
    role = [
        f"id: {role_id}",
        f"title: Synthetic role of {len(nodes):,} milestones",
        "summary: Generated to measure how planner scales.",
        "version: 1",
        f"includes: [{role_id}-part-{len(parts)}]",
    ]
    (folder / f"{role_id}.yaml").write_text("\n".join(role) + "\n" + PROFILE, encoding="utf-8")


def fill_event_log(db_path: Path, milestone_ids: list[str], count: int, today: date) -> None:
    """``count`` done/undone/note events spread over the milestones, oldest first."""
    rng = random.Random(SEED + count)
    connection = sqlite3.connect(db_path)
    try:
        with connection:
            plan_id, start_text = connection.execute("SELECT id, start_date FROM plan").fetchone()
            first = datetime.combine(date.fromisoformat(start_text), datetime.min.time())
            span = datetime.combine(today, datetime.min.time()) - first
            step = span / (count + 1)
            done: set[str] = set()
            rows = []
            for n in range(count):
                at = first + step * (n + 1)
                mid = rng.choice(milestone_ids)
                roll = rng.random()
                if roll < 0.25:
                    kind = "note"
                elif mid in done:
                    kind = "undone"
                    done.discard(mid)
                else:
                    kind = "done"
                    done.add(mid)
                rows.append(
                    (
                        plan_id,
                        mid,
                        kind,
                        at.strftime("%Y-%m-%d %H:%M:%S.%f"),
                        at.date().isoformat() if kind == "done" else None,
                        float(rng.randint(1, 20)) if kind == "done" and roll > 0.8 else None,
                        f"note {n}" if kind == "note" else None,
                    )
                )
            connection.executemany(
                "INSERT INTO event (plan_id, milestone_id, kind, at, on_date, hours, note) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
    finally:
        connection.close()


# --------------------------------------------------------------------------- scale: timing


def time_in_process(function: Callable[[], object], repeats: int) -> list[float]:
    function()  # warm-up (imports, caches)
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        seconds.append(time.perf_counter() - started)
    return seconds


def _spread(seconds: list[float]) -> str:
    return f"{min(seconds) * 1000:,.1f}–{max(seconds) * 1000:,.1f}"


def series(
    measure: str, sizes: list[str], results: Sequence[Sequence[Sample] | Sequence[float] | None]
) -> list[ScaleRow]:
    """Rows of one measure over the sizes, with the growth from the previous size."""
    rows: list[ScaleRow] = []
    previous: float | None = None
    for size, result in zip(sizes, results, strict=True):
        if result is None:
            rows.append(ScaleRow(measure, size, None, "error", None, None))
            previous = None
            continue
        seconds = [s.seconds if isinstance(s, Sample) else s for s in result]
        rss = max((s.rss_mib for s in result if isinstance(s, Sample)), default=None)
        ms = statistics.median(seconds) * 1000
        growth = ms / previous if previous else None
        rows.append(ScaleRow(measure, size, ms, _spread(seconds), rss, growth))
        previous = ms
    return rows


def time_plan(
    runner: Runner,
    env: dict[str, str],
    role: str,
    start: date,
    repeats: int,
    prepare: Callable[[], None] | None = None,
) -> tuple[list[Sample] | None, list[Sample] | None]:
    """Start a plan for ``role``, then time ``status`` and ``plan --format html`` on it.

    No separate warm-up: the ``planner start`` has just read the same files.
    """
    try:
        # 80 h/week: a synthetic 20,000-milestone role takes 50 years even so (a plan may
        # run at most 100)
        runner.output(
            [PLANNER, "start", role, "--start", str(start), "--hours-per-week", "80"], env
        )
    except CommandFailed as exc:
        report_failure(exc)
        return None, None
    if prepare is not None:
        prepare()
    results: list[list[Sample] | None] = []
    for argv in ([PLANNER, "status"], [PLANNER, "plan", "--format", "html"]):
        try:
            results.append([runner.time(argv, env) for _ in range(repeats)])
        except CommandFailed as exc:
            report_failure(exc)
            results.append(None)
    return results[0], results[1]


def scale_rows(
    runner: Runner,
    root: Path,
    milestone_sizes: list[int],
    event_sizes: list[int],
    *,
    schedule_repeats: int,
    process_repeats: int,
    today: date,
    ids: list[str],
) -> list[ScaleRow]:
    from planner.scheduler import Learner, Progress, Task, build_schedule

    start = today - timedelta(days=60)
    curricula = root / "curricula"
    curricula.mkdir()
    learner = Learner(hours_per_week=8, start=start)

    labels = [f"{n:,} milestones" for n in milestone_sizes]
    schedule_times: list[list[float] | None] = []
    status_times: list[list[Sample] | None] = []
    html_times: list[list[Sample] | None] = []
    for size in milestone_sizes:
        role_id = f"synthetic-{size}"
        progress(f"scale: {size:,} milestones")
        nodes = random_graph(size)
        write_curriculum(curricula, role_id, nodes)
        tasks = [Task(n.id, n.hours, n.requires, n.skills) for n in nodes]
        schedule_times.append(
            time_in_process(
                partial(build_schedule, tasks, learner, Progress(), today), schedule_repeats
            )
        )
        env = runner.env(root / f"home-{role_id}", curricula)
        timed = time_plan(runner, env, role_id, start, process_repeats)
        status_times.append(timed[0])
        html_times.append(timed[1])

    event_labels = [f"{n:,} events" for n in event_sizes]
    event_status: list[list[Sample] | None] = []
    event_html: list[list[Sample] | None] = []
    for count in event_sizes:
        progress(f"scale: {count:,} events")
        home = root / f"home-events-{count}"
        timed = time_plan(
            runner,
            runner.env(home),
            ROLE,
            today - timedelta(days=365),
            process_repeats,
            partial(fill_event_log, home / "planner.db", ids, count, today),
        )
        event_status.append(timed[0])
        event_html.append(timed[1])

    schedule = series("scheduling (in process)", labels, schedule_times)
    status = series("planner status", labels, status_times)
    html = series("planner plan --format html", labels, html_times)
    ev_status = series("planner status", event_labels, event_status)
    ev_html = series("planner plan --format html", event_labels, event_html)

    largest = schedule[-1].ms
    if largest is not None:
        schedule[-1].check("≤1,000 ms", largest <= 1000, "time")
    for rows in (schedule, html):
        growth = rows[-1].growth
        if growth is not None:
            rows[-1].check("growth ≤15×", growth <= 15, "growth")
    first_status, last_status = ev_status[0].ms, ev_status[-1].ms
    if first_status is not None and last_status is not None:
        ev_status[-1].check(
            f"≤2× at {event_labels[0]} (is {last_status / first_status:.2f}×)",
            last_status <= 2 * first_status,
            "time",
        )
    return schedule + status + html + ev_status + ev_html


# --------------------------------------------------------------------------- main


def load_average(before: str, after: str = "") -> str:
    if not hasattr(os, "getloadavg"):
        return ""
    return before + " ".join(f"{x:.2f}" for x in os.getloadavg()) + after


def machine() -> str:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 0
    return (
        f"planner benchmarks, {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}\n"
        f"machine: {platform.system()} {platform.machine()}, nproc {cpus}"
        f"{load_average(', load average ')}\n"
        f"python: {platform.python_implementation()} {platform.python_version()} ({PYTHON})"
    )


def byte_compile() -> Path:
    """Compile the package so a child never pays for (or skips) writing bytecode."""
    import planner

    package = Path(planner.__file__).resolve().parent
    if not compileall.compile_dir(package, quiet=1):
        msg = f"compileall failed for {package}"
        raise RuntimeError(msg)
    return package


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="1 run, baselines once, tiny sizes (a smoke test)"
    )
    parser.add_argument("--markdown", action="store_true", help="print GitHub Markdown tables")
    args = parser.parse_args(argv)
    if not Path(PLANNER).is_file():
        print(
            f"No planner console script at {PLANNER}; install the project first.", file=sys.stderr
        )
        return 1
    repeats = 1 if args.quick else 15
    schedule_repeats = 1 if args.quick else 7
    # 3 in a full run: a 20,000-milestone `plan --format html` can take most of a minute
    process_repeats = 1 if args.quick else 3
    milestone_sizes = [20, 60, 180] if args.quick else [200, 2_000, 20_000]
    event_sizes = [50, 150, 450] if args.quick else [1_000, 10_000, 100_000]

    started = time.perf_counter()
    header = machine()  # the date and load average when the run starts
    package = byte_compile()
    today = date.today()
    with tempfile.TemporaryDirectory(prefix="planner-bench-") as temp:
        root = Path(temp)
        runner = Runner(root)
        ids = role_milestones(runner, runner.env(root / "home-main"))
        rows = command_rows(runner, root, repeats, today, ids, warm_up=not args.quick)
        scale = scale_rows(
            runner,
            root,
            milestone_sizes,
            event_sizes,
            schedule_repeats=schedule_repeats,
            process_repeats=process_repeats,
            today=today,
            ids=ids,
        )

    print(header)
    print(f"package: {package} (byte-compiled first)")
    pairing = (
        "each baseline once" if args.quick else "after a warm-up, alternating with its baseline"
    )
    print(
        f"mode: {'quick' if args.quick else 'full'}: each command {repeats} run(s), {pairing}; "
        f"scale: scheduling {schedule_repeats} "
        f"runs in process, commands {process_repeats} runs; "
        f"took {time.perf_counter() - started:,.0f} s"
        f"{load_average(' (load average at the end ', ')')}"
    )
    print()
    print(table(COMMAND_HEADER, [r.cells() for r in rows], args.markdown))
    print()
    print(table(SCALE_HEADER, [r.cells() for r in scale], args.markdown))
    if FAILURES:
        print(f"\n{len(FAILURES)} command(s) failed; see stderr.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
