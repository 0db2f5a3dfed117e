"""Recording progress: done, undo, skip and note on milestones, study time, and time off.

Each command reads the plan, checks every rule, then writes its events in one
transaction; a command that fails writes nothing. Entries are never deleted: study time
and time off are withdrawn by a ``retracted`` event naming them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from planner import rules
from planner.errors import Conflict, NotFound, UsageError
from planner.history import Activity, TimeOff
from planner.store import active_plan, existing_db, plan_id, plan_info, utcnow
from planner.view import PlanView, checked_view, merge_roles, view_of

if TYPE_CHECKING:
    from sqlmodel import Session

    from planner.db import Database
    from planner.history import StudyEntry
    from planner.queries import MilestoneState
    from planner.tracker import Plan
    from planner.view import PlanInfo


@dataclass(frozen=True)
class Change:
    """What one command did to one milestone (or to the plan's time off)."""

    milestone_id: str
    title: str
    # done, undone, skipped, unskipped, noted, already-done, already-skipped, studied,
    # unstudied (a study entry withdrawn), away, back (time off withdrawn)
    action: str
    on: date | None = None
    hours: float | None = None
    until: date | None = None


def _check_note(note: str | None) -> str | None:
    if note is None:
        return None
    note = note.strip()
    if not note:
        msg = "The note is empty; write some text."
        raise UsageError(msg)
    if len(note) > rules.MAX_NOTE_CHARS:
        msg = f"The note is {len(note):,} characters; the limit is {rules.MAX_NOTE_CHARS:,}."
        raise UsageError(msg)
    return note


def _plan_info(database: Database, plan_name: str | None) -> PlanInfo:
    """The active plan's settings and curricula, read in a transaction of its own."""
    with database.read() as session:
        return plan_info(session, active_plan(session, plan_name))


def _read(session: Session, plan: Plan) -> tuple[dict[str, MilestoneState], Activity]:
    from planner import tracker

    pid = plan_id(plan)
    return (
        tracker.milestone_states(session=session, plan_id=pid),
        tracker.plan_activity(session=session, plan_id=pid),
    )


def record(
    *,
    db: str | None,
    plan_name: str | None,
    action: str,
    queries: list[str],
    today: date,
    note: str | None = None,
    hours: float | None = None,
    on: date | None = None,
) -> tuple[list[Change], PlanView]:
    """done / undo / skip / note for one or more milestones, in one transaction.

    ``hours`` (done): the total hours the milestone took, > 0 and at most 1000, and not
    less than the study time already recorded on it. ``undo`` takes back, in turn, done
    or skipped, then the latest study entry. Every id is resolved and every rule checked
    before anything is written; a command that fails writes nothing.
    """
    from planner import tracker

    note = _check_note(note)
    if hours is not None and not 0 < hours <= rules.MAX_SPENT_HOURS:
        msg = f"--hours must be more than 0 and at most 1000 (got {hours:g})."
        raise UsageError(msg)

    database = existing_db(db)
    info = _plan_info(database, plan_name)
    curriculum = merge_roles(list(info.curricula))
    ids = [m.id for m in curriculum.milestones]
    titles = {m.id: m.title for m in curriculum.milestones}
    chosen = list(dict.fromkeys(rules.match_milestone(q, ids, info.name) for q in queries))
    if action == "done":
        what = "--on" if on is not None else "today"
        rules.check_work_day(on or today, start=info.start, today=today, what=what)

    now = utcnow()
    changes: list[Change] = []
    with database.write() as session:
        plan = active_plan(session, info.name)
        states, activity = _read(session, plan)
        writes: list[tuple[str, str, int | None]] = []  # (milestone, kind, retracted id)
        for mid in chosen:
            state = states.get(mid)
            kind = state.kind if state else None
            if action == "done":
                if kind == "done":
                    assert state is not None
                    changes.append(
                        Change(mid, titles[mid], "already-done", state.on_date or state.at.date())
                    )
                    continue
                studied = activity.studied_on(mid)
                study_days = [e.day for e in activity.studied if e.milestone_id == mid]
                if study_days and (on or today) < max(study_days):
                    msg = (
                        f"'{mid}' has study time recorded on {max(study_days)}, after "
                        f"{on or today}; give --on {max(study_days)} or later."
                    )
                    raise UsageError(msg)
                if hours is not None and round(hours * 60) < round(studied * 60):
                    msg = (
                        f"{studied:g} h of study are already recorded on '{mid}'; --hours is "
                        f"the total time it took, so at least {studied:g}. Leave --hours out "
                        "to use the recorded time."
                    )
                    raise UsageError(msg)
                writes.append((mid, "done", None))
                changes.append(Change(mid, titles[mid], "done", on or today, hours or studied))
            elif action == "undo":
                if kind == "done":
                    writes.append((mid, "undone", None))
                    changes.append(Change(mid, titles[mid], "undone"))
                elif kind == "skipped":
                    writes.append((mid, "unskipped", None))
                    changes.append(Change(mid, titles[mid], "unskipped"))
                elif entries := [e for e in activity.studied if e.milestone_id == mid]:
                    latest = max(entries, key=lambda e: e.id or 0)
                    writes.append((mid, "retracted", latest.id))
                    changes.append(Change(mid, titles[mid], "unstudied", latest.day, latest.hours))
                else:
                    msg = (
                        f"'{mid}' is neither done nor skipped and has no study time; "
                        "there is nothing to undo."
                    )
                    raise UsageError(msg)
            elif action == "skip":
                if kind == "done":
                    msg = f"'{mid}' is done; run `planner undo {mid}` first to skip it instead."
                    raise UsageError(msg)
                if kind == "skipped":
                    changes.append(Change(mid, titles[mid], "already-skipped"))
                    continue
                writes.append((mid, "skipped", None))
                changes.append(Change(mid, titles[mid], "skipped"))
            elif action == "note":
                writes.append((mid, "note", None))
                changes.append(Change(mid, titles[mid], "noted"))
            else:  # pragma: no cover - the CLI only passes the four actions
                msg = f"unknown action {action!r}"
                raise ValueError(msg)
        for mid, kind, ref in writes:
            tracker.record_event(
                session=session,
                plan_id=plan_id(plan),
                milestone_id=mid,
                kind=kind,
                at=now,
                on_date=(on or today) if kind == "done" else None,
                hours=hours if kind == "done" else None,
                note=note if kind != "retracted" else None,
                ref_id=ref,
            )
        tracker.touch_plan(session=session, plan=plan, at=now)
        states, activity = _read(session, plan)
    return changes, view_of(info, states, today, activity)


def study(
    *,
    db: str | None,
    plan_name: str | None,
    query: str,
    duration: str,
    today: date,
    on: date | None = None,
    note: str | None = None,
) -> tuple[Change, PlanView, list[str]]:
    """Record time spent on a milestone without finishing it.

    duration: text like ``2``, ``1.5h``, ``90m`` or ``1h30m`` (a minute to 24 hours);
    on: the day studied (default today; not before the plan's start, not in the future).
    Raises UsageError (bad duration or day, a day over 24 hours, a milestone done,
    skipped or known), UnknownMilestone. Returns the change, the plan after it and
    warnings (more study than the estimate: it earns at most ``EARNED_CAP`` until done).
    """
    from planner import tracker
    from planner.scheduler import EARNED_CAP

    hours = rules.parse_duration(duration)
    note = _check_note(note)
    day = on or today
    database = existing_db(db)
    info = _plan_info(database, plan_name)
    curriculum = merge_roles(list(info.curricula))
    milestone = curriculum.by_id[
        rules.match_milestone(query, [m.id for m in curriculum.milestones], info.name)
    ]
    mid = milestone.id
    rules.check_work_day(day, start=info.start, today=today, what="--on" if on else "today")

    now = utcnow()
    warnings: list[str] = []
    with database.write() as session:
        plan = active_plan(session, info.name)
        states, activity = _read(session, plan)
        view = view_of(info, states, today, activity)
        state = view.state_of(mid)
        if state == "done":
            msg = (
                f"'{mid}' is done; study time goes on milestones you are still working on. "
                f"To change the time it took, `planner undo {mid}` then "
                f"`planner done {mid} --hours H`."
            )
            raise UsageError(msg)
        if state in ("skipped", "known"):
            why = "skipped" if state == "skipped" else "skipped as known (--know)"
            msg = f"'{mid}' is {why}; put it back in the plan with `planner undo {mid}` first."
            if state == "known":
                msg = f"'{mid}' is {why}, so it is not in the plan; nothing to record."
            raise UsageError(msg)
        that_day = sum(e.hours for e in activity.studied if e.day == day)
        if round((that_day + hours) * 60) > round(rules.MAX_ENTRY_HOURS * 60):
            msg = (
                f"{that_day:g} h of study are already recorded on {day}; {hours:g} h more "
                f"would make more than {rules.MAX_ENTRY_HOURS:g} h in one day."
            )
            raise UsageError(msg)
        total = activity.studied_on(mid) + hours
        if total > milestone.hours:
            cap = round(milestone.hours * 60) * EARNED_CAP[0] // EARNED_CAP[1] / 60
            warnings.append(
                f"{total:g} h are now recorded on '{mid}', more than its {milestone.hours:g} h "
                f"estimate; it earns {cap:g} h until you mark it done with `planner done {mid}`."
            )
        tracker.record_event(
            session=session,
            plan_id=plan_id(plan),
            milestone_id=mid,
            kind="studied",
            at=now,
            on_date=day,
            hours=hours,
            note=note,
        )
        tracker.touch_plan(session=session, plan=plan, at=now)
        states, activity = _read(session, plan)
    change = Change(mid, milestone.title, "studied", day, hours)
    return change, view_of(info, states, today, activity), warnings


def away(
    *,
    db: str | None,
    plan_name: str | None,
    first: date,
    last: date,
    today: date,
    hours: float = 0.0,
    note: str | None = None,
) -> tuple[Change, PlanView, PlanView, list[str]]:
    """Record time off from ``first`` to ``last`` (inclusive): no study, or ``hours`` a
    week (>= 0, fewer than the plan's). The plan is scheduled around it.

    Raises UsageError (dates the wrong way round, before the plan, too far ahead; hours
    out of range; a whole plan covered), Conflict (overlaps other time off). Returns the
    change, the plan before and after, and warnings.
    """
    from planner import tracker

    note = _check_note(note)
    database = existing_db(db)
    info = _plan_info(database, plan_name)
    rules.check_time_off(
        first,
        last,
        start=info.start,
        today=today,
        hours=hours,
        hours_per_week=info.hours_per_week,
    )
    now = utcnow()
    with database.write() as session:
        plan = active_plan(session, info.name)
        states, activity = _read(session, plan)
        before = view_of(info, states, today, activity)
        for other in activity.time_off:
            if other.first <= last and first <= other.last:
                msg = (
                    f"Time off from {first} to {last} overlaps your time off from {other.first} "
                    f"to {other.last}; take that back first with "
                    f"`planner undo --away {other.first}`, or choose other days."
                )
                raise Conflict(msg)
        s = before.schedule
        if hours == 0 and first <= info.start and last >= s.planned_finish and s.order:
            msg = (
                f"Time off from {first} to {last} covers the whole plan ({info.start} to "
                f"{s.planned_finish}); start the plan later instead "
                "(`planner start ROLE --start DATE`), or give --hours you can still study."
            )
            raise UsageError(msg)
        planned = Activity(
            activity.studied,
            tuple(
                sorted(
                    (*activity.time_off, TimeOff(None, first, last, hours, note)),
                    key=lambda t: t.first,
                )
            ),
            activity.notes,
        )
        after, warnings = checked_view(info, states, today, planned)  # raises before writing
        tracker.record_event(
            session=session,
            plan_id=plan_id(plan),
            milestone_id="",
            kind="away",
            at=now,
            on_date=first,
            until_date=last,
            hours=hours,
            note=note,
        )
        tracker.touch_plan(session=session, plan=plan, at=now)
        states, activity = _read(session, plan)
    after = view_of(info, states, today, activity)
    return Change("", "", "away", first, hours, last), before, after, warnings


def back(
    *, db: str | None, plan_name: str | None, day: date, today: date
) -> tuple[Change, PlanView]:
    """Withdraw the time off that includes ``day``. Raises NotFound when none does."""
    from planner import tracker

    database = existing_db(db)
    info = _plan_info(database, plan_name)
    now = utcnow()
    with database.write() as session:
        plan = active_plan(session, info.name)
        states, activity = _read(session, plan)
        found = [t for t in activity.time_off if t.first <= day <= t.last]
        if not found:
            listed = ", ".join(f"{t.first} to {t.last}" for t in activity.time_off)
            msg = f"No time off includes {day}" + (
                f"; you have: {listed}." if listed else "; you have none recorded."
            )
            raise NotFound(msg)
        entry = found[0]
        tracker.record_event(
            session=session,
            plan_id=plan_id(plan),
            milestone_id="",
            kind="retracted",
            at=now,
            ref_id=entry.id,
        )
        tracker.touch_plan(session=session, plan=plan, at=now)
        states, activity = _read(session, plan)
    change = Change("", "", "back", entry.first, entry.hours_per_week, entry.last)
    return change, view_of(info, states, today, activity)


def _activity(db: str | None, plan_name: str | None) -> tuple[str, Activity]:
    from planner import tracker

    database = existing_db(db)
    with database.read() as session:
        plan = active_plan(session, plan_name)
        return plan.name, tracker.plan_activity(session=session, plan_id=plan_id(plan))


def time_off(*, db: str | None, plan_name: str | None) -> tuple[str, tuple[TimeOff, ...]]:
    """The plan's name and its standing time off, earliest first."""
    name, activity = _activity(db, plan_name)
    return name, activity.time_off


def study_entries(*, db: str | None, plan_name: str | None) -> tuple[str, tuple[StudyEntry, ...]]:
    """The plan's name and its standing study entries, by day."""
    name, activity = _activity(db, plan_name)
    return name, activity.studied
