"""The earned-value chart of a printed plan: planned, earned and projected hours by week.

``build_chart`` is pure: a PlanView in, a Chart (numbers and fixed labels only, never
user text) out; ``templates/_chart.svg.j2`` draws it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from planner.view import PlanView


@dataclass(frozen=True)
class Chart:
    """An SVG chart of planned against actual cumulative hours; numbers only."""

    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    planned: str  # polyline points
    actual: str
    projected: str
    today_x: float
    y_max: float
    x_ticks: tuple[tuple[float, str], ...]
    y_ticks: tuple[tuple[float, str], ...]


def build_chart(view: PlanView) -> Chart:
    """Earned value against the plan, by week: planned (``planned_at`` each week's
    start), actual (earned at each past week's end, then today) and projected (from
    today's earned value to the projected finish)."""
    s = view.schedule
    start = s.start
    total = s.hours_total

    def week_x(day: date) -> float:
        """Weeks from the start to the beginning of ``day``."""
        return (day - start).days / 7

    finish_x = max(week_x(s.planned_finish), week_x(s.projected_finish)) + 1 / 7
    n_weeks = max(len(s.weeks), s.current_week, -int(-finish_x // 1), 1)
    width, height, left, top, right, bottom = 640, 220, 48, 12, 12, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    y_max = max(total, 1.0)

    def x(week: float) -> float:
        return round(left + plot_w * min(max(week, 0.0), float(n_weeks)) / n_weeks, 1)

    def y(hours: float) -> float:
        return round(top + plot_h * (1 - min(max(hours, 0.0), y_max) / y_max), 1)

    def points(values: list[tuple[float, float]]) -> str:
        return " ".join(f"{x(w)},{y(h)}" for w, h in values)

    planned = [(float(w), s.planned_at(start + timedelta(days=7 * w))) for w in range(n_weeks + 1)]
    today = week_x(view.today)
    by_week = s.earned_by_week or (s.hours_earned,)
    actual = [(0.0, 0.0)]
    actual += [(float(w), hours) for w, hours in enumerate(by_week[:-1], start=1)]
    actual.append((max(today, 0.0), by_week[-1]))
    projected = [actual[-1]]
    if not s.finished and s.hours_earned < total:
        projected.append((week_x(s.projected_finish) + 1 / 7, total))
    step = max(1, round(n_weeks / 8))
    x_ticks = tuple((x(w), str(w)) for w in range(0, n_weeks + 1, step))
    y_step = max(1.0, round(y_max / 4 / 10) * 10)
    y_ticks = tuple((y(h), f"{h:g}") for h in _frange(0.0, y_max, y_step))
    return Chart(
        width=width,
        height=height,
        left=left,
        top=top,
        plot_width=plot_w,
        plot_height=plot_h,
        planned=points(planned),
        actual=points(actual),
        projected=points(projected),
        today_x=x(today),
        y_max=y_max,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
    )


def _frange(start: float, stop: float, step: float) -> list[float]:
    values, value = [], start
    while value <= stop + 1e-9:
        values.append(value)
        value += step
    return values
