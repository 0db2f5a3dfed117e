"""The printed plan's history: recorded work in the week it happened, time off, and the
earned-value chart (planned, actual and projected lines)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from planner import renderer
from planner.curriculum import load_role
from planner.history import Activity, StudyEntry, TimeOff
from planner.projects import rank_projects
from planner.queries import MilestoneState
from planner.report import Chart, Report, ReportWeek, build_report
from planner.view import PlanInfo, PlanView, build_view
from tests.conftest import Run
from tests.conftest import today as cli_today

START = date(2026, 1, 5)  # a Monday
TODAY = date(2026, 1, 28)  # Wednesday of week 4

pytestmark = pytest.mark.usefixtures("fixture_curricula")


def view_of(
    studied: tuple[tuple[str, date, float], ...] = (),
    time_off: tuple[TimeOff, ...] = (),
    done: Mapping[str, tuple[date, float | None]] | None = None,
    today: date = TODAY,
) -> PlanView:
    info = PlanInfo(
        name="Ada",
        roles=("tiny-role",),
        hours_per_week=8,
        start=START,
        known_skills=(),
        industry=None,
        created_at=datetime(2026, 1, 5, tzinfo=UTC),
        curriculum_versions={},
        curricula=(load_role("tiny-role"),),
    )
    states = {
        mid: MilestoneState(
            kind="done", on_date=day, at=datetime.combine(day, datetime.min.time(), UTC), hours=h
        )
        for mid, (day, h) in (done or {}).items()
    }
    entries = tuple(
        StudyEntry(n, mid, day, hours) for n, (mid, day, hours) in enumerate(studied, start=1)
    )
    return build_view(info, states, today, Activity(entries, time_off))


def report_of(view: PlanView, **options: object) -> Report:
    return build_report(view, rank_projects(view), **options)  # type: ignore[arg-type]


def week(report: Report, number: int) -> ReportWeek:
    (found,) = [w for w in report.weeks if w.number == number]
    return found


def week_text(text: str, number: int) -> str:
    """The lines of one week in the text plan."""
    match = re.search(
        rf"^Week {number}:.*?(?=^Week \d+:|^Skipped|^== Portfolio)", text, re.M | re.S
    )
    assert match, f"no week {number}"
    return match.group()


def polyline(points: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in (p.split(",") for p in points.split())]


def value_at(chart: Chart, y: float) -> float:
    """Hours for an SVG y coordinate."""
    return (chart.top + chart.plot_height - y) / chart.plot_height * chart.y_max


def x_of(chart: Chart, weeks: float) -> float:
    n_weeks = int(chart.x_ticks[-1][1])  # a tick every week on these short plans
    return round(chart.left + chart.plot_width * weeks / n_weeks, 1)


# --------------------------------------------------------------------------- recorded work


def test_study_lands_in_the_week_it_happened() -> None:
    view = view_of(
        studied=(
            ("python-basics", date(2026, 1, 6), 2.0),  # week 1
            ("python-basics", date(2026, 1, 15), 1.5),  # week 2
            ("python-basics", date(2026, 1, 16), 1.0),  # week 2 again: one line, 2.5 h
        )
    )
    report = report_of(view)
    one, two, three = (week(report, n) for n in (1, 2, 3))
    assert [(i.id, i.hours, i.recorded, i.done) for i in one.items] == [
        ("python-basics", 2.0, True, False)
    ]
    assert [(i.id, i.hours, i.recorded) for i in two.items] == [("python-basics", 2.5, True)]
    assert three.items == () and three.past
    assert (one.recorded_hours, two.recorded_hours) == (2.0, 2.5)
    text = renderer.render("txt", {"plan": report})
    assert "[ ] 1 Python basics (python-basics), studied 2 h\n" in week_text(text, 1)
    assert "[ ] 1 Python basics (python-basics), studied 2.5 h\n" in week_text(text, 2)
    assert "nothing recorded" in week_text(text, 3)
    assert "Week 1: 2026-01-05 to 2026-01-11 (2 h)" in text
    markdown = renderer.render("md", {"plan": report})
    assert markdown.count("studied 2 h") == 1 and markdown.count("studied 2.5 h") == 1
    page = renderer.render("html", {"plan": report})  # the week grid: "·1 2 h", studied
    assert page.count(">\u00b71 2 h<") == 1 and page.count(">\u00b71 2.5 h<") == 1


def test_done_says_what_it_took_against_the_estimate() -> None:
    view = view_of(
        studied=(("stats-basics", date(2026, 1, 13), 3.0),),
        done={
            "python-basics": (date(2026, 1, 8), 7.5),  # given with done --hours
            "stats-basics": (date(2026, 1, 21), 11.0),  # 3 h studied before, 8 h this week
        },
    )
    text = renderer.render("txt", {"plan": report_of(view)}, width=200)  # one line each
    assert (
        "[x] 1 Python basics (python-basics), done 2026-01-08, took 7.5 h of 6 h estimated"
        in week_text(text, 1)
    )
    assert "[ ] 2 Statistics basics (stats-basics), studied 3 h" in week_text(text, 2)
    assert (
        "[x] 2 Statistics basics (stats-basics), studied 8 h, done 2026-01-21, "
        "took 11 h of 10 h estimated" in week_text(text, 3)
    )


def test_done_without_hours_shows_its_estimate() -> None:
    view = view_of(done={"python-basics": (date(2026, 1, 8), None)})
    item = week(report_of(view), 1).items[0]
    assert item.spent is None and item.hours == 6
    assert item.meta == "done 2026-01-08, 6 h"


def test_this_week_shows_study_so_far_and_the_plan_from_today() -> None:
    view = view_of(studied=(("python-basics", date(2026, 1, 26), 2.0),))  # Monday of week 4
    current = week(report_of(view), 4)
    assert current.current
    assert [(i.recorded, i.hours) for i in current.items][0] == (True, 2.0)
    assert current.planned_hours == pytest.approx(8 * 5 / 7)  # Wednesday to Sunday
    assert current.hours_text == "2 h so far, 5.71 h planned"


def test_a_milestone_is_explained_once_where_it_is_planned() -> None:
    view = view_of(
        studied=(("python-basics", date(2026, 1, 6), 2.0),),
        done={"stats-basics": (date(2026, 1, 14), None)},
    )
    report = report_of(view)
    items = [i for w in report.weeks for i in w.items]
    assert not [i for i in items if i.recorded and i.details]
    explained = [i.id for i in items if i.details]
    assert explained == list(dict.fromkeys(i.id for i in items if not i.recorded))
    text = renderer.render("txt", {"plan": report})
    assert text.count("Done when: a script that reads a CSV") == 1  # python-basics, planned
    assert "Done when: a notebook computing a confidence interval" not in text  # done


# --------------------------------------------------------------------------- time off


HOLIDAY = TimeOff(7, date(2026, 1, 31), date(2026, 2, 15), 0.0, "Ski <trip> & *fun*")
SLOWER = TimeOff(8, date(2026, 2, 18), date(2026, 2, 24), 4.0)


def test_time_off_is_shown_in_its_weeks() -> None:
    report = report_of(view_of(time_off=(HOLIDAY, SLOWER)))
    lines = {w.number: [t.text for t in w.time_off] for w in report.weeks if w.time_off}
    assert lines == {
        4: ["Away 2 days"],  # Saturday and Sunday
        5: ["Time off: no study"],
        6: ["Time off: no study"],
        7: ["Time off on 5 days: 4 h/week"],  # Wednesday to Sunday
        8: ["Time off on 2 days: 4 h/week"],
    }
    assert week(report, 5).items == () and week(report, 5).capacity == 0
    text = renderer.render("txt", {"plan": report})
    assert "  Time off: no study (Ski <trip> & *fun*)\n" in week_text(text, 5)
    assert "no study planned" not in week_text(text, 5)
    assert "Away 2 days (Ski <trip> & *fun*)" in week_text(text, 4)


def test_time_off_notes_are_escaped() -> None:
    report = report_of(view_of(time_off=(HOLIDAY,)))
    html = renderer.render("html", {"plan": report})
    assert "Ski &lt;trip&gt; &amp; *fun*" in html and "<trip>" not in html
    assert re.search(r'<g id="week-5" class="week off', html)
    md = renderer.render("md", {"plan": report})
    assert "> Time off: no study (Ski &lt;trip&gt; &amp; \\*fun\\*)\n\n" in md


def test_no_work_is_planned_on_days_off() -> None:
    view = view_of(time_off=(HOLIDAY,))
    report = report_of(view)
    assert week(report, 4).planned_hours == pytest.approx(8 * 3 / 7)  # Wed to Fri
    assert week(report, 5).planned_hours == week(report, 6).planned_hours == 0
    assert week(report, 7).planned_hours == 8


# --------------------------------------------------------------------------- the chart


def test_the_actual_line_rises_in_the_week_of_study() -> None:
    view = view_of(
        studied=(("python-basics", date(2026, 1, 14), 3.0),),  # week 2
        done={"python-basics": (date(2026, 1, 22), None)},  # week 3
    )
    chart = report_of(view).chart
    points = polyline(chart.actual)
    values = [round(value_at(chart, y), 1) for _, y in points]
    # start, end of weeks 1, 2 and 3, then today
    assert [x for x, _ in points[:4]] == [x_of(chart, w) for w in range(4)]
    assert values == [0.0, 0.0, 3.0, 6.0, 6.0]
    assert points[-1][0] == chart.today_x


def test_the_planned_line_is_flat_through_time_off() -> None:
    view = view_of(time_off=(HOLIDAY,))
    chart = report_of(view).chart
    planned = [round(value_at(chart, y), 1) for _, y in polyline(chart.planned)]
    s = view.schedule
    assert planned[:8] == [round(s.planned_at(START + timedelta(days=7 * w)), 1) for w in range(8)]
    assert planned[:8] == [0.0, 8.0, 16.0, 24.0, 29.7, 29.7, 29.7, 36.0]  # weeks 5 and 6 off


def test_the_projected_line_runs_from_today_to_the_projected_finish() -> None:
    view = view_of(studied=(("python-basics", date(2026, 1, 6), 2.0),))
    s = view.schedule
    assert s.pace == "behind"
    chart = report_of(view).chart
    (x0, y0), (x1, y1) = polyline(chart.projected)
    assert x0 == chart.today_x and round(value_at(chart, y0), 1) == s.hours_earned
    finish_weeks = ((s.projected_finish - START).days + 1) / 7
    assert abs(x1 - x_of(chart, finish_weeks)) <= 0.1 and value_at(chart, y1) == s.hours_total


def test_a_finished_plan_has_no_projected_line() -> None:
    done = {
        mid: (date(2026, 1, 20), None)
        for mid in ("python-basics", "stats-basics", "first-model", "deploy-model")
    }
    chart = report_of(view_of(done=done)).chart
    assert len(polyline(chart.projected)) == 1


# --------------------------------------------------------------------------- the command


def test_plan_command_shows_study_and_time_off(cli: Run, fixture_curricula: Path) -> None:
    today = cli_today()
    start = today - timedelta(days=21)
    assert cli("start", "tiny-role", "--start", start.isoformat()).exit_code == 0
    first_week, second_week = start + timedelta(days=1), start + timedelta(days=8)
    assert cli("study", "python-basics", "2h", "--on", first_week.isoformat()).exit_code == 0
    assert cli("study", "python-basics", "90m", "--on", second_week.isoformat()).exit_code == 0
    away = (today + timedelta(days=7)).isoformat(), (today + timedelta(days=13)).isoformat()
    assert cli("away", *away).exit_code == 0
    result = cli("plan")
    assert result.exit_code == 0, result.stderr
    assert "studied 2 h" in week_text(result.stdout, 1)
    assert "studied 1.5 h" in week_text(result.stdout, 2)
    assert "3.5 of 36 h earned" in result.stdout
    assert "Time off: no study" in week_text(result.stdout, 5)  # today + 7 days starts week 5
