"""What a command loads: only what it uses (see the README's Performance section).

Each check runs the command in a fresh interpreter and lists the heavy packages it
imported; timings live in ``benchmarks/``, never here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("jinja2", "weasyprint", "icalendar", "rich", "yaml", "fontTools", "markdown_it")
PROBE = """
import json, sys
from planner.cli import app
try:
    app(sys.argv[1:], prog_name="planner")
except SystemExit as exc:
    code = exc.code
print(json.dumps([code, sorted({m.split(".")[0] for m in sys.modules})]), file=sys.stderr)
"""


def loaded(args: list[str], home: Path, heavy: tuple[str, ...] = HEAVY) -> set[str]:
    env = {**os.environ, "PLANNER_HOME": str(home), "COLUMNS": "100"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env, check=False
    )
    code, modules = json.loads(done.stderr.strip().splitlines()[-1])
    assert code in (0, None), done.stderr
    return set(modules) & set(heavy)


@pytest.fixture
def started(planner_home: Path) -> Path:
    """A plan, and every built-in curriculum parsed once (so cached)."""
    assert not loaded(["start", "ai-architect", "--start", "2026-01-05"], planner_home) - {"yaml"}
    assert not loaded(["curricula", "list"], planner_home) - {"yaml"}
    return planner_home


@pytest.mark.parametrize(
    "args",
    [
        ["status"],
        ["next"],
        ["log"],
        ["plans"],
        ["done", "python-programming"],
        ["curricula", "show", "ai-architect"],
        ["compare", "ai-architect", "lead-ml-engineer"],
    ],
)
def test_everyday_commands_load_no_heavy_package(started: Path, args: list[str]) -> None:
    """No templates, PDF, calendar or rich, and no YAML parser once curricula are cached."""
    assert loaded(args, started) == set()


# The reading commands read a SQLite file through the standard library (planner.fastread)
# and the curriculum a plan keeps into plain dataclasses (planner.plain).
DATABASE_STACK = ("sqlalchemy", "sqlmodel", "pydantic", "pydantic_core")


@pytest.mark.parametrize(
    "args",
    [
        ["status"],
        ["next"],
        ["log"],
        ["plans"],
        ["status", "--json"],
        ["next", "--json"],
        ["log", "--json"],
        ["plans", "--json"],
        ["--plan", "ai-architect", "status"],
    ],
)
def test_reading_commands_load_no_database_stack(started: Path, args: list[str]) -> None:
    assert loaded(args, started, DATABASE_STACK) == set()


@pytest.mark.parametrize(
    "args",
    [["status", "--skills"], ["next"], ["log"], ["plans"], ["curricula", "show", "ai-architect"]],
)
def test_english_output_is_measured_without_wcwidth(started: Path, args: list[str]) -> None:
    """Display widths of ASCII text (and planner's own glyphs) are counted without
    importing wcwidth; it is loaded only for text that needs it."""
    assert loaded(args, started, ("wcwidth",)) == set()


def test_a_plan_named_in_chinese_is_measured_with_wcwidth(started: Path) -> None:
    """The guard above can fail: a CJK plan name is measured by wcwidth."""
    assert not loaded(["start", "ai-architect", "--name", "李明华的计划"], started) - {"yaml"}
    assert loaded(["plans"], started, ("wcwidth",)) == {"wcwidth"}


def test_a_command_that_writes_still_uses_the_full_stack(started: Path) -> None:
    """The guard above can fail: the same probe sees SQLAlchemy where it is used."""
    assert {"sqlalchemy", "sqlmodel"} <= loaded(
        ["done", "python-programming"], started, DATABASE_STACK
    )


@pytest.mark.parametrize(
    ("args", "needed"),
    [
        (["plan", "--format", "md"], {"jinja2"}),
        (["export", "ics"], {"icalendar"}),
    ],
)
def test_output_commands_load_only_what_they_render_with(
    started: Path, args: list[str], needed: set[str]
) -> None:
    assert loaded(args, started) == needed


def test_a_changed_curriculum_is_parsed_again(started: Path, tmp_path: Path) -> None:
    """The cache is used only while the files are unchanged: a new copy is read."""
    folder = tmp_path / "curricula"
    folder.mkdir()
    source = Path(__file__).parent / "fixtures" / "curricula"
    for name in ("tiny-base.yaml", "tiny-role.yaml"):
        (folder / name).write_text((source / name).read_text())
    role = str(folder / "tiny-role.yaml")
    assert "yaml" in loaded(["curricula", "show", role], started)
    assert "yaml" not in loaded(["curricula", "show", role], started)
    (folder / "tiny-base.yaml").write_text((source / "tiny-base.yaml").read_text() + "\n")
    assert "yaml" in loaded(["curricula", "show", role], started)
