"""What a terminal, a pipe or a redirect does to the output (see ``planner.cli``).

- Any stdout encoding: a cp1252 or latin-1 console or redirect, or ASCII, gets the same
  output as UTF-8, with planner's own glyphs in ASCII and other characters it lacks as
  ``\\u`` escapes; never a UnicodeEncodeError, and ``--json`` stays the same data.
- A reader that stops early (``planner log | head -1``): quiet, and exit 0 every time.
- ``NO_COLOR``: no ANSI styling, even on a terminal.
- ``planner --version``, which loads no command.

The streams matter here, so most checks run ``planner`` in real processes.
"""

from __future__ import annotations

import ast
import codecs
import io
import json
import os
import pty
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from planner.cli import ESCAPE, app, escape_unencodable, source_version, version
from planner.cli.output import GLYPHS
from tests.conftest import START

ROOT = Path(__file__).resolve().parents[1]
NAME = "Zoë 学习"  # latin-1 has the ë, not the rest; ASCII has neither
NOTE = "great 🎉 день — naïve ✓ → ½"  # beyond U+FFFF, Cyrillic, punctuation cp1252 has
NOTES = 1500  # `planner log` then prints about 150 KB, more than a pipe holds (64 KiB)
ENCODINGS = ["utf-8", "cp1252", "latin-1", "ascii"]


def environment(home: Path, **extra: str) -> dict[str, str]:
    """This process's environment without anything that changes planner's output."""
    drop = ("PLANNER_", "PYTHONIOENCODING", "PYTHONUTF8", "NO_COLOR", "FORCE_COLOR")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    return {**env, "PLANNER_HOME": str(home), "COLUMNS": "80", **extra}


def planner(args: Sequence[str], home: Path, **env: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "planner", *args],
        env=environment(home, **env),
        capture_output=True,
        timeout=120,
        check=False,
    )


def planners(
    runs: Sequence[tuple[Sequence[str], dict[str, str]]], home: Path
) -> list[subprocess.CompletedProcess[bytes]]:
    """Several ``planner`` processes side by side (they only read)."""
    started = [
        (
            list(args),
            subprocess.Popen(
                [sys.executable, "-m", "planner", *args],
                env=environment(home, **env),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            ),
        )
        for args, env in runs
    ]
    done = []
    for args, proc in started:
        out, err = proc.communicate(timeout=120)
        done.append(subprocess.CompletedProcess(args, proc.returncode, out, err))
    return done


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One plan named ``NAME`` with two roles at 2 h/week (so `plan --format md` is
    bigger than a pipe holds), a milestone done, and ``NOTES`` notes in several scripts."""
    home = tmp_path_factory.mktemp("terminal")
    scratch = ["--db", str(home / "scratch.db")]
    roles = ["ai-architect", "lead-ml-engineer"]
    for args in (
        ["start", *roles, "--name", NAME, "--hours-per-week", "2", "--start", str(START)],
        ["done", "python-programming"],
        ["note", "python-programming", NOTE],
    ):
        made = planner([*scratch, *args], home)
        assert made.returncode == 0, made.stderr.decode()
    exported = planner([*scratch, "export", "json"], home)
    assert exported.returncode == 0, exported.stderr.decode()
    document = json.loads(exported.stdout)
    events = document["plans"][0]["events"]
    note = next(e for e in events if e["kind"] == "note")
    first = max(e["id"] for e in events) + 1
    events += [{**note, "id": first + i, "note": f"{NOTE} #{i}"} for i in range(NOTES)]
    (home / "plan.json").write_text(json.dumps(document), encoding="utf-8")
    imported = planner(["import", str(home / "plan.json")], home)
    assert imported.returncode == 0, imported.stderr.decode()
    return home


# --------------------------------------------------------------------------- encodings


def written_as(encoding: str) -> str:
    """The encoding stdout really writes: click, which typer is built on, takes an ASCII
    stdout for a misconfigured locale and writes UTF-8 there."""
    return "utf-8" if codecs.lookup(encoding).name == "ascii" else encoding


def encodes(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def expected(utf8: str, encoding: str) -> str:
    """What planner prints to a stream in ``encoding`` where it prints ``utf8`` to a
    UTF-8 one: its own glyphs' ASCII stand-ins, and every other character the stream
    cannot encode as JSON writes it."""
    for char, stand_in in GLYPHS.items():
        if not encodes(char, encoding):
            utf8 = utf8.replace(char, stand_in)
    target = written_as(encoding)
    return "".join(c if encodes(c, target) else json.dumps(c)[1:-1] for c in utf8)


TEXT_COMMANDS = [
    ["status"],
    ["status", "--skills"],
    ["next"],
    ["log"],
    ["plans"],
    ["plan", "--format", "txt"],
    ["plan", "--format", "md"],
    ["team", "--format", "txt"],
    ["team", "--format", "md"],
    ["projects"],
    ["compare", "ai-architect", "lead-ml-engineer"],
    ["curricula", "show", "ai-architect"],
    ["curricula", "list"],
    ["away"],
    ["doctor"],
]


@pytest.mark.parametrize("args", TEXT_COMMANDS, ids=" ".join)
def test_text_output_survives_any_encoding(home: Path, args: list[str]) -> None:
    """The same output in every encoding, only with what it lacks replaced; never a
    traceback half way through."""
    runs = planners([(args, {"PYTHONIOENCODING": e}) for e in ENCODINGS], home)
    baseline = runs[0].stdout.decode("utf-8")
    assert runs[0].returncode == 0, runs[0].stderr.decode()
    if args[0] in ("status", "plans", "plan", "team"):
        assert NAME in baseline
    if args[0] == "log":
        assert NOTE in baseline
    for encoding, done in zip(ENCODINGS, runs, strict=True):
        assert done.returncode == 0, (encoding, done.stderr.decode(errors="replace"))
        assert b"Traceback" not in done.stderr
        assert done.stdout.decode(written_as(encoding)) == expected(baseline, encoding)


def test_progress_bars_fall_back_to_ascii(home: Path) -> None:
    """The kind of fault: planner's own glyphs, where the stream has no such character."""
    for encoding in ENCODINGS:
        out = planner(["status", "--skills"], home, PYTHONIOENCODING=encoding).stdout
        text = out.decode(written_as(encoding))
        progress = next(line for line in text.splitlines() if line.startswith("Progress"))
        if encoding == "utf-8":
            assert "█" in progress or "░" in progress
        else:
            assert "#" in progress or "-" * 10 in progress
            assert not set(GLYPHS) & set(text)


JSON_COMMANDS = [
    ["status", "--json"],
    ["next", "--json"],
    ["log", "--json"],
    ["plans", "--json"],
    ["projects", "--json"],
    ["export", "json"],
]


@pytest.mark.parametrize("args", JSON_COMMANDS, ids=" ".join)
def test_json_is_the_same_data_in_any_encoding(home: Path, args: list[str]) -> None:
    """Valid JSON, and no character lost: what the stream lacks is a JSON escape."""
    runs = planners([(args, {"PYTHONIOENCODING": e}) for e in ENCODINGS], home)

    def data(done: subprocess.CompletedProcess[bytes], encoding: str) -> Any:
        assert done.returncode == 0, (encoding, done.stderr.decode(errors="replace"))
        parsed = json.loads(done.stdout.decode(written_as(encoding)))
        if isinstance(parsed, dict):
            parsed.pop("exported_at", None)
        return parsed

    baseline = data(runs[0], "utf-8")
    if args[0] != "projects":
        assert NAME in json.dumps(baseline, ensure_ascii=False)
    for encoding, done in zip(ENCODINGS[1:], runs[1:], strict=True):
        assert data(done, encoding) == baseline, encoding


def json_values() -> st.SearchStrategy[Any]:
    every_character = st.text(st.characters(exclude_categories=()))  # surrogates too
    return st.recursive(
        st.none() | st.booleans() | st.integers() | every_character,
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(every_character, inner, max_size=4)
        ),
        max_leaves=12,
    )


@settings(max_examples=300, deadline=None)
@given(value=json_values(), encoding=st.sampled_from([*ENCODINGS, "cp437", "koi8-r", "utf-16"]))
def test_the_stream_keeps_json_valid_in_any_encoding(value: Any, encoding: str) -> None:
    """The property behind ``--json`` and ``export json``: JSON written as planner
    writes it (``ensure_ascii=False``) to a stream set up as ``prepare_streams`` sets up
    stdout never fails, and reads back as the same value, whatever the encoding."""
    codecs.register_error(ESCAPE, escape_unencodable)
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding=encoding, errors=ESCAPE)
    stream.write(json.dumps(value, ensure_ascii=False))
    stream.flush()
    assert json.loads(raw.getvalue().decode(encoding)) == value


def string_constants(path: Path) -> Iterator[tuple[int, str]]:
    """Each string in the module's code, docstrings left out (they are never printed)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in docstrings:
                yield node.lineno, node.value


# Non-ASCII characters in planner's code that are never printed as they are.
NOT_PRINTED = {
    ("planner/cells.py", "\u00a0"),  # wrap() keeps words together with it, then drops it
    # width() counts planner's own glyphs as one cell each without asking wcwidth, and
    # "…" is only the default cut mark: the command line passes glyph("…")
    ("planner/cells.py", "\u2588"),
    ("planner/cells.py", "\u2591"),
    ("planner/cells.py", "\u2026"),
    ("planner/renderer.py", "\u2029"),  # HTML: a paragraph separator in the text, replaced
    # the printed plan's HTML and PDF only (UTF-8 files, never a console)
    ("planner/outline.py", "\u2026"),  # a short link cut
    ("planner/outline.py", "\u2013"),  # "Weeks 7-10"
    ("planner/wall.py", "\u2026"),  # a title cut on the wall view
    ("planner/weekgrid.py", "\u00b7"),  # a week's study recorded
    ("planner/weekgrid.py", "\u2713"),  # done that week
    ("planner/weekgrid.py", "\u2610"),  # a box to tick
}


def test_every_glyph_planner_chooses_has_an_ascii_stand_in() -> None:
    """The whole kind: a non-ASCII character written into planner's own text (a check
    mark, an arrow, a dash) must be in ``GLYPHS``, or a cp1252 console gets an escape."""
    found = set()
    for path in sorted((ROOT / "planner").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        for line, text in string_constants(path):
            found |= {(name, c, line) for c in text if not c.isascii()}
    glyphs = {("planner/cli/output.py", c) for c in GLYPHS}
    assert {(name, c) for name, c, _ in found} <= glyphs | NOT_PRINTED, sorted(found)
    assert all(stand_in.isascii() for stand_in in GLYPHS.values())
    for template in ("plan.txt.j2", "plan.md.j2", "team.txt.j2", "team.md.j2"):
        assert (ROOT / "templates" / template).read_text(encoding="utf-8").isascii(), template


# --------------------------------------------------------------------------- a closed pipe


def stop_reading(proc: subprocess.Popen[bytes], lines: int) -> None:
    assert proc.stdout is not None
    for _ in range(lines):
        proc.stdout.readline()
    proc.stdout.close()


@pytest.mark.parametrize(
    ("args", "lines", "runs"),
    [
        (["log"], 1, 20),
        (["next"], 1, 20),
        (["plan", "--format", "md"], 1, 20),
        (["log"], 0, 8),
        (["status", "--skills"], 1, 8),
        (["--help"], 0, 8),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else str(value),
)
def test_a_reader_that_stops_early_gets_the_same_quiet_exit(
    home: Path, args: list[str], lines: int, runs: int
) -> None:
    """`planner log | head -1` (the reader stops after ``lines`` lines), ``runs`` times,
    four at once: always exit 0, nothing on stderr, however far planner got first."""
    outcomes: Counter[tuple[int, bytes]] = Counter()
    for _ in range(runs // 4):
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "planner", *args],
                env=environment(home),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for _ in range(4)
        ]
        for proc in procs:
            stop_reading(proc, lines)
        for proc in procs:
            assert proc.stderr is not None
            err = proc.stderr.read()
            proc.stderr.close()
            outcomes[(proc.wait(timeout=120), err)] += 1
    assert outcomes == Counter({(0, b""): runs})


def test_output_bigger_than_a_pipe(home: Path) -> None:
    """So that the reader above really leaves planner with output it cannot write."""
    for args in (["log"], ["plan", "--format", "md"]):
        assert len(planner(args, home).stdout) > 64 * 1024, args


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--plan", "nobody", "status"], 4),
        (["status", "--no-such-option"], 2),
        (["curricula", "show", "no-such-role"], 4),
    ],
)
def test_a_closed_stderr_keeps_the_exit_code(home: Path, args: list[str], code: int) -> None:
    """An error whose line cannot be written is still the same error."""
    for _ in range(3):
        proc = subprocess.Popen(
            [sys.executable, "-m", "planner", *args],
            env=environment(home),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert proc.stderr is not None and proc.stdout is not None
        proc.stderr.close()
        assert proc.stdout.read() == b""
        proc.stdout.close()
        assert proc.wait(timeout=120) == code


class BrokenAfter:
    """``typer.echo`` that raises BrokenPipeError from the ``n``th write on (stdout
    only, or stderr only), as a closed pipe does."""

    def __init__(self, n: int, stream: str) -> None:
        self.n, self.stream, self.calls = n, stream, 0
        self.echo = typer.echo

    def __call__(self, message: Any = None, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("err", False) == (self.stream == "stderr"):
            self.calls += 1
            if self.calls > self.n:
                raise BrokenPipeError(32, "Broken pipe")
        self.echo(message, *args, **kwargs)


@pytest.mark.parametrize("n", [0, 1, 3, 10])
@pytest.mark.parametrize(
    ("args", "stream", "code"),
    [
        (["log"], "stdout", 0),
        (["status", "--skills"], "stdout", 0),
        (["plans"], "stdout", 0),
        (["--plan", "nobody", "status"], "stderr", 4),
        (["status", "--bad"], "stderr", 2),
    ],
)
def test_a_broken_pipe_at_any_write(
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    stream: str,
    code: int,
    n: int,
) -> None:
    """Wherever the pipe breaks, the exit code is the one decided so far, and nothing
    escapes (in-process, so that each write point is reached for sure)."""
    monkeypatch.setenv("PLANNER_HOME", str(home))
    monkeypatch.setattr(typer, "echo", BrokenAfter(n, stream))
    result = CliRunner().invoke(app, args)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == code


# --------------------------------------------------------------------------- NO_COLOR

STYLED = [
    ["status"],
    ["plans"],
    ["curricula", "list"],
    ["compare", "ai-architect", "lead-ml-engineer"],
]


@pytest.mark.parametrize("args", STYLED, ids=" ".join)
@pytest.mark.parametrize(("no_color", "styled"), [(None, True), ("", True), ("1", False)])
def test_no_color_means_no_styling_even_where_colour_is_on(
    home: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], no_color: str | None, styled: bool
) -> None:
    """https://no-color.org: set and not empty turns styling off; empty does not."""
    monkeypatch.setenv("PLANNER_HOME", str(home))
    monkeypatch.delenv("NO_COLOR", raising=False)
    env = {} if no_color is None else {"NO_COLOR": no_color}
    result = CliRunner().invoke(app, args, color=True, env=env)
    assert result.exit_code == 0, result.stderr
    assert ("\x1b[" in result.stdout) is styled


def on_a_terminal(args: list[str], home: Path, **env: str) -> bytes:
    """What ``planner ARGS`` writes to a real terminal (a pseudo-terminal)."""
    parent, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "planner", *args],
        env=environment(home, **env),
        stdin=subprocess.DEVNULL,
        stdout=child,
        stderr=child,
    )
    os.close(child)
    out = b""
    while True:
        try:
            chunk = os.read(parent, 65536)
        except OSError:  # the terminal closed: EIO on Linux
            break
        if not chunk:
            break
        out += chunk
    os.close(parent)
    assert proc.wait(timeout=120) == 0, out
    return out


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
@pytest.mark.parametrize("args", [["status"], ["plans"]], ids=" ".join)
def test_no_color_on_a_real_terminal(home: Path, args: list[str]) -> None:
    assert b"\x1b[" in on_a_terminal(args, home)
    assert b"\x1b[" in on_a_terminal(args, home, NO_COLOR="")
    assert b"\x1b[" not in on_a_terminal(args, home, NO_COLOR="1")


# --------------------------------------------------------------------------- --version

PROBE = """
import json, sys
from planner.cli import app
try:
    app(sys.argv[1:], prog_name="planner")
except SystemExit as exc:
    code = exc.code
print(json.dumps([code, sorted(m for m in sys.modules if m.startswith("planner"))]),
      file=sys.stderr)
"""
# What `planner --help` loaded before --version existed: no command module.
BARE = ["planner", "planner.cli", "planner.cli.coercion", "planner.cli.state", "planner.errors"]


def test_version_prints_the_installed_version(tmp_path: Path) -> None:
    from importlib import metadata

    done = planner(["--version"], tmp_path)
    assert (done.returncode, done.stderr) == (0, b"")
    assert done.stdout.decode() == f"planner {metadata.version('planner')}\n"
    assert CliRunner().invoke(app, ["--version", "status"]).stdout == done.stdout.decode()


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["--db", "x.db", "--version"]])
def test_version_and_help_load_no_command(tmp_path: Path, args: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        env=environment(tmp_path),
        capture_output=True,
        text=True,
        check=False,
    )
    code, modules = json.loads(done.stderr.strip().splitlines()[-1])
    assert code in (0, None)
    assert modules == BARE
    assert not (tmp_path / "x.db").exists()


def test_version_without_an_installed_distribution(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Run from a source tree that was never installed: the version in pyproject.toml."""
    import tomllib
    from importlib import metadata

    def missing(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", missing)
    with (ROOT / "pyproject.toml").open("rb") as handle:
        assert version() == tomllib.load(handle)["project"]["version"]
    assert source_version(tmp_path) is None  # no pyproject.toml
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "other"\nversion = "9"\n')
    assert source_version(tmp_path) is None
    (tmp_path / "pyproject.toml").write_text("not = [toml")
    assert source_version(tmp_path) is None
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "planner"\nversion = "1.2.3"\n')
    assert source_version(tmp_path) == "1.2.3"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    "args",
    [["status"], ["plans", "--json"], ["plan", "--format", "md"], ["--version"], ["--help"]],
)
def test_output_that_cannot_be_written_is_one_line_and_exit_1(home: Path, args: list[str]) -> None:
    """`planner status > /dev/full`: every write fails with ENOSPC."""
    with open("/dev/full", "wb") as full:  # noqa: PTH123 - a device, not a path to build
        result = subprocess.run(
            [sys.executable, "-m", "planner", *args],
            env=environment(home),
            stdout=full,
            stderr=subprocess.PIPE,
            timeout=120,
            check=False,
        )
    assert result.returncode == 1
    assert result.stderr.decode() == "Error: cannot write the output: No space left on device.\n"
