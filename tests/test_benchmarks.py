"""The benchmark suite runs end to end. It measures and does not judge, so nothing here
asserts a time: only that it finishes cleanly and prints every row."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "run.py"

COMMAND_ROWS = [
    "P: python -c pass",
    "B0: python -c 'import typer, pydantic'",
    "B1: python -c 'import typer, sqlmodel'",
    "planner --help",
    "T: a one-option typer command",
    "planner curricula list",
    "planner curricula show ai-architect",
    "planner compare ai-architect lead-ml-engineer",
    "planner status",
    "planner next",
    "planner log",
    "planner plan --format html",
    "planner plan --format md",
    "planner plan --format pdf",
    "planner export ics",
    "planner done ID",
    "planner undo ID",
]
# --quick sizes: milestones for the curriculum axis, events for the event-log axis.
SCALE_ROWS = [
    *[("scheduling (in process)", f"{n} milestones") for n in ("20", "60", "180")],
    *[("planner status", f"{n} milestones") for n in ("20", "60", "180")],
    *[("planner plan --format html", f"{n} milestones") for n in ("20", "60", "180")],
    *[("planner status", f"{n} events") for n in ("50", "150", "450")],
    *[("planner plan --format html", f"{n} events") for n in ("50", "150", "450")],
]


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("benchmarks_run", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_quick_run_exits_cleanly_and_prints_every_row() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    lines = result.stdout.splitlines()
    assert any(line.startswith("machine:") and "nproc" in line for line in lines)
    assert any(line.startswith("python:") for line in lines)
    missing = [row for row in COMMAND_ROWS if not any(line.startswith(row) for line in lines)]
    assert not missing, f"rows missing from the output: {missing}\n{result.stdout}"
    missing_scale = [
        (measure, size)
        for measure, size in SCALE_ROWS
        if not any(line.startswith(measure) and f" {size} " in line for line in lines)
    ]
    assert not missing_scale, f"scale rows missing: {missing_scale}\n{result.stdout}"


def test_markdown_table_is_a_github_table() -> None:
    run = load_script()
    text = run.table(["command", "median ms"], [["planner a|b", "12"]], markdown=True)
    assert text.splitlines() == [
        "| command | median ms |",
        "|---|---|",
        "| planner a\\|b | 12 |",
    ]


def test_plain_table_right_aligns_numbers() -> None:
    run = load_script()
    text = run.table(["command", "median ms"], [["a", "7"], ["bb", "1,234"]], markdown=False)
    assert text.splitlines() == [
        "command  median ms",
        "-------  ---------",
        "a                7",
        "bb           1,234",
    ]
