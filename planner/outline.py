"""Each milestone described once: the blocks of the printed plan.

``milestone_blocks`` is pure: a PlanView and its spans in, one MilestoneBlock per span
(the weeks it runs, its hours, where the learner stands on it, why, done when, effort,
resources with a short form of each link for paper, the learner's notes, and a box per
planned week to tick).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from planner.timeline import DONE, STARTED
from planner.weektext import hours_text

if TYPE_CHECKING:
    from planner.timeline import Span
    from planner.view import PlanView

SHORT_URL = 44  # characters of a link printed on paper


@dataclass(frozen=True)
class Resource:
    title: str
    url: str
    kind: str
    short: str = ""  # "ocw.mit.edu/courses/6-006-introduction-to-algo…"


@dataclass(frozen=True)
class NoteLine:
    """One of the learner's notes (user text) and the day it was kept or studied."""

    day: date
    text: str
    hours: float | None = None  # a study entry's hours, for a note kept with study time


@dataclass(frozen=True)
class MilestoneBlock:
    """One milestone as printed once. weeks: its 1-based plan weeks, first..last;
    ticks: (week, planned hours) of each week still planned, for a box to tick."""

    number: int
    id: str
    title: str
    first_week: int
    last_week: int
    start: date
    end: date
    hours: float
    state: str
    status: str  # "done 20 Sep 2026, took 30 h", "6 of 34 h studied", ""
    roles: tuple[str, ...]  # role titles, in a multi-role plan only
    optional: bool
    summary: str
    done_when: str
    effort: str | None
    min_weeks: int
    compute: str | None
    resources: tuple[Resource, ...]
    notes: tuple[NoteLine, ...]
    ticks: tuple[tuple[int, float], ...]

    @property
    def weeks_text(self) -> str:
        """ "Week 7" or "Weeks 7-10" (an en dash)."""
        if self.first_week == self.last_week:
            return f"Week {self.first_week}"
        return f"Weeks {self.first_week}\u2013{self.last_week}"

    @property
    def dates_text(self) -> str:
        """ "2026-10-13 to 2026-11-09": the first day of its first week to the last day
        of its last."""
        return f"{self.start} to {self.end}"


def short_url(url: str, size: int = SHORT_URL) -> str:
    """A link as printed on paper: no scheme, no ``www.``, no query or fragment, no
    trailing slash, cut with an ellipsis past ``size`` characters; "" for anything but
    http(s)."""
    scheme, _, rest = url.strip().partition("://")
    if scheme.lower() not in ("http", "https") or not rest:
        return ""
    text = rest.split("#", 1)[0].split("?", 1)[0].removeprefix("www.").rstrip("/")
    return text if len(text) <= size else text[: size - 1] + "\u2026"


def milestone_blocks(view: PlanView, rows: tuple[Span, ...]) -> tuple[MilestoneBlock, ...]:
    """One block per span, in the spans' order (O(slots + notes))."""
    s = view.schedule
    by_id = view.curriculum.by_id
    multi = len(view.curriculum.roles) > 1
    role_titles = {r.id: r.title for r in view.curriculum.roles}
    ticks: dict[str, list[tuple[int, float]]] = {}
    for week in s.weeks:
        for slot in week.slots:
            if not slot.recorded:
                ticks.setdefault(slot.milestone_id, []).append((week.number, slot.hours))
    notes: dict[str, list[NoteLine]] = {}
    for n in view.activity.notes:
        notes.setdefault(n.milestone_id, []).append(NoteLine(n.at.date(), n.text))
    for e in view.activity.studied:
        if e.note and e.note.strip():
            notes.setdefault(e.milestone_id, []).append(NoteLine(e.day, e.note, e.hours))
    blocks = []
    for span in rows:
        m = by_id[span.id]
        start = s.start + timedelta(days=7 * (span.first_week - 1))
        end = s.start + timedelta(days=7 * span.last_week - 1)
        blocks.append(
            MilestoneBlock(
                number=span.number,
                id=m.id,
                title=m.title,
                first_week=span.first_week,
                last_week=span.last_week,
                start=start,
                end=end,
                hours=m.hours,
                state=span.state,
                status=_status(view, span),
                roles=tuple(role_titles[r] for r in span.roles if r in role_titles)
                if multi
                else (),
                optional=m.optional,
                summary=m.summary,
                done_when=m.done_when,
                effort=m.effort,
                min_weeks=m.min_weeks,
                compute=m.compute,
                resources=tuple(
                    Resource(r.title, r.url, r.kind, short_url(r.url)) for r in m.resources
                ),
                notes=tuple(sorted(notes.get(m.id, ()), key=lambda n: n.day)),
                ticks=tuple(ticks.get(m.id, ())),
            )
        )
    return tuple(blocks)


def _status(view: PlanView, span: Span) -> str:
    """Where the learner stands on the milestone; no user text."""
    s = view.schedule
    if span.state == DONE:
        day = view.done_on(span.id)
        text = f"done {day}" if day else "done"
        state = view.states.get(span.id)
        known = (state is not None and state.hours) or span.id in s.hours_studied
        spent = s.hours_spent.get(span.id) if known else None
        if spent is None:
            return text
        return f"{text}, took {hours_text(spent)} h of {hours_text(span.hours)} h estimated"
    if span.state == STARTED:
        return (
            f"{hours_text(s.hours_studied.get(span.id, 0.0))} of {hours_text(span.hours)} h studied"
        )
    return ""
