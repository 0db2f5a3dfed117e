"""The real AI Architect plan printed by headless Chromium at A4 and Letter."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from planner import renderer
from planner.curriculum import load_role
from planner.history import Activity, StudyEntry, TimeOff
from planner.projects import rank_projects
from planner.queries import MilestoneState
from planner.report import build_report
from planner.view import PlanInfo, build_view

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None or shutil.which("pdftotext") is None,
        reason="needs Chromium and poppler-utils (apt-get install chromium poppler-utils)",
    ),
]
PAGE_POINTS = {"A4": (595.3, 841.9), "Letter": (612.0, 792.0)}
MOST_PAGES = {"A4": 18, "Letter": 19}  # as WeasyPrint's (tests/test_printed_plan.py)


def ai_architect_html(paper: str) -> tuple[str, list[int], list[str], list[str]]:
    info = PlanInfo(
        name="ai-architect",
        roles=("ai-architect",),
        hours_per_week=8,
        start=date(2026, 9, 7),
        known_skills=(),
        industry="Healthcare",
        created_at=datetime(2026, 9, 7, tzinfo=UTC),
        curriculum_versions={},
        curricula=(load_role("ai-architect"),),
    )
    done = {"python-programming": date(2026, 9, 12), "linear-algebra": date(2026, 9, 30)}
    states = {
        mid: MilestoneState(
            kind="done", on_date=day, at=datetime(2026, 10, 1, tzinfo=UTC), hours=None
        )
        for mid, day in done.items()
    }
    activity = Activity(
        studied=(
            StudyEntry(1, "data-structures-algorithms", date(2026, 10, 6), 3.0),
            StudyEntry(2, "data-structures-algorithms", date(2026, 11, 20), 2.5),
        ),
        time_off=(TimeOff(3, date(2026, 12, 20), date(2027, 1, 3), 0.0, "holidays"),),
    )
    view = build_view(info, states, date(2026, 11, 27), activity)
    report = build_report(view, rank_projects(view), paper=paper)
    assert any(w.time_off for w in report.weeks) and any(
        i.recorded and not i.done for w in report.weeks for i in w.items
    )
    texts = [
        t
        for m in report.milestones
        for t in (m.id, m.title, *([m.done_when] if m.state != "done" else []))
    ]
    # time off is a few words in a narrow table cell: read back word by word
    texts += [word for w in report.weeks for t in w.time_off for word in t.text.split()]
    weeks = [w.number for w in report.weeks]
    months = sorted({w.month for w in report.weeks})
    return renderer.render("html", {"plan": report}), weeks, months, texts


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_chromium_prints_every_week_within_the_page(tmp_path: Path, paper: str) -> None:
    html, weeks, months, texts = ai_architect_html(paper)
    page = tmp_path / "plan.html"
    page.write_text(html, encoding="utf-8")
    pdf = tmp_path / "plan.pdf"
    result = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            "--enable-logging=stderr",
            "--v=0",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    console = [
        line for line in result.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line
    ]
    assert console == [], console
    info = subprocess.run(
        ["pdfinfo", "-l", "2", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    sizes = re.findall(r"Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+)", info)
    (_, wall_w, wall_h), (_, width_s, height_s) = sizes[:2]
    width, height = float(width_s), float(height_s)
    expected = PAGE_POINTS[paper]
    # the wall view is the same paper turned sideways; the rest is upright
    assert abs(float(wall_w) - expected[1]) < 3 and abs(float(wall_h) - expected[0]) < 3, info
    assert abs(width - expected[0]) < 3 and abs(height - expected[1]) < 3, info
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    assert pages <= MOST_PAGES[paper], pages
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for number in weeks:
        assert re.search(rf"(?<![\d.]){number}(?![\d.])", text), f"week {number} is missing"
    for month in months:
        assert month in text, month
    for page in range(1, pages + 1):  # numbered, as WeasyPrint numbers them
        assert re.search(rf"\b{page} / {pages}\b", text), f"no page number {page} / {pages}"
    # Nothing is clipped: every title, id and outcome is on the page in full (Chromium drops
    # whatever overflows the page box, so missing text is what overflowed).
    # (pdftotext joins a word broken at a hyphen at the end of a line without it)
    # and the footer of a page stands between the two halves of a text it breaks
    body = re.sub(r"(?m)^(Study plan: .* printed \d{4}-\d\d-\d\d|\d+ / \d+)$", "", text)
    flat = re.sub(r"[\s-]+", "", body)
    missing = [t for t in texts if re.sub(r"[\s-]+", "", t) not in flat]
    assert missing == [], missing[:5]
    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages_boxes = re.findall(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', boxes, re.S)
    assert len(pages_boxes) == pages
    for page_width, words in pages_boxes:
        right_edges = [float(x) for x in re.findall(r'xMax="([\d.]+)"', words)]
        assert right_edges and max(right_edges) <= float(page_width)
