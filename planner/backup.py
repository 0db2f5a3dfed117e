"""Backup and moving machines: the JSON export format, importing it, and database copies.

The export document is versioned (``"format": "planner-export", "version": 1``) and
holds plans with their whole event history. Every timestamp is UTC with microseconds
(``2026-01-05T09:30:00.000000Z``) and keys come in a fixed order, so exporting,
importing into an empty database and exporting again gives the same text (apart from
``exported_at``). Importing validates the whole file before it touches the database
and writes every plan in one transaction; it never deletes or changes what is there.
"""

from __future__ import annotations

import json
import os
import re
import uuid
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

from planner.errors import DatabaseError, NotFound, PlanExists, UsageError
from planner.service import MAX_HOURS_PER_WEEK
from planner.tracker import EVENT_KINDS, PLAN_KINDS

if TYPE_CHECKING:
    from planner.db import Database
    from planner.tracker import Event, Plan

FORMAT = "planner-export"
VERSION = 1
MAX_IMPORT_BYTES = 50 * 1024 * 1024
MAX_NAME_CHARS = 100

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


def check_plan_name(name: str) -> str:
    """The rule ``planner start --name`` applies: 1 to 100 printable characters."""
    if (
        not name
        or name != name.strip()
        or len(name) > MAX_NAME_CHARS
        or any(ord(ch) < 32 for ch in name)
    ):
        msg = (
            f"must be 1 to {MAX_NAME_CHARS} printable characters without leading or trailing spaces"
        )
        raise ValueError(msg)
    return name


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
    version: Literal[1]
    exported_at: Timestamp
    plans: list[ExportPlan]

    @model_validator(mode="after")
    def _unique_names(self) -> ExportDocument:
        seen: set[str] = set()
        for plan in self.plans:
            if plan.name in seen:
                msg = f"the plan name {plan.name!r} appears more than once"
                raise ValueError(msg)
            seen.add(plan.name)
        return self

    @property
    def event_count(self) -> int:
        return sum(len(plan.events) for plan in self.plans)


def document_json(document: ExportDocument) -> str:
    """The document as text: fixed key order, indent 2, UTF-8 as is, a final newline."""
    data = document.model_dump(mode="json")
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- export


def _export_plan(plan: Plan, events: list[Event]) -> ExportPlan:
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


def export_document(
    *, db: str | None, plan_name: str | None, all_plans: bool, now: datetime
) -> ExportDocument:
    """The active plan (or every plan) with its full history, oldest event first."""
    from planner import tracker
    from planner.db import database_exists
    from planner.service import _active_plan, _existing_database

    plans: list[ExportPlan] = []
    if database_exists(db) or not all_plans:
        database = _existing_database(db)
        with database.read() as session:
            chosen = (
                tracker.list_plans(session=session)
                if all_plans
                else [_active_plan(session, plan_name)]
            )
            for plan in chosen:
                assert plan.id is not None
                events = tracker.list_events(session=session, plan_id=plan.id)
                plans.append(_export_plan(plan, events))
    return ExportDocument.model_validate(
        {"format": FORMAT, "version": VERSION, "exported_at": now, "plans": plans}
    )


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
    missing_roles: tuple[str, ...]  # roles with no curriculum on this machine


@dataclass(frozen=True)
class ImportResult:
    database: str
    plans: tuple[ImportedPlan, ...]


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


def import_document(*, db: str | None, path: Path, new_name: str | None = None) -> ImportResult:
    """Add every plan in the file, with its history, in one transaction; never deletes.

    The file is validated in full before the database is opened (or created).
    """
    from planner import curriculum, tracker
    from planner.service import _database

    document = read_document(path)
    plans = list(document.plans)
    if new_name is not None:
        if len(plans) != 1:
            msg = (
                f"--as renames a single plan, but {path} holds {len(plans)} plans. "
                "Import without --as. Nothing was imported."
            )
            raise UsageError(msg)
        try:
            check_plan_name(new_name)
        except ValueError as exc:
            msg = f"--as {exc}. Nothing was imported."
            raise UsageError(msg) from None
        plans = [plans[0].model_copy(update={"name": new_name})]

    available = {cid for cid, _ in curriculum.available()}
    database: Database = _database(db)
    imported = []
    with database.write() as session:
        taken = [p.name for p in plans if tracker.get_plan(session=session, name=p.name)]
        if taken:
            raise PlanExists(_clash_message(taken, database.where, len(plans) == 1))
        for plan in plans:
            fields = plan.model_dump(exclude={"events"})
            row = tracker.create_plan(session=session, **fields)
            assert row.id is not None
            count = tracker.insert_events(
                session=session,
                plan_id=row.id,
                events=[event.model_dump() for event in plan.events],
            )
            missing = tuple(role for role in plan.roles if role not in available)
            imported.append(ImportedPlan(plan.name, count, missing))
    return ImportResult(database=database.where, plans=tuple(imported))


# --------------------------------------------------------------------------- backup


@dataclass(frozen=True)
class BackupResult:
    path: Path
    plans: int
    events: int


def _remove_quietly(path: Path) -> None:
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)


def backup_database(*, db: str | None, output: Path | None, now: datetime) -> BackupResult:
    """A consistent copy of the SQLite database, made with SQLite's backup API.

    The copy is one read transaction, so commands writing meanwhile neither block nor
    tear it. It is made under a temporary name, checked by opening it as a planner
    database, then linked into place; an existing file is never overwritten.
    ``now`` (local time) names the default file ``planner-backup-YYYYMMDD-HHMMSS.db``.
    """
    import sqlite3

    import sqlalchemy as sa

    from planner import settings, tracker
    from planner.db import _plain, open_database
    from planner.renderer import check_output

    url = settings.database_url(db)
    if not url.startswith("sqlite:///"):
        msg = (
            "`planner backup` works only for a SQLite database file, and "
            "PLANNER_DATABASE_URL points at another kind. Use that database's own backup "
            "tool, or `planner export json --all --output FILE`."
        )
        raise DatabaseError(msg)
    source = Path(url.removeprefix("sqlite:///"))
    if not source.exists():
        msg = f"No database at {source}; there is nothing to back up."
        raise NotFound(msg)
    target = (
        output if output is not None else source.parent / f"planner-backup-{now:%Y%m%d-%H%M%S}.db"
    )
    if target.exists() or target.is_symlink():
        msg = (
            f"{target} already exists; planner backup never overwrites a file. "
            "Choose another --output, or move the old file away."
        )
        raise UsageError(msg)
    check_output(target)

    database = open_database(db, create=False)
    temp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        try:
            raw = database.engine.raw_connection()
        except sa.exc.DBAPIError as exc:
            raise _plain(exc, database.where) from None
        try:
            connection = raw.driver_connection
            assert isinstance(connection, sqlite3.Connection)
            copy = sqlite3.connect(temp)
            try:
                connection.backup(copy)  # all pages in one step: one consistent snapshot
            finally:
                copy.close()
        except sqlite3.Error as exc:
            raise _plain(exc, str(target)) from None
        finally:
            raw.close()
        copied = open_database(str(temp), create=False)
        try:
            with copied.read() as session:
                plans, events = tracker.count_rows(session=session)
        finally:
            copied.engine.dispose()
        try:
            os.link(temp, target)
        except FileExistsError:
            msg = f"{target} appeared while the backup was made; it was left as it is."
            raise UsageError(msg) from None
        except OSError as exc:
            msg = f"Cannot write {target}: {exc.strerror}. Nothing was written."
            raise UsageError(msg) from None
    finally:
        database.engine.dispose()
        _remove_quietly(temp)
    return BackupResult(path=target, plans=plans, events=events)
