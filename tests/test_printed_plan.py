"""The printed plan as pages: the full AI Architect plan, fresh and six weeks in, written
by the real command to PDF at A4 and Letter and read back with poppler.

Each page's text lines and their boxes come from ``pdftotext -bbox-layout``. The checks
are the reader's: a landscape wall page first, numbered pages with the plan's name, pages
that are full but for the last, no heading left alone at the foot of a column, every week
and month, and every resource's link on paper.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("pdftotext") is None,
        reason="needs poppler-utils (apt-get install poppler-utils)",
    ),
]

MM = 72 / 25.4  # PDF points in a millimetre
# The full AI Architect plan (40 milestones, about 120 weeks at 8 h/week) was 36 A4 pages
# before the wall view and the week grid; these are the most it may take now.
MOST_PAGES = {"A4": 18, "Letter": 19}
FULL = 0.6  # every page but the last is at least this full
MONTH = re.compile(
    r"^(January|February|March|April|May|June|July|August|September|October|November|December)"
    r" \d{4}$"
)


@dataclass(frozen=True)
class Line:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    words: tuple[tuple[float, float, float, float, str], ...] = ()

    def find(self, phrase: str) -> Line | None:
        """The box of ``phrase`` (whole words, in order) within this line, if there."""
        wanted = phrase.split()
        for i in range(len(self.words) - len(wanted) + 1):
            run = self.words[i : i + len(wanted)]
            if [w[4] for w in run] == wanted:
                return Line(run[0][0], run[0][1], run[-1][2], run[-1][3], phrase)
        return None


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    lines: tuple[Line, ...]

    @property
    def landscape(self) -> bool:
        return self.width > self.height

    @property
    def body(self) -> tuple[Line, ...]:
        """Lines above the footer (the bottom margin holds only the footer)."""
        return tuple(line for line in self.lines if line.y0 < self.height - 12 * MM)

    @property
    def footer(self) -> str:
        return " ".join(line.text for line in self.lines if line.y0 >= self.height - 12 * MM)

    @property
    def fill(self) -> float:
        """How far down the printable area the text reaches, 0..1."""
        top, bottom = (10 * MM, 12 * MM) if self.landscape else (13 * MM, 15 * MM)
        lowest = max((line.y1 for line in self.body), default=top)
        return (lowest - top) / (self.height - top - bottom)


def read_pages(pdf: Path) -> list[Page]:
    out = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = []
    for page in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', out, re.S):
        lines = []
        for line in re.finditer(
            r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</line>',
            page.group(3),
            re.S,
        ):
            words = tuple(
                (float(a), float(b), float(c), float(d), html.unescape(w))
                for a, b, c, d, w in re.findall(
                    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                    r"(.*?)</word>",
                    line.group(5),
                    re.S,
                )
            )
            box = (float(v) for v in line.groups()[:4])
            lines.append(Line(*box, text=" ".join(w[4] for w in words), words=words))
        pages.append(Page(float(page.group(1)), float(page.group(2)), tuple(lines)))
    return pages


def planner(home: Path, today: str, *args: str) -> str:
    env = {**os.environ, "PLANNER_HOME": str(home), "PLANNER_TODAY": today, "COLUMNS": "80"}
    env.pop("PLANNER_DB", None)
    env.pop("PLANNER_PLAN", None)
    result = subprocess.run(
        [sys.executable, "-m", "planner", *args], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


PLANS = {
    # A plan started today.
    "fresh": ("2026-11-30", [["start", "ai-architect", "--hours-per-week", "8"]]),
    # Six weeks in: one milestone done (with the hours it took), study time and a note on
    # the next, a note kept on a later one, and two weeks away at the turn of the year.
    "six-weeks": (
        "2026-11-30",
        [
            ["start", "ai-architect", "--hours-per-week", "8", "--start", "2026-10-19"],
            ["done", "python-programming", "--on", "2026-11-15", "--hours", "30"],
            [
                "study",
                "data-structures-algorithms",
                "5h",
                "--on",
                "2026-11-24",
                "--note",
                "heaps & graphs <done>",
            ],
            ["note", "data-structures-algorithms", "Redo the DP problems; ask Sam"],
            ["note", "linear-algebra", "Strang lecture 29 is the SVD one"],
            ["away", "2026-12-21", "2027-01-03", "--note", "holidays"],
        ],
    ),
}


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """(plan, paper) -> the PDF ``planner plan`` wrote, and (plan, "html") -> the HTML."""
    files: dict[tuple[str, str], Path] = {}
    for name, (today, commands) in PLANS.items():
        home = tmp_path_factory.mktemp(name)
        for command in commands:
            planner(home, today, *command)
        for paper in ("A4", "Letter"):
            pdf = home / f"plan-{paper}.pdf"
            planner(home, today, "plan", "--paper", paper.lower(), "--output", str(pdf))
            files[name, paper] = pdf
        page = home / "plan.html"
        planner(home, today, "plan", "--output", str(page))
        files[name, "html"] = page
    return files


CASES = [(plan, paper) for plan in PLANS for paper in ("A4", "Letter")]


@pytest.mark.parametrize(("plan", "paper"), CASES)
def test_the_full_plan_is_a_wall_page_then_full_numbered_pages(
    printed: dict[tuple[str, str], Path], plan: str, paper: str
) -> None:
    pages = read_pages(printed[plan, paper])
    n = len(pages)
    assert n <= MOST_PAGES[paper], f"{n} pages"
    assert pages[0].landscape and not any(p.landscape for p in pages[1:])
    wall = " ".join(line.text for line in pages[0].body)
    assert "planned finish" in wall and "Capstone" in wall and "today" in wall
    for number, page in enumerate(pages, start=1):
        assert re.search(rf"\b{number} / {n}\b", page.footer), (number, page.footer)
        assert "Study plan: ai-architect" in page.footer and "printed 2026-11-30" in page.footer
    for number, page in enumerate(pages[:-1], start=1):
        assert page.fill >= FULL, f"page {number} of {n} is {page.fill:.0%} full"


def headings(html_text: str) -> list[str]:
    """The headings a page must not end with: the milestones' titles. (A row of months
    of the week grid is one picture: it never splits from its month names.)"""
    titles = re.findall(r'<h3><span class="no">(\d+)</span> ([^<]+)</h3>', html_text)
    return [f"{no} {html.unescape(title)}" for no, title in titles]


def months_of(html_text: str) -> list[str]:
    """The month names heading the week grid."""
    return re.findall(r'<text x="[\d.]+" y="4.2" font-weight="bold">([^<]+)</text>', html_text)


@pytest.mark.parametrize(("plan", "paper"), CASES)
def test_no_heading_is_left_at_the_foot_of_a_column(
    printed: dict[tuple[str, str], Path], plan: str, paper: str
) -> None:
    """A milestone's heading always has a line under it on the same page
    (keep-with-next); the week grid's rows never split, so no month needs a
    "(continued)" heading."""
    page_html = printed[plan, "html"].read_text(encoding="utf-8")
    wanted = headings(page_html)
    assert len(wanted) == 40
    seen = []
    for number, page in enumerate(read_pages(printed[plan, paper]), start=1):
        if page.landscape:
            continue
        for line in page.body:
            for heading in wanted:
                # a month caption shares its line with the captions of other columns; a
                # long milestone title wraps (its first line starts it), and its number
                # is a box of its own
                if MONTH.match(heading):
                    box = line.find(heading)
                elif any(
                    h.startswith(line.text) and len(line.text) >= min(len(h), 14)
                    for h in (heading, heading.split(" ", 1)[1])
                ):
                    box = line
                else:
                    box = None
                if box is None:
                    continue
                seen.append(heading)
                below = [
                    w
                    for other in page.body
                    for w in other.words
                    if w[1] > box.y1 - 1 and w[0] < box.x1 and w[2] > box.x0
                ]
                assert below, f"page {number}: {heading!r} ends its column"
    assert set(wanted) == set(seen), set(wanted) - set(seen)


@pytest.mark.parametrize(("plan", "paper"), CASES)
def test_every_week_month_and_link_is_on_paper(
    printed: dict[tuple[str, str], Path], plan: str, paper: str
) -> None:
    page_html = printed[plan, "html"].read_text(encoding="utf-8")
    pages = read_pages(printed[plan, paper])
    text = "\n".join(line.text for page in pages for line in page.body)
    flat = re.sub(r"\s+", "", text)
    weeks = [int(n) for n in re.findall(r'<g id="week-(\d+)"', page_html)]
    assert weeks == list(range(1, len(weeks) + 1)) and len(weeks) > 100
    future = page_html.count(">___ h</text>")
    assert text.count("___ h") == future > 90  # room to write, a week at a time
    for number in weeks:
        assert re.search(rf"(?<![\d.]){number}(?![\d.])", text), number
    months = months_of(page_html)
    assert len(months) > 24 and len(set(months)) == len(months)
    for month in months:
        assert month in text
    shorts = [
        html.unescape(s) for s in re.findall(r'<a href="https?://[^"]+">([^<]+)</a>', page_html)
    ]
    assert len(shorts) > 100
    for short in shorts:
        assert re.sub(r"\s+", "", short) in flat, short
