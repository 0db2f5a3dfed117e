"""Moving plans between databases: the JSON export format, exporting and importing it.

The export document is versioned (``"format": "planner-export", "version": 2``) and
holds plans with their whole event history and the curricula they keep (``curricula``,
by SHA-256 of their snapshot; each plan names its own in ``curriculum_digests``), so an
imported plan needs no curriculum file on the new machine. Version 1 files (no
curricula) still import: their roles are looked up on this machine's curricula path.
Every timestamp is UTC with microseconds (``2026-01-05T09:30:00.000000Z``) and keys
come in a fixed order, so exporting, importing into an empty database and exporting
again gives the same text (apart from ``exported_at``). Importing validates the whole
file before it touches the database and writes every plan in one transaction; it never
deletes or changes what is there.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    ValidationError,
    field_validator,
    model_validator,
)

from planner.errors import NotFound, PlanExists, PlannerError, UsageError
from planner.rules import MAX_HOURS_PER_WEEK, check_plan_name
from planner.tracker import EVENT_KINDS, PLAN_KINDS

if TYPE_CHECKING:
    from planner.db import Database
    from planner.models import Curriculum
    from planner.tracker import Event, MilestoneState, Plan

FORMAT = "planner-export"
VERSION = 2
MAX_IMPORT_BYTES = 50 * 1024 * 1024

# --------------------------------------------------------------------------- the format

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})")


def _parse_date(value: object) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    msg = "must be a date like 2026-01-31"
    raise ValueError(msg)


def _parse_timestamp(value: object) -> datetime:
    """A timezone-aware moment, as UTC. Naive datetimes (from SQLite) are UTC already."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    if isinstance(value, str) and _TIMESTAMP.fullmatch(value):
        try:
            return datetime.fromisoformat(value).astimezone(UTC)
        except ValueError:
            pass
    msg = "must be a UTC timestamp like 2026-01-31T09:30:00.000000Z"
    raise ValueError(msg)


def format_timestamp(moment: datetime) -> str:
    """``2026-01-31T09:30:00.000000Z``: UTC, microseconds kept."""
    utc = _parse_timestamp(moment)
    return utc.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


Day = Annotated[
    date, PlainValidator(_parse_date), PlainSerializer(date.isoformat, when_used="json")
]
Timestamp = Annotated[
    datetime, PlainValidator(_parse_timestamp), PlainSerializer(format_timestamp, when_used="json")
]
Text = Annotated[str, Field(max_length=200)]


def _check_text(value: str | None) -> str | None:
    if value is not None and "\x00" in value:
        msg = "must not contain NUL characters"
        raise ValueError(msg)
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ExportEvent(_Strict):
    kind: str
    milestone_id: Text
    at: Timestamp
    on_date: Day | None
    hours: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None
    note: str | None

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in EVENT_KINDS:
            shown = value if len(value) <= 40 else value[:40] + "..."
            msg = f"unknown event kind {shown!r}; expected one of {', '.join(EVENT_KINDS)}"
            raise ValueError(msg)
        return value

    @field_validator("milestone_id", "note")
    @classmethod
    def _no_nul(cls, value: str | None) -> str | None:
        return _check_text(value)

    @model_validator(mode="after")
    def _milestone_matches_kind(self) -> ExportEvent:
        if self.kind in PLAN_KINDS and self.milestone_id:
            msg = f"milestone_id must be empty for a plan-level {self.kind!r} event"
            raise ValueError(msg)
        if self.kind not in PLAN_KINDS and not self.milestone_id:
            msg = f"milestone_id must not be empty for a {self.kind!r} event"
            raise ValueError(msg)
        return self


class ExportPlan(_Strict):
    name: str
    roles: Annotated[list[Text], Field(min_length=1)]
    curriculum_versions: dict[Text, Annotated[int, Field(ge=0)]]
    hours_per_week: Annotated[float, Field(gt=0, le=MAX_HOURS_PER_WEEK, allow_inf_nan=False)]
    start_date: Day
    known_skills: list[Text]
    industry: Text | None
    created_at: Timestamp
    last_used_at: Timestamp
    curriculum_digests: dict[Text, Text] | None = None  # role -> key of $.curricula
    events: list[ExportEvent]

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        return check_plan_name(value)

    @field_validator("roles", "known_skills")
    @classmethod
    def _no_nul_in_lists(cls, value: list[str]) -> list[str]:
        for item in value:
            _check_text(item)
        return value

    @field_validator("industry")
    @classmethod
    def _no_nul_in_industry(cls, value: str | None) -> str | None:
        return _check_text(value)

    @field_validator("curriculum_versions")
    @classmethod
    def _sorted_versions(cls, value: dict[str, int]) -> dict[str, int]:
        return dict(sorted(value.items()))


class ExportDocument(_Strict):
    format: Literal["planner-export"]
    version: Literal[1, 2]
    exported_at: Timestamp
    curricula: dict[Text, dict[str, Any]] = Field(default_factory=dict)
    plans: list[ExportPlan]

    @model_validator(mode="after")
    def _unique_names(self) -> ExportDocument:
        seen: set[str] = set()
        for plan in self.plans:
            if plan.name in seen:
                msg = f"the plan name {plan.name!r} appears more than once"
                raise ValueError(msg)
            seen.add(plan.name)
            if self.version >= 2:
                digests = plan.curriculum_digests
                if digests is None or set(digests) != set(plan.roles):
                    msg = f"plan {plan.name!r} must name a curriculum for each of its roles"
                    raise ValueError(msg)
                for digest in digests.values():
                    if digest not in self.curricula:
                        msg = f"plan {plan.name!r} names {digest[:20]!r}, not in $.curricula"
                        raise ValueError(msg)
        return self

    @property
    def event_count(self) -> int:
        return sum(len(plan.events) for plan in self.plans)


def document_json(document: ExportDocument) -> str:
    """The document as text: fixed key order, indent 2, UTF-8 as is, a final newline."""
    data = document.model_dump(mode="json")
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- export


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


def _json_path(loc: tuple[int | str, ...]) -> str:
    path = "$"
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _first_problem(error: ValidationError) -> str:
    """The first validation error as ``$.plans[0].events[3].kind: message``."""
    first = error.errors(include_url=False)[0]
    kind = first["type"]
    if kind == "missing":
        text = "is missing"
    elif kind == "extra_forbidden":
        text = "is not a field of the export format"
    else:
        text = first["msg"].removeprefix("Value error, ")
        text = text[:1].lower() + text[1:]
    return f"{_json_path(tuple(first['loc']))}: {text}"


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            msg = f"the key {key!r} appears twice in one object"
            raise ValueError(msg)
        result[key] = value
    return result


def _no_constants(name: str) -> None:
    msg = f"{name} is not a JSON number"
    raise ValueError(msg)


def _read_text(path: Path) -> str:
    if not path.exists():
        msg = f"No file {path}. Check the path."
        raise NotFound(msg)
    if not path.is_file():
        msg = f"{path} is not a file; give the JSON file written by `planner export json`."
        raise UsageError(msg)
    limit = MAX_IMPORT_BYTES // (1024 * 1024)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_IMPORT_BYTES + 1)
    except OSError as exc:
        msg = f"Cannot read {path}: {exc.strerror}."
        raise UsageError(msg) from None
    if len(data) > MAX_IMPORT_BYTES:
        msg = f"{path} is larger than {limit} MiB; planner imports files up to {limit} MiB."
        raise UsageError(msg)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        msg = f"{path} is not UTF-8 text (byte {exc.start}); it is not a planner export."
        raise UsageError(msg) from None


def read_document(path: Path) -> ExportDocument:
    """Parse and validate an export file; every problem is a ``UsageError`` naming the file."""
    text = _read_text(path)
    refused = "Nothing was imported."
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        msg = (
            f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}). "
            f"{refused}"
        )
        raise UsageError(msg) from None
    except ValueError as exc:
        msg = f"{path} is not a valid export: {exc}. {refused}"
        raise UsageError(msg) from None
    except RecursionError:
        msg = f"{path} is nested too deeply to be a planner export. {refused}"
        raise UsageError(msg) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        msg = (
            f'{path} is not a planner export ($.format must be "{FORMAT}"); write one with '
            f"`planner export json`. {refused}"
        )
        raise UsageError(msg)
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        msg = f"{path}: $.version: must be a whole number from 1. {refused}"
        raise UsageError(msg)
    if version > VERSION:
        msg = (
            f"{path} was written by a newer planner (export version {version}; this one "
            f"reads up to {VERSION}). Upgrade planner to import it. {refused}"
        )
        raise UsageError(msg)
    try:
        return ExportDocument.model_validate(data)
    except ValidationError as exc:
        msg = f"{path}: {_first_problem(exc)}. {refused}"
        raise UsageError(msg) from None


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


def _curricula_of(document: ExportDocument, index: int, plan: ExportPlan) -> list[Curriculum]:
    """The curricula an imported plan keeps: from the file (version 2), else found on
    this machine's curricula path (version 1)."""
    from planner.curriculum import load_role
    from planner.models import Curriculum

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
            where = _first_problem(exc).removeprefix("$")
            msg = f"$.curricula[{key[:16]}...]{where}. {REFUSED}"
            raise UsageError(msg) from None
        if curriculum.id != role or curriculum.kind != "role":
            msg = (
                f"$.plans[{index}].curriculum_digests.{role} names the curriculum of "
                f"{curriculum.id!r} ({curriculum.kind}), not of role {role}. {REFUSED}"
            )
            raise UsageError(msg)
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
    from datetime import timedelta

    from planner import rules
    from planner.view import PlanInfo, check_roles, checked_view

    # The file may come from a machine up to a day ahead (another time zone): a date is
    # in the future only when it is after tomorrow here.
    latest = today + timedelta(days=1)
    where = f"$.plans[{index}]"
    try:
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
        curricula = _curricula_of(document, index, plan)
        check_roles(curricula)
        rebase = None
        for event in plan.events:
            if event.kind == "replanned" and event.on_date is not None:
                rebase = (event.on_date, event.hours or 0.0)
        info = PlanInfo(
            name=plan.name,
            roles=tuple(plan.roles),
            hours_per_week=plan.hours_per_week,
            start=plan.start_date,
            known_skills=tuple(plan.known_skills),
            industry=plan.industry,
            created_at=plan.created_at,
            curriculum_versions=dict(plan.curriculum_versions),
            rebase=rebase,
            curricula=tuple(curricula),
        )
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
