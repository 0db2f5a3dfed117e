"""The words of a printed week: what an item's line says after its title, a week's hours,
and its time off. Pure; no user text but the time off's note, kept as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import date

    from planner.history import TimeOff
    from planner.scheduler import Slot, Week
    from planner.view import PlanView


@dataclass(frozen=True)
class TimeOffLine:
    """Time off within one week: ``text`` ("Time off: no study", "Away 3 days") and the
    learner's note (user text)."""

    text: str
    note: str | None = None


def hours_text(hours: float) -> str:
    """Hours to a hundredth, without trailing zeros: 8, 1.5, 6.86."""
    return f"{hours:.2f}".rstrip("0").rstrip(".")


def tenths(hours: float) -> str:
    """Hours to a tenth, without a trailing zero: 8, 1.1, 5.1."""
    return f"{hours:.1f}".removesuffix(".0")


def hours_spent(view: PlanView, milestone_id: str) -> float | None:
    """Hours a done milestone really took, when known: given on ``done --hours`` or
    recorded as study (else the schedule assumes its estimate)."""
    state = view.states.get(milestone_id)
    known = (state is not None and state.hours) or milestone_id in view.schedule.hours_studied
    return view.schedule.hours_spent.get(milestone_id) if known else None


def item_meta(
    slot: Slot, estimate: float, done_on: date | None, spent: float | None, *, optional: bool
) -> str:
    """What the item line says after the milestone's id; no user text."""
    parts: list[str] = []
    if not slot.recorded:
        part = f"{hours_text(slot.hours)} h"
        if slot.continued or slot.continues:
            part += f" of {hours_text(estimate)} h"
        parts.append(part)
        if slot.continues:
            parts.append("continues")
        elif slot.continued:
            parts.append("continued")
    elif not slot.done:
        parts.append(f"studied {hours_text(slot.hours)} h")
    else:
        minutes = round(slot.hours * 60)
        if spent is None:
            parts.append(f"done {done_on}" if done_on else "done")
            if minutes:
                parts.append(f"{hours_text(slot.hours)} h")
        else:
            if minutes and minutes != round(spent * 60):
                parts.append(f"studied {hours_text(slot.hours)} h")
            parts.append(f"done {done_on}" if done_on else "done")
            parts.append(f"took {hours_text(spent)} h of {hours_text(estimate)} h estimated")
    if optional:
        parts.append("optional")
    return ", ".join(parts)


def week_hours(recorded: float, planned: float) -> str:
    if recorded and planned:
        return f"{hours_text(recorded)} h so far, {hours_text(planned)} h planned"
    return f"{hours_text(recorded + planned)} h"


def time_off_lines(week: Week, time_off: tuple[TimeOff, ...]) -> tuple[TimeOffLine, ...]:
    """The time off within ``week``: "Time off: no study" (or "Time off: 4 h/week") for
    a whole week, "Away 3 days" (or "Time off on 3 days: 4 h/week") for part of one."""
    lines = []
    for t in time_off:
        days = (min(t.last, week.end) - max(t.first, week.start)).days + 1
        if days <= 0:
            continue
        what = "no study" if not t.hours_per_week else f"{hours_text(t.hours_per_week)} h/week"
        if days >= 7:
            text = f"Time off: {what}"
        else:
            span = f"{days} day{'' if days == 1 else 's'}"
            text = f"Away {span}" if not t.hours_per_week else f"Time off on {span}: {what}"
        lines.append(TimeOffLine(text, " ".join((t.note or "").split()) or None))
    return tuple(lines)
