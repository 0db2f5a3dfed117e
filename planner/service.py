"""Use cases the commands call: the one place that combines curriculum, scheduler,
tracker and renderer. Functions here return data, never text for the terminal."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner import curriculum as curricula
from planner.errors import (
    AmbiguousMilestone,
    CurriculumInvalid,
    NoPlan,
    PlanExists,
    UnknownMilestone,
    UnknownSkill,
    UsageError,
)
from planner.models import Curriculum, Milestone, Project, Skill

if TYPE_CHECKING:
    from sqlmodel import Session

    from planner.db import Database
    from planner.scheduler import Schedule
    from planner.tracker import Event, MilestoneState, Plan


def utcnow() -> datetime:
    """Now, in UTC."""
    from datetime import UTC

    return datetime.now(UTC)


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

MAX_HOURS_PER_WEEK = 80.0
MAX_NOTE_CHARS = 10_000


@dataclass(frozen=True)
class PlanCurriculum:
    """The union of a plan's roles: shared milestones appear (and count) once."""

    roles: tuple[Curriculum, ...]
    milestones: tuple[Milestone, ...]
    skills: dict[str, Skill]
    projects: tuple[Project, ...]
    serves: dict[str, tuple[str, ...]]  # milestone id -> ids of the roles it serves

    @property
    def by_id(self) -> dict[str, Milestone]:
        return {m.id: m for m in self.milestones}


def merge_roles(roles: list[Curriculum]) -> PlanCurriculum:
    milestones: dict[str, Milestone] = {}
    skills: dict[str, Skill] = {}
    projects: dict[str, Project] = {}
    serves: dict[str, list[str]] = {}
    for role in roles:
        for milestone in role.milestones:
            milestones.setdefault(milestone.id, milestone)
            serves.setdefault(milestone.id, []).append(role.id)
        for skill in role.skills:
            skills.setdefault(skill.id, skill)
        for project in role.projects:
            projects.setdefault(project.id, project)
    return PlanCurriculum(
        roles=tuple(roles),
        milestones=tuple(milestones.values()),
        skills=skills,
        projects=tuple(projects.values()),
        serves={k: tuple(v) for k, v in serves.items()},
    )


@dataclass(frozen=True)
class PlanInfo:
    name: str
    roles: tuple[str, ...]
    hours_per_week: float
    start: date
    known_skills: tuple[str, ...]
    industry: str | None
    created_at: datetime
    curriculum_versions: dict[str, int]
    rebase: tuple[date, float] | None = None  # (day re-planned, hours done then)

    @classmethod
    def of(cls, plan: Plan, session: Session | None = None) -> PlanInfo:
        """The plan's settings; with a session, also its latest re-plan."""
        rebase = None
        if session is not None and plan.id is not None:
            from planner import tracker

            event = tracker.latest_plan_event(session=session, plan_id=plan.id, kind="replanned")
            if event is not None and event.on_date is not None:
                rebase = (event.on_date, event.hours or 0.0)
        return cls(
            name=plan.name,
            roles=tuple(plan.roles),
            hours_per_week=plan.hours_per_week,
            start=plan.start_date,
            known_skills=tuple(plan.known_skills),
            industry=plan.industry,
            created_at=plan.created_at,
            curriculum_versions=dict(plan.curriculum_versions),
            rebase=rebase,
        )


@dataclass(frozen=True)
class PlanView:
    """Everything any output needs about one plan on one day."""

    plan: PlanInfo
    curriculum: PlanCurriculum
    states: dict[str, MilestoneState]
    schedule: Schedule
    today: date

    def state_of(self, milestone_id: str) -> str:
        """pending, done, skipped (by choice) or known (skipped as known)."""
        if milestone_id in self.schedule.skipped_known:
            return "known"
        if milestone_id in self.schedule.skipped:
            return "skipped"
        state = self.states.get(milestone_id)
        return "done" if state is not None and state.kind == "done" else "pending"

    def done_on(self, milestone_id: str) -> date | None:
        state = self.states.get(milestone_id)
        if state is None or state.kind != "done":
            return None
        return state.on_date or state.at.date()


def build_view(plan: PlanInfo, states: dict[str, MilestoneState], today: date) -> PlanView:
    from planner.curriculum import load_role
    from planner.scheduler import Learner, Progress, Task, build_schedule

    curriculum = merge_roles([load_role(role) for role in plan.roles])
    known = curriculum.by_id
    done = {
        mid: (s.on_date or s.at.date())
        for mid, s in states.items()
        if s.kind == "done" and mid in known
    }
    skipped = frozenset(mid for mid, s in states.items() if s.kind == "skipped" and mid in known)
    tasks = [
        Task(id=m.id, hours=m.hours, requires=tuple(m.requires), skills=tuple(m.skills))
        for m in curriculum.milestones
    ]
    schedule = build_schedule(
        tasks,
        Learner(
            hours_per_week=plan.hours_per_week,
            start=plan.start,
            known_skills=frozenset(plan.known_skills),
        ),
        Progress(done=done, skipped=skipped),
        today,
    )
    if plan.rebase is not None:
        from planner.changes import rebase

        schedule = rebase(
            schedule,
            start=plan.start,
            hours_per_week=plan.hours_per_week,
            since=plan.rebase[0],
            hours_done_then=plan.rebase[1],
            today=today,
        )
    return PlanView(plan=plan, curriculum=curriculum, states=states, schedule=schedule, today=today)


# --------------------------------------------------------------------------- helpers


def _suggestion(name: str, choices: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.5)
    return f" Did you mean '{close[0]}'?" if close else ""


def check_hours_per_week(value: float) -> float:
    if not 0 < value <= MAX_HOURS_PER_WEEK:
        msg = (
            f"--hours-per-week must be more than 0 and at most {MAX_HOURS_PER_WEEK:g} "
            f"(got {value:g})."
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
        hint = _suggestion(query, list(skills))
        if len(words) > 1:
            hint = f" It could be {', '.join(words)}."
        msg = (
            f"Unknown skill '{query}' in --know.{hint} Skill ids are listed by "
            "`planner curricula show ROLE --json`."
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
        f"No milestone '{query}' in plan '{plan_name}'.{_suggestion(query, plan_ids)} "
        "See `planner status` or `planner curricula show ROLE`."
    )
    raise UnknownMilestone(msg)


def _database(db: str | None) -> Database:
    from planner.db import open_database

    return open_database(db)


def _existing_database(db: str | None) -> Database:
    from planner.db import database_exists, open_database

    if not database_exists(db):
        raise NoPlan(NO_PLAN)
    return open_database(db)


NO_PLAN = (
    "No plan yet. Start one with `planner start ROLE` (see `planner curricula list` for the roles)."
)


def _active_plan(session: Session, name: str | None) -> Plan:
    from planner import tracker

    if name:
        plan = tracker.get_plan(session=session, name=name)
        if plan is None:
            names = [p.name for p in tracker.list_plans(session=session)]
            msg = (
                f"No plan named '{name}'.{_suggestion(name, names)} "
                f"Plans: {', '.join(names) or 'none'}. See `planner plans`."
            )
            raise NoPlan(msg)
        return plan
    plan = tracker.latest_plan(session=session)
    if plan is None:
        raise NoPlan(NO_PLAN)
    return plan


def load_view(*, db: str | None, plan_name: str | None, today: date) -> PlanView:
    """The active plan as a PlanView (read-only)."""
    from planner import tracker

    database = _existing_database(db)
    with database.read() as session:
        plan = _active_plan(session, plan_name)
        states = tracker.milestone_states(session=session, plan_id=_id(plan))
        info = PlanInfo.of(plan, session)
    return build_view(info, states, today)


def _id(plan: Plan) -> int:
    assert plan.id is not None
    return plan.id


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
) -> PlanView:
    from planner import tracker
    from planner.curriculum import load_role

    check_hours_per_week(hours_per_week)
    role_ids = list(dict.fromkeys(roles))
    curricula_ = [load_role(r) for r in role_ids]
    role_ids = [c.id for c in curricula_]
    merged = merge_roles(curricula_)
    known_skills = resolve_skills(know, merged.skills)
    chosen_industry = None
    if industry is not None:
        industries = [i for c in curricula_ if c.profile for i in c.profile.industries]
        lookup = {i.lower(): i for i in industries}
        if industry.lower() not in lookup:
            msg = (
                f"Unknown industry '{industry}'.{_suggestion(industry, industries)} "
                f"Choose one of: {', '.join(industries)}."
            )
            raise UsageError(msg)
        chosen_industry = lookup[industry.lower()]
    plan_name = (name if name is not None else "+".join(role_ids)).strip()
    if not plan_name or len(plan_name) > 100 or any(ord(ch) < 32 for ch in plan_name):
        msg = "--name must be 1 to 100 printable characters."
        raise UsageError(msg)

    now = utcnow()
    database = _database(db)
    with database.write() as session:
        if tracker.get_plan(session=session, name=plan_name) is not None:
            msg = (
                f"A plan named '{plan_name}' already exists. Choose another name with "
                f"--name, or act on it with --plan '{plan_name}'."
            )
            raise PlanExists(msg)
        plan = tracker.create_plan(
            session=session,
            name=plan_name,
            roles=role_ids,
            curriculum_versions={k: v for c in curricula_ for k, v in c.versions.items()},
            hours_per_week=hours_per_week,
            start_date=start,
            known_skills=list(dict.fromkeys(known_skills)),
            industry=chosen_industry,
            created_at=now,
            last_used_at=now,
        )
        info = PlanInfo.of(plan)
    return build_view(info, {}, today)


# --------------------------------------------------------------------------- progress


@dataclass(frozen=True)
class Change:
    """What one command did to one milestone."""

    milestone_id: str
    title: str
    action: str  # done, undone, skipped, unskipped, noted, already-done, already-skipped
    on: date | None = None


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

    Every id is resolved and every rule checked before anything is written; a
    command that fails writes nothing.
    """
    from planner import tracker

    if note is not None:
        note = note.strip()
        if not note:
            msg = "The note is empty; write some text."
            raise UsageError(msg)
        if len(note) > MAX_NOTE_CHARS:
            msg = f"The note is {len(note):,} characters; the limit is {MAX_NOTE_CHARS:,}."
            raise UsageError(msg)
    if hours is not None and not 0 < hours <= 1000:
        msg = f"--hours must be more than 0 and at most 1000 (got {hours:g})."
        raise UsageError(msg)
    if on is not None and on > today:
        msg = f"--on {on.isoformat()} is in the future; give the day the work was done."
        raise UsageError(msg)

    database = _existing_database(db)
    with database.read() as session:
        info = PlanInfo.of(_active_plan(session, plan_name), session)
    from planner.curriculum import load_role

    curriculum = merge_roles([load_role(r) for r in info.roles])
    ids = [m.id for m in curriculum.milestones]
    titles = {m.id: m.title for m in curriculum.milestones}
    chosen = list(dict.fromkeys(match_milestone(q, ids, info.name) for q in queries))
    if on is not None and on < info.start:
        msg = f"--on {on.isoformat()} is before the plan started ({info.start.isoformat()})."
        raise UsageError(msg)

    now = utcnow()
    changes: list[Change] = []
    with database.write() as session:
        plan = _active_plan(session, info.name)
        states = tracker.milestone_states(session=session, plan_id=_id(plan))
        writes: list[tuple[str, str]] = []
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
                writes.append((mid, "done"))
                changes.append(Change(mid, titles[mid], "done", on or today))
            elif action == "undo":
                if kind == "done":
                    writes.append((mid, "undone"))
                    changes.append(Change(mid, titles[mid], "undone"))
                elif kind == "skipped":
                    writes.append((mid, "unskipped"))
                    changes.append(Change(mid, titles[mid], "unskipped"))
                else:
                    msg = f"'{mid}' is neither done nor skipped; there is nothing to undo."
                    raise UsageError(msg)
            elif action == "skip":
                if kind == "done":
                    msg = f"'{mid}' is done; run `planner undo {mid}` first to skip it instead."
                    raise UsageError(msg)
                if kind == "skipped":
                    changes.append(Change(mid, titles[mid], "already-skipped"))
                    continue
                writes.append((mid, "skipped"))
                changes.append(Change(mid, titles[mid], "skipped"))
            elif action == "note":
                writes.append((mid, "note"))
                changes.append(Change(mid, titles[mid], "noted"))
            else:  # pragma: no cover - the CLI only passes the four actions
                msg = f"unknown action {action!r}"
                raise ValueError(msg)
        for mid, kind in writes:
            tracker.record_event(
                session=session,
                plan_id=_id(plan),
                milestone_id=mid,
                kind=kind,
                at=now,
                on_date=(on or today) if kind == "done" else None,
                hours=hours if kind == "done" else None,
                note=note,
            )
        tracker.touch_plan(session=session, plan=plan, at=now)
        states = tracker.milestone_states(session=session, plan_id=_id(plan))
    return changes, build_view(info, states, today)


# --------------------------------------------------------------------------- plans


@dataclass(frozen=True)
class PlanSummary:
    name: str
    roles: tuple[str, ...]
    active: bool
    view: PlanView
    last_activity: datetime | None


def list_plans(*, db: str | None, plan_name: str | None, today: date) -> list[PlanSummary]:
    from planner import db as dbmod
    from planner import tracker

    if not dbmod.database_exists(db):
        return []
    database = _database(db)
    rows = []
    with database.read() as session:
        plans = tracker.list_plans(session=session)
        if not plans:
            return []
        active = _active_plan(session, plan_name if plan_name else None) if plans else None
        for plan in plans:
            rows.append(
                (
                    PlanInfo.of(plan, session),
                    tracker.milestone_states(session=session, plan_id=_id(plan)),
                    tracker.last_activity(session=session, plan_id=_id(plan)),
                    active is not None and plan.id == active.id,
                )
            )
    return [
        PlanSummary(info.name, info.roles, is_active, build_view(info, states, today), last)
        for info, states, last, is_active in rows
    ]


def use_plan(*, db: str | None, name: str) -> PlanInfo:
    from planner import tracker

    database = _existing_database(db)
    with database.write() as session:
        plan = _active_plan(session, name)
        tracker.touch_plan(session=session, plan=plan, at=utcnow())
        return PlanInfo.of(plan)


def delete_plan(*, db: str | None, name: str) -> int:
    from planner import tracker

    database = _existing_database(db)
    with database.write() as session:
        plan = _active_plan(session, name)
        return tracker.delete_plan(session=session, plan=plan)


def plan_events(
    *, db: str | None, plan_name: str | None, limit: int | None
) -> tuple[PlanInfo, list[Event]]:
    from planner import tracker

    database = _existing_database(db)
    with database.read() as session:
        plan = _active_plan(session, plan_name)
        return PlanInfo.of(plan), tracker.list_events(
            session=session, plan_id=_id(plan), limit=limit
        )


# --------------------------------------------------------------------------- reports

ON_TRACK_HOURS = 1.0


def pace_of(hours_behind: float) -> str:
    if hours_behind > ON_TRACK_HOURS:
        return "behind"
    if hours_behind < -ON_TRACK_HOURS:
        return "ahead"
    return "on track"


def _percent(part: float, whole: float) -> float:
    return round(100.0 * part / whole, 1) if whole else 100.0


def milestone_data(view: PlanView, milestone_id: str) -> dict[str, Any]:
    m = view.curriculum.by_id[milestone_id]
    done_on = view.done_on(milestone_id)
    return {
        "id": m.id,
        "title": m.title,
        "hours": m.hours,
        "state": view.state_of(m.id),
        "done_on": done_on.isoformat() if done_on else None,
        "summary": m.summary,
        "done_when": m.done_when,
        "skills": list(m.skills),
        "requires": list(m.requires),
        "roles": list(view.curriculum.serves.get(m.id, ())),
        "optional": m.optional,
        "resources": [dict(r) for r in m.resources],  # flat models: no pydantic serializer
    }


def week_data(view: PlanView, number: int) -> dict[str, Any]:
    schedule = view.schedule
    start = view.plan.start
    from datetime import timedelta

    week_start = start + timedelta(days=7 * (number - 1))
    slots = schedule.weeks[number - 1].slots if number <= len(schedule.weeks) else ()
    return {
        "number": number,
        "start": week_start.isoformat(),
        "end": (week_start + timedelta(days=6)).isoformat(),
        "hours": sum(s.hours for s in slots),
        "slots": [
            {
                "milestone": s.milestone_id,
                "title": view.curriculum.by_id[s.milestone_id].title,
                "hours": s.hours,
                "done": s.done,
                "continued": s.continued,
                "continues": s.continues,
            }
            for s in slots
        ],
    }


def status_data(view: PlanView) -> dict[str, Any]:
    """Where the learner stands: the data behind ``planner status`` and its --json."""
    s = view.schedule
    by_id = view.curriculum.by_id
    plannable = [
        m for m in view.curriculum.milestones if view.state_of(m.id) in ("pending", "done")
    ]
    skills = []
    for skill in view.curriculum.skills.values():
        related = [m for m in plannable if skill.id in m.skills]
        if not related:
            continue
        total = sum(m.hours for m in related)
        done = sum(m.hours for m in related if view.state_of(m.id) == "done")
        skills.append(
            {
                "id": skill.id,
                "name": skill.name,
                "hours_done": done,
                "hours_total": total,
                "percent": _percent(done, total),
            }
        )
    roles = []
    for role in view.curriculum.roles:
        ids = {m.id for m in role.milestones}
        related = [m for m in plannable if m.id in ids]
        total = sum(m.hours for m in related)
        done = sum(m.hours for m in related if view.state_of(m.id) == "done")
        roles.append(
            {
                "id": role.id,
                "title": role.title,
                "hours_done": done,
                "hours_total": total,
                "percent": _percent(done, total),
                "milestones_done": sum(1 for m in related if view.state_of(m.id) == "done"),
                "milestones_total": len(related),
            }
        )
    late_days = (s.projected_finish - s.planned_finish).days
    return {
        "plan": view.plan.name,
        "roles": list(view.plan.roles),
        "today": view.today.isoformat(),
        "start": view.plan.start.isoformat(),
        "hours_per_week": view.plan.hours_per_week,
        "progress": {
            "percent": _percent(s.hours_done, s.hours_total),
            "hours_done": s.hours_done,
            "hours_total": s.hours_total,
            "milestones_done": s.milestones_done,
            "milestones_total": s.milestones_total,
        },
        "pace": {
            "status": pace_of(s.hours_behind),
            "hours_behind": round(s.hours_behind, 2),
            "hours_planned_to_date": round(s.hours_planned_to_date, 2),
        },
        "finish": {
            "planned": s.planned_finish.isoformat(),
            "projected": s.projected_finish.isoformat(),
            "days_late": late_days,
        },
        "current_week": week_data(view, s.current_week),
        "skills": skills,
        "role_progress": roles,
        "skipped_known": [{"id": mid, "title": by_id[mid].title} for mid in s.skipped_known],
        "skipped": [{"id": mid, "title": by_id[mid].title} for mid in s.skipped],
    }


def next_data(view: PlanView) -> dict[str, Any]:
    """This week's remaining work (or the next week that has some)."""
    s = view.schedule
    number = s.current_week
    while number <= len(s.weeks) and not any(not slot.done for slot in s.weeks[number - 1].slots):
        number += 1
    week = week_data(view, number)
    items = []
    for slot in week["slots"]:
        if slot["done"]:
            continue
        item = milestone_data(view, slot["milestone"])
        item["hours_this_week"] = slot["hours"]
        item["continued"] = slot["continued"]
        item["continues"] = slot["continues"]
        items.append(item)
    return {
        "plan": view.plan.name,
        "today": view.today.isoformat(),
        "current_week": s.current_week,
        "week": {k: week[k] for k in ("number", "start", "end")},
        "finished": not s.order,
        "milestones": items,
    }


# --------------------------------------------------------------------------- printable plan


def render_plan(
    *,
    db: str | None,
    plan_name: str | None,
    today: date,
    fmt: str,
    weeks: int | None = None,
    paper: str = "A4",
) -> bytes:
    """The active plan rendered as txt, md, html or pdf bytes."""
    from planner import renderer
    from planner.projects import rank_projects
    from planner.report import build_report

    if weeks is not None and weeks < 1:
        msg = f"--weeks must be at least 1 (got {weeks})."
        raise UsageError(msg)
    view = load_view(db=db, plan_name=plan_name, today=today)
    report = build_report(view, rank_projects(view), weeks=weeks, paper=paper)
    if fmt == "pdf":
        return renderer.html_to_pdf(renderer.render("html", {"plan": report}))
    return renderer.render(fmt, {"plan": report}).encode("utf-8")


# --------------------------------------------------------------------------- plan changes


def add_role(*, db: str | None, plan_name: str | None, role: str, today: date) -> PlanView:
    """Add a role to the active plan; progress on shared milestones carries over."""
    from planner import tracker
    from planner.curriculum import load_role

    added = load_role(role)
    database = _existing_database(db)
    now = utcnow()
    with database.write() as session:
        plan = _active_plan(session, plan_name)
        if added.id in plan.roles:
            msg = f"Plan '{plan.name}' already includes {added.id}."
            raise UsageError(msg)
        roles = [*plan.roles, added.id]
        versions = {**plan.curriculum_versions, **added.versions}
        tracker.update_plan(session=session, plan=plan, roles=roles, curriculum_versions=versions)
        tracker.record_event(
            session=session,
            plan_id=_id(plan),
            milestone_id="",
            kind="role-added",
            at=now,
            on_date=today,
            note=f"added role {added.id}",
        )
        tracker.touch_plan(session=session, plan=plan, at=now)
        session.flush()
        session.refresh(plan)
        info = PlanInfo.of(plan, session)
        states = tracker.milestone_states(session=session, plan_id=_id(plan))
    return build_view(info, states, today)


def replan(
    *,
    db: str | None,
    plan_name: str | None,
    today: date,
    hours_per_week: float | None,
    finish_by: date | None,
    drop_optional: bool,
    dry_run: bool,
) -> tuple[dict[str, Any], dict[str, Any] | None, PlanView]:
    """The catch-up options, and the change applied (or, with dry_run, only described)."""
    from planner import changes, tracker

    view = load_view(db=db, plan_name=plan_name, today=today)
    if finish_by is not None:
        changes.check_finish_by(view, finish_by)
    options = changes.replan_options(view, finish_by)
    if hours_per_week is None and finish_by is None and not drop_optional:
        return options, None, view
    change = changes.plan_change(
        view, hours_per_week=hours_per_week, finish_by=finish_by, drop_optional=drop_optional
    )
    if dry_run:
        return options, change, view
    database = _existing_database(db)
    now = utcnow()
    with database.write() as session:
        plan = _active_plan(session, view.plan.name)
        tracker.update_plan(session=session, plan=plan, hours_per_week=change["hours_per_week"])
        for mid in change["dropped"]:
            tracker.record_event(
                session=session,
                plan_id=_id(plan),
                milestone_id=mid,
                kind="skipped",
                at=now,
                note="dropped by replan",
            )
        tracker.record_event(
            session=session,
            plan_id=_id(plan),
            milestone_id="",
            kind="replanned",
            at=now,
            on_date=today,
            hours=view.schedule.hours_done,
            note=change["reason"],
        )
        tracker.touch_plan(session=session, plan=plan, at=now)
        session.flush()
        session.refresh(plan)
        info = PlanInfo.of(plan, session)
        states = tracker.milestone_states(session=session, plan_id=_id(plan))
    return options, change, build_view(info, states, today)


def render_team(*, db: str | None, today: date, fmt: str, paper: str = "A4") -> bytes:
    """Every plan in the database as one team report (txt, md, html or pdf)."""
    from planner import renderer
    from planner.team import build_team

    summaries = list_plans(db=db, plan_name=None, today=today)
    if not summaries:
        raise NoPlan(NO_PLAN)
    team = build_team(summaries, today, paper)
    if fmt == "pdf":
        return renderer.html_to_pdf(renderer.render("html", {"team": team}, "team"))
    return renderer.render(fmt, {"team": team}, "team").encode("utf-8")
