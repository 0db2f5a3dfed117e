"""The rules user input must meet, in one place: hours, notes, names, dates, and how a
typed skill or milestone id is matched. Pure functions; errors say what to do."""

from __future__ import annotations

import functools
import re
from datetime import date
from typing import TYPE_CHECKING

from planner.errors import AmbiguousMilestone, UnknownMilestone, UnknownSkill, UsageError

if TYPE_CHECKING:
    from planner.plain import Skill

MAX_HOURS_PER_WEEK = 80.0
MIN_HOURS_PER_WEEK = 0.25  # 15 minutes: the schedule counts whole minutes
MAX_NOTE_CHARS = 10_000
MAX_NAME_CHARS = 100

# Dates: one rule for every date a command takes or derives (--start, --on, plain `done`
# today, imported plans and events, --finish-by).
MAX_YEARS_BACK = 10  # a plan starts at most 10 years before today ...
MAX_YEARS_AHEAD = 5  # ... and at most 5 years after it
MAX_PLAN_YEARS = 100  # its schedule ends at most 100 years after its start
WARN_YEARS_BACK = 1  # warn for a start more than a year back,
WARN_PLAN_YEARS = 5  # a plan longer than 5 years,
WARN_HOURS_PER_WEEK = 2.0  # and fewer than 2 hours a week


def _words(text: str) -> list[str]:
    """``Python-Fundamentals`` -> ``["python", "fundamentals"]``."""
    return [w for w in re.split(r"[^0-9a-z]+", text.casefold()) if w]


@functools.lru_cache(maxsize=4096)
def _same_word(typed: str, known: str) -> bool:
    """A word of the query names a word of a choice: the same, the start of it (``stat``
    of ``statistics``), or a slip of the keys away (``pyton``; two in a word of eight
    letters or more: ``algortihms``)."""
    if typed == known or (len(typed) >= 3 and known.startswith(typed)):
        return True
    allowed = 2 if min(len(typed), len(known)) >= 8 else 1
    return (
        min(len(typed), len(known)) >= 4
        and abs(len(typed) - len(known)) <= allowed
        and _slips(typed, known) <= allowed
    )


def _slips(a: str, b: str) -> int:
    """How many characters to drop, add, change or swap with the next to make ``a`` into
    ``b`` (optimal string alignment distance)."""
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        earlier, before, row = before, row, [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(before[j] + 1, row[j - 1] + 1, before[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], earlier[j - 2] + 1)
    return row[-1]


def _alike(a: str, b: str) -> bool:
    """Spelt much alike: difflib's ratio is 0.5 or more (its cheap bounds checked first)."""
    import difflib

    matcher = difflib.SequenceMatcher(None, a, b)
    return (
        matcher.real_quick_ratio() >= 0.5
        and matcher.quick_ratio() >= 0.5
        and matcher.ratio() >= 0.5
    )


def closest(name: str, choices: list[str]) -> str | None:
    """The choice ``name`` most likely meant, or None; never ``name`` itself.

    Choices that start with what was typed come first; then those sharing the most of its
    words (``-`` and spaces split words; the first word counts twice, as ids are named
    from the general to the particular: ``python-fundamentals`` means
    ``python-programming``, not ``neural-network-fundamentals``); then the one the fewest
    slips of the keys away (``uspervised`` is ``supervised``, not ``unsupervised``). A
    choice sharing no word must be spelt much like it (difflib ratio 0.5 or more).
    """
    import difflib

    typed = name.casefold().strip()
    words = _words(name)
    if not typed:
        return None
    ranked: list[tuple[tuple[bool, int], str]] = []
    others = [choice for choice in dict.fromkeys(choices) if choice != name]
    for choice in others:
        theirs = _words(choice)
        shared = sum(1 for w in words if any(_same_word(w, t) for t in theirs))
        if words and theirs and _same_word(words[0], theirs[0]):
            shared += 1
        prefix = choice.casefold().startswith(typed)
        if prefix or shared:
            ranked.append(((prefix, shared), choice))
    if not ranked:  # nothing shares a word: only a choice spelt much alike
        ranked = [((False, 0), c) for c in others if _alike(typed, c.casefold())]
    if not ranked:
        return None
    top = max(rank for rank, _ in ranked)
    tied = [choice for rank, choice in ranked if rank == top]

    def nearest(choice: str) -> tuple[int, float]:
        spelt = choice.casefold()
        return (_slips(typed, spelt), -difflib.SequenceMatcher(None, typed, spelt).ratio())

    return min(tied, key=nearest)  # the first of equals


def suggestion(name: str, choices: list[str]) -> str:
    """`` Did you mean 'x'?`` for the choice ``name`` most likely meant, else ``""``."""
    close = closest(name, choices)
    return f" Did you mean '{close}'?" if close is not None else ""


def check_hours_per_week(value: float, what: str = "--hours-per-week") -> float:
    """hours: float, 0.25 to 80 (a week has whole minutes); raises UsageError."""
    if not MIN_HOURS_PER_WEEK <= value <= MAX_HOURS_PER_WEEK:
        msg = (
            f"{what} must be from {MIN_HOURS_PER_WEEK:g} (15 minutes) to "
            f"{MAX_HOURS_PER_WEEK:g} (got {value:g})."
        )
        raise UsageError(msg)
    return value


def resolve_skills(queries: list[str], skills: dict[str, Skill]) -> list[str]:
    """Skill ids for ``--know``: an id, a name (any case), or a word of exactly one id."""
    names = {s.name.casefold(): s.id for s in skills.values()}
    found = []
    for query in queries:
        if query in skills:
            found.append(query)
            continue
        if query.casefold() in names:
            found.append(names[query.casefold()])
            continue
        words = [sid for sid in skills if query.casefold() in sid.split("-")]
        if len(words) == 1:
            found.append(words[0])
            continue
        hint = suggestion(query, list(skills))
        if len(words) > 1:
            hint = f" It could be {', '.join(words)}."
        msg = (
            f"Unknown skill '{query}' in --know.{hint} Skill ids are listed by "
            "`planner curricula show ROLE`."
        )
        raise UnknownSkill(msg)
    return list(dict.fromkeys(found))


def match_milestone(query: str, plan_ids: list[str], plan_name: str) -> str:
    """Exact id, else a unique prefix, else an error with a suggestion."""
    if query in plan_ids:
        return query
    matches = [mid for mid in plan_ids if mid.startswith(query)] if query else []
    if len(matches) == 1:
        return matches[0]
    if matches:
        shown = ", ".join(matches[:6]) + (", ..." if len(matches) > 6 else "")
        msg = f"'{query}' matches several milestones ({shown}). Type more of the id."
        raise AmbiguousMilestone(msg)
    msg = (
        f"No milestone '{query}' in plan '{plan_name}'.{suggestion(query, plan_ids)} "
        "See `planner status` or `planner curricula show ROLE`."
    )
    raise UnknownMilestone(msg)


def normal_name(text: str) -> str:
    """A name as it is stored and compared: Unicode NFC, so that a name typed with
    composed characters (``é``) and one typed with combining marks (``e`` + U+0301) are
    one name, as they look the same."""
    import unicodedata

    return unicodedata.normalize("NFC", text)


def check_plan_name(name: str) -> str:
    """The rule for plan names (``start --name``, ``import --as``, imported plans): 1 to
    100 printable characters, no leading or trailing spaces. Returns the name in NFC
    (``normal_name``), as it is stored. Raises ValueError saying so."""
    name = normal_name(name)
    if (
        not name
        or name != name.strip()
        or len(name) > MAX_NAME_CHARS
        or any(ord(ch) < 32 or ord(ch) == 127 for ch in name)
    ):
        msg = (
            f"must be 1 to {MAX_NAME_CHARS} printable characters without leading or trailing spaces"
        )
        raise ValueError(msg)
    return name


def _years(day: date, years: int) -> date:
    """``day`` moved by whole years (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def start_bounds(today: date) -> tuple[date, date]:
    """The earliest and latest start a plan may have, seen from ``today``."""
    return _years(today, -MAX_YEARS_BACK), _years(today, MAX_YEARS_AHEAD)


def check_start(start: date, today: date, what: str = "--start") -> list[str]:
    """start: the first day of week 1. Raises UsageError outside 10 years back to 5
    years ahead of ``today``; returns warnings (a start more than a year back)."""
    low, high = start_bounds(today)
    if not low <= start <= high:
        msg = (
            f"{what} {start.isoformat()} is out of range: a plan starts between {low} "
            f"({MAX_YEARS_BACK} years ago) and {high} ({MAX_YEARS_AHEAD} years ahead)."
        )
        raise UsageError(msg)
    if start < _years(today, -WARN_YEARS_BACK):
        return [
            f"{what} {start.isoformat()} is more than a year ago; the plan expects every "
            "week since then, so it will start far behind. Mark what you did with "
            "`planner done ID --on DATE`."
        ]
    return []


def check_plan_length(start: date, finish: date, hours_per_week: float) -> list[str]:
    """A schedule from ``start`` to ``finish`` (its last day). Raises UsageError past 100
    years (a typo such as 0.01 h/week, not a plan); returns warnings for more than 5
    years or under 2 hours a week."""
    warnings = []
    if finish > _years(start, MAX_PLAN_YEARS):
        years = (finish - start).days / 365.25
        msg = (
            f"At {hours_per_week:g} h/week the plan would take {years:,.0f} years (to "
            f"{finish.isoformat()}); a plan may run at most {MAX_PLAN_YEARS} years. "
            "Give more --hours-per-week."
        )
        raise UsageError(msg)
    if finish > _years(start, WARN_PLAN_YEARS):
        years = (finish - start).days / 365.25
        warnings.append(
            f"The plan runs {years:.1f} years (to {finish.isoformat()}); more hours a week "
            "or fewer roles would make it shorter."
        )
    if hours_per_week < WARN_HOURS_PER_WEEK:
        warnings.append(
            f"{hours_per_week:g} h/week is under {WARN_HOURS_PER_WEEK:g} h: most milestones "
            "will take months each."
        )
    return warnings


def check_work_day(day: date, *, start: date, today: date, what: str) -> date:
    """A day work was done (``--on``, or today for plain ``done`` with ``what="today"``,
    or an imported event): not in the future and not before the plan's start. Raises
    UsageError saying what to do.
    """
    subject = f"Today ({day.isoformat()})" if what == "today" else f"{what} {day.isoformat()}"
    if day > today:
        msg = f"{subject} is in the future; give the day the work was done."
        raise UsageError(msg)
    if day < start:
        msg = (
            f"{subject} is before the plan starts ({start.isoformat()}); "
            "work before the start cannot be recorded. Start the plan earlier with "
            "`planner start ... --start DATE`, or leave the milestone out with `planner skip ID`"
            " (or `--know SKILL` when starting)."
        )
        raise UsageError(msg)
    return day


def check_finish_by(finish_by: date, today: date, start: date) -> date:
    """A target finish day: after today and within the longest plan allowed."""
    if finish_by <= today:
        msg = f"--finish-by {finish_by} is not in the future; give a later date."
        raise UsageError(msg)
    last = _years(start, MAX_PLAN_YEARS)
    if finish_by > last:
        msg = f"--finish-by {finish_by} is after {last}, the latest a plan may run to."
        raise UsageError(msg)
    return finish_by


MAX_ENTRY_HOURS = 24.0  # hours of study one day can hold (one entry, or all of a day's)
MAX_SPENT_HOURS = 1000.0  # --hours on done: the total a milestone took
_DURATION = re.compile(
    r"(?:(?P<h>\d*\.?\d+)\s*h(?:ours?|rs?)?)?\s*"
    r"(?:(?P<m>\d*\.?\d+)\s*(?:m(?:in(?:utes?|s)?)?)?)?",
    re.IGNORECASE | re.ASCII,
)


def parse_duration(text: str, what: str = "DURATION") -> float:
    """A duration as people type it -> hours (float, > 0, at most ``MAX_ENTRY_HOURS``).

    ``2`` and ``1.5`` are hours; ``1.5h``, ``90m``, ``1h30m``, ``1h 30m``, ``45min``.
    Minutes after hours must be under 60. Raises UsageError saying what was wrong.
    """
    value = text.strip()
    example = "like 2, 1.5h, 90m or 1h30m"
    hours: float
    plain = value.isascii() and value.replace(".", "", 1).isdigit()
    if plain:
        hours = float(value)
    else:
        match = _DURATION.fullmatch(value) if value.isascii() else None
        # a number alone is hours; after hours ("1h30") it is minutes
        if match is not None and match["m"] and not match["h"] and not re.search("m", value, re.I):
            match = None
        if not value or match is None or not (match["h"] or match["m"]):
            msg = f"{what} must be a duration {example} (got '{text}')."
            raise UsageError(msg)
        minutes = float(match["m"] or 0)
        if match["h"] and minutes >= 60:
            msg = f"{what} '{text}' has {minutes:g} minutes after the hours; write {example}."
            raise UsageError(msg)
        hours = float(match["h"] or 0) + minutes / 60
    if not 0 < round(hours * 60):
        msg = f"{what} must be at least a minute (got '{text}')."
        raise UsageError(msg)
    if hours > MAX_ENTRY_HOURS:
        msg = (
            f"{what} '{text}' is more than {MAX_ENTRY_HOURS:g} hours; one entry is one "
            "day's study, so record each day on its own with --on DATE."
        )
        raise UsageError(msg)
    return round(hours * 60) / 60


def check_time_off(
    first: date, last: date, *, start: date, today: date, hours: float, hours_per_week: float
) -> None:
    """Time off from ``first`` to ``last`` (inclusive) at ``hours`` a week: it ends on or
    after it starts and after the plan's start, at most MAX_YEARS_AHEAD ahead, and its
    hours are fewer than the plan's. Raises UsageError saying what to do."""
    if last < first:
        msg = f"The time off ends ({last}) before it starts ({first}); give FROM then TO."
        raise UsageError(msg)
    if last < start:
        msg = (
            f"The time off ends ({last}) before the plan starts ({start}); nothing to plan around."
        )
        raise UsageError(msg)
    latest = _years(today, MAX_YEARS_AHEAD)
    if last > latest:
        msg = f"The time off ends on {last}, more than {MAX_YEARS_AHEAD} years from today."
        raise UsageError(msg)
    if not 0 <= hours < hours_per_week:
        msg = (
            f"--hours is the hours a week you can study while away: at least 0 and fewer than "
            f"the plan's {hours_per_week:g} (got {hours:g})."
        )
        raise UsageError(msg)
