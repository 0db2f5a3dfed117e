"""The plan as text and Markdown: the overview first, item lines numbered as its rows,
the roles a milestone serves where it is described (in a multi-role plan only), the
learner's notes once, escaped in Markdown, and no text line wider than the terminal.

Real plans are made through the command line from the shipped curricula; small ones
from the test curricula (``tests/fixtures/curricula``), as tests/test_render.py does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from planner import renderer, service
from planner.cli import app
from planner.history import Activity, Note, StudyEntry
from planner.projects import rank_projects
from planner.report import build_report
from planner.view import PlanView
from tests.conftest import FIXTURE_CURRICULA
from tests.test_render import ACTIVITY, fixed_view
from tests.test_width import check_fits

if TYPE_CHECKING:
    from planner.projects import Suggestion

TODAY = "2026-10-12"
START = "2026-09-14"  # four weeks back: weeks 1-4 are past, week 5 is this week
ROLES = ("AI Architect", "Lead Machine Learning Engineer")
CLEAN_ENV = ("PLANNER_DB", "PLANNER_DATABASE_URL", "PLANNER_PLAN", "PLANNER_CURRICULA_PATH")

# Notes kept on a milestone finished in the past (printed under its last recorded week)
# and on one still planned (printed where it is described). Each has a marker word.
PAST_STUDY_NOTE = "PASTSTUDY first pass <script>alert(1)</script>"
PAST_NOTE = "PASTNOTE **bold** ``` fence [link](javascript:x) # heading | pipe"
CONTROL_NOTE = "CONTROLNOTE red\x1b[31m text\x07 bell\r\nnew line\x85end"
WORDS = ("alpha", "beta", "数据", "gamma", "🙂", "https://example.org/" + "segment/" * 12, "é")
LONG_NOTE = "LONGNOTE " + " ".join(WORDS[i % len(WORDS)] for i in range(600))
LONG_NOTE = LONG_NOTE[: 3000 - len(" LONGEND")] + " LONGEND"
PLANNED_STUDY_NOTE = "PLANNEDSTUDY chapter one"
DONE_NOTE = "DONENOTE took longer than planned"  # kept with `done --note`
MARKERS = ("PASTSTUDY", "PASTNOTE", "CONTROLNOTE", "LONGNOTE", "PLANNEDSTUDY", "DONENOTE")


def run(home: Path, *args: str, columns: int = 80) -> str:
    result = CliRunner().invoke(
        app,
        list(args),
        env={"PLANNER_HOME": str(home), "PLANNER_TODAY": TODAY, "COLUMNS": str(columns)},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def make_home(folder: Path, *commands: tuple[str, ...]) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        for variable in CLEAN_ENV:
            patch.delenv(variable, raising=False)
        for args in commands:
            run(folder, *args)
    return folder


@pytest.fixture(scope="module")
def multi(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-role plan four weeks old: data structures finished in week 3 after study in
    weeks 1 and 2, notes on it and on linear algebra (still planned)."""
    return make_home(
        tmp_path_factory.mktemp("multi") / "home",
        (
            "start",
            "ai-architect",
            "lead-ml-engineer",
            "--know",
            "python",
            "--know",
            "statistics",
            "--start",
            START,
        ),  # fmt: skip
        (
            "study",
            "data-structures-algorithms",
            "3h",
            "--on",
            "2026-09-15",
            "--note",
            PAST_STUDY_NOTE,
        ),  # fmt: skip
        ("study", "data-structures-algorithms", "2h", "--on", "2026-09-22"),
        (
            "done",
            "data-structures-algorithms",
            "--on",
            "2026-09-29",
            "--hours",
            "30",
            "--note",
            DONE_NOTE,
        ),  # fmt: skip
        ("note", "data-structures-algorithms", PAST_NOTE),
        ("note", "linear-algebra", CONTROL_NOTE),
        ("note", "linear-algebra", LONG_NOTE),
        ("study", "linear-algebra", "1h", "--note", PLANNED_STUDY_NOTE),
    )


@pytest.fixture(scope="module")
def single(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_home(
        tmp_path_factory.mktemp("single") / "home", ("start", "ai-architect", "--start", START)
    )


# --------------------------------------------------------------------------- reading it


@dataclass(frozen=True)
class Row:
    number: int
    title: str  # as printed: clipped with an ellipsis when long
    first: int  # the first and last columns of its bar
    last: int


def overview(text: str) -> tuple[int, list[Row], list[str]]:
    """Weeks per column, the rows and the overview's lines, from a text plan."""
    lines = text.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("Overview (1 column = "))
    end = lines.index("", head)
    block = lines[head:end]
    per = int(re.search(r"= (\d+) weeks?\)", block[0])[1])  # type: ignore[index]
    months = next(line for line in block if re.search(r"\b(Jan|Feb|Mar|Apr|May|Jun)\b", line))
    bar_at = len(months) - len(months.lstrip())
    rows = []
    for line in block:
        found = re.match(r"^ ?(\d+) ", line)
        if not found:
            continue
        label, bar = line[: bar_at - 1].rstrip(), line[bar_at:]
        marks = [i for i, c in enumerate(bar) if c in "#=-."]
        rows.append(Row(int(found[1]), label[found.end() :], marks[0], marks[-1]))
    return per, rows, block


@dataclass(frozen=True)
class Line:
    week: int
    number: int
    title: str
    id: str
    at: int  # index of the line


ITEM = re.compile(r"^  \[[ x]\] (\d+) (.+?) \(([a-z0-9-]+)\), ")


def items(text: str) -> list[Line]:
    """The item lines of a text plan rendered wide enough not to wrap them."""
    found, week = [], 0
    for at, line in enumerate(text.splitlines()):
        if heading := re.match(r"^Week (\d+): ", line):
            week = int(heading[1])
        elif item := ITEM.match(line):
            found.append(Line(week, int(item[1]), item[2], item[3], at))
    return found


def item_above(lines: list[str], at: int, pattern: str) -> int:
    """The index of the nearest line above ``at`` that matches ``pattern``."""
    return next(i for i in range(at, -1, -1) if re.match(pattern, lines[i]))


def flat(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------- overview


def test_txt_starts_with_the_overview(fixture_curricula: Path) -> None:
    view = fixed_view()
    report = build_report(view, rank_projects(view))
    assert report.overview == (
        "Overview (1 column = 1 week)",
        "# done  = started  - planned  . optional  | this week",
        "                           2026",
        "                           Jan",
        " 1 Python basics           # |",  # done in week 1; this week is week 3
        " 2 Statistics basics        =--",  # started, 3.5 of 10 h: a third of its bar
        " 3 A first model             |---",
    )
    lines = renderer.render("txt", {"plan": report}).splitlines()
    head = lines.index(report.overview[0])
    assert lines[head : head + len(report.overview)] == list(report.overview)
    assert lines[head - 1] == "" and lines[head + len(report.overview)] == ""
    progress = next(i for i, line in enumerate(lines) if line.startswith("Progress ["))
    assert progress < head < lines.index("== January 2026 ==")


def test_md_has_the_overview_in_a_fence_at_80_cells(fixture_curricula: Path) -> None:
    view = fixed_view()
    wide = build_report(view, rank_projects(view), width=160)
    narrow = build_report(view, rank_projects(view), width=40)
    assert wide.overview != narrow.overview  # the text form follows the terminal
    assert wide.overview_md == narrow.overview_md == tuple(build_report(view, []).overview)
    text = renderer.render("md", {"plan": wide}, width=160)
    assert text == renderer.render("md", {"plan": narrow}, width=40)
    fenced = "```text\n" + "\n".join(wide.overview_md) + "\n```\n"
    assert fenced in text
    assert text.index(fenced) < text.index("## January 2026")
    assert text.index("`[##########") < text.index(fenced)


def test_md_from_the_terminal_is_the_same_at_any_width(multi: Path) -> None:
    texts = {run(multi, "plan", "--format", "md", columns=c) for c in (40, 80, 200)}
    assert len(texts) == 1
    (text,) = texts
    block = text.split("```text\n", 1)[1].split("\n```\n", 1)[0].splitlines()
    assert block[0] == "Overview (1 column = 4 weeks)"
    assert max(len(line) for line in block) <= 80
    numbers = set(re.findall(r"^- \[[ x]\] (\d+) ", text, re.MULTILINE))
    assert len(numbers) > 40 and len(block) == 4 + len(numbers)


def hostile_titles(folder: Path) -> None:
    """The test curricula with titles made to break a fence, a terminal or a column."""
    base = yaml.safe_load((FIXTURE_CURRICULA / "tiny-base.yaml").read_text())
    role = yaml.safe_load((FIXTURE_CURRICULA / "tiny-role.yaml").read_text())
    base["milestones"][0]["title"] = "`````"  # a longer fence than three
    base["milestones"][1]["title"] = "```\n# Heading\x1b[2J\r<script>alert(1)</script>"
    role["milestones"][0]["title"] = "`````````` ~~~ " + "数据科学的第一个模型 🚀 " * 4
    (folder / "tiny-base.yaml").write_text(yaml.safe_dump(base, allow_unicode=True))
    (folder / "tiny-role.yaml").write_text(yaml.safe_dump(role, allow_unicode=True))


@pytest.fixture
def hostile_view(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PlanView]:
    hostile_titles(tmp_path)
    monkeypatch.setenv("PLANNER_CURRICULA_PATH", str(tmp_path))
    from planner import curriculum

    curriculum._resolved.clear()  # noqa: SLF001
    yield fixed_view()
    curriculum._resolved.clear()  # noqa: SLF001


def test_titles_cannot_break_the_fence(hostile_view: PlanView) -> None:
    """The fence is longer than any run of backticks in the overview, so no title ends
    the code block; inside it everything is literal, and control characters are gone."""
    report = build_report(hostile_view, [])
    text = renderer.render("md", {"plan": report})
    assert report.overview_fence == "`" * 11
    lines = text.splitlines()
    opening = lines.index(report.overview_fence + "text")
    closing = lines.index(report.overview_fence, opening + 1)
    inside = lines[opening + 1 : closing]
    assert inside == list(report.overview_md)
    for line in inside:  # CommonMark: a closing fence is >= 11 backticks alone on a line
        assert not re.match(r"^ {0,3}`{11,}\s*$", line)
        assert not re.search(r"[\x00-\x1f\x7f-\x9f]", line)
    outside = "\n".join(lines[:opening] + lines[closing + 1 :])
    assert not re.search(r"<[a-zA-Z/!]", outside), "raw HTML outside the code block"
    assert "\x1b" not in text and "\r" not in text
    txt = renderer.render("txt", {"plan": build_report(hostile_view, [], width=40)}, width=40)
    assert "\x1b" not in txt and "\r" not in txt
    check_fits(txt, 40)


def test_a_plain_overview_gets_a_three_backtick_fence(fixture_curricula: Path) -> None:
    assert build_report(fixed_view(), []).overview_fence == "```"


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("home", ["multi", "single"])
def test_item_numbers_are_the_overview_rows(home: str, request: pytest.FixtureRequest) -> None:
    folder = request.getfixturevalue(home)
    text = run(folder, "plan", columns=1000)
    per, rows, _ = overview(text)
    lines = items(text)
    assert [r.number for r in rows] == list(range(1, len(rows) + 1))
    assert {line.number for line in lines} == {r.number for r in rows}
    weeks: dict[int, list[int]] = {}
    ids: dict[int, set[str]] = {}
    for line in lines:
        row = rows[line.number - 1]
        if row.title.endswith("..."):  # cut to fit its column
            assert line.title.startswith(row.title.removesuffix("..."))
        else:
            assert line.title == row.title
        weeks.setdefault(line.number, []).append(line.week)
        ids.setdefault(line.number, set()).add(line.id)
    assert all(len(each) == 1 for each in ids.values())  # a number is one milestone
    for number, seen in weeks.items():  # the bar spans the weeks the item lines are in
        row = rows[number - 1]
        assert (row.first, row.last) == ((min(seen) - 1) // per, (max(seen) - 1) // per)
    firsts = [min(weeks[r.number]) for r in rows]
    assert firsts == sorted(firsts)  # numbered in the order they start
    # --weeks shows fewer weeks, numbered as in the whole plan
    part = items(run(folder, "plan", "--weeks", "3", columns=1000))
    numbers = {line.id: line.number for line in lines}
    assert part and all(numbers[line.id] == line.number for line in part)


def test_md_items_carry_the_numbers(fixture_curricula: Path) -> None:
    text = renderer.render("md", {"plan": build_report(fixed_view(), [])})
    assert "- [x] 1 **Python basics** (`python-basics`), done 2026-01-07" in text
    assert "- [ ] 2 **Statistics basics** (`stats-basics`), studied 2 h" in text
    assert "- [ ] 3 **A first model** (`first-model`), 4.93 h of 12 h, continues" in text


# --------------------------------------------------------------------------- roles


def roles_lines(text: str, label: str, item: str) -> list[tuple[str, str]]:
    """(id of the item above, roles) for each ``label`` line."""
    lines = text.splitlines()
    found = []
    for at, line in enumerate(lines):
        if line.startswith(label):
            above = lines[item_above(lines, at, item)]
            mid = re.search(r"\(`?([a-z0-9-]+)`?\), ", above)
            found.append((mid[1] if mid else "", line.removeprefix(label)))
    return found


def test_multi_role_plans_say_whom_each_milestone_is_for(multi: Path) -> None:
    text = run(multi, "plan", columns=1000)
    found = roles_lines(text, "      For: ", r"^  \[")
    described = text.count("\n      Why: ")
    assert len(found) == described > 40
    assert len({mid for mid, _ in found}) == len(found)  # once a milestone
    lines = text.splitlines()
    for at, line in enumerate(lines):  # right under the item line, before Why
        if line.startswith("      For: "):
            assert ITEM.match(lines[at - 1]) and lines[at + 1].startswith("      Why: ")
    kinds = {roles for _, roles in found}
    assert kinds == {ROLES[0], ROLES[1], ", ".join(ROLES)}
    assert ("linear-algebra", ", ".join(ROLES)) in found
    md = run(multi, "plan", "--format", "md")
    md_found = roles_lines(md, "  - For: ", r"^- \[")
    assert md_found == found


def test_small_multi_role_plan(fixture_curricula: Path, tmp_path: Path) -> None:
    other = yaml.safe_load((FIXTURE_CURRICULA / "tiny-role.yaml").read_text())
    other["id"], other["title"] = "tiny-other", "Other *Role*"
    other["milestones"] = [other["milestones"][0] | {"id": "other-model", "title": "Other"}]
    other.pop("projects")
    folder = tmp_path / "curricula"
    folder.mkdir()
    for name in ("tiny-base.yaml", "tiny-role.yaml"):
        (folder / name).write_text((FIXTURE_CURRICULA / name).read_text())
    (folder / "tiny-other.yaml").write_text(yaml.safe_dump(other))
    with pytest.MonkeyPatch.context() as patch:
        from planner import curriculum

        patch.setenv("PLANNER_CURRICULA_PATH", str(folder))
        curriculum._resolved.clear()  # noqa: SLF001
        try:
            view = fixed_view(roles=("tiny-role", "tiny-other"))
        finally:
            curriculum._resolved.clear()  # noqa: SLF001
    report = build_report(view, [])
    txt = renderer.render("txt", {"plan": report})
    md = renderer.render("md", {"plan": report})
    assert "      For: Tiny Role, Other *Role*\n      Why: Models are judged" in txt
    assert "      For: Tiny Role\n      Why: Fit and evaluate" in txt
    assert "  - For: Tiny Role, Other \\*Role\\*\n  - Why: Models are judged" in md


def test_single_role_plans_have_no_roles_line(single: Path, fixture_curricula: Path) -> None:
    for fmt in ("txt", "md"):
        text = run(single, "plan", "--format", fmt)
        assert re.search(r"^ *(- )?Why: ", text, re.MULTILINE)
        assert not re.search(r"^ *(- )?For:", text, re.MULTILINE)
    fixed = renderer.render("txt", {"plan": build_report(fixed_view(), [])})
    assert "Why: " in fixed and "For:" not in fixed


# --------------------------------------------------------------------------- notes


def test_notes_are_shown_once_in_txt(multi: Path) -> None:
    text = run(multi, "plan", columns=100)
    lines = text.splitlines()
    for marker in MARKERS:
        assert text.count(marker) == 1, marker
    # planned milestone: under the item line that describes it, after its resources
    at = next(i for i, line in enumerate(lines) if "CONTROLNOTE" in line)
    item = item_above(lines, at, r"^  \[")
    assert "(linear-algebra)" in lines[item] and "Why: " in "\n".join(lines[item:at])
    assert lines[at].startswith("      Notes: ") or lines[at].startswith("             ")
    # finished in the past: under its last item line, the week it was done
    at = next(i for i, line in enumerate(lines) if "PASTNOTE" in line)
    item = item_above(lines, at, r"^  \[")
    assert lines[item].startswith("  [x] 1 Data structures and algorithms")
    assert "Why: " not in "\n".join(lines[item:at])
    week = lines[item_above(lines, item, r"^Week ")]
    assert week.startswith("Week 3: 2026-09-28 to 2026-10-04")
    notes = item_above(lines, at, r"^      Notes: ")
    assert item < notes < at
    assert lines[notes] == (
        "      Notes: 2026-09-15 (3 h): PASTSTUDY first pass <script>alert(1)</script>"
    )
    assert re.match(r"^ {13}\d{4}-\d\d-\d\d: PASTNOTE \*\*bold\*\* ``` fence", lines[at])
    # a long note wraps under the first note's date
    at = next(i for i, line in enumerate(lines) if "LONGNOTE" in line)
    end = lines.index("", at)
    assert end - at > 10 and all(re.match(r"^ {13}\S", line) for line in lines[at:end])
    # every note whole, its words never broken, control characters gone
    flattened = flat(text)
    assert flat(LONG_NOTE) in flattened
    assert "CONTROLNOTE red [31m text bell new line end" in flattened
    assert "2026-10-12 (1 h): PLANNEDSTUDY chapter one" in flattened
    for char in "\x1b\x07\r\x85":
        assert char not in text
    check_fits(text, 100)


def test_notes_are_escaped_once_in_md(multi: Path) -> None:
    text = run(multi, "plan", "--format", "md")
    for marker in MARKERS:
        assert text.count(marker) == 1, marker
    assert (
        "    - 2026-09-15 (3 h): PASTSTUDY first pass &lt;script&gt;alert(1)&lt;/script&gt;\n"
        in text
    )
    assert (
        "PASTNOTE \\*\\*bold\\*\\* \\`\\`\\` fence \\[link\\](javascript:x) # heading \\| pipe"
        in text
    )
    assert "CONTROLNOTE red \\[31m text bell new line end" in text
    assert not re.search(r"<[a-zA-Z/!]", text), "raw HTML in Markdown"
    for char in "\x1b\x07\r\x85":
        assert char not in text
    lines = text.splitlines()
    for marker, mid in (("PASTNOTE", "data-structures-algorithms"), ("LONGNOTE", "linear-algebra")):
        at = next(i for i, line in enumerate(lines) if marker in line)
        assert lines[at].startswith("    - ")  # one list item, one line
        notes = item_above(lines, at, r"^  - Notes:$")
        item = item_above(lines, at, r"^- \[")
        assert item < notes and f"(`{mid}`)" in lines[item]
    assert flat(renderer.md(LONG_NOTE)) in flat(text)


def test_notes_in_the_small_plan(fixture_curricula: Path) -> None:
    """A note on a milestone done in week 1 prints under week 1's line; one on a
    milestone studied in weeks 2 and 3 and planned from week 3 under its first planned
    line, after the study note kept in week 2 (oldest first)."""
    activity = Activity(
        studied=(
            StudyEntry(1, "stats-basics", date(2026, 1, 13), 2.0, "chapter 1"),
            *ACTIVITY.studied[1:],
        ),
        time_off=ACTIVITY.time_off,
        notes=(
            Note("python-basics", "easy", datetime(2026, 1, 8, tzinfo=UTC)),
            Note("stats-basics", "bootstrap", datetime(2026, 1, 20, 9, tzinfo=UTC)),
        ),
    )
    report = build_report(fixed_view(activity=activity), [])
    txt = renderer.render("txt", {"plan": report})
    assert (
        "  [x] 1 Python basics (python-basics), done 2026-01-07, took 5 h of 6 h\n"
        "      estimated\n"
        "      Notes: 2026-01-08: easy\n\n"
    ) in txt
    assert (
        "      - Think Stats (book): https://greenteapress.com/wp/think-stats-2e/\n"
        "      Notes: 2026-01-13 (2 h): chapter 1\n"
        "             2026-01-20: bootstrap\n"
    ) in txt
    assert txt.count("Notes: ") == 2
    md = renderer.render("md", {"plan": report})
    assert "  - Notes:\n    - 2026-01-08: easy\n" in md
    assert "  - Notes:\n    - 2026-01-13 (2 h): chapter 1\n    - 2026-01-20: bootstrap\n" in md
    # only the weeks from this one: the done milestone's note has nowhere to go
    part = build_report(fixed_view(activity=activity), [], weeks=2)
    assert "easy" not in renderer.render("txt", {"plan": part})
    assert "bootstrap" in renderer.render("txt", {"plan": part})


# --------------------------------------------------------------------------- widths


@pytest.fixture(scope="module")
def multi_view(multi: Path) -> Iterator[tuple[PlanView, list[Suggestion]]]:
    with pytest.MonkeyPatch.context() as patch:
        for variable in CLEAN_ENV:
            patch.delenv(variable, raising=False)
        patch.setenv("PLANNER_HOME", str(multi))
        view = service.load_view(db=None, plan_name=None, today=date.fromisoformat(TODAY))
    yield view, rank_projects(view)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(width=st.integers(min_value=40, max_value=160))
def test_no_txt_line_is_wider_than_the_terminal(
    multi_view: tuple[PlanView, list[Suggestion]], width: int
) -> None:
    view, suggestions = multi_view
    report = build_report(view, suggestions, width=width)
    text = renderer.render("txt", {"plan": report}, width=width)
    check_fits(text, width)
    assert all(len(line) <= width for line in report.overview)
    assert flat(LONG_NOTE) in flat(text)


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_plan_fits_the_terminal(multi: Path, columns: int) -> None:
    text = run(multi, "plan", columns=columns)
    check_fits(text, columns)
    _, rows, block = overview(text)
    assert len(rows) > 40 and max(len(line) for line in block) <= columns


def test_notes_are_shown_once_in_the_html_blocks(multi: Path) -> None:
    """The printed plan gives each milestone's notes (``note``, ``study --note`` and
    ``done --note``) once, in its block, escaped."""
    page = run(multi, "plan", "--format", "html")
    for marker in MARKERS:
        assert page.count(marker) == 1, marker
    assert "PASTSTUDY first pass &lt;script&gt;" in page and "<script>" not in page
