"""A lead's view over every plan in one database (one plan per person)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from planner.view import PlanSummary

STUCK_LIMIT = 5


@dataclass(frozen=True)
class Person:
    name: str
    roles: tuple[str, ...]
    percent: float
    hours_done: float
    hours_total: float
    pace: str  # on track / behind / ahead
    hours_behind: float
    projected_finish: date
    last_activity: datetime | None  # in the zone the report was built for
    working_on: tuple[str, ...]  # ids of the milestones in front of them now


@dataclass(frozen=True)
class Stuck:
    milestone_id: str
    title: str
    people: tuple[str, ...]  # behind and working on it


@dataclass(frozen=True)
class Team:
    today: date
    people: tuple[Person, ...]
    stuck: tuple[Stuck, ...]
    paper: str
    unreadable: tuple[tuple[str, str], ...] = ()  # (plan name, why it cannot be read)


def build_team(
    summaries: list[PlanSummary], today: date, paper: str = "A4", zone: tzinfo | None = UTC
) -> Team:
    """The report over ``summaries``; times (the last activity) are shown in ``zone``,
    the reader's (None: the system's local time at each moment), which the command line
    passes in as it passes ``today``."""
    from planner.view import pace_of

    people = []
    stuck_counter: Counter[str] = Counter()
    stuck_people: dict[str, list[str]] = {}
    titles: dict[str, str] = {}
    unreadable = []
    for summary in summaries:
        view = summary.view
        if view is None:
            unreadable.append((summary.name, summary.problem or "it cannot be read"))
            continue
        s = view.schedule
        front = []
        week = s.weeks[s.current_week - 1] if s.current_week <= len(s.weeks) else None
        if week is not None:
            front = [slot.milestone_id for slot in week.slots if not slot.recorded]
        if not front and s.order:
            front = [s.order[0]]
        pace = pace_of(s)
        for mid in front[:1]:
            titles[mid] = view.curriculum.by_id[mid].title
            if pace == "behind":
                stuck_counter[mid] += 1
                stuck_people.setdefault(mid, []).append(summary.name)
        people.append(
            Person(
                name=summary.name,
                roles=summary.roles,
                percent=round(100 * s.hours_earned / s.hours_total, 1) if s.hours_total else 100.0,
                hours_done=round(s.hours_earned, 2),
                hours_total=s.hours_total,
                pace=pace,
                hours_behind=round(s.hours_behind, 1),
                projected_finish=s.projected_finish,
                last_activity=_in_zone(summary.last_activity, zone),
                working_on=tuple(front),
            )
        )
    order = sorted(stuck_counter, key=lambda mid: (-stuck_counter[mid], mid))
    stuck = tuple(
        Stuck(milestone_id=mid, title=titles[mid], people=tuple(stuck_people[mid]))
        for mid in order[:STUCK_LIMIT]
    )
    return Team(
        today=today,
        people=tuple(people),
        stuck=stuck,
        paper=paper,
        unreadable=tuple(unreadable),
    )


def _in_zone(moment: datetime | None, zone: tzinfo | None) -> datetime | None:
    return None if moment is None else moment.astimezone(zone)
