"""Every command fits the terminal: no line wider than ``COLUMNS`` (in display cells, so
CJK and emoji count two), words and ids never split, and table columns lined up.

A line may be wider only when it is one unbreakable token (a long URL) after its indent.
Widths are checked with ``planner.cells.width`` and, independently, with the standard
library's ``unicodedata``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from planner import cells
from planner.cli import app

WIDTHS = (60, 80, 120)
PLAN = "李明华的计划"
EMOJI_NOTE = "做得好 👍 finished the NumPy exercises 🎉 and the 李 chapter"
URL = "https://example.org/" + "a-very-long-path-segment/" * 6 + "index.html"
WORDS = ("alpha", "beta", "gamma", "数据", "é", "delta", URL, "epsilon", "🙂", "zeta")
LONG_NOTE = " ".join(WORDS[i % len(WORDS)] for i in range(700))[:5000]
START = (date.today() - timedelta(weeks=8)).isoformat()


def independent_width(text: str) -> int:
    """Display width from the Unicode database alone: East Asian wide and fullwidth
    characters two cells, combining marks and format characters none."""
    total = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        total += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return total


def check_fits(text: str, columns: int) -> None:
    for line in text.splitlines():
        measured = cells.width(line)
        assert measured == independent_width(line), line
        if measured > columns:
            assert len(line.split()) == 1, f"{measured} > {columns} cells:\n{line}"


def run(home: Path, columns: int, *args: str) -> str:
    result = CliRunner().invoke(
        app,
        list(args),
        env={"PLANNER_HOME": str(home), "COLUMNS": str(columns)},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    for line in result.stderr.splitlines():  # errors and warnings stay one line each
        assert line.startswith(("Warning: ", "Error: ")), line
    return result.stdout


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Two plans, the active one named in Chinese and eight weeks old (so behind), with
    study time, done, skip, time off, an emoji note and a 5,000-character note."""
    folder = tmp_path_factory.mktemp("width") / "home"
    with pytest.MonkeyPatch.context() as patch:
        for variable in ("PLANNER_DB", "PLANNER_DATABASE_URL", "PLANNER_PLAN"):
            patch.delenv(variable, raising=False)
        patch.delenv("PLANNER_CURRICULA_PATH", raising=False)
        for args in (
            ["start", "ai-architect", "--start", START],
            ["start", "ai-architect", "--name", PLAN, "--start", START],
            ["done", "python-programming", "--hours", "30", "--note", EMOJI_NOTE],
            ["note", "python-programming", LONG_NOTE],
            ["study", "data-structures-algorithms", "1h30m", "--note", "堆和图 🙂"],
            ["skip", "r-programming", "--note", "Python only"],
            ["away", START, START, "--note", "春节 🧧 " + "holiday " * 20],
        ):
            run(folder, 100, *args)
    yield folder


READING = [
    ["status"],
    ["status", "--skills"],
    ["next"],
    ["log"],
    ["log", "-n", "1"],
    ["plans"],
    ["plan"],
    ["plan", "--format", "txt", "--weeks", "3"],
    ["projects", "--limit", "5"],
    ["replan"],
    ["replan", "-H", "12", "--dry-run"],
    ["upgrade", "--dry-run"],
    ["away"],
    ["curricula", "list"],
    ["curricula", "show", "ai-architect"],
    ["curricula", "show", "lead-ml-engineer"],
    ["curricula", "show", "foundations"],
    ["compare", "ai-architect", "lead-ml-engineer"],
    ["team"],
    ["doctor"],
]


@pytest.mark.parametrize("columns", WIDTHS)
@pytest.mark.parametrize("args", READING, ids=" ".join)
def test_reading_commands_fit(home: Path, args: list[str], columns: int) -> None:
    check_fits(run(home, columns, *args), columns)


@pytest.mark.parametrize("columns", WIDTHS)
@pytest.mark.parametrize("args", [["--help"], ["status", "--help"], ["curricula", "--help"]])
def test_help_fits(home: Path, args: list[str], columns: int) -> None:
    """In a process of its own: CliRunner pins click's help to 80 columns."""
    done = subprocess.run(
        [sys.executable, "-m", "planner", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PLANNER_HOME": str(home), "COLUMNS": str(columns)},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    check_fits(done.stdout, columns)


@pytest.mark.parametrize("columns", WIDTHS)
def test_commands_that_change_the_plan_fit(
    home: Path, planner_home: Path, tmp_path: Path, columns: int
) -> None:
    """The confirmations, each on a copy of the data folder."""
    shutil.copytree(home, planner_home)
    export = tmp_path / "export.json"
    for args in (
        ["done", "data-structures-algorithms", "linear-algebra", "--note", EMOJI_NOTE],
        ["undo", "linear-algebra"],
        ["skip", "calculus-optimisation", "--note", LONG_NOTE],
        ["note", "calculus-optimisation", LONG_NOTE],
        ["study", "probability-statistics", "45m"],
        ["away", "2027-02-01", "2027-02-14", "--hours", "2"],
        ["undo", "--away", "2027-02-01"],
        ["replan", "--drop-optional"],
        ["add-role", "lead-ml-engineer"],
        ["use", "ai-architect"],
        ["use", PLAN],
        ["export", "json", "--output", str(export)],
        ["import", str(export), "--as", "李明华的计划-副本-" + "很长的名字" * 4],
        ["backup", "--output", str(tmp_path / "backup.db")],
        ["plan", "--output", str(tmp_path / "plan.txt")],
        ["start", "lead-ml-engineer", "--name", "学习" * 10, "--start", START],
        ["plans"],
        ["log"],
    ):
        check_fits(run(planner_home, columns, *args), columns)
    check_fits((tmp_path / "plan.txt").read_text(encoding="utf-8"), 80)


# --------------------------------------------------------------------------- columns


def offset(line: str, text: str) -> int:
    """Where ``text`` starts in ``line``, in display cells."""
    return cells.width(line[: line.index(text)])


# a cell of a table line: words one space apart, cells two or more
_CELL = re.compile(r"\S+(?: \S+)*")


@pytest.mark.parametrize("columns", WIDTHS)
def test_plans_line_up_with_a_chinese_name(home: Path, columns: int) -> None:
    """The name in Chinese takes two cells a character; the columns after it still
    start under their headers."""
    text = run(home, columns, "plans")
    lines = text.splitlines()
    header = lines[0]
    plans = json.loads(run(home, columns, "plans", "--json"))
    rows = [next(line for line in lines if f" {p['name']} " in line) for p in plans]
    for row, p in zip(rows, plans, strict=True):
        assert offset(row, p["name"]) == offset(header, "PLAN")
        assert offset(row, p["pace"]["status"]) == offset(header, "PACE")
        assert offset(row, p["finish"]["projected"]) == offset(header, "PROJECTED")
        done = f"{p['progress']['percent']:g}%"
        assert offset(row, done) + cells.width(done) == offset(header, "DONE") + 4


@pytest.mark.parametrize("columns", WIDTHS)
def test_skills_line_up(home: Path, columns: int) -> None:
    text = run(home, columns, "status", "--skills")
    rows = text.split("\nSkills\n")[1].split("\n\n")[0].splitlines()
    bars = {offset(row, next(c for c in row if c in "█░")) for row in rows if "%" in row}
    percents = {offset(row, "%") for row in rows if "%" in row}
    assert len(bars) == 1, text
    assert len(percents) == 1, text


@pytest.mark.parametrize("columns", WIDTHS)
@pytest.mark.parametrize(
    ("args", "headers"),
    [
        (["log"], ["WHEN", "EVENT", "MILESTONE", "DETAIL"]),
        (["curricula", "list"], ["ID", "TITLE", "KIND", "MILESTONES", "HOURS", "SOURCE"]),
        (["curricula", "show", "lead-ml-engineer"], ["MILESTONE", "HOURS", "REQUIRES", "TITLE"]),
        (
            ["curricula", "show", "lead-ml-engineer"],
            ["PROJECT", "DIFFICULTY", "HOURS", "INDUSTRIES"],
        ),
        (["away"], ["FROM", "TO", "DAYS", "H/WEEK", "NOTE"]),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else value,
)
def test_table_cells_start_under_their_headers(
    home: Path, args: list[str], headers: list[str], columns: int
) -> None:
    """Each cell of each row starts where a column starts (or, for a column of numbers,
    ends where it ends); a column that moved under its row when the table could not fit
    is indented under the row, labelled with its header."""
    lines = run(home, columns, *args).splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(headers[0] + " "))
    header = lines[at]
    shown = [h for h in headers if f"  {h}" in header or header.startswith(h)]
    starts = {offset(header, h) for h in shown}
    ends = {offset(header, h) + cells.width(h) for h in shown}
    moved = tuple(f"    {h.lower()}: " for h in headers if h not in shown)
    under = {len(label) for label in moved}  # where a moved cell's later lines start
    checked = 0
    for line in lines[at + 1 :]:
        if not line.strip():
            break
        if line.startswith(moved) or len(line) - len(line.lstrip()) in under:
            continue
        for match in _CELL.finditer(line):
            start = cells.width(line[: match.start()])
            end = start + cells.width(match[0])
            assert start in starts or end in ends, (line, match[0], starts, ends)
        checked += 1
    assert checked


# --------------------------------------------------------------------------- properties

word = st.text(
    alphabet=st.sampled_from(list("abcxyz-./:") + ["李", "明", "é", "🙂", "ü", "数"]),
    min_size=1,
    max_size=30,
)


@given(
    words=st.lists(word, max_size=40),
    size=st.integers(10, 120),
    label=st.sampled_from(["", "  ", "Why: ", "  李明: "]),
)
def test_wrap_keeps_words_whole_in_order_within_the_width(
    words: list[str], size: int, label: str
) -> None:
    lines = cells.wrap(" ".join(words), size, label)
    for line in lines:
        assert cells.width(line) == independent_width(line)
        if cells.width(line) > size:  # one word wider than the line, alone after its indent
            assert len(line.split()) == 1, line
    assert " ".join(lines).split() == label.split() + words
    assert all(line.startswith(" " * cells.width(label)) for line in lines[1:])


@given(
    rows=st.lists(
        st.tuples(st.from_regex(r"[a-z]{1,12}", fullmatch=True), st.lists(word, max_size=12)),
        min_size=1,
        max_size=6,
    ),
    size=st.integers(30, 120),
)
def test_a_table_keeps_its_columns_and_fits(rows: list[tuple[str, list[str]]], size: int) -> None:
    """An id column kept whole and a text column that gives way: every line fits (a
    word wider than its column is cut), the ids are whole and in order, and the text
    starts at one column, or under its row, labelled, when the table cannot fit."""
    table = [["ID", "TEXT"], *[[name, " ".join(text)] for name, text in rows]]
    heading, body = cells.table(table, size, give={1: "text"})
    assert all(cells.width(line) <= size for line in heading + body)
    assert [line.split()[0] for line in body if line[:1] != " "] == [name for name, _ in rows]
    if "TEXT" in heading[0]:
        column = offset(heading[0], "TEXT")
        for line in body:
            parts = line.split(maxsplit=1) if line[:1] != " " else ["", line.lstrip()]
            text = parts[1] if len(parts) > 1 else ""
            if text:
                assert cells.width(line) - cells.width(text) == column, line
    else:
        for line in body:
            if line[:1] == " ":
                assert line.startswith("    text: ") or line.startswith(" " * 10), line
