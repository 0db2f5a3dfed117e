"""The benchmark suite: how fast ``planner`` starts, answers and scales.

Usage::

    python benchmarks/run.py               # full: 15 runs a command, sizes up to 20,000 / 100,000
    python benchmarks/run.py --quick       # 1 run, baselines once, tiny sizes: a smoke test
    python benchmarks/run.py --markdown    # the tables as GitHub Markdown, for the README
    python benchmarks/run.py --no-peers    # without the peer rows (jrnl, watson, the floor)
    python benchmarks/run.py --peers-only  # the peer rows, P, status and next; no scale section

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

The peers are other Python command lines that answer a similar question, measured in the
same run, each alternating with P like planner's rows:

    J   jrnl -n 5         the last 5 entries of a journal of 200, one a day (jrnl 4.x)
    W   watson status     the running frame, over 200 frames, one a day (td-watson 2.x)
    F   python -c         import sqlite3, open the benchmark's planner database and fetch
                          every row of the three queries ``planner status`` reads: the floor

Then ``planner status`` and ``planner next`` are each paired with J and with W (planner,
peer, planner, peer ...): those rows' ratio is the median of planner / peer. jrnl and
watson are never dependencies of the project. They live in a virtualenv of their own,
``$XDG_CACHE_HOME/planner-benchmarks/peers-venv`` (``~/.cache`` by default), made with
this script's Python (``python -m venv``, then ``pip install``) the first time a full run
needs them and reused after, as long as it runs the same Python version. When they cannot
be installed (offline), their rows are left out with a note. ``--quick`` never installs
them, but uses them when they are there; ``--no-peers`` leaves them out.

Their data lives in the run's temporary folder, with ``HOME``, ``XDG_CONFIG_HOME``,
``XDG_DATA_HOME``, ``XDG_CACHE_HOME`` and ``WATSON_DIR`` pointing there: the journal is
written in jrnl's own format, with a ``jrnl.yaml`` of jrnl's default settings so that it
never asks anything (but for a time format that Python's ``strptime`` reads: with the
default ``%F %r`` jrnl parses every date with a slower fallback); the frames are added
with ``watson add -f ... -t ... project +tag`` (all in one process), then one is started
with ``watson start``. Before a peer is timed, the script checks that it prints what it
should (jrnl reads 200 entries and shows the last 5, watson has 200 frames and one
running, the floor finds the plan, its states and its curricula); a peer that fails leaves
a row saying so, and does not fail the run.

The scale section generates random curricula (fixed seed) and event logs in the temporary
folder and reports in-process scheduling, ``planner status`` and ``planner plan --format
html`` at each size, with the growth between consecutive sizes.

The script measures; it does not judge: it exits 0 when targets are missed, and 1 only
when something crashed (a planner command failed, or a bug here).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
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
READ_RSS_MIB = 30.0  # planner status and planner next
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
    env: Mapping[str, str] = field(default_factory=dict)  # set on top of runner.env(home)


def measure_case(
    runner: Runner, case: Case, repeats: int, baseline_rows: dict[str, Row], *, warm_up: bool
) -> list[Row]:
    env = {**runner.env(case.home), **case.env}
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
    runner: Runner,
    root: Path,
    repeats: int,
    today: date,
    ids: list[str],
    baseline_rows: dict[str, Row],
    *,
    warm_up: bool,
    reads_only: bool = False,
) -> list[Row]:
    """The planner rows; with ``reads_only``, only those the peers are paired with."""
    home = root / "home-main"
    progress(f"setting up a plan with 30 events in {home}")
    target_id = setup_main_plan(runner, home, today, ids)
    env = runner.env(home)
    pdf = str(root / "plan.pdf")
    b0 = Target(ratio=1.3)
    b1_fast = Target(ratio=1.15)
    # The reading commands import neither SQLAlchemy nor pydantic: judged against P, and
    # against jrnl and watson in the peer rows.
    reads = Target(ratio=12, rss_mib=READ_RSS_MIB)

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
        single("planner status", ["status"], "P", reads),
        single("planner next", ["next"], "P", reads),
        single("planner log", ["log"], "P", reads),
        # Rendering adds jinja2 (html, md) to the read path; these rows
        # once had targets against B1, which they now run well under: none yet against P.
        Case(
            (("planner plan --format html", (PLANNER, "plan", "--format", "html")),),
            "P",
            None,
            home,
        ),
        Case((("planner plan --format md", (PLANNER, "plan", "--format", "md")),), "P", None, home),
        single(
            "planner plan --format pdf",
            ["plan", "--format", "pdf", "--output", pdf],
            "B1",
            Target(ms=3000),
        ),
        # export ics records what it published (to update calendars): a writer, like done
        Case((("planner export ics", (PLANNER, "export", "ics")),), "B1", None, home)
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
    if reads_only:
        cases = [c for c in cases if isinstance(c, Case) and c.steps[0][0] in PAIRED]
    used = {c.baseline for c in cases if isinstance(c, Case)}
    for key in [k for k in BASELINES if k in used] if warm_up else ():
        runner.time(BASELINES[key], env)
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
    return rows


FAILURES: list[CommandFailed] = []


def report_failure(exc: CommandFailed) -> None:
    FAILURES.append(exc)
    print(f"FAILED: {exc}\n{exc.stderr}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- peers

PEER_REQUIREMENTS = ("jrnl>=4,<5", "td-watson>=2.1,<3")
PEER_ITEMS = 200  # jrnl entries and watson frames: one a day over the last 200 days
PEER_LABELS = {
    "J": f"J: jrnl -n 5 ({PEER_ITEMS} entries)",
    "W": f"W: watson status ({PEER_ITEMS} frames, 1 running)",
    "F": "F: python -c 'import sqlite3' + status's 3 queries",
}
PAIRED = ("planner status", "planner next")  # each run alternating with J, then with W
PAIR_TARGETS = {"J": Target(ratio=1.0, rss_mib=None), "W": Target(ratio=1.5, rss_mib=None)}
JRNL_TIME_FORMAT = "%Y-%m-%d %H:%M"
WATSON_PROJECTS = ("planner", "reading", "course")
WATSON_TAGS = ("study", "review", "practice")
# `watson add` run once for each frame in one process: 200 processes would take 30 s.
WATSON_ADD_CODE = """\
import json, sys
from watson.cli import cli
for args in json.loads(sys.argv[1]):
    cli.main(args, prog_name="watson", standalone_mode=False)
"""
# The floor of `planner status`: its three read queries, every row fetched.
STATUS_QUERIES = (
    "SELECT * FROM plan ORDER BY last_used_at DESC, id DESC LIMIT 1",
    "SELECT e.milestone_id, e.kind, e.on_date, e.at, e.hours FROM event e JOIN "
    "(SELECT max(id) AS last_id FROM event WHERE plan_id = ? "
    "AND kind IN ('done','undone','skipped','unskipped') GROUP BY milestone_id) latest "
    "ON e.id = latest.last_id",
    "SELECT body FROM curriculum_snapshot",
)
FLOOR_CODE = f"""\
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1])
plan = connection.execute({STATUS_QUERIES[0]!r}).fetchone()
states = connection.execute({STATUS_QUERIES[1]!r}, (plan[0],)).fetchall()
bodies = connection.execute({STATUS_QUERIES[2]!r}).fetchall()
print(f"plan {{plan[0]}}: {{len(states)}} latest states, {{len(bodies)}} curricula")
"""


@dataclass(frozen=True)
class Peers:
    """The peers' own virtualenv, with the versions installed there."""

    venv: Path
    jrnl: str
    watson: str

    def script(self, name: str) -> str:
        return str(self.venv / "bin" / name)

    def describe(self) -> str:
        return f"jrnl {self.jrnl}, td-watson {self.watson} in {self.venv}"


def peers_venv() -> Path:
    """A cache folder kept between runs, outside the project."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "planner-benchmarks" / "peers-venv"


def installed_peers(venv: Path) -> Peers | None:
    """The peers in ``venv`` if both are there and it runs this script's Python version."""
    if not all((venv / "bin" / name).is_file() for name in ("python", "jrnl", "watson")):
        return None
    code = (
        "import importlib.metadata as m, platform; "
        "print(platform.python_version(), m.version('jrnl'), m.version('td-watson'))"
    )
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-c", code], capture_output=True, text=True, check=False
    )
    found = done.stdout.split()
    if done.returncode or len(found) != 3 or found[0] != platform.python_version():
        return None
    return Peers(venv, found[1], found[2])


def install_peers(venv: Path) -> Peers | str:
    """Make the peers' virtualenv anew; a note saying why not when it fails (offline)."""
    progress(f"installing the peers ({', '.join(PEER_REQUIREMENTS)}) into {venv}")
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    for argv in (
        [PYTHON, "-m", "venv", "--clear", str(venv)],
        [*pip, "--disable-pip-version-check", *PEER_REQUIREMENTS],
    ):
        done = subprocess.run(
            argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False
        )
        if done.returncode:
            last = (done.stderr.strip().splitlines() or ["no message"])[-1]
            why = f"{argv[2]} exited {done.returncode}: {last}"
            return f"skipped: could not install them into {venv} ({why})"
    return installed_peers(venv) or f"skipped: installed into {venv}, but they do not run"


def find_peers(*, wanted: bool, install: bool) -> Peers | str:
    """The peers, installed if ``install``; else a note saying why there are none."""
    if not wanted:
        return "skipped (--no-peers)"
    venv = peers_venv()
    found = installed_peers(venv)
    if found is not None:
        return found
    if not install:
        return f"skipped (--quick installs nothing; a full run installs them into {venv})"
    return install_peers(venv)


class PeerCheckFailed(Exception):
    """A peer ran but did not print what it should: its figures would mean nothing."""


def peer_failed(label: str, exc: Exception) -> Row:
    """Report a peer's failure on stderr; unlike planner's, it does not fail the run."""
    stderr = exc.stderr if isinstance(exc, CommandFailed) else ""
    print(f"PEER FAILED: {label}: {exc}\n{stderr}", file=sys.stderr, flush=True)
    return Row(label, note="error (see stderr)")


def expect(ok: bool, what: str, output: str) -> None:
    if not ok:
        msg = f"{what}; it printed:\n{output[-2000:]}"
        raise PeerCheckFailed(msg)


def peer_env(home: Path) -> dict[str, str]:
    """A temporary home and XDG folders: the user's journal and frames are never touched."""
    folders = {
        "HOME": home,
        "XDG_CONFIG_HOME": home / ".config",
        "XDG_DATA_HOME": home / ".local" / "share",
        "XDG_CACHE_HOME": home / ".cache",
        "WATSON_DIR": home / ".config" / "watson",
    }
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    return {key: str(folder) for key, folder in folders.items()}


def jrnl_config(version: str, journal: Path) -> str:
    """jrnl's default configuration (every key it writes on its first run) for ``journal``.

    ``version`` is the installed jrnl's, or jrnl would rewrite the file. The time format
    is the one change: jrnl's default ``%F %r`` is one Python's ``strptime`` cannot read,
    so jrnl would parse each entry's date with a slower fallback parser.
    """
    return (
        f"version: {json.dumps(version)}\n"
        "journals:\n"
        "  default:\n"
        f"    journal: {json.dumps(str(journal))}\n"
        'editor: ""\n'
        "encrypt: false\n"
        "template: false\n"
        "default_hour: 9\n"
        "default_minute: 0\n"
        f"timeformat: {json.dumps(JRNL_TIME_FORMAT)}\n"
        'tagsymbols: "#@"\n'
        "highlight: true\n"
        "linewrap: 79\n"
        'indent_character: "|"\n'
        "colors:\n"
        "  body: none\n"
        "  date: none\n"
        "  tags: none\n"
        "  title: none\n"
    )


def setup_jrnl(runner: Runner, peers: Peers, env: dict[str, str], today: date) -> tuple[str, ...]:
    """A journal of PEER_ITEMS entries, one a day, in jrnl's own file format; its argv."""
    journal = Path(env["XDG_DATA_HOME"]) / "jrnl" / "journal.txt"
    journal.parent.mkdir(parents=True, exist_ok=True)
    entries = []
    for n in range(PEER_ITEMS):
        day = datetime.combine(today - timedelta(days=PEER_ITEMS - n), datetime.min.time())
        at = day + timedelta(hours=9, minutes=30)
        entries.append(
            f"[{at.strftime(JRNL_TIME_FORMAT)}] Studied topic {n} for an hour.\n"
            f"Notes on topic {n}: what I read, what I tried and what comes next.\n"
        )
    journal.write_text("\n".join(entries), encoding="utf-8")
    config = Path(env["XDG_CONFIG_HOME"]) / "jrnl" / "jrnl.yaml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(jrnl_config(peers.jrnl, journal), encoding="utf-8")

    jrnl = peers.script("jrnl")
    every = json.loads(runner.output([jrnl, "-n", str(10 * PEER_ITEMS), "--format", "json"], env))
    expect(
        len(every.get("entries", ())) == PEER_ITEMS,
        f"jrnl should read {PEER_ITEMS} entries",
        json.dumps(every)[:2000],
    )
    argv = (jrnl, "-n", "5")
    shown = runner.output(argv, env)
    titles = re.findall(r"^\S+ \S+ Studied topic (\d+) ", shown, re.MULTILINE)
    last = [str(n) for n in range(PEER_ITEMS - 5, PEER_ITEMS)]
    expect(titles == last, f"jrnl -n 5 should show entries {', '.join(last)}", shown)
    return argv


def setup_watson(runner: Runner, peers: Peers, env: dict[str, str], today: date) -> tuple[str, ...]:
    """PEER_ITEMS frames added with ``watson add``, one a day, and one started; its argv."""
    adds = []
    for n in range(PEER_ITEMS):
        day = today - timedelta(days=PEER_ITEMS - n)
        project = WATSON_PROJECTS[n % len(WATSON_PROJECTS)]
        tag = WATSON_TAGS[n // len(WATSON_PROJECTS) % len(WATSON_TAGS)]
        adds.append(["add", "-f", f"{day} 09:00", "-t", f"{day} 10:30", project, f"+{tag}"])
    runner.output([peers.script("python"), "-c", WATSON_ADD_CODE, json.dumps(adds)], env)
    watson = peers.script("watson")
    runner.output([watson, "start", "planner", "+study"], env)

    frames = runner.output([watson, "frames"], env)
    expect(len(frames.split()) == PEER_ITEMS, f"watson should have {PEER_ITEMS} frames", frames)
    argv = (watson, "status")
    status = runner.output(argv, env)
    expect(
        status.startswith("Project planner [study] started"),
        "watson status should show planner [study] running",
        status,
    )
    return argv


def check_floor(runner: Runner, env: dict[str, str], db: Path) -> tuple[str, ...]:
    """The floor's argv, once it has read the plan, its states and its curricula."""
    argv = (PYTHON, "-c", FLOOR_CODE, str(db))
    shown = runner.output(argv, env)
    expect(
        re.fullmatch(r"plan \d+: [1-9]\d* latest states, [1-9]\d* curricula\n", shown) is not None,
        "the floor should find a plan, its latest states and its curricula",
        shown,
    )
    return argv


@dataclass(frozen=True)
class Invocation:
    argv: tuple[str, ...]
    env: dict[str, str]


def measure_pair(
    runner: Runner,
    name: str,
    command: Invocation,
    peer: str,
    against: Invocation,
    repeats: int,
    *,
    warm_up: bool,
) -> Row:
    """``command`` alternating with a peer (command, peer, command, peer ...).

    The row has the command's samples and, as its ratio, the median of the pairwise
    ratios command / peer.
    """
    row = Row(f"{name} (paired with {peer})", baseline=peer, target=PAIR_TARGETS[peer])
    if warm_up:
        runner.time(command.argv, command.env)
        runner.time(against.argv, against.env)
    for _ in range(repeats):
        sample = runner.time(command.argv, command.env)
        row.samples.append(sample)
        row.ratios.append(sample.seconds / runner.time(against.argv, against.env).seconds)
    return row


def peer_rows(
    runner: Runner,
    root: Path,
    peers: Peers,
    repeats: int,
    today: date,
    baseline_rows: dict[str, Row],
    *,
    warm_up: bool,
) -> list[Row]:
    """J, W and F alternating with P, then status and next paired with J and with W.

    A peer that cannot be set up, or prints something unexpected, leaves a row saying so:
    peers are guests, and their failures do not fail the run.
    """
    home = root / "home-peers"
    env = peer_env(home)
    main_home = root / "home-main"
    setups: dict[str, Callable[[], tuple[str, ...]]] = {
        "J": partial(setup_jrnl, runner, peers, env, today),
        "W": partial(setup_watson, runner, peers, env, today),
        "F": partial(check_floor, runner, runner.env(main_home), main_home / "planner.db"),
    }
    found: dict[str, Invocation] = {}
    rows: list[Row] = []
    for key, setup in setups.items():
        label = PEER_LABELS[key]
        progress(f"setting up and checking {label}")
        try:
            argv = setup()
            case_home, case_env = (main_home, {}) if key == "F" else (home, env)
            case = Case(((label, argv),), "P", None, case_home, case_env)
            progress(f"measuring {label}")
            rows += measure_case(runner, case, repeats, baseline_rows, warm_up=warm_up)
        except (CommandFailed, PeerCheckFailed, ValueError) as exc:
            rows.append(peer_failed(label, exc))
            continue
        found[key] = Invocation(argv, {**runner.env(case_home), **case_env})

    planner_env = runner.env(main_home)
    for peer in ("J", "W"):
        for name in PAIRED if peer in found else ():
            progress(f"measuring {name} paired with {PEER_LABELS[peer]}")
            command = Invocation((PLANNER, *name.split()[1:]), planner_env)
            try:
                rows.append(
                    measure_pair(runner, name, command, peer, found[peer], repeats, warm_up=warm_up)
                )
            except CommandFailed as exc:
                label = f"{name} (paired with {peer})"
                if exc.argv[0] != PLANNER:
                    rows.append(peer_failed(label, exc))
                    continue
                report_failure(exc)
                rows.append(Row(label, note=f"error (exit {exc.code})"))
    return rows


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
    only = parser.add_mutually_exclusive_group()
    only.add_argument(
        "--no-peers", action="store_true", help="leave out the peers (jrnl, watson, the floor)"
    )
    only.add_argument(
        "--peers-only",
        action="store_true",
        help="only the peers, P and the commands paired with them; no scale section",
    )
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
    # --quick stays quick: it uses the peers when a full run has installed them
    peers = find_peers(wanted=not args.no_peers, install=not args.quick)
    if isinstance(peers, str):
        progress(f"peers: {peers}")
    today = date.today()
    with tempfile.TemporaryDirectory(prefix="planner-bench-") as temp:
        root = Path(temp)
        runner = Runner(root)
        ids = role_milestones(runner, runner.env(root / "home-main"))
        baseline_rows = {key: Row(BASELINE_LABELS[key]) for key in BASELINES}
        warm_up = not args.quick
        rows = command_rows(
            runner,
            root,
            repeats,
            today,
            ids,
            baseline_rows,
            warm_up=warm_up,
            reads_only=args.peers_only,
        )
        if isinstance(peers, Peers):
            rows += peer_rows(runner, root, peers, repeats, today, baseline_rows, warm_up=warm_up)
        rows = [row for row in baseline_rows.values() if row.samples] + rows
        scale = (
            []
            if args.peers_only
            else scale_rows(
                runner,
                root,
                milestone_sizes,
                event_sizes,
                schedule_repeats=schedule_repeats,
                process_repeats=process_repeats,
                today=today,
                ids=ids,
            )
        )

    print(header)
    print(f"package: {package} (byte-compiled first)")
    print(f"peers: {peers.describe() if isinstance(peers, Peers) else peers}")
    pairing = (
        "each baseline once" if args.quick else "after a warm-up, alternating with its baseline"
    )
    scaled = (
        "no scale section (--peers-only)"
        if args.peers_only
        else f"scale: scheduling {schedule_repeats} runs in process, "
        f"commands {process_repeats} runs"
    )
    print(
        f"mode: {'quick' if args.quick else 'full'}: each command {repeats} run(s), {pairing}; "
        f"{scaled}; took {time.perf_counter() - started:,.0f} s"
        f"{load_average(' (load average at the end ', ')')}"
    )
    print()
    print(table(COMMAND_HEADER, [r.cells() for r in rows], args.markdown))
    if scale:
        print()
        print(table(SCALE_HEADER, [r.cells() for r in scale], args.markdown))
    if FAILURES:
        print(f"\n{len(FAILURES)} command(s) failed; see stderr.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
