"""The earned-value chart on real plans: its geometry (properties over start days, weekly
hours, progress and time off), its labels, and the picture WeasyPrint draws of it."""

from __future__ import annotations

import itertools
import math
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from planner import renderer
from planner.chart import Chart, Text, build_chart
from planner.curriculum import load_role
from planner.history import Activity, StudyEntry, TimeOff
from planner.projects import rank_projects
from planner.queries import MilestoneState
from planner.report import build_report
from planner.view import PlanInfo, PlanView, build_view, pace_text
from tests.test_render import fixed_view

pytestmark = pytest.mark.usefixtures("fixture_curricula")  # tiny-role, beside the real roles
SVG = "{http://www.w3.org/2000/svg}"
START = date(2026, 9, 7)  # a Monday


def plan_view(
    role: str = "ai-architect",
    hours_per_week: float = 8,
    start: date = START,
    today: date = START,
    done: dict[str, date] | None = None,
    studied: tuple[tuple[str, date, float], ...] = (),
    time_off: tuple[tuple[date, date, float], ...] = (),
) -> PlanView:
    info = PlanInfo(
        name="chart",
        roles=(role,),
        hours_per_week=hours_per_week,
        start=start,
        known_skills=(),
        industry=None,
        created_at=datetime.combine(start, datetime.min.time(), UTC),
        curriculum_versions={},
        curricula=(load_role(role),),
    )
    states = {
        mid: MilestoneState(
            kind="done", on_date=day, at=datetime.combine(day, datetime.min.time(), UTC), hours=None
        )
        for mid, day in (done or {}).items()
    }
    entries = tuple(StudyEntry(n, *entry) for n, entry in enumerate(studied, start=1))
    off = tuple(TimeOff(100 + n, *t) for n, t in enumerate(time_off))
    return build_view(info, states, today, Activity(entries, off))


def svg_of(view: PlanView) -> str:
    report = build_report(view, rank_projects(view))
    return renderer.environment().get_template("_chart.svg.j2").render(plan=report)


def box(text: Text) -> tuple[float, float, float, float]:
    """The text's extent, estimated at 0.6 em a character."""
    width = len(text.text) * text.size * 0.6
    left = text.x - {"start": 0.0, "middle": width / 2, "end": width}[text.anchor]
    return (left, text.y - 0.75 * text.size, left + width, text.y + 0.25 * text.size)


def overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def points(text: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in (p.split(",") for p in text.split())]


def area(polygon: list[tuple[float, float]]) -> float:
    """Signed area in SVG coordinates (y down): positive when drawn clockwise on the page."""
    return sum(
        x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(polygon + polygon[:1])
    )


def texts(chart: Chart) -> list[Text]:
    found = [*chart.x_labels, *chart.y_labels, chart.today_label]
    found += [f.label for f in chart.finishes] + [k.label for k in chart.legend]
    return found + ([chart.gap_label] if chart.gap_label else [])


def y_of(chart: Chart, hours: float) -> float:
    return round(chart.top + chart.plot_height * (1 - min(hours, chart.y_max) / chart.y_max), 1)


def check_chart(view: PlanView) -> Chart:
    """Every property a chart keeps on any plan; returns it for more."""
    s = view.schedule
    chart = build_chart(view)
    # numbers: finite, inside the viewBox
    coordinates = [
        xy for line in (chart.planned, chart.actual, chart.projected) for xy in points(line)
    ]
    coordinates += points(chart.gap) + points(chart.today_marker)
    lines = [*chart.grid, *chart.marks, chart.today]
    lines += [f.pole for f in chart.finishes] + [k.sample for k in chart.legend]
    coordinates += [xy for ln in lines for xy in ((ln.x1, ln.y1), (ln.x2, ln.y2))]
    for t in texts(chart):
        left, top, right, bottom = box(t)
        coordinates += [(left, top), (right, bottom)]
    for x, y in coordinates:
        assert math.isfinite(x) and math.isfinite(y)
        assert 0 <= x <= chart.width and 0 <= y <= chart.height, (x, y, chart)
    # the x labels, left to right, apart
    labels = [box(t) for t in chart.x_labels]
    assert labels, "an x axis without a date"
    assert all(a[2] <= b[0] for a, b in itertools.pairwise(labels)), chart.x_labels
    assert re.search(r"\b\d{4}$", chart.x_labels[0].text), "the first label has its year"
    # finish labels apart, and no pole through another's label
    for one, other in itertools.permutations(chart.finishes, 2):
        assert not overlap(box(one.label), box(other.label)), chart.finishes
        if other.pole.y2 >= one.label.y:
            assert not box(one.label)[0] <= other.pole.x1 <= box(one.label)[2], chart.finishes
    days = {s.planned_finish, s.projected_finish}
    assert len(chart.finishes) == len(days)
    for day in days:
        written = f"{day.day} {day:%b} {day.year}"
        found = [f for f in chart.finishes if re.search(rf"(^| ){written}(,|$)", f.label.text)]
        assert len(found) == 1, (written, chart.finishes)
    # the gap: shaded iff behind (and below the plan) or ahead, on the pace's side
    behind = s.pace == "behind" and s.hours_behind > 0
    gap = points(chart.gap)
    assert bool(gap) == (behind or s.pace == "ahead"), (s.pace, s.hours_behind, chart.gap)
    if gap:
        assert area(gap) * (1 if behind else -1) >= 0
        edge = {y for x, y in gap if x == chart.today_x}
        assert {y_of(chart, s.hours_planned_to_date), y_of(chart, s.hours_earned)} <= edge
        opened_today = all(x == chart.today_x for x, _ in gap)  # by work done today: a line
        if abs(s.hours_behind) / chart.y_max * chart.plot_height > 1 and not opened_today:
            assert area(gap) != 0
    if s.pace in ("behind", "ahead"):
        assert chart.gap_label is not None and chart.gap_label.text == pace_text(s)
    else:
        assert chart.gap_label is None
    # today: a line apart from the y axis, its label in the plot
    assert chart.today_x - chart.axis_x >= 5
    left, top, right, bottom = box(chart.today_label)
    plot = (chart.left, chart.top, chart.left + chart.plot_width, chart.top + chart.plot_height)
    assert plot[0] <= left and right <= plot[2] and plot[1] <= top and bottom <= plot[3]
    if chart.gap_label:
        left, top, right, bottom = box(chart.gap_label)
        assert plot[0] <= left and right <= plot[2] and plot[1] <= top and bottom <= plot[3]
    # the SVG is XML with its titles and legend
    root = ET.fromstring(svg_of(view))  # noqa: S314 (our own output)
    drawn = {t.text for t in root.iter(f"{SVG}text")}
    assert {"hours earned, cumulative", "plan", "earned", chart.today_label.text} <= drawn
    started = view.today >= view.schedule.start
    assert (chart.today_label.text == "today") == started, chart.today_label.text
    return chart


# --------------------------------------------------------------------------- properties


@st.composite
def plans(draw: st.DrawFn) -> dict[str, object]:
    """plan_view's arguments: a plan of 1 to about 900 weeks, seen from before its start
    to five years on, with milestones done, study and time off."""
    role = draw(st.sampled_from(["tiny-role", "ai-architect"]))
    hours = draw(st.integers(2, 80)) / 2
    start = date(2024, 1, 1) + timedelta(days=draw(st.integers(0, 3 * 365)))
    today = start + timedelta(days=draw(st.integers(-20, 5 * 365)))
    ids = [m.id for m in load_role(role).milestones]
    past = max((today - start).days, 0)

    def day() -> date:
        return start + timedelta(days=draw(st.integers(-5, past)))

    done = {mid: day() for mid in draw(st.lists(st.sampled_from(ids), max_size=12, unique=True))}
    studied = tuple(
        (mid, day(), draw(st.integers(1, 40)) / 4)
        for mid in draw(st.lists(st.sampled_from(ids), max_size=8))
    )
    time_off = []
    first = start + timedelta(days=draw(st.integers(-10, 400)))
    for _ in range(draw(st.integers(0, 2))):
        last = first + timedelta(days=draw(st.integers(0, 40)))
        time_off.append((first, last, draw(st.sampled_from([0.0, hours / 2]))))
        first = last + timedelta(days=draw(st.integers(1, 200)))
    return {
        "role": role,
        "hours_per_week": hours,
        "start": start,
        "today": today,
        "done": done,
        "studied": studied,
        "time_off": tuple(time_off),
    }


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(plan=plans())
def test_every_chart_keeps_its_geometry(plan: dict[str, Any]) -> None:
    view = plan_view(**plan)
    check_chart(view)
    s = view.schedule
    event(s.pace if s.pace != "behind" or s.hours_behind > 0 else "behind, not by hours")
    weeks = (max(s.planned_finish, s.projected_finish) - s.start).days / 7
    event(next(f"up to {n} weeks" for n in (4, 13, 52, 208, 2000) if weeks <= n))


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(weeks=st.integers(3, 220), start=st.dates(date(2024, 1, 1), date(2030, 12, 31)))
def test_month_labels_never_overlap_from_three_weeks_to_four_years(weeks: int, start: date) -> None:
    """A fresh ai-architect plan paced to take about ``weeks`` weeks."""
    view = plan_view(hours_per_week=math.ceil(955 / weeks), start=start, today=start)
    chart = check_chart(view)
    assert len(chart.x_labels) >= 2, chart.x_labels


# --------------------------------------------------------------------------- the three plans


def test_a_fresh_plan_marks_today_off_the_axis_and_one_finish() -> None:
    view = plan_view()
    chart = check_chart(view)
    assert chart.today_x == chart.left and chart.today_x - chart.axis_x >= 6
    triangle = points(chart.today_marker)
    assert min(y for _, y in triangle) > chart.axis_y  # under the axis, pointing at it
    assert {x for x, _ in triangle} == {chart.today_x - 4, chart.today_x, chart.today_x + 4}
    assert box(chart.today_label)[0] > chart.axis_x
    assert chart.gap == "" and chart.gap_label is None
    assert [k.label.text for k in chart.legend] == ["plan", "earned", "projected"]
    (finish,) = chart.finishes
    assert finish.label.text == "planned and projected finish 20 Dec 2028"
    assert [t.text for t in chart.x_labels][:3] == ["Oct 2026", "Jan 2027", "Apr"]
    assert [t.text for t in chart.y_labels] == ["0 h", "250 h", "500 h", "750 h", "955 h"]


def test_a_plan_behind_shades_the_gap_and_says_by_how_much() -> None:
    view = fixed_view()
    assert pace_text(view.schedule) == "behind by 8.8 h"
    chart = check_chart(view)
    assert chart.gap_label is not None and chart.gap_label.text == "behind by 8.8 h"
    assert area(points(chart.gap)) > 100  # px²: a region, not a sliver
    assert [k.label.text for k in chart.legend][-1] == "gap to plan"
    assert [f.label.text for f in chart.finishes] == [
        "planned finish 29 Jan 2026",
        "projected 11 Feb 2026",
    ]
    assert [t.text for t in chart.x_labels][:3] == ["5 Jan 2026", "12 Jan", "19 Jan"]
    # the label crosses none of the lines
    label = box(chart.gap_label)
    for line in (chart.planned, chart.actual, chart.projected):
        for (x0, y0), (x1, y1) in itertools.pairwise(points(line)):
            steps = [(x0 + (x1 - x0) * i / 50, y0 + (y1 - y0) * i / 50) for i in range(51)]
            assert not any(
                label[0] <= x <= label[2] and label[1] <= y <= label[3] for x, y in steps
            )


def ahead_view() -> PlanView:
    first = plan_view(today=date(2026, 10, 20)).schedule.order[:6]
    done = {mid: date(2026, 9, 10 + n) for n, mid in enumerate(first)}
    return plan_view(today=date(2026, 10, 20), done=done)


def test_a_plan_ahead_shades_the_gap_under_the_earned_line() -> None:
    view = ahead_view()
    assert view.schedule.pace == "ahead"
    chart = check_chart(view)
    assert chart.gap_label is not None and chart.gap_label.text == pace_text(view.schedule)
    assert area(points(chart.gap)) < -100
    projected, planned = chart.finishes[1], chart.finishes[0]
    assert projected.label.text.startswith("projected ") and projected.pole.x1 < planned.pole.x1


def test_close_finishes_are_stacked() -> None:
    """Late by a little: the two labels would overlap side by side."""
    view = plan_view(hours_per_week=8, today=date(2026, 10, 5))
    s = view.schedule
    assert 0 < (s.projected_finish - s.planned_finish).days < 30, s
    chart = check_chart(view)
    one, other = chart.finishes
    assert one.label.y != other.label.y
    assert chart.height >= max(f.label.y for f in chart.finishes) + 3


def test_a_finished_plan_says_when() -> None:
    ids = [m.id for m in load_role("tiny-role").milestones]
    view = plan_view(
        "tiny-role", 12, date(2026, 1, 5), date(2026, 1, 30), dict.fromkeys(ids, date(2026, 1, 20))
    )
    assert view.schedule.finished
    chart = check_chart(view)
    assert "finished 20 Jan 2026" in [f.label.text for f in chart.finishes]
    assert "projected" not in [k.kind for k in chart.legend]


# --------------------------------------------------------------------------- the picture


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")
@pytest.mark.parametrize("name", ["fresh", "behind", "ahead"])
def test_weasyprint_draws_the_chart(name: str, tmp_path: Path) -> None:
    from PIL import Image

    view = {"fresh": plan_view, "behind": fixed_view, "ahead": ahead_view}[name]()
    page = (
        "<!DOCTYPE html><html><head><style>@page { size: 180mm 100mm; margin: 5mm }"
        'html { font-family: "DejaVu Sans" } svg { width: 100%; height: auto }</style>'
        f"</head><body>{svg_of(view)}</body></html>"
    )
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(renderer.html_to_pdf(page))
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-singlefile", pdf, tmp_path / name], check=True
    )
    png = tmp_path / f"{name}.png"
    text = subprocess.run(
        ["pdftotext", pdf, "-"], capture_output=True, text=True, check=True
    ).stdout
    wanted = [
        "hours earned, cumulative",
        "today",
        "plan",
        "earned",
        *[f.label.text for f in build_chart(view).finishes],
    ]
    if view.schedule.pace in ("behind", "ahead"):
        wanted.append(pace_text(view.schedule))
    flat = " ".join(text.split())
    assert all(w in flat for w in wanted), (png, [w for w in wanted if w not in flat])
    chart = build_chart(view)
    with Image.open(png) as image:
        grey = image.convert("L")
        dark = sum(1 for value in grey.tobytes() if value < 128)
        assert dark > 2000, f"too little drawn in {png}"
        if chart.gap:  # hatching (mid greys and light) just left of today, inside the gap
            scale = (180 - 10) / 25.4 * 80 / chart.width  # px of the PNG per viewBox unit
            margin = 5 / 25.4 * 80
            s = view.schedule
            x = margin + (chart.today_x - 4) * scale
            y = (
                margin
                + (y_of(chart, s.hours_planned_to_date) + y_of(chart, s.hours_earned)) / 2 * scale
            )
            window = grey.crop((round(x) - 3, round(y) - 3, round(x) + 3, round(y) + 3)).tobytes()
            assert min(window) < 200 and max(window) > 220, (png, list(window))
