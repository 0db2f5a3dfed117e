"""The wall view: the whole plan on a landscape page, a bar a milestone, months across.

A snapshot of its SVG for a fixed plan is kept in tests/snapshots/wall.html, and drawn
to PNG on every run (the path is in the failure message) so a change can be looked at.
Properties hold for the real curricula at any pace and progress: every milestone has
one bar inside the plot, no label collides with another, nothing past a page is clipped.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner import renderer
from planner.curriculum import load_role
from planner.history import Activity, TimeOff
from planner.projects import rank_projects
from planner.queries import MilestoneState
from planner.report import build_report
from planner.timeline import spans
from planner.view import PlanInfo, PlanView, build_view
from planner.wall import CHAR, LABEL, MAX_ROWS, YEAR_W, build_wall, initials
from tests.test_render import fixed_view

SNAPSHOT = Path(__file__).parent / "snapshots" / "wall.html"


def wall_html(view: PlanView, paper: str = "A4") -> str:
    """The wall pages of the printed plan, with the plan's stylesheet, as a document."""
    report = build_report(view, rank_projects(view), paper=paper)
    page = renderer.render("html", {"plan": report})
    style = re.search(r"<style>.*?</style>", page, re.S)
    walls = re.findall(r'<section class="wall-page".*?</section>', page, re.S)
    assert style is not None and walls
    return f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">{style.group()}</head>\n<body>\n{"".join(walls)}\n</body></html>\n'


def to_png(document: str, folder: Path) -> Path:
    """``document`` printed by WeasyPrint and drawn by poppler: the first page's PNG."""
    pdf = folder / "wall.pdf"
    pdf.write_bytes(renderer.html_to_pdf(document))
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(folder / "wall")],
        check=True,
    )
    return next(folder.glob("wall*.png"))


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")
def test_wall_view_snapshot(fixture_curricula: Path, tmp_path: Path) -> None:
    """The fixed plan's wall view, as SVG in HTML; UPDATE_SNAPSHOTS=1 rewrites it."""
    document = wall_html(fixed_view())
    png = to_png(document, tmp_path)
    assert png.stat().st_size > 2000
    header = png.read_bytes()[16:24]
    width, height = int.from_bytes(header[:4], "big"), int.from_bytes(header[4:], "big")
    assert width > height, "the wall page is landscape"
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(document, encoding="utf-8")
    assert document == SNAPSHOT.read_text(encoding="utf-8"), f"the wall view changed: see {png}"


def architect_view(
    hours: float, start: date, today: date, done: int, away: int, roles: tuple[str, ...]
) -> PlanView:
    curricula = tuple(load_role(r) for r in roles)
    info = PlanInfo(
        name="wall",
        roles=roles,
        hours_per_week=hours,
        start=start,
        known_skills=(),
        industry=None,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        curriculum_versions={},
        curricula=curricula,
    )
    order = [m.id for m in curricula[0].milestones if not m.requires][:1]
    order += [m.id for m in curricula[0].milestones if m.id not in order]
    at = datetime.combine(start, datetime.min.time(), tzinfo=UTC)
    states = {
        mid: MilestoneState(kind="done", on_date=start, at=at, hours=None) for mid in order[:done]
    }
    time_off = (TimeOff(1, today + timedelta(days=10), today + timedelta(days=10 + away)),)
    return build_view(info, states, today, Activity(time_off=time_off if away else ()))


views = st.builds(
    architect_view,
    hours=st.sampled_from([2, 5, 8, 12.5, 20, 40]),
    start=st.dates(date(2025, 1, 1), date(2027, 12, 31)),
    today=st.dates(date(2025, 1, 1), date(2028, 6, 30)),
    done=st.integers(0, 3),
    away=st.integers(0, 60),
    roles=st.sampled_from([("ai-architect",), ("lead-ml-engineer",)]),
).filter(lambda v: v is not None)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(view=views, paper=st.sampled_from(["A4", "Letter"]))
def test_every_milestone_has_one_bar_in_the_plot_and_labels_never_collide(
    view: PlanView, paper: str
) -> None:
    rows = spans(view)
    wall = build_wall(view, rows, paper)
    bars = [b for page in wall.pages for b in page.bars]
    assert [b.number for b in bars] == [r.number for r in rows] == list(range(1, len(rows) + 1))
    for page in wall.pages:
        assert len(page.bars) <= MAX_ROWS
        for b in page.bars:
            assert wall.plot_left <= b.x and b.x + b.width <= wall.plot_right + 0.01
            assert 0 <= b.fill <= b.width + 0.01
            assert wall.top <= b.y and b.y + b.height <= page.plot_bottom + 0.01
            room = LABEL - 7 - (len(b.tags) * wall.font * CHAR if b.tags else 0)
            assert len(b.title) * wall.font * CHAR <= room + wall.font, b.title
        flags = sorted(page.flags, key=lambda f: (f.y, f.x))
        for a, b in zip(flags, flags[1:], strict=False):
            if a.y == b.y:
                assert _extent(a)[1] <= _extent(b)[0], (a, b)
    label_w = 3 * wall.font * CHAR
    for a, b in zip(wall.months, wall.months[1:], strict=False):
        assert b.x - a.x >= label_w, (a, b)
    for a, b in zip(wall.years, wall.years[1:], strict=False):
        assert b.x - a.x >= YEAR_W, (a, b)  # bold digits, wider than CHAR
    assert all(wall.plot_left <= t.x <= wall.plot_right for t in (*wall.months, *wall.years))


def _extent(flag: object) -> tuple[float, float]:
    text_w = len(flag.label) * 2.5 * CHAR  # type: ignore[attr-defined]
    x, anchor = flag.x, flag.anchor  # type: ignore[attr-defined]
    left = x - text_w if anchor == "end" else x if anchor == "start" else x - text_w / 2
    return left, left + text_w


def test_a_plan_longer_than_a_page_continues_and_loses_no_row() -> None:
    view = architect_view(
        8, date(2026, 11, 30), date(2026, 11, 30), 0, 0, ("ai-architect", "lead-ml-engineer")
    )
    rows = spans(view)
    assert len(rows) > MAX_ROWS
    wall = build_wall(view, rows)
    assert len(wall.pages) == 2 and [p.continued for p in wall.pages] == [False, True]
    assert abs(len(wall.pages[0].bars) - len(wall.pages[1].bars)) <= 1  # shared out evenly
    assert [b.number for p in wall.pages for b in p.bars] == [r.number for r in rows]
    # both roles: each bar carries the roles' initials, and the key says what they mean
    assert dict(wall.role_key) == {"AA": "AI Architect", "LMLE": "Lead Machine Learning Engineer"}
    assert {b.tags for p in wall.pages for b in p.bars} == {"AA", "LMLE", "AA LMLE"}
    page = renderer.render("html", {"plan": build_report(view, [])})
    assert page.count('<section class="wall-page"') == 2
    assert "timeline, continued" in page


def test_a_three_milestone_plan_keeps_its_bars_a_readable_size(fixture_curricula: Path) -> None:
    view = fixed_view()
    wall = build_wall(view, spans(view))
    (page,) = wall.pages
    assert 3 <= len(page.bars) <= 5
    assert all(b.height == 6.0 for b in page.bars)  # capped, not stretched over the page


def test_a_plan_starting_in_december_names_the_new_year_not_both() -> None:
    """Found by looking: "2026" over the last days of December ran into "2027"."""
    view = architect_view(8, date(2026, 12, 1), date(2026, 12, 1), 0, 0, ("ai-architect",))
    wall = build_wall(view, spans(view))
    assert [t.label for t in wall.years][:2] == ["2027", "2028"]


def test_initials_are_distinct() -> None:
    assert initials(["AI Architect", "Applied Analyst", "AI Architect"]) == ["AA", "AA2", "AA3"]
    assert initials(["", "-"]) == ["R", "R2"]


def test_the_timeline_states(fixture_curricula: Path) -> None:
    view = fixed_view()
    rows = spans(view)
    states = {r.id: r.state for r in rows}
    assert states["python-basics"] == "done"
    assert "started" in states.values()
    wall = build_wall(view, rows)
    done = next(b for b in wall.pages[0].bars if b.state == "done")
    started = next(b for b in wall.pages[0].bars if b.state == "started")
    assert done.fill == done.width
    assert 0 < started.fill < started.width


def test_every_january_of_a_long_plan_is_labelled_with_its_year() -> None:
    # 14 years on the axis: the part year 2026 (October to December) is too narrow for
    # its label and the next January's; the January keeps its year, or the reader would
    # take that January for 2026's.
    view = architect_view(
        2, date(2026, 10, 12), date(2026, 10, 12), 0, 0, ("ai-architect", "lead-ml-engineer")
    )
    wall = build_wall(view, spans(view))
    labels = [t.label for t in wall.years]
    end_year = view.schedule.planned_finish.year
    # every year to the end, but the last when its January is too near the right edge
    # for its label (which would be cut off there)
    assert labels == [str(y) for y in range(2027, 2027 + len(labels))], labels
    assert len(labels) >= end_year - 2027
    assert all(t.x + YEAR_W <= wall.plot_right for t in wall.years)
    januaries = [t.x for t in wall.grid if t.strong]
    assert [t.x for t in wall.years] == januaries[: len(labels)]


def test_a_plan_that_starts_later_has_no_this_week() -> None:
    # today is months before the start: no week of the plan is this week, on paper
    # (the week grid, the jump link) or in the text overview
    view = architect_view(8, date(2027, 3, 1), date(2026, 10, 12), 0, 0, ("ai-architect",))
    report = build_report(view, [])
    assert report.current_week == 0
    assert not [w.number for w in report.weeks if w.current]
    bars = report.overview[5:]
    assert bars and not [line for line in bars if "|" in line[27:]], bars[:3]
    page = renderer.render("html", {"plan": report})
    assert "this week" not in page.split('class="weeks-row"', 1)[1].split("</section>")[0]
    assert "Jump to this week" not in page


def test_the_chart_of_a_plan_that_starts_later_marks_its_start_not_today() -> None:
    """Found by trying a plan started ahead of time: the chart said "today" at its start."""
    later = architect_view(8, date(2027, 3, 1), date(2026, 10, 12), 0, 0, ("ai-architect",))
    assert build_report(later, []).chart.today_label.text == "starts 1 Mar 2027"
    now = architect_view(8, date(2027, 3, 1), date(2027, 3, 1), 0, 0, ("ai-architect",))
    assert build_report(now, []).chart.today_label.text == "today"
