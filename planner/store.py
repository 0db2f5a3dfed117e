"""Plans as stored: opening the database, finding the plan a command acts on, and the
curriculum each plan keeps.

A plan keeps the resolved curriculum of each of its roles (every include merged) as a
*snapshot* in the database: JSON of the ``Curriculum`` model, stored once per SHA-256 of
its text (``curriculum_snapshot``), with the plan naming its snapshot per role
(``plan.curriculum_digests``). Every read builds the plan from its snapshots, so it never
needs the YAML files, ``PLANNER_CURRICULA_PATH`` or the working folder again. Only plans
from before snapshots whose curriculum could not be found when the database was
upgraded have none; they are read from the search path as before, and ``planner doctor``
says how to give them one (``planner upgrade``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal, Protocol, TypeVar

from planner import plain
from planner.errors import NoPlan, PlanUnreadable, UsageError
from planner.queries import EventRow, MilestoneState, PlanRow, Reader
from planner.rules import normal_name, suggestion
from planner.snapshot import FORMAT, digest_of, snapshot_of

if TYPE_CHECKING:
    from sqlmodel import Session

    from planner import models
    from planner.db import Database
    from planner.history import Activity
    from planner.plain import Curriculum
    from planner.tracker import Event, Plan
    from planner.view import PlanInfo, PlanView

T = TypeVar("T")

NO_PLAN = (
    "No plan yet. Start one with `planner start ROLE` (see `planner curricula list` for the roles)."
)

_constructed: dict[str, Curriculum] = {}  # digest -> curriculum, per process


# --------------------------------------------------------------------------- the database


def open_db(db: str | None) -> Database:
    """The database, created if needed (for commands that write)."""
    from planner.db import open_database

    return open_database(db)


def existing_db(db: str | None) -> Database:
    """The database as it is, never created; NoPlan when there is none yet (for commands
    that need a plan)."""
    from planner.db import open_database

    database = open_database(db, create=False)
    if database.version is None:
        raise NoPlan(NO_PLAN)
    return database


def active_plan(session: Session, name: str | None) -> Plan:
    """The plan called ``name``, else the most recently used one (a stored ``Plan``, for
    commands that change it); raises NoPlan, or UsageError on a server with several
    plans and none named."""
    from planner import tracker

    return _choose(
        name,
        get=lambda n: tracker.get_plan(session=session, name=n),
        latest=lambda: tracker.latest_plan(session=session),
        every=lambda: tracker.list_plans(session=session),
        shared=is_shared(session),
    )


def find_plan(reader: Reader, name: str | None) -> PlanRow:
    """``active_plan`` for the commands that only read: the same choice and the same
    errors, through the read queries."""
    return _choose(
        name, get=reader.plan, latest=reader.latest_plan, every=reader.plans, shared=reader.shared
    )


class _Named(Protocol):
    @property
    def name(self) -> str: ...


P = TypeVar("P", bound=_Named)


def _choose(
    name: str | None,
    *,
    get: Callable[[str], P | None],
    latest: Callable[[], P | None],
    every: Callable[[], Sequence[P]],
    shared: bool,
) -> P:
    if name:
        name = normal_name(name)  # stored names are NFC (migration 5)
        plan = get(name)
        if plan is None:
            names = [p.name for p in every()]
            msg = (
                f"No plan named '{name}'.{suggestion(name, names)} "
                f"Plans: {', '.join(names) or 'none'}. See `planner plans`."
            )
            raise NoPlan(msg)
        return plan
    plan = latest()
    if plan is None:
        raise NoPlan(NO_PLAN)
    if shared:
        plans = every()
        if len(plans) > 1:
            listed = ", ".join(p.name for p in plans[:10]) + (", ..." if len(plans) > 10 else "")
            msg = (
                f"This server holds {len(plans)} plans (one per person), so the plan to act "
                "on must be named: set PLANNER_PLAN=YOUR_NAME on your machine, or give "
                f"--plan NAME. Plans: {listed}."
            )
            raise UsageError(msg)
    return plan


def is_shared(session: Session) -> bool:
    """Whether the database is a server that several people use (not one person's file):
    there the most recently used plan may be someone else's, so it is never assumed."""
    return session.get_bind().dialect.name != "sqlite"


def plan_id(plan: Plan | PlanRow) -> int:
    assert plan.id is not None
    return plan.id


def read(db: str | None, work: Callable[[Reader], T], *, empty: Callable[[], T] | None = None) -> T:
    """``work`` run on the read queries of the database: through the standard library's
    ``sqlite3`` on a SQLite file when it can (``planner.fastread``), else (a server, or
    anything out of the ordinary) through the full path, which opens, checks and
    explains as every command does. With no database yet: ``empty()``, or NoPlan."""
    from planner import fastread

    result = fastread.attempt(db, work)
    if not isinstance(result, fastread.Fallback):
        return result
    return read_fully(db, work, empty=empty)


def read_fully(
    db: str | None, work: Callable[[Reader], T], *, empty: Callable[[], T] | None = None
) -> T:
    """``read`` without the fast path: SQLAlchemy, in one read transaction."""
    from planner import tracker
    from planner.db import open_database

    database = open_database(db, create=False)
    if database.version is None:
        if empty is None:
            raise NoPlan(NO_PLAN)
        return empty()
    with database.read() as session:
        return work(tracker.reader(session))


def _reader(source: Session | Reader) -> Reader:
    if isinstance(source, Reader):
        return source
    from planner import tracker

    return tracker.reader(source)


# --------------------------------------------------------------------------- snapshots


def store_snapshots(
    session: Session, curricula: Sequence[models.Curriculum | Curriculum], at: datetime
) -> dict[str, str]:
    """Store each curriculum (once per content); returns role id -> digest."""
    from planner import tracker

    digests = {}
    for curriculum in curricula:
        snapshot = snapshot_of(curriculum)
        tracker.add_snapshot(
            session=session,
            digest=snapshot.digest,
            format=FORMAT,
            body=snapshot.body,
            at=at,
        )
        _constructed.setdefault(snapshot.digest, plain.of(curriculum))
        digests[curriculum.id] = snapshot.digest
    return digests


def read_snapshots(source: Session | Reader, plan: Plan | PlanRow) -> tuple[Curriculum, ...]:
    """The plan's curricula, one per role in ``plan.roles`` order.

    Raises PlanUnreadable when a snapshot is missing, damaged or from a newer planner;
    a plan without snapshots (from before they existed) is read from the search path.
    """
    from planner.queries import DamagedJSON

    for field in ("roles", "known_skills", "curriculum_versions"):
        value = getattr(plan, field)
        if isinstance(value, DamagedJSON) or not isinstance(value, list | dict):
            raise PlanUnreadable(_unreadable(plan.name, f"its {field} column is damaged"))
    if not plan.roles or not all(isinstance(role, str) for role in plan.roles):
        raise PlanUnreadable(_unreadable(plan.name, "its roles column is damaged"))
    digests = plan.curriculum_digests
    if digests is None:
        return _from_search_path(plan)
    if not isinstance(digests, dict) or any(role not in digests for role in plan.roles):
        raise PlanUnreadable(_unreadable(plan.name, "its list of stored curricula is damaged"))
    wanted = [str(digests[role]) for role in plan.roles]
    missing = [d for d in dict.fromkeys(wanted) if d not in _constructed]
    rows = _reader(source).snapshots(missing) if missing else {}
    for digest in missing:
        row = rows.get(digest)
        if row is None:
            raise PlanUnreadable(_unreadable(plan.name, "its stored curriculum is missing"))
        _constructed[digest] = _construct(plan.name, digest, *row)
    return tuple(_constructed[d] for d in wanted)


def _construct(plan_name: str, digest: str, format_: int, body: str) -> Curriculum:
    if format_ > FORMAT:
        raise PlanUnreadable(
            _unreadable(
                plan_name,
                f"its curriculum was stored by a newer planner (snapshot format {format_})",
                "Upgrade planner to read it.",
            )
        )
    if digest_of(body) != digest:
        raise PlanUnreadable(_unreadable(plan_name, "its stored curriculum is damaged"))
    try:
        return plain.from_dict(json.loads(body))
    except (ValueError, TypeError, KeyError, AttributeError, IndexError):
        raise PlanUnreadable(_unreadable(plan_name, "its stored curriculum is damaged")) from None


def _unreadable(plan_name: str, reason: str, fix: str = "") -> str:
    fix = fix or (
        f"Store its curriculum again with `planner --plan '{plan_name}' upgrade` (give the "
        "curriculum file when it is not on the curricula path), or delete the plan; other "
        "plans are not affected."
    )
    return f"Plan '{plan_name}' cannot be read: {reason}. {fix}"


def _from_search_path(plan: Plan | PlanRow) -> tuple[Curriculum, ...]:
    from planner.curriculum import load_role
    from planner.errors import CurriculumInvalid, PlannerError

    found = []
    for role in plan.roles:
        try:
            found.append(plain.of(load_role(role)))
        except CurriculumInvalid as exc:
            reason = f"it keeps no copy of its curriculum, and the file of {role} is invalid"
            fix = (
                f"{exc.problems[0]}. Fix the file, then run `planner --plan '{plan.name}' upgrade`."
            )
            raise PlanUnreadable(_unreadable(plan.name, reason, fix)) from None
        except PlannerError:
            reason = f"it keeps no copy of its curriculum, and no file of {role} is found"
            fix = (
                "Put the curriculum file back on PLANNER_CURRICULA_PATH and run "
                f"`planner --plan '{plan.name}' upgrade` (or `upgrade FILE.yaml`) to keep it "
                "with the plan."
            )
            raise PlanUnreadable(_unreadable(plan.name, reason, fix)) from None
    return tuple(found)


# --------------------------------------------------------------------------- plan info


def plan_info(
    source: Session | Reader,
    plan: Plan | PlanRow,
    replan: Event | EventRow | None | Literal[False] = False,
) -> PlanInfo:
    """The plan's settings, its curricula and its latest re-plan (``replan``: already
    read, None for none; by default it is looked up); raises PlanUnreadable."""
    from planner.view import PlanInfo

    reader = _reader(source)
    if replan is False:
        replan = reader.latest_plan_event(plan_id(plan), "replanned")
    rebase = None
    if replan is not None and replan.on_date is not None:
        rebase = (replan.on_date, replan.hours or 0.0)
    return PlanInfo.of(plan, read_snapshots(reader, plan), rebase)


def prefetch_snapshots(reader: Reader, plans: Sequence[Plan | PlanRow]) -> None:
    """Read the stored curricula of all ``plans`` in one query, so that ``read_snapshots``
    then asks the database nothing (a damaged or missing one is left for it to report)."""
    wanted = {
        str(digest)
        for plan in plans
        if isinstance(plan.curriculum_digests, dict)
        for digest in plan.curriculum_digests.values()
    }
    missing = [d for d in sorted(wanted) if d not in _constructed]
    if not missing:
        return
    for digest, row in reader.snapshots(missing).items():
        try:
            _constructed[digest] = _construct("", digest, *row)
        except PlanUnreadable:
            continue  # read_snapshots reports it, with the plan's name


def load_view(*, db: str | None, plan_name: str | None, today: date) -> PlanView:
    """The active plan as a PlanView (read-only); raises NoPlan or PlanUnreadable."""
    from planner.view import view_of

    info, states, activity = read(db, lambda reader: view_inputs(reader, plan_name))
    return view_of(info, states, today, activity)


def view_inputs(
    reader: Reader, plan_name: str | None
) -> tuple[PlanInfo, dict[str, MilestoneState], Activity]:
    """What a view of the active plan is built from: its settings and curricula, its
    milestones' states and its study entries and time off."""
    plan = find_plan(reader, plan_name)
    return plan_info(reader, plan), reader.milestone_states(plan.id), reader.activity(plan.id)


def utcnow() -> datetime:
    """Now, in UTC."""
    from datetime import UTC

    return datetime.now(UTC)


def newer_curricula(info: PlanInfo) -> list[tuple[str, list[tuple[str, int, int]]]]:
    """Roles whose curriculum on the search path has a file with a higher version than
    the plan keeps: ``(role, [(file id, version kept, version available), ...])``. Never
    raises: a missing or broken file simply offers nothing."""
    from planner import cache, settings
    from planner.curriculum import load_role
    from planner.errors import PlannerError
    from planner.search import find_in

    newer = []
    for kept in info.curricula:
        path = find_in(settings.curricula_dirs(), kept.id)
        if path is None:
            continue  # a role from a file elsewhere: nothing to compare with, cheaply
        available = cache.versions(path)  # from the cache entry's header: no parsing
        if available is None:
            try:
                available = load_role(kept.id).versions
            except PlannerError:
                continue
        files = [
            (cid, kept.versions.get(cid, 0), version)
            for cid, version in available.items()
            if version > kept.versions.get(cid, 0)
        ]
        if files:
            newer.append((kept.id, files))
    return newer
