"""Use cases that change a plan itself: add a role, re-plan, and move the plan to a newer
curriculum. Each builds the complete new schedule in memory, writes only when that
succeeded, and records the change as an event, so ``planner log`` shows when and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from planner import plain, rules
from planner.errors import Conflict, NotFound, PlanUnreadable
from planner.store import (
    active_plan,
    existing_db,
    load_view,
    plan_id,
    plan_info,
    store_snapshots,
    utcnow,
)
from planner.view import PlanInfo, PlanView, check_roles, checked_view, view_of

if TYPE_CHECKING:
    from planner.plain import Curriculum


def _replace_info(info: PlanInfo, **changes: Any) -> PlanInfo:
    import dataclasses

    return dataclasses.replace(info, **changes)


# --------------------------------------------------------------------------- add-role


def add_role(
    *, db: str | None, plan_name: str | None, role: str, today: date
) -> tuple[PlanView, list[str]]:
    """Add a role to the active plan; progress on shared milestones carries over.

    Raises Conflict (the role is already in the plan; a milestone id defined differently),
    NotFound, CurriculumInvalid, UsageError (the plan would run too long).
    """
    from planner import tracker
    from planner.curriculum import load_role

    added = plain.of(load_role(role))
    database = existing_db(db)
    now = utcnow()
    # One write transaction from reading the plan to recording the change, so two
    # processes adding different roles at once both land (SQLite: BEGIN IMMEDIATE).
    with database.write() as session:
        plan = active_plan(session, plan_name)
        info = plan_info(session, plan)
        states = tracker.milestone_states(session=session, plan_id=plan_id(plan))
        activity = tracker.plan_activity(session=session, plan_id=plan_id(plan))
        if added.id in info.roles:
            msg = f"Plan '{info.name}' already includes {added.id}."
            raise Conflict(msg)
        curricula = [*info.curricula, added]
        check_roles(curricula)
        new_info = _replace_info(
            info,
            roles=(*info.roles, added.id),
            curricula=tuple(curricula),
            curriculum_versions={**info.curriculum_versions, **added.versions},
        )
        # raises before any write
        view, warnings = checked_view(new_info, states, today, activity)
        if plan.curriculum_digests is None:  # a plan from before snapshots: keep them all now
            digests = store_snapshots(session, curricula, now)
        else:
            digests = {**plan.curriculum_digests, **store_snapshots(session, [added], now)}
        tracker.update_plan(
            session=session,
            plan=plan,
            roles=list(new_info.roles),
            curriculum_versions=new_info.curriculum_versions,
            curriculum_digests=digests,
        )
        tracker.record_event(
            session=session,
            plan_id=plan_id(plan),
            milestone_id="",
            kind="role-added",
            at=now,
            on_date=today,
            note=f"added role {added.id}",
        )
        tracker.touch_plan(session=session, plan=plan, at=now)
    return view, warnings


# --------------------------------------------------------------------------- replan


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
    """The catch-up options, and the change applied (or, with dry_run, only described).

    Raises UsageError for a --finish-by in the past, too far ahead, or out of reach
    (also when --hours-per-week is given and does not meet it).
    """
    from planner import changes, tracker

    view = load_view(db=db, plan_name=plan_name, today=today)
    if finish_by is not None:
        rules.check_finish_by(finish_by, today, view.plan.start)
    options = changes.replan_options(view, finish_by)
    if hours_per_week is None and finish_by is None and not drop_optional:
        return options, None, view
    change = changes.plan_change(
        view, hours_per_week=hours_per_week, finish_by=finish_by, drop_optional=drop_optional
    )
    new_info = _replace_info(view.plan, hours_per_week=change["hours_per_week"])
    change["warnings"] = checked_view(new_info, view.states, today, view.activity)[1]
    if dry_run:
        return options, change, view
    database = existing_db(db)
    now = utcnow()
    with database.write() as session:
        plan = active_plan(session, view.plan.name)
        tracker.update_plan(session=session, plan=plan, hours_per_week=change["hours_per_week"])
        for mid in change["dropped"]:
            tracker.record_event(
                session=session,
                plan_id=plan_id(plan),
                milestone_id=mid,
                kind="skipped",
                at=now,
                note="dropped by replan",
            )
        tracker.record_event(
            session=session,
            plan_id=plan_id(plan),
            milestone_id="",
            kind="replanned",
            at=now,
            on_date=today,
            hours=view.schedule.hours_earned,
            note=change["reason"],
        )
        tracker.touch_plan(session=session, plan=plan, at=now)
        session.flush()
        info = plan_info(session, plan)
        states = tracker.milestone_states(session=session, plan_id=plan_id(plan))
        activity = tracker.plan_activity(session=session, plan_id=plan_id(plan))
    return options, change, view_of(info, states, today, activity)


# --------------------------------------------------------------------------- upgrade


@dataclass(frozen=True)
class RoleChange:
    """What moving one role to the curriculum now available changes."""

    role: str
    old_versions: dict[str, int]
    new_versions: dict[str, int]
    source: str  # where the new curriculum was found
    role_text_changed: bool = False  # title, summary, profile, skills or projects

    @property
    def older(self) -> bool:
        """Whether this moves the role to an older version than the plan keeps."""
        return self.new_versions.get(self.role, 0) < self.old_versions.get(self.role, 0)


@dataclass
class Upgrade:
    """The difference between a plan's curricula and the ones it would move to."""

    plan: str
    roles: list[RoleChange] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # roles with no curriculum found now
    added: list[tuple[str, str, float]] = field(default_factory=list)  # id, title, hours
    removed: list[tuple[str, str, float, int]] = field(default_factory=list)  # ..., events
    retitled: list[tuple[str, str, str]] = field(default_factory=list)  # id, old, new
    hours: list[tuple[str, float, float]] = field(default_factory=list)  # id, old, new
    requires: list[tuple[str, list[str], list[str]]] = field(default_factory=list)
    other: list[str] = field(default_factory=list)  # ids changed in text or resources only
    finish_before: str = ""
    finish_after: str = ""
    planned_before: str = ""
    planned_after: str = ""
    hours_before: float = 0.0
    hours_after: float = 0.0
    applied: bool = False
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.roles)

    def as_dict(self) -> dict[str, Any]:
        return {
            "plan": self.plan,
            "applied": self.applied,
            "roles": [
                {
                    "role": r.role,
                    "versions_before": r.old_versions,
                    "versions_after": r.new_versions,
                    "source": r.source,
                    "older": r.older,
                    "role_text_changed": r.role_text_changed,
                }
                for r in self.roles
            ],
            "missing": self.missing,
            "milestones": {
                "added": [{"id": i, "title": t, "hours": h} for i, t, h in self.added],
                "removed": [
                    {"id": i, "title": t, "hours": h, "events_kept": n}
                    for i, t, h, n in self.removed
                ],
                "renamed": [{"id": i, "before": a, "after": b} for i, a, b in self.retitled],
                "hours": [{"id": i, "before": a, "after": b} for i, a, b in self.hours],
                "requires": [{"id": i, "before": a, "after": b} for i, a, b in self.requires],
                "text": self.other,
            },
            "hours_total": {"before": self.hours_before, "after": self.hours_after},
            "projected_finish": {"before": self.finish_before, "after": self.finish_after},
            "planned_finish": {"before": self.planned_before, "after": self.planned_after},
        }

    def summary(self) -> str:
        """One line for ``planner log``."""
        roles = ", ".join(
            f"{r.role} {r.old_versions.get(r.role, '?')} -> {r.new_versions.get(r.role, '?')}"
            for r in self.roles
        )
        counts = [
            f"{len(items)} {word}"
            for items, word in (
                (self.added, "added"),
                (self.removed, "removed"),
                (self.retitled, "renamed"),
                (self.hours, "hours changed"),
                (self.requires, "prerequisites changed"),
            )
            if items
        ]
        return (
            f"curriculum upgraded: {roles}"
            + (f" ({', '.join(counts)})" if counts else "")
            + f"; projected finish {self.finish_before} -> {self.finish_after}"
        )


def _find_new(refs: list[str], roles: tuple[str, ...]) -> tuple[dict[str, Curriculum], list[str]]:
    """The curriculum to move each role to: from ``refs`` (ids or files) when given, else
    from the search path; roles with none found are returned as missing."""
    from planner.curriculum import find_curriculum, load_role
    from planner.errors import UnknownRole

    found: dict[str, Curriculum] = {}
    for ref in refs:
        curriculum = load_role(ref)
        if curriculum.id not in roles:
            msg = (
                f"'{ref}' is the curriculum of {curriculum.id}, which is not a role of this "
                f"plan (its roles: {', '.join(roles)}). Use `planner add-role {ref}` to add it."
            )
            raise NotFound(msg)
        found[curriculum.id] = plain.of(curriculum)
    missing = []
    for role in roles:
        if role in found:
            continue
        try:
            find_curriculum(role)
        except UnknownRole:
            missing.append(role)
            continue
        found[role] = plain.of(load_role(role))
    return found, missing


def _role_text(curriculum: Curriculum) -> tuple[object, ...]:
    """Everything of a role besides its milestones and versions, to tell when it changed."""
    return (
        curriculum.title,
        curriculum.summary,
        curriculum.profile,
        tuple(curriculum.skills),
        tuple(curriculum.projects),
    )


def _diff(result: Upgrade, old: PlanView, new: PlanView) -> None:
    before = old.curriculum.by_id
    after = new.curriculum.by_id
    result.added = [
        (m.id, m.title, m.hours) for m in new.curriculum.milestones if m.id not in before
    ]
    result.removed = [
        (m.id, m.title, m.hours, 0) for m in old.curriculum.milestones if m.id not in after
    ]
    for mid, m in before.items():
        n = after.get(mid)
        if n is None or n == m:
            continue
        if n.title != m.title:
            result.retitled.append((mid, m.title, n.title))
        if n.hours != m.hours:
            result.hours.append((mid, m.hours, n.hours))
        if list(n.requires) != list(m.requires):
            result.requires.append((mid, list(m.requires), list(n.requires)))
        if n.title == m.title and n.hours == m.hours and list(n.requires) == list(m.requires):
            result.other.append(mid)
    result.hours_before = old.schedule.hours_total
    result.hours_after = new.schedule.hours_total
    result.finish_before = old.schedule.projected_finish.isoformat()
    result.finish_after = new.schedule.projected_finish.isoformat()
    result.planned_before = old.schedule.planned_finish.isoformat()
    result.planned_after = new.schedule.planned_finish.isoformat()


def upgrade(
    *, db: str | None, plan_name: str | None, refs: list[str], today: date, dry_run: bool
) -> Upgrade:
    """Move the plan to the curricula now available for its roles (or the files given).

    Every event is kept; progress on milestones that left the curriculum is reported and
    counts again if they come back. Raises NotFound (a file for a role the plan lacks),
    CurriculumInvalid, Conflict (clashing milestone ids), UsageError (too long a plan).
    """
    from planner import tracker
    from planner.snapshot import snapshot_of

    database = existing_db(db)
    with database.read() as session:
        plan = active_plan(session, plan_name)
        states = tracker.milestone_states(session=session, plan_id=plan_id(plan))
        activity = tracker.plan_activity(session=session, plan_id=plan_id(plan))
        events = tracker.event_milestones(session=session, plan_id=plan_id(plan))
        kept_digests = dict(plan.curriculum_digests or {})
        info: PlanInfo | None
        try:
            info = plan_info(session, plan)
        except PlanUnreadable:  # upgraded from the files alone
            info = None
        name, roles = plan.name, tuple(plan.roles)
        row_versions = dict(plan.curriculum_versions or {})
    found, missing = _find_new(refs, roles)
    if info is None and missing:
        msg = (
            f"Plan '{name}' keeps no readable curriculum and none is found for "
            f"{', '.join(missing)}; give the file: `planner upgrade FILE.yaml`."
        )
        raise NotFound(msg)
    result = Upgrade(plan=name, missing=missing)
    old_by_role = {c.id: c for c in info.curricula} if info is not None else {}
    new_curricula = []
    for role in roles:
        new = found.get(role) or old_by_role[role]
        new_curricula.append(new)
        old = old_by_role.get(role)
        if (
            old is None
            or role not in kept_digests
            or snapshot_of(new).digest != kept_digests.get(role)
        ):
            source = new.sources.get(role, "")
            result.roles.append(
                RoleChange(
                    role,
                    dict(old.versions) if old else row_versions,
                    dict(new.versions),
                    source,
                    role_text_changed=old is not None and _role_text(old) != _role_text(new),
                )
            )
    check_roles(new_curricula)
    if info is None:
        info = PlanInfo.of(plan, new_curricula)
    new_info = _replace_info(
        info,
        curricula=tuple(new_curricula),
        curriculum_versions={k: v for c in new_curricula for k, v in c.versions.items()},
    )
    new_view, result.warnings = checked_view(new_info, states, today, activity)
    try:
        old_view = view_of(info, states, today, activity)
    except PlanUnreadable:  # nothing to compare with: report the new plan only
        old_view = new_view
    _diff(result, old_view, new_view)
    result.removed = [(i, t, h, events.get(i, 0)) for i, t, h, _ in result.removed]
    if not result.changed or dry_run:
        return result

    now = utcnow()
    with database.write() as session:
        plan = active_plan(session, name)
        if tuple(plan.roles) != roles:
            msg = f"Plan '{name}' changed while upgrading; run the command again."
            raise Conflict(msg)
        tracker.update_plan(
            session=session,
            plan=plan,
            curriculum_versions=new_info.curriculum_versions,
            curriculum_digests=store_snapshots(session, new_curricula, now),
        )
        tracker.record_event(
            session=session,
            plan_id=plan_id(plan),
            milestone_id="",
            kind="upgraded",
            at=now,
            on_date=today,
            note=result.summary(),
        )
        tracker.touch_plan(session=session, plan=plan, at=now)
    result.applied = True
    return result
