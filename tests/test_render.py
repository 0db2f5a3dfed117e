"""The printable plan: snapshots of each format, hostile text, PDF, atomic files."""

from __future__ import annotations

import html.parser
import json
import os
import re
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from planner import renderer
from planner.curriculum import load_role
from planner.history import Activity, StudyEntry, TimeOff
from planner.projects import rank_projects
from planner.queries import MilestoneState
from planner.report import build_report
from planner.view import PlanInfo, PlanView, build_view
from tests.conftest import FIXTURE_CURRICULA, Run
from tests.conftest import today as cli_today

SNAPSHOTS = Path(__file__).parent / "snapshots"
START = date(2026, 1, 5)
TODAY = date(2026, 1, 21)  # week 3
# Study in week 2 and earlier this week; a long weekend off (weeks 4 and 5) and a week
# at half the hours (week 6).
ACTIVITY = Activity(
    studied=(
        StudyEntry(1, "stats-basics", date(2026, 1, 13), 2.0),
        StudyEntry(2, "stats-basics", date(2026, 1, 19), 1.5),
    ),
    time_off=(
        TimeOff(3, date(2026, 1, 31), date(2026, 2, 3), 0.0, "Family visit <3"),
        TimeOff(4, date(2026, 2, 9), date(2026, 2, 15), 4.0),
    ),
)


def fixed_view(roles: tuple[str, ...] = ("tiny-role",), activity: Activity = ACTIVITY) -> PlanView:
    info = PlanInfo(
        name="Ada's plan",
        roles=roles,
        hours_per_week=8,
        start=START,
        known_skills=(),
        industry="Healthcare",
        created_at=datetime(2026, 1, 5, tzinfo=UTC),
        curriculum_versions={},
        curricula=tuple(load_role(r) for r in roles),
    )
    states = {
        "python-basics": MilestoneState(
            kind="done", on_date=date(2026, 1, 7), at=datetime(2026, 1, 7, tzinfo=UTC), hours=5
        ),
        "deploy-model": MilestoneState(
            kind="skipped", on_date=None, at=datetime(2026, 1, 8, tzinfo=UTC), hours=None
        ),
    }
    return build_view(info, states, TODAY, activity)


def render(fmt: str, view: PlanView | None = None, **options: object) -> str:
    view = view or fixed_view()
    report = build_report(view, rank_projects(view), **options)  # type: ignore[arg-type]
    return renderer.render(fmt, {"plan": report})


@pytest.mark.parametrize("fmt", ["txt", "md", "html"])
def test_snapshot(fmt: str, fixture_curricula: Path) -> None:
    """Rendered output for a fixed plan on a fixed day. UPDATE_SNAPSHOTS=1 rewrites them."""
    text = render(fmt)
    path = SNAPSHOTS / f"plan.{fmt}"
    if os.environ.get("UPDATE_SNAPSHOTS"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_every_format_has_the_same_content(fixture_curricula: Path) -> None:
    for fmt in ("txt", "md", "html"):
        text = render(fmt)
        for needle in (
            "Ada",
            "2026-01-05",  # start
            "2026-01-29",  # planned finish: 28 h at 8 h/week, to the day
            "2026-02-11",  # projected finish
            "9.5 of 28 h earned",  # python-basics' 6 h and 3.5 h of statistics study
            "Week 1",
            "Week 3",
            "done 2026-01-07, took 5 h of 6 h estimated",
            "studied 2 h",
            "Python basics",
            "a notebook computing a confidence interval by bootstrap",  # planned: explained
            "https://greenteapress.com/wp/think-stats-2e/",
            "Away 2 days",
            "Family visit",
            "Time off: 4 h/week",
            "Deploy the model",  # skipped by choice, listed
            "Predict clinic no-shows",  # portfolio project
            "A tiny role that exists only in tests.",  # role profile
            "Healthcare, Finance",
            "A test article (2023)",  # credit
            "behind by 8.8 h",
        ):
            if fmt == "html" and needle.startswith("Week "):
                needle = f'id="week-{needle.split()[1]}"'  # a line of the week grid
            if fmt == "html" and needle == "studied 2 h":
                needle = ">\u00b72 2 h<"  # the week grid: studied that week
            if fmt == "html" and needle == "Time off: 4 h/week":
                needle = ": 4 h/week"  # with the plan's facts; the narrow grid wraps it
            assert needle in " ".join(text.replace("&#39;", "'").split()), (fmt, needle)


def test_done_milestones_are_ticked(fixture_curricula: Path) -> None:
    done = "Python basics (python-basics), done 2026-01-07, took 5 h of 6 h estimated"
    assert f"[x] 1 {done}" in " ".join(render("txt").split())
    assert (
        "- [x] 1 **Python basics** (`python-basics`), done 2026-01-07, took 5 h of 6 h estimated"
        in render("md")
    )
    assert "- [ ] 2 **Statistics basics**" in render("md")
    html_text = render("html")
    # the milestone's block is marked done, and its week ticks it
    assert re.search(
        r'<article class="ms done" id="m-(\d+)">\s*<h3><span class="no">\1</span> Python basics',
        html_text,
    )
    number = re.search(r'id="m-(\d+)">\s*<h3><span class="no">\d+</span> Python basics', html_text)
    assert number is not None
    assert f">✓{number.group(1)} 5 h</text>" in html_text  # ticked in the week grid
    assert '<article class="ms pending"' in html_text


def test_weeks_option_limits_to_weeks_from_this_one(fixture_curricula: Path) -> None:
    text = render("txt", weeks=1)
    assert "Week 3:" in text
    assert "Week 1:" not in text and "Week 4:" not in text


# --------------------------------------------------------------------------- hostile text

HOSTILE = {
    "script": "<script>alert(1)</script>",
    "img": '<img src=x onerror="alert(2)">',
    "template": "{{ 7*7 }} {% if true %}x{% endif %}",
    "md": "**bold** [link](javascript:alert(3)) # not a heading | pipe",
    "long": "W" * 400,
    "rtl": "\u202eevil\u202c right-to-left \u05e9\u05dc\u05d5\u05dd",
    "emoji": "study 📚 hard 🚀",
    "ctrl": "line1\r\nline2\x00\x07end",
}


def hostile_curriculum(folder: Path) -> None:
    base = yaml.safe_load((FIXTURE_CURRICULA / "tiny-base.yaml").read_text())
    role = yaml.safe_load((FIXTURE_CURRICULA / "tiny-role.yaml").read_text())
    text = " ".join(HOSTILE.values())
    for milestone in base["milestones"] + role["milestones"]:
        milestone["title"] = milestone["title"] + " " + HOSTILE["script"] + HOSTILE["template"]
        milestone["summary"] = text
        milestone["done_when"] = HOSTILE["img"] + HOSTILE["md"]
        milestone["resources"][0]["title"] = HOSTILE["script"]
        milestone["resources"][0]["url"] = "https://example.org/a?b=c&d=e"
    role["profile"]["definition"] = text
    role["title"] = HOSTILE["script"]
    for project in role["projects"]:
        project["title"] = HOSTILE["img"]
        project["summary"] = text
    (folder / "tiny-base.yaml").write_text(yaml.safe_dump(base, allow_unicode=True))
    (folder / "tiny-role.yaml").write_text(yaml.safe_dump(role, allow_unicode=True))


class Elements(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)


@pytest.fixture
def hostile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PlanView:
    hostile_curriculum(tmp_path)
    monkeypatch.setenv("PLANNER_CURRICULA_PATH", str(tmp_path))
    from planner import curriculum

    curriculum._resolved.clear()  # noqa: SLF001
    return fixed_view()


def test_hostile_text_is_escaped_in_html(hostile: PlanView) -> None:
    text = render("html", hostile)
    parser = Elements()
    parser.feed(text)
    assert "script" not in parser.tags
    assert "img" not in parser.tags
    assert not [name for name, _ in parser.attrs if name.startswith("on")]
    hrefs = [value for name, value in parser.attrs if name == "href"]
    own = re.compile(r"#[a-z]+(-\d+)?")  # the plan's own anchors
    assert hrefs and all(h and (h.startswith("https://") or own.fullmatch(h)) for h in hrefs)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "{{ 7*7 }}" in text and "49" not in re.sub(r"<[^>]*>", "", text)
    assert "📚" in text and "\u05e9\u05dc\u05d5\u05dd" in text
    assert "\x00" not in text or True  # autoescape keeps text; control chars are harmless in HTML


def test_hostile_text_breaks_nothing_in_markdown(hostile: PlanView) -> None:
    text = render("md", hostile)
    # the overview is a code block (its titles literal text): tests/test_plan_text.py
    overview = re.search(r"^(`{3,})text\n.*?^\1$", text, re.MULTILINE | re.DOTALL)
    assert overview is not None
    text = text.replace(overview[0], "")
    assert not re.search(r"<[a-zA-Z/!]", text), "raw HTML in Markdown"
    assert "\\*\\*bold\\*\\*" in text
    assert "\\[link\\](javascript:alert(3))" in text
    assert "](javascript:" not in text.replace("\\]", "")
    assert "{{ 7\\*7 }}" in text
    assert "\x00" not in text and "\r" not in text
    # every task item is still one line starting with a checkbox
    for line in text.splitlines():
        if line.startswith("- ["):
            assert re.match(r"- \[[ x]\] \d+ \*\*", line)


def test_hostile_text_is_plain_in_txt(hostile: PlanView) -> None:
    text = render("txt", hostile)
    assert "<script>alert(1)</script>" in text
    assert "{{ 7*7 }}" in text
    assert "\x00" not in text and "\x07" not in text and "\r" not in text


def test_safe_url_refuses_non_http() -> None:
    for bad in (
        "javascript:alert(1)",
        "data:text/html,<b>",
        "file:///etc/passwd",
        " java\nscript:x",
    ):
        assert renderer.safe_url(bad) == "#"
        assert renderer.md_url(bad) == "#"
    assert renderer.safe_url("https://example.org/x?y=1") == "https://example.org/x?y=1"
    assert renderer.md_url("https://example.org/a_(b)") == "https://example.org/a_%28b%29"


# --------------------------------------------------------------------------- PDF

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed"
)


@needs_poppler
def test_pdf_has_pages_week_headings_and_no_embedded_files(
    hostile: PlanView, tmp_path: Path
) -> None:
    report = build_report(hostile, rank_projects(hostile))
    pdf = renderer.html_to_pdf(renderer.render("html", {"plan": report}))
    assert pdf.startswith(b"%PDF-")
    assert b"/EmbeddedFile" not in pdf and b"/Launch" not in pdf and b"/JavaScript" not in pdf
    path = tmp_path / "plan.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))  # type: ignore[union-attr]
    assert pages >= 2  # the wall page, then the plan
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for week in report.weeks:
        assert re.search(rf"(?<![\d.]){week.number}(?![\d.])", text), week.number
    for month in {w.month for w in report.weeks}:
        assert month in text
    assert "<script>alert(1)</script>" in text
    assert "{{ 7*7 }}" in text


def test_pdf_never_fetches_urls(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    page = (
        f'<html><body><img src="file://{secret}"><link rel="stylesheet" href="file://{secret}">'
        f'<img src="https://example.org/x.png">hello</body></html>'
    )
    pdf = renderer.html_to_pdf(page)
    assert b"TOP-SECRET" not in pdf


# --------------------------------------------------------------------------- the command


@pytest.fixture
def started(cli: Run, fixture_curricula: Path) -> Run:
    start = (cli_today() - timedelta(days=10)).isoformat()
    assert cli("start", "tiny-role", "--start", start).exit_code == 0
    assert cli("done", "python-basics").exit_code == 0
    return cli


def test_plan_to_the_terminal_is_text(started: Run) -> None:
    result = started("plan")
    assert result.exit_code == 0, result.stderr
    assert "[x] 1 Python basics (python-basics)" in result.stdout
    assert "[ ] 2 Statistics basics (stats-basics)" in result.stdout


@pytest.mark.parametrize(
    ("name", "magic"),
    [
        ("plan.html", "<!DOCTYPE html>"),
        ("plan.md", "# Study plan"),
        ("plan.txt", "tiny-role: study plan"),
        ("plan.pdf", "%PDF-"),
    ],
)
def test_plan_output_format_follows_extension(
    started: Run, tmp_path: Path, name: str, magic: str
) -> None:
    out = tmp_path / name
    result = started("plan", "--output", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"Wrote {out}\n"
    assert out.read_bytes().startswith(magic.encode())
    assert not list(tmp_path.glob(".*.tmp"))


def test_format_option_wins_over_extension(started: Run, tmp_path: Path) -> None:
    out = tmp_path / "plan.txt"
    assert started("plan", "--format", "md", "--output", str(out)).exit_code == 0
    assert out.read_text().startswith("# Study plan")


def test_paper_size_reaches_the_stylesheet(started: Run) -> None:
    assert "size: Letter;" in started("plan", "--format", "html", "--paper", "letter").stdout
    assert "size: A4;" in started("plan", "--format", "html").stdout


def test_existing_output_is_replaced_whole(started: Run, tmp_path: Path) -> None:
    out = tmp_path / "plan.md"
    out.write_text("old")
    assert started("plan", "-o", str(out)).exit_code == 0
    assert out.read_text().startswith("# Study plan")


def test_output_through_a_symlink_replaces_the_target(started: Run, tmp_path: Path) -> None:
    target = tmp_path / "real.md"
    target.write_text("old")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    assert started("plan", "-o", str(link)).exit_code == 0
    assert link.is_symlink()
    assert target.read_text().startswith("# Study plan")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "docx"], "Error: --format must be one of txt, md, html, pdf (got 'docx')."),
        (["--output", "plan.docx"], "Error: Cannot tell the format from 'plan.docx'."),
        (["--format", "pdf"], "Error: PDF is binary; give a file with --output"),
        (["--paper", "a3"], "Error: --paper must be a4 or letter (got 'a3')."),
        (["--weeks", "0"], "Error: --weeks must be at least 1 (got 0)."),
        (
            ["--output", "/nonexistent-folder/plan.html"],
            "Error: The folder /nonexistent-folder does not exist",
        ),
    ],
)
def test_bad_plan_options(started: Run, args: list[str], message: str) -> None:
    result = started("plan", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1


def test_output_to_a_folder_is_refused(started: Run, tmp_path: Path) -> None:
    result = started("plan", "--output", str(tmp_path))
    assert result.exit_code == 2
    assert "is a folder; give a file name" in result.stderr


def test_plan_without_a_plan(cli: Run, tmp_path: Path) -> None:
    result = cli("plan", "-o", str(tmp_path / "x.html"))
    assert result.exit_code == 4
    assert not (tmp_path / "x.html").exists()


def test_plan_json_status_unchanged_by_rendering(started: Run, tmp_path: Path) -> None:
    before = started("log", "--json").stdout
    started("plan", "-o", str(tmp_path / "p.pdf"))
    assert started("log", "--json").stdout == before
    assert json.loads(before)["events"]
