"""The JSON export format: what ``planner export json`` writes and ``planner import``
reads, as strict pydantic models, and reading a file of it with every problem named by
its JSON path.

The document is versioned (``"format": "planner-export", "version": 3``) and holds plans
with their whole event history and the curricula they keep (``curricula``, by SHA-256 of
their snapshot; each plan names its own in ``curriculum_digests``). Each event carries
its ``id`` in the exporting database, so a ``retracted`` event's ``ref_id`` can name the
study entry or time off it withdraws; ids are those of the database the file came from,
and an import gives the events new ones (its own). Version 2 files (no study entries or
time off, events without ids) and version 1 files (no curricula either) still read: they
are brought to version 3 as they are read. Every timestamp is UTC with microseconds
(``2026-01-05T09:30:00.000000Z``) and keys come in a fixed order, so exporting,
importing into an empty database and exporting again gives the same text, apart from
``exported_at`` and the event ids, which are each database's own: an import gives the
events new ones in the order of the file, and each ``ref_id`` follows its event.
"""

from __future__ import annotations

import json
import re
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

from planner.errors import NotFound, UsageError
from planner.rules import MAX_ENTRY_HOURS, MAX_HOURS_PER_WEEK, check_plan_name
from planner.tracker import EVENT_KINDS, PLAN_KINDS

if TYPE_CHECKING:
    pass

FORMAT = "planner-export"
VERSION = 3
MAX_IMPORT_BYTES = 50 * 1024 * 1024
# what version 3 added to an event, and the kinds of event it added
V3_EVENT_FIELDS = ("id", "until_date", "ref_id")
V3_EVENT_KINDS = ("studied", "away", "retracted")
RETRACTABLE_KINDS = ("studied", "away")  # what a "retracted" event may withdraw

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


# A validator's message about a part of what it checks starts with "@" and that part's
# path (``@events[3].ref_id: ...``, see _at); first_problem puts it into the JSON path.
_HERE_PATH = re.compile(r"@([a-z_]+(?:\[\d+\])*(?:\.[a-z_]+(?:\[\d+\])*)*): ")


def _at(where: str, text: str) -> str:
    """The message ``text`` about ``where`` (e.g. ``events[3].ref_id``), a part of what
    a validator checks."""
    return f"@{where}: {text}"


class ExportEvent(_Strict):
    """One event. ``id``: its id in the exporting database (unique in its plan);
    ``until_date``: the last day of time off (``away`` only); ``ref_id``: the id of the
    study entry or time off a ``retracted`` event withdraws (``retracted`` only)."""

    id: Annotated[int, Field(ge=1)]
    kind: str
    milestone_id: Text
    at: Timestamp
    on_date: Day | None
    until_date: Day | None
    hours: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None
    ref_id: Annotated[int, Field(ge=1)] | None
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
    def _fields_match_kind(self) -> ExportEvent:
        problem = self._kind_problem()
        if problem is not None:
            raise ValueError(_at(*problem))
        return self

    def _kind_problem(self) -> tuple[str, str] | None:
        """(field, what is wrong with it) for the first field that does not fit the
        event's kind, or None."""
        kind = self.kind
        if kind in PLAN_KINDS and self.milestone_id:
            return "milestone_id", f"must be empty for a plan-level {kind!r} event"
        if kind not in (*PLAN_KINDS, "retracted") and not self.milestone_id:
            return "milestone_id", f"must not be empty for a {kind!r} event"
        if kind != "away" and self.until_date is not None:
            return "until_date", "must be null except on an 'away' event (the last day off)"
        if kind != "retracted" and self.ref_id is not None:
            return "ref_id", "must be null except on a 'retracted' event"
        if kind in ("studied", "away") and self.on_date is None:
            return "on_date", f"must be a date for a {kind!r} event"
        hours = self.hours
        if kind == "studied" and (hours is None or not 0 < hours <= MAX_ENTRY_HOURS):
            return (
                "hours",
                f"must be more than 0 and at most {MAX_ENTRY_HOURS:g} for a 'studied' event",
            )
        if kind == "away":
            if self.until_date is None:
                return "until_date", "must be a date (the last day off) for an 'away' event"
            if self.on_date is not None and self.until_date < self.on_date:
                return "until_date", f"{self.until_date} is before on_date {self.on_date}"
            if hours is None or hours > MAX_HOURS_PER_WEEK:
                return "hours", (
                    f"must be from 0 to {MAX_HOURS_PER_WEEK:g} (hours a week still studied) "
                    "for an 'away' event"
                )
        if kind == "retracted" and self.ref_id is None:
            return "ref_id", "must be the id of the study entry or time off it withdraws"
        return None


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

    @model_validator(mode="after")
    def _references(self) -> ExportPlan:
        """Ids are unique in the plan, and each ``retracted`` event names an earlier study
        entry or time off of this plan (same milestone_id) that nothing withdrew before."""
        earlier: dict[int, tuple[int, ExportEvent]] = {}
        withdrawn: dict[int, int] = {}
        for j, event in enumerate(self.events):
            if event.id in earlier:
                first = earlier[event.id][0]
                text = f"{event.id} is also the id of events[{first}]; ids are unique in a plan"
                raise ValueError(_at(f"events[{j}].id", text))
            if event.kind == "retracted":
                assert event.ref_id is not None  # ExportEvent checked it
                where = f"events[{j}].ref_id"
                found = earlier.get(event.ref_id)
                if found is None:
                    text = f"{event.ref_id} names no earlier event of this plan"
                    raise ValueError(_at(where, text))
                index, target = found
                if target.kind not in RETRACTABLE_KINDS:
                    text = (
                        f"{event.ref_id} names events[{index}], a {target.kind!r} event; only "
                        "a study entry ('studied') or time off ('away') can be withdrawn"
                    )
                    raise ValueError(_at(where, text))
                if target.milestone_id != event.milestone_id:
                    text = (
                        f"{target.milestone_id!r} (of events[{index}], which it withdraws) "
                        f"must be its milestone_id, not {event.milestone_id!r}"
                    )
                    raise ValueError(_at(f"events[{j}].milestone_id", text))
                if event.ref_id in withdrawn:
                    text = (
                        f"{event.ref_id} names events[{index}], which events"
                        f"[{withdrawn[event.ref_id]}] already withdrew"
                    )
                    raise ValueError(_at(where, text))
                withdrawn[event.ref_id] = j
            earlier[event.id] = (j, event)
        return self


def _curricula_in_version_1(name: object) -> str:
    return (
        f"plan {name!r} names curricula (curriculum_digests), which only an export of "
        "version 2 holds"
    )


class ExportDocument(_Strict):
    format: Literal["planner-export"]
    version: Literal[1, 2, 3]
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
            if self.version == 1 and plan.curriculum_digests is not None:
                raise ValueError(_curricula_in_version_1(plan.name))
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


def _json_path(loc: tuple[int | str, ...]) -> str:
    path = "$"
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def first_problem(error: ValidationError) -> str:
    """The first validation error as ``$.plans[0].events[3].kind: message``."""
    first = error.errors(include_url=False)[0]
    kind = first["type"]
    loc = tuple(first["loc"])
    if kind == "missing":
        text = "is missing"
    elif kind == "extra_forbidden":
        text = "is not a field of the export format"
    else:
        text = first["msg"].removeprefix("Value error, ")
        here = _HERE_PATH.match(text)
        if here:  # a message about a part of what was checked: its path goes on the loc
            path = _json_path(loc) + "." + here.group(1)
            return f"{path}: {text[here.end() :]}"
        text = text[:1].lower() + text[1:]
    return f"{_json_path(loc)}: {text}"


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


def _upgrade(data: dict[str, Any], version: int) -> str | None:
    """Bring the events of a version 1 or 2 document to version 3 in place: each gets
    an ``id`` (its place in its plan, from 1; nothing refers to it) and null
    ``until_date`` and ``ref_id``. Returns the first problem (a plan of a version 1
    document naming curricula, or a field or kind that only version 3 has), or None.
    Parts that are not what the format says are left for the validation to name."""
    plans = data.get("plans")
    if version >= 3 or not isinstance(plans, list):
        return None
    for i, plan in enumerate(plans):
        if not isinstance(plan, dict):
            continue
        if version == 1 and plan.get("curriculum_digests") is not None:
            return f"$: {_curricula_in_version_1(plan.get('name'))}"
        events = plan.get("events")
        if not isinstance(events, list):
            continue
        for j, event in enumerate(events):
            if not isinstance(event, dict):
                continue
            where = f"$.plans[{i}].events[{j}]"
            for key in V3_EVENT_FIELDS:
                if key in event:
                    return f"{where}.{key}: is not a field of export version {version}"
            if event.get("kind") in V3_EVENT_KINDS:
                return (
                    f"{where}.kind: {event['kind']!r} events came in export version 3; "
                    f"this file says version {version}"
                )
            event.update({"id": j + 1, "until_date": None, "ref_id": None})
    return None


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
    problem = _upgrade(data, version)
    if problem is not None:
        msg = f"{path}: {problem}. {refused}"
        raise UsageError(msg)
    try:
        return ExportDocument.model_validate(data)
    except ValidationError as exc:
        msg = f"{path}: {first_problem(exc)}. {refused}"
        raise UsageError(msg) from None
