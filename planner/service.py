"""Use cases the commands call: the one place that combines curriculum, scheduler,
tracker and renderer. Functions here return data, never text for the terminal."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner import curriculum as curricula
from planner import plain, rules
from planner.errors import (
    CurriculumInvalid,
    NoPlan,
    NotFound,
    PlanExists,
    PlannerError,
    UsageError,
)
from planner.history import Activity
from planner.queries import EventRow, MilestoneState, PlanRow, Reader
from planner.store import (
    NO_PLAN,
    active_plan,
    existing_db,
    find_plan,
    is_shared,
    load_view,
    open_db,
    plan_info,
    prefetch_snapshots,
    read,
    utcnow,
)
from planner.view import (
    PlanInfo,
    PlanSummary,
    PlanView,
    check_roles,
    checked_view,
    merge_roles,
    view_of,
)

if TYPE_CHECKING:
    pass


@dataclass(frozen=True)
class CurriculumEntry:
    id: str
    title: str
    kind: str
    milestones: int
    hours: float
    source: str
    problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def list_curricula() -> list[CurriculumEntry]:
    """Every curriculum on the search path, roles first; invalid ones are listed, marked."""
    entries = []
    for cid, path in curricula.available():
        source = "built-in" if curricula.is_builtin(path) else str(path)
        try:
            resolved = curricula.load_curriculum(str(path))
        except CurriculumInvalid as exc:
            entries.append(CurriculumEntry(cid, "", "?", 0, 0.0, source, exc.problems[0]))
            continue
        entries.append(
            CurriculumEntry(
                cid,
                resolved.title,
                resolved.kind,
                len(resolved.milestones),
                resolved.total_hours,
                source,
            )
        )
    return sorted(entries, key=lambda e: (e.kind != "role", e.id))


def validate_files(paths: list[Path]) -> list[tuple[Path, list[str]]]:
    """Each file with its problems (an empty list means valid)."""
    results = []
    for path in paths:
        try:
            curricula.resolve_file(path)
        except CurriculumInvalid as exc:
            results.append((path, exc.problems))
        else:
            results.append((path, []))
    return results


# =========================================================================== plans


# --------------------------------------------------------------------------- start


def start_plan(
    *,
    db: str | None,
    roles: list[str],
    name: str | None,
    hours_per_week: float,
    start: date,
    know: list[str],
    industry: str | None,
    today: date,
) -> tuple[PlanView, list[str]]:
    """Create a plan and keep its roles' curricula with it; returns it with warnings.

    Everything is checked, and the whole schedule built, before anything is written.
    Raises UsageError (hours, dates, name), NotFound (role, skill, industry),
    CurriculumInvalid, Conflict (name taken, clashing milestone ids).
    """
    from planner import tracker
    from planner.curriculum import load_role
    from planner.store import store_snapshots

    rules.check_hours_per_week(hours_per_week)
    warnings = rules.check_start(start, today)
    role_ids = list(dict.fromkeys(roles))
    unique = {c.id: c for c in (load_role(r) for r in role_ids)}
    validated = list(unique.values())
    curricula_ = [plain.of(c) for c in validated]
    role_ids = list(unique)
    check_roles(curricula_)
    merged = merge_roles(curricula_)
    known_skills = rules.resolve_skills(know, merged.skills)
    chosen_industry = None
    if industry is not None:
        industries = [i for c in curricula_ if c.profile for i in c.profile.industries]
        lookup = {i.lower(): i for i in industries}
        if industry.lower() not in lookup:
            msg = (
                f"Unknown industry '{industry}'.{rules.suggestion(industry, industries)} "
                f"Choose one of: {', '.join(industries)}."
            )
            raise NotFound(msg)
        chosen_industry = lookup[industry.lower()]
    plan_name = (name if name is not None else "+".join(role_ids)).strip()
    try:
        plan_name = rules.check_plan_name(plan_name)
    except ValueError as exc:
        msg = f"--name {exc}."
        raise UsageError(msg) from None

    now = utcnow()
    info = PlanInfo(
        name=plan_name,
        roles=tuple(role_ids),
        hours_per_week=hours_per_week,
        start=start,
        known_skills=tuple(dict.fromkeys(known_skills)),
        industry=chosen_industry,
        created_at=now,
        curriculum_versions={k: v for c in curricula_ for k, v in c.versions.items()},
        curricula=tuple(curricula_),
    )
    view, more = checked_view(info, {}, today)
    warnings += more

    database = open_db(db)
    with database.write() as session:
        if tracker.get_plan(session=session, name=plan_name) is not None:
            msg = (
                f"A plan named '{plan_name}' already exists. Choose another name with "
                f"--name, or act on it with --plan '{plan_name}'."
            )
            raise PlanExists(msg)
        tracker.create_plan(
            session=session,
            name=plan_name,
            roles=role_ids,
            curriculum_versions=info.curriculum_versions,
            curriculum_digests=store_snapshots(session, validated, now),
            hours_per_week=hours_per_week,
            start_date=start,
            known_skills=list(info.known_skills),
            industry=chosen_industry,
            created_at=now,
            last_used_at=now,
        )
    return view, warnings


# --------------------------------------------------------------------------- progress


# --------------------------------------------------------------------------- plans


def list_plans(*, db: str | None, plan_name: str | None, today: date) -> list[PlanSummary]:
    """Every plan with its view; a plan that cannot be read has ``problem`` instead, and
    the others are listed all the same."""

    def none() -> list[_PlanRow]:
        return []

    rows = read(db, lambda reader: _plan_rows(reader, plan_name), empty=none)
    summaries = []
    for plan, active, info, states, activity, last, problem in rows:
        view = None
        if info is not None:
            try:
                view = view_of(info, states, today, activity)
            except PlannerError as exc:
                problem = exc.message
        summaries.append(
            PlanSummary(plan.name, tuple(plan.roles), active, view, last, problem=problem)
        )
    return summaries


_PlanRow = tuple[
    PlanRow, bool, PlanInfo | None, dict[str, MilestoneState], Activity, datetime | None, str | None
]


def _plan_rows(reader: Reader, plan_name: str | None) -> list[_PlanRow]:
    """Every plan with what its view is built from, in a fixed number of queries however
    many plans there are: (plan, active, info or None, states, activity, last activity,
    why it cannot be read)."""
    plans = reader.plans()
    if not plans:
        return []
    active = None  # on a server with no plan named, none is anyone's active plan
    if plan_name or not reader.shared or len(plans) == 1:
        active = find_plan(reader, plan_name if plan_name else None)
    states = reader.milestone_states_by_plan()
    activity = reader.activity_by_plan()
    replans = reader.latest_plan_events_by_plan("replanned")
    last = reader.last_activity_by_plan()
    prefetch_snapshots(reader, plans)
    rows: list[_PlanRow] = []
    for plan in plans:
        info, problem = None, None
        try:
            info = plan_info(reader, plan, replans.get(plan.id))
        except PlannerError as exc:
            problem = exc.message
        rows.append(
            (
                plan,
                active is not None and plan.id == active.id,
                info,
                states.get(plan.id, {}),
                activity.get(plan.id) or Activity(),
                last.get(plan.id),
                problem,
            )
        )
    return rows


def use_plan(*, db: str | None, name: str) -> str:
    """Make plan ``name`` the active one; returns its name. Raises NoPlan."""
    from planner import tracker

    database = existing_db(db)
    with database.write() as session:
        plan = active_plan(session, name)
        if is_shared(session):
            msg = (
                "On a server the active plan is each person's own: set PLANNER_PLAN="
                f"'{plan.name}' on your machine (or give --plan '{plan.name}') instead."
            )
            raise UsageError(msg)
        tracker.touch_plan(session=session, plan=plan, at=utcnow())
        return plan.name


def delete_plan(*, db: str | None, name: str) -> int:
    from planner import tracker

    database = existing_db(db)
    with database.write() as session:
        plan = active_plan(session, name)
        return tracker.delete_plan(session=session, plan=plan)


def plan_events(
    *, db: str | None, plan_name: str | None, limit: int | None
) -> tuple[str, list[EventRow], dict[str, float]]:
    """The plan's name, its events (oldest first; the newest ``limit`` when given) and
    its milestones' estimated hours (empty for a plan whose curriculum cannot be read:
    its history is shown all the same)."""

    def work(reader: Reader) -> tuple[str, list[EventRow], dict[str, float]]:
        plan = find_plan(reader, plan_name)
        events = reader.events(plan.id, limit)
        try:
            info = plan_info(reader, plan)
        except PlannerError:
            return plan.name, events, {}
        return plan.name, events, {m.id: m.hours for c in info.curricula for m in c.milestones}

    return read(db, work)


# --------------------------------------------------------------------------- printable plan


def render_plan(
    *,
    db: str | None,
    plan_name: str | None,
    today: date,
    fmt: str,
    weeks: int | None = None,
    paper: str = "A4",
    width: int = 80,
) -> bytes:
    """The active plan rendered as txt, md or html bytes; text ``width`` cells wide. (The
    command line makes the PDF from the html, after checking its fonts.)"""
    from planner import renderer
    from planner.projects import rank_projects
    from planner.report import build_report

    if weeks is not None and weeks < 1:
        msg = f"--weeks must be at least 1 (got {weeks})."
        raise UsageError(msg)
    view = load_view(db=db, plan_name=plan_name, today=today)
    report = build_report(view, rank_projects(view), weeks=weeks, paper=paper, width=width)
    return renderer.render(fmt, {"plan": report}, width=width).encode("utf-8")


def render_team(
    *,
    db: str | None,
    today: date,
    zone: tzinfo | None,
    fmt: str,
    paper: str = "A4",
    width: int = 80,
) -> bytes:
    """Every plan in the database as one team report (txt, md, html or pdf), its times
    in ``zone`` (None: the system's local time at each moment); plans that cannot be
    read are listed with why. Text is ``width`` cells wide."""
    from planner import renderer
    from planner.team import build_team

    summaries = list_plans(db=db, plan_name=None, today=today)
    if not summaries:
        raise NoPlan(NO_PLAN)
    team = build_team(summaries, today, paper, zone)
    if fmt == "pdf":
        return renderer.html_to_pdf(renderer.render("html", {"team": team}, "team"))
    return renderer.render(fmt, {"team": team}, "team", width=width).encode("utf-8")
