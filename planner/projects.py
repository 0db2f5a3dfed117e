"""Rank a plan's portfolio projects: which to build next, why, and what is still missing.

``rank_projects`` is pure: a PlanView in, Suggestions out, best first. Four signals, each
a number from 0 to 1, are weighted into a score out of 100:

=============  ====  ==========================================================
industry        40   1 if one of the project's industries is the target industry
skills          25   share of the project's skills covered: known, taught by a done
                     milestone, or by one with a slot in the current week or the
                     three after it
prerequisites   20   share of the project's ``requires`` done (or skipped as known)
difficulty      15   how well the level fits the done share of hours: beginner
                     is aimed at 1/6, intermediate at 1/2, advanced at 5/6;
                     the fit falls linearly from 1 there to 0 at the far end
=============  ====  ==========================================================

The score is rounded to one decimal; ties keep curriculum order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from planner.view import PlanView

__all__ = [
    "WEIGHTS",
    "WINDOW_WEEKS",
    "DatasetLink",
    "Missing",
    "Suggestion",
    "plan_industries",
    "rank_projects",
    "target_industry",
]

WINDOW_WEEKS = 4  # the current week and the three after it
WEIGHTS = {"industry": 40.0, "skills": 25.0, "prerequisites": 20.0, "difficulty": 15.0}
LEVELS = ("beginner", "intermediate", "advanced")
_TARGET = {"beginner": 1 / 6, "intermediate": 1 / 2, "advanced": 5 / 6}
_FARTHEST = 5 / 6  # the largest possible distance from a target


@dataclass(frozen=True)
class DatasetLink:
    name: str
    url: str
    licence: str | None = None  # licence or terms of use, when the curriculum gives them


@dataclass(frozen=True)
class Missing:
    """What stands between the learner and the project."""

    milestones: tuple[str, ...]  # required milestones not done, in ``requires`` order
    skills: tuple[str, ...]  # the project's skills not covered, in the project's order


@dataclass(frozen=True)
class Suggestion:
    rank: int
    id: str
    title: str
    difficulty: str
    hours: float
    industries: tuple[str, ...]
    score: float  # 0 to 100
    why: str  # one line
    missing: Missing
    ready: bool
    summary: str
    deliverables: tuple[str, ...]
    datasets: tuple[DatasetLink, ...]
    compute: str | None = None  # hardware beyond a laptop, when the curriculum names any

    @property
    def missing_line(self) -> str:
        """``finish milestones a, b; cover skills c``, or ``ready to start``."""
        parts = []
        if self.missing.milestones:
            parts.append(f"finish milestones {', '.join(self.missing.milestones)}")
        if self.missing.skills:
            parts.append(f"cover skills {', '.join(self.missing.skills)}")
        return "; ".join(parts) or "ready to start"

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of ``planner projects --json``; key order is part of it. A data
        set's ``licence`` and the project's ``compute`` are there only when the curriculum
        gives them, as in the curriculum's own JSON."""
        data: dict[str, Any] = {
            "rank": self.rank,
            "id": self.id,
            "title": self.title,
            "difficulty": self.difficulty,
            "hours": self.hours,
            "industries": list(self.industries),
            "score": self.score,
            "why": self.why,
            "missing": {
                "milestones": list(self.missing.milestones),
                "skills": list(self.missing.skills),
            },
            "ready": self.ready,
            "summary": self.summary,
            "deliverables": list(self.deliverables),
            "datasets": [_dataset_dict(d) for d in self.datasets],
        }
        if self.compute is not None:
            data["compute"] = self.compute
        return data


def _dataset_dict(dataset: DatasetLink) -> dict[str, str]:
    data = {"name": dataset.name, "url": dataset.url}
    if dataset.licence is not None:
        data["licence"] = dataset.licence
    return data


def rank_projects(view: PlanView, industry: str | None = None) -> list[Suggestion]:
    """Every project of the plan's roles, best first, with ranks from 1.

    ``industry`` overrides the plan's target industry; it is matched case-insensitively
    and raises NotFound if none of the plan's curricula names it.
    """
    curriculum = view.curriculum
    schedule = view.schedule
    target = target_industry(view, industry)
    wanted = target.lower() if target is not None else None

    by_id = curriculum.by_id
    current = schedule.current_week
    soon = {
        slot.milestone_id
        for week in schedule.weeks[current - 1 : current - 1 + WINDOW_WEEKS]
        for slot in week.slots
    }
    done = {m.id for m in curriculum.milestones if view.state_of(m.id) == "done"}
    known = set(view.plan.known_skills)
    covered = set(known)
    for milestone_id in done | soon:
        covered.update(by_id[milestone_id].skills)
    satisfied = done | {m.id for m in curriculum.milestones if view.state_of(m.id) == "known"}
    progress = schedule.hours_earned / schedule.hours_total if schedule.hours_total else 1.0

    scored = []
    for project in curriculum.projects:
        matches = wanted is not None and any(i.lower() == wanted for i in project.industries)
        skills = list(dict.fromkeys(project.skills))
        requires = list(dict.fromkeys(project.requires))
        missing = Missing(
            milestones=tuple(r for r in requires if r not in satisfied),
            skills=tuple(s for s in skills if s not in covered),
        )
        skill_share = 1 - len(missing.skills) / len(skills) if skills else 1.0
        prereq_share = 1 - len(missing.milestones) / len(requires) if requires else 1.0
        fit = 1 - abs(progress - _TARGET[project.difficulty]) / _FARTHEST
        score = round(
            WEIGHTS["industry"] * matches
            + WEIGHTS["skills"] * skill_share
            + WEIGHTS["prerequisites"] * prereq_share
            + WEIGHTS["difficulty"] * fit,
            1,
        )
        reasons = [
            _industry_reason(target, matches, project.industries),
            _skills_reason(
                len(skills) - len(missing.skills), len(skills), any(s in known for s in skills)
            ),
            _difficulty_reason(project.difficulty, progress),
            _prerequisites_reason(len(requires) - len(missing.milestones), len(requires)),
        ]
        why = "; ".join(r for r in reasons if r)
        scored.append((score, project, why, missing))

    scored.sort(key=lambda item: -item[0])  # stable: ties keep curriculum order
    return [
        Suggestion(
            rank=rank,
            id=project.id,
            title=project.title,
            difficulty=project.difficulty,
            hours=project.hours,
            industries=tuple(project.industries),
            score=score,
            why=why,
            missing=missing,
            ready=not missing.milestones and not missing.skills,
            summary=project.summary,
            deliverables=tuple(project.deliverables),
            datasets=tuple(DatasetLink(d.name, d.url, d.licence) for d in project.datasets),
            compute=project.compute,
        )
        for rank, (score, project, why, missing) in enumerate(scored, start=1)
    ]


def plan_industries(view: PlanView) -> list[str]:
    """The industries the plan's roles name, then any others its projects name; once each."""
    names = [i for role in view.curriculum.roles if role.profile for i in role.profile.industries]
    names += [i for project in view.curriculum.projects for i in project.industries]
    unique: dict[str, str] = {}
    for name in names:
        unique.setdefault(name.lower(), name)
    return list(unique.values())


def target_industry(view: PlanView, industry: str | None = None) -> str | None:
    """The industry to rank for: ``industry`` in the curricula's spelling, else the plan's.

    Raises NotFound, listing the choices, if no curriculum of the plan names ``industry``.
    """
    import difflib

    from planner.errors import NotFound

    if industry is None:
        return view.plan.industry
    choices = plan_industries(view)
    lookup = {name.lower(): name for name in choices}
    if industry.strip().lower() in lookup:
        return lookup[industry.strip().lower()]
    close = difflib.get_close_matches(industry, choices, n=1, cutoff=0.5)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    msg = (
        f"Unknown industry '{industry}'.{hint} "
        f"Choose one of: {', '.join(choices) or 'none (these curricula name no industries)'}."
    )
    raise NotFound(msg)


def _industry_reason(target: str | None, matches: bool, industries: list[str]) -> str:
    if target is None:
        return ""
    if matches:
        return f"matches your industry ({target})"
    return f"other industry ({', '.join(industries)})"


def _skills_reason(covered: int, total: int, some_known: bool) -> str:
    if not total:
        return "no particular skills needed"
    by = "what you know, work done" if some_known else "work done"
    return (
        f"{covered} of {total} skill{'s' if total != 1 else ''} covered by {by} "
        f"or due within {WINDOW_WEEKS} weeks"
    )


def _difficulty_reason(difficulty: str, progress: float) -> str:
    stage = 0 if progress < 1 / 3 else 1 if progress < 2 / 3 else 2
    level = LEVELS.index(difficulty)
    percent = f"{100 * progress:.0f}% progress"
    if level == stage:
        return f"{difficulty} fits {percent}"
    if level > stage:
        return f"{difficulty} is a stretch at {percent}"
    return f"{difficulty} is below your level at {percent}"


def _prerequisites_reason(done: int, total: int) -> str:
    if not total:
        return "no prerequisites"
    if done == total:
        return "prerequisites done"
    return f"{done} of {total} prerequisites done"
