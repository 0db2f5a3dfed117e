"""Moving plans between databases: ``planner export json`` and ``planner import``.

An export holds plans with their whole history and the curricula they keep (see
``planner.export_format``), so an imported plan needs no curriculum file on the new
machine; version 1 files (no curricula) still import when their roles are on this
machine's curricula path. Importing checks the whole file (each plan's dates, study
entries, time off and complete schedule included) before it touches the database and
writes every plan in one transaction; it never deletes or changes what is there. Events
get new ids where they land, and a ``retracted`` event names its entry by the new id.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from planner.errors import NotFound, PlanExists, PlannerError, UsageError
from planner.export_format import (
    FORMAT,
    VERSION,
    ExportDocument,
    ExportEvent,
    ExportPlan,
    first_problem,
    format_timestamp,
    read_document,
)
from planner.history import Activity, activity_of
from planner.rules import check_plan_name
from planner.tracker import PLAN_KINDS

if TYPE_CHECKING:
    from sqlmodel import Session

    from planner.db import Database
    from planner.models import Curriculum
    from planner.queries import EventRow, MilestoneState, PlanRow, Reader
    from planner.tracker import Event, Plan


def _export_plan(
    plan: Plan | PlanRow, events: Sequence[Event | EventRow], digests: dict[str, str]
) -> ExportPlan:
    return ExportPlan.model_validate(
        {
            "name": plan.name,
            "roles": list(plan.roles),
            "curriculum_versions": dict(plan.curriculum_versions),
            "hours_per_week": plan.hours_per_week,
            "start_date": plan.start_date,
            "known_skills": list(plan.known_skills),
            "industry": plan.industry,
            "created_at": plan.created_at,
            "last_used_at": plan.last_used_at,
            "curriculum_digests": digests,
            "events": [
                {
                    "id": e.id,
                    "kind": e.kind,
                    "milestone_id": e.milestone_id,
                    "at": e.at,
                    "on_date": e.on_date,
                    "until_date": e.until_date,
                    "hours": e.hours,
                    "ref_id": e.ref_id,
                    "note": e.note,
                }
                for e in events
            ],
        }
    )


@dataclass(frozen=True)
class Export:
    """The document, and why each plan left out of it (``--all``) could not be read."""

    document: ExportDocument
    skipped: tuple[str, ...] = ()


def export_document(
    *, db: str | None, plan_name: str | None, all_plans: bool, now: datetime
) -> Export:
    """The active plan (or every plan) with its full history, oldest event first, and
    the curricula it keeps. With ``all_plans`` a plan that cannot be read is left out and
    named in ``skipped``; without it, PlanUnreadable is raised."""
    from planner.snapshot import snapshot_of
    from planner.store import find_plan, read, read_snapshots

    curricula: dict[str, dict[str, Any]] = {}
    skipped: list[str] = []

    def work(reader: Reader) -> list[tuple[PlanRow, list[EventRow], dict[str, str]]]:
        curricula.clear()
        skipped.clear()
        chosen = reader.plans() if all_plans else [find_plan(reader, plan_name)]
        found = []
        for plan in chosen:
            try:
                kept = read_snapshots(reader, plan)
            except PlannerError as exc:
                if not all_plans:
                    raise
                skipped.append(exc.message)
                continue
            digests = {}
            for curriculum in kept:
                snapshot = snapshot_of(curriculum)
                curricula.setdefault(snapshot.digest, json.loads(snapshot.body))
                digests[curriculum.id] = snapshot.digest
            found.append((plan, reader.events(plan.id), digests))
        return found

    def nothing() -> list[tuple[PlanRow, list[EventRow], dict[str, str]]]:
        return []

    rows = read(db, work, empty=nothing if all_plans else None)
    plans = [_export_plan(plan, events, digests) for plan, events, digests in rows]
    document = ExportDocument.model_validate(
        {
            "format": FORMAT,
            "version": VERSION,
            "exported_at": now,
            "curricula": dict(sorted(curricula.items())),
            "plans": plans,
        }
    )
    return Export(document, tuple(skipped))


# --------------------------------------------------------------------------- import


@dataclass(frozen=True)
class ImportedPlan:
    name: str
    events: int


@dataclass(frozen=True)
class ImportResult:
    database: str
    plans: tuple[ImportedPlan, ...]
    warnings: tuple[str, ...] = ()


def _clash_message(names: list[str], where: str, single: bool) -> str:
    quoted = ", ".join(f"'{name}'" for name in names)
    if single:
        return (
            f"A plan named {quoted} already exists in {where}. Nothing was imported. "
            "Import it under another name with --as NEW_NAME, or delete the existing one "
            f"first with `planner delete-plan {quoted}`."
        )
    return (
        f"Plans named {quoted} already exist in {where}. Nothing was imported. Delete them "
        "first with `planner delete-plan NAME`, or import into another database with --db."
    )


REFUSED = "Nothing was imported."


def _curricula_of(
    document: ExportDocument, index: int, plan: ExportPlan, warnings: list[str]
) -> list[Curriculum]:
    """The curricula an imported plan keeps: from the file (version 2), checked as a
    curriculum file is, else found on this machine's curricula path (version 1)."""
    from planner.curriculum import check_resolved, load_role
    from planner.models import Curriculum
    from planner.snapshot import snapshot_of

    result = []
    for role in plan.roles:
        if plan.curriculum_digests is None:
            try:
                result.append(load_role(role))
            except PlannerError as exc:
                msg = (
                    f"$.plans[{index}] ({plan.name!r}) needs the curriculum of {role}, which "
                    "this file does not hold and this machine does not have "
                    f"({exc.message.splitlines()[0]}) Put its file on PLANNER_CURRICULA_PATH "
                    f"and import again. {REFUSED}"
                )
                raise NotFound(msg) from None
            continue
        key = plan.curriculum_digests[role]
        try:
            curriculum = Curriculum.model_validate(document.curricula[key])
        except ValidationError as exc:
            where = first_problem(exc).removeprefix("$")
            msg = f"$.curricula[{key[:16]}...]{where}. {REFUSED}"
            raise UsageError(msg) from None
        if curriculum.id != role or curriculum.kind != "role":
            msg = (
                f"$.plans[{index}].curriculum_digests.{role} names the curriculum of "
                f"{curriculum.id!r} ({curriculum.kind}), not of role {role}. {REFUSED}"
            )
            raise UsageError(msg)
        problems = check_resolved(curriculum)
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            msg = f"$.curricula[{key[:16]}...].{problems[0]}{more}. {REFUSED}"
            raise UsageError(msg)
        if snapshot_of(curriculum).digest != key:
            warnings.append(
                f"the curriculum of {role} in the file does not match its digest "
                f"({key[:12]}...): it was changed after it was exported; imported as it is"
            )
        result.append(curriculum)
    return result


def _states(events: list[ExportEvent]) -> dict[str, MilestoneState]:
    """Each milestone's latest state event, as the tracker derives it from the database."""
    from planner.queries import STATE_KINDS, MilestoneState

    states = {}
    for e in events:
        if e.kind in STATE_KINDS:
            states[e.milestone_id] = MilestoneState(e.kind, e.on_date, e.at, e.hours)
    return states


def _check_events(plan: ExportPlan, where: str, now: datetime, today: date) -> None:
    """The dates of a plan's events, as the commands that record them allow them: work
    and study from the plan's start to today, a change to the plan on the day it was
    made (even before the start), time off ending after the start and at most
    ``MAX_YEARS_AHEAD`` ahead; nothing recorded after ``now``."""
    from planner import rules

    # The file may come from a machine up to a day ahead (another time zone): a date is
    # in the future only when it is after tomorrow here.
    latest = today + timedelta(days=1)
    farthest = rules.start_bounds(latest)[1]
    for j, event in enumerate(plan.events):
        what = f"{where}.events[{j}].on_date"
        if event.kind == "away":
            assert event.until_date is not None  # the format checked it
            last = event.until_date
            if last < plan.start_date:
                msg = (
                    f"{where}.events[{j}].until_date {last.isoformat()} is before the plan "
                    f"starts ({plan.start_date.isoformat()}); time off ends after the start."
                )
                raise UsageError(msg)
            if last > farthest:
                msg = (
                    f"{where}.events[{j}].until_date {last.isoformat()} is more than "
                    f"{rules.MAX_YEARS_AHEAD} years ahead."
                )
                raise UsageError(msg)
        elif event.kind not in PLAN_KINDS and event.on_date is not None:
            # done and studied days alike
            rules.check_work_day(event.on_date, start=plan.start_date, today=latest, what=what)
        elif event.on_date is not None and event.on_date > latest:
            # a change to the plan is dated the day it was made, even before the start
            msg = f"{what} {event.on_date.isoformat()} is in the future."
            raise UsageError(msg)
        if event.at > now + timedelta(days=1):
            msg = f"{where}.events[{j}].at {format_timestamp(event.at)} is in the future."
            raise UsageError(msg)


def _check_activity(activity: Activity, where: str) -> None:
    """The standing study entries and time off, as the commands leave them: at most
    ``MAX_ENTRY_HOURS`` of study a day, no two spells of time off overlapping."""
    from planner import rules

    per_day: dict[date, float] = {}
    for entry in activity.studied:
        per_day[entry.day] = per_day.get(entry.day, 0.0) + entry.hours
    for day, total in sorted(per_day.items()):
        if round(total * 60) > round(rules.MAX_ENTRY_HOURS * 60):
            msg = (
                f"{where}: {total:g} h of study are recorded on {day.isoformat()}, more "
                f"than {rules.MAX_ENTRY_HOURS:g} h in one day."
            )
            raise UsageError(msg)
    spells = activity.time_off  # earliest first
    for before, after in zip(spells, spells[1:], strict=False):
        if after.first <= before.last:
            msg = (
                f"{where}: the time off from {after.first} to {after.last} overlaps the "
                f"time off from {before.first} to {before.last}."
            )
            raise UsageError(msg)


def _check_plan(
    document: ExportDocument, index: int, plan: ExportPlan, now: datetime, today: date
) -> tuple[list[Curriculum], list[str]]:
    """Every rule a plan made by the commands meets, and its complete schedule built
    (its study entries and time off included): an imported plan is stored only once it
    is known to be readable."""

    from planner import plain, rules
    from planner.view import PlanInfo, check_roles, checked_view

    where = f"$.plans[{index}]"
    try:
        rules.check_hours_per_week(plan.hours_per_week, what=f"{where}.hours_per_week")
        warnings = rules.check_start(plan.start_date, today, what=f"{where}.start_date")
        _check_events(plan, where, now, today)
        activity = activity_of(plan.events)
        _check_activity(activity, where)
        curricula = _curricula_of(document, index, plan, warnings)
        kept = [plain.of(c) for c in curricula]
        check_roles(kept)
        rebase = None
        for event in plan.events:
            if event.kind == "replanned" and event.on_date is not None:
                rebase = (event.on_date, event.hours or 0.0)
        info = PlanInfo.of(plan, kept, rebase)
        warnings += checked_view(info, _states(plan.events), today, activity)[1]
    except PlannerError as exc:
        text = exc.message if exc.message.startswith("$") else f"{where}: {exc.message}"
        if REFUSED not in text:
            text = f"{text} {REFUSED}"
        raise type(exc)(text) from None
    return curricula, [f"{plan.name}: {w}" for w in warnings]


def _insert_events(session: Session, plan_id: int, events: list[ExportEvent]) -> int:
    """Add an imported plan's history in order; a ``retracted`` event names its entry by
    the id the entry got here. Events go in with as few inserts as that allows: a run
    ends before a retraction of an entry in the same run, whose id is not known yet."""
    from planner import tracker

    targets = {e.ref_id for e in events if e.kind == "retracted"}
    new_ids: dict[int, int] = {}  # id in the file -> id here
    count = 0
    run: list[ExportEvent] = []

    def flush() -> None:
        nonlocal count
        if not run:
            return
        count += tracker.insert_events(
            session=session,
            plan_id=plan_id,
            events=[
                {
                    **e.model_dump(exclude={"id", "ref_id"}),
                    "ref_id": None if e.ref_id is None else new_ids[e.ref_id],
                }
                for e in run
            ],
        )
        if any(e.id in targets for e in run):
            # ids ascend in the order events are inserted: the newest len(run) are these
            stored = tracker.list_events(session=session, plan_id=plan_id, limit=len(run))
            assert [(s.kind, s.milestone_id) for s in stored] == [
                (e.kind, e.milestone_id) for e in run
            ]
            for exported, row in zip(run, stored, strict=True):
                assert row.id is not None
                new_ids[exported.id] = row.id
        run.clear()

    pending: set[int] = set()  # ids in the file of the events in `run`
    for event in events:
        if event.kind == "retracted" and event.ref_id in pending:
            flush()
            pending.clear()
        run.append(event)
        pending.add(event.id)
    flush()
    return count


def import_document(
    *,
    db: str | None,
    path: Path,
    now: datetime,
    new_name: str | None = None,
    today: date | None = None,
) -> ImportResult:
    """Add every plan in the file, with its history and curricula, in one transaction;
    never deletes.

    The whole file is checked (format, dates, curricula, each plan's complete schedule)
    before the database is opened (or created). ``today`` is the local date (default:
    ``now`` in the local time zone). Raises UsageError, NotFound, PlanExists.
    """
    from planner import tracker
    from planner.store import open_db, store_snapshots

    document = read_document(path)
    plans = list(document.plans)
    if new_name is not None:
        if len(plans) != 1:
            msg = (
                f"--as renames a single plan, but {path} holds {len(plans)} plans. "
                f"Import without --as. {REFUSED}"
            )
            raise UsageError(msg)
        try:
            new_name = check_plan_name(new_name)
        except ValueError as exc:
            msg = f"--as {exc}. {REFUSED}"
            raise UsageError(msg) from None
        plans = [plans[0].model_copy(update={"name": new_name})]

    today = today or now.astimezone().date()
    checked = [_check_plan(document, i, plan, now, today) for i, plan in enumerate(plans)]
    database: Database = open_db(db)
    imported = []
    with database.write() as session:
        taken = [p.name for p in plans if tracker.get_plan(session=session, name=p.name)]
        if taken:
            raise PlanExists(_clash_message(taken, database.where, len(plans) == 1))
        for plan, (curricula, _) in zip(plans, checked, strict=True):
            fields = plan.model_dump(exclude={"events", "curriculum_digests"})
            fields["curriculum_digests"] = store_snapshots(session, curricula, now)
            row = tracker.create_plan(session=session, **fields)
            assert row.id is not None
            count = _insert_events(session, row.id, list(plan.events))
            imported.append(ImportedPlan(plan.name, count))
    warnings = tuple(w for _, plan_warnings in checked for w in plan_warnings)
    return ImportResult(database=database.where, plans=tuple(imported), warnings=warnings)
