"""Moving plans between databases: ``planner export json`` and ``planner import``.

An export holds plans with their whole history and the curricula they keep (see
``planner.export_format``), so an imported plan needs no curriculum file on the new
machine; version 1 files (no curricula) still import when their roles are on this
machine's curricula path. Importing checks the whole file (each plan's dates and its
complete schedule included) before it touches the database and writes every plan in one
transaction; it never deletes or changes what is there.
"""

from __future__ import annotations

import json
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
from planner.rules import check_plan_name
from planner.tracker import PLAN_KINDS

if TYPE_CHECKING:
    from planner.db import Database
    from planner.models import Curriculum
    from planner.tracker import Event, MilestoneState, Plan


def _export_plan(plan: Plan, events: list[Event], digests: dict[str, str]) -> ExportPlan:
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
                    "kind": e.kind,
                    "milestone_id": e.milestone_id,
                    "at": e.at,
                    "on_date": e.on_date,
                    "hours": e.hours,
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
    from planner import tracker
    from planner.db import database_exists
    from planner.snapshot import snapshot_of
    from planner.store import active_plan, existing_db, read_snapshots

    plans: list[ExportPlan] = []
    curricula: dict[str, dict[str, Any]] = {}
    skipped: list[str] = []
    if database_exists(db) or not all_plans:
        database = existing_db(db)
        with database.read() as session:
            chosen = (
                tracker.list_plans(session=session)
                if all_plans
                else [active_plan(session, plan_name)]
            )
            for plan in chosen:
                assert plan.id is not None
                try:
                    kept = read_snapshots(session, plan)
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
                events = tracker.list_events(session=session, plan_id=plan.id)
                plans.append(_export_plan(plan, events, digests))
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
    from planner.tracker import STATE_KINDS, MilestoneState

    states = {}
    for e in events:
        if e.kind in STATE_KINDS:
            states[e.milestone_id] = MilestoneState(e.kind, e.on_date, e.at, e.hours)
    return states


def _check_plan(
    document: ExportDocument, index: int, plan: ExportPlan, now: datetime, today: date
) -> tuple[list[Curriculum], list[str]]:
    """Every rule a plan made by the commands meets, and its complete schedule built:
    an imported plan is stored only once it is known to be readable."""

    from planner import rules
    from planner.view import PlanInfo, check_roles, checked_view

    # The file may come from a machine up to a day ahead (another time zone): a date is
    # in the future only when it is after tomorrow here.
    latest = today + timedelta(days=1)
    where = f"$.plans[{index}]"
    try:
        rules.check_hours_per_week(plan.hours_per_week, what=f"{where}.hours_per_week")
        warnings = rules.check_start(plan.start_date, today, what=f"{where}.start_date")
        for j, event in enumerate(plan.events):
            what = f"{where}.events[{j}].on_date"
            if event.kind not in PLAN_KINDS and event.on_date is not None:
                rules.check_work_day(event.on_date, start=plan.start_date, today=latest, what=what)
            elif event.on_date is not None and event.on_date > latest:
                # a change to the plan is dated the day it was made, even before the start
                msg = f"{what} {event.on_date.isoformat()} is in the future."
                raise UsageError(msg)
            if event.at > now + timedelta(days=1):
                msg = f"{where}.events[{j}].at {format_timestamp(event.at)} is in the future."
                raise UsageError(msg)
        curricula = _curricula_of(document, index, plan, warnings)
        check_roles(curricula)
        rebase = None
        for event in plan.events:
            if event.kind == "replanned" and event.on_date is not None:
                rebase = (event.on_date, event.hours or 0.0)
        info = PlanInfo.of(plan, curricula, rebase)
        warnings += checked_view(info, _states(plan.events), today)[1]
    except PlannerError as exc:
        text = exc.message if exc.message.startswith("$") else f"{where}: {exc.message}"
        if REFUSED not in text:
            text = f"{text} {REFUSED}"
        raise type(exc)(text) from None
    return curricula, [f"{plan.name}: {w}" for w in warnings]


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
            check_plan_name(new_name)
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
            count = tracker.insert_events(
                session=session,
                plan_id=row.id,
                events=[event.model_dump() for event in plan.events],
            )
            imported.append(ImportedPlan(plan.name, count))
    warnings = tuple(w for _, plan_warnings in checked for w in plan_warnings)
    return ImportResult(database=database.where, plans=tuple(imported), warnings=warnings)
