"""The resolved curriculum as plain frozen dataclasses: what every view, schedule and
output reads.

``planner.models`` (pydantic) stays the source of truth: it validates curriculum files,
writes the cache and the snapshots plans keep, and prints ``curricula schema``. Reading a
plan needs none of that, and building pydantic's validators costs more than the rest of
a read command, so a stored snapshot is read into these classes instead (``from_dict``)
and a validated model is converted once (``of``). Each class has exactly its model's
fields, in the same order (``tests/test_plain.py`` holds them to it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from planner import models

__all__ = [
    "Curriculum",
    "Dataset",
    "Level",
    "Milestone",
    "Outlook",
    "Profile",
    "Project",
    "Resource",
    "Skill",
    "from_dict",
    "of",
]


@dataclass(frozen=True, slots=True)
class Resource:
    title: str
    url: str
    kind: str  # book, course, docs, article, video or certification


@dataclass(frozen=True, slots=True)
class Skill:
    id: str
    name: str
    description: str


@dataclass(frozen=True, slots=True)
class Milestone:
    """hours: float, > 0 (the estimate); skills, requires: ids; resources: at least one."""

    id: str
    title: str
    summary: str
    hours: float
    skills: list[str]
    requires: list[str]
    covers: list[str]
    resources: list[Resource]
    done_when: str
    optional: bool = False
    effort: str | None = None  # the basis of the hours estimate
    min_weeks: int = 1  # calendar weeks the work is spread over, at least
    compute: str | None = None  # hardware beyond a laptop


@dataclass(frozen=True, slots=True)
class Dataset:
    name: str
    url: str
    licence: str | None = None


@dataclass(frozen=True, slots=True)
class Project:
    """hours: float, > 0; requires: milestone ids to finish first."""

    id: str
    title: str
    summary: str
    difficulty: str  # beginner, intermediate or advanced
    industries: list[str]
    skills: list[str]
    requires: list[str]
    hours: float
    deliverables: list[str]
    datasets: list[Dataset]
    compute: str | None = None


@dataclass(frozen=True, slots=True)
class Outlook:
    growth_percent: float
    period: str  # "YYYY-YYYY"
    occupation: str
    source: str
    text: str


@dataclass(frozen=True, slots=True)
class Level:
    prepares_for: str
    path: list[str]  # career steps to the title, first to last
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Profile:
    source: str
    definition: str
    responsibilities: list[str]
    required_skills: list[str]
    education: list[str]
    tools: list[str]
    industries: list[str]
    outlook: Outlook
    level: Level | None = None


@dataclass(frozen=True, slots=True)
class Curriculum:
    """A role with everything it includes merged in (modules first, then the role's own
    skills, milestones and projects). versions, sources: by file id."""

    id: str
    kind: str  # role or module
    title: str
    summary: str
    version: int
    profile: Profile | None
    includes: list[str]
    versions: dict[str, int]
    sources: dict[str, str]
    skills: list[Skill]
    milestones: list[Milestone]
    projects: list[Project]

    @property
    def total_hours(self) -> float:
        return sum(m.hours for m in self.milestones)


def from_dict(data: dict[str, Any]) -> Curriculum:
    """A curriculum from what ``models.Curriculum.model_dump`` produced (a snapshot's
    JSON), without validating it: only for data validated when it was written and
    checked against its SHA-256 since. Raises KeyError or TypeError when a field is
    missing or of the wrong shape."""
    profile = data["profile"]
    return Curriculum(
        id=data["id"],
        kind=data["kind"],
        title=data["title"],
        summary=data["summary"],
        version=data["version"],
        profile=None if profile is None else _profile(profile),
        includes=list(data["includes"]),
        versions=dict(data["versions"]),
        sources=dict(data["sources"]),
        skills=[Skill(**s) for s in data["skills"]],
        milestones=[_milestone(m) for m in data["milestones"]],
        projects=[_project(p) for p in data["projects"]],
    )


def of(curriculum: models.Curriculum | Curriculum) -> Curriculum:
    """The plain form of a validated curriculum (returned as is when already plain)."""
    if isinstance(curriculum, Curriculum):
        return curriculum
    return from_dict(curriculum.model_dump())


def _profile(data: dict[str, Any]) -> Profile:
    return Profile(
        source=data["source"],
        definition=data["definition"],
        responsibilities=list(data["responsibilities"]),
        required_skills=list(data["required_skills"]),
        education=list(data["education"]),
        tools=list(data["tools"]),
        industries=list(data["industries"]),
        outlook=Outlook(**data["outlook"]),
        level=_level(data.get("level")),
    )


def _level(data: dict[str, Any] | None) -> Level | None:
    if data is None:
        return None
    return Level(prepares_for=data["prepares_for"], path=list(data["path"]), note=data.get("note"))


def _milestone(data: dict[str, Any]) -> Milestone:
    return Milestone(
        id=data["id"],
        title=data["title"],
        summary=data["summary"],
        hours=data["hours"],
        skills=list(data.get("skills", ())),
        requires=list(data.get("requires", ())),
        covers=list(data.get("covers", ())),
        resources=[Resource(**r) for r in data["resources"]],
        done_when=data["done_when"],
        optional=data.get("optional", False),
        effort=data.get("effort"),
        min_weeks=data.get("min_weeks", 1),
        compute=data.get("compute"),
    )


def _project(data: dict[str, Any]) -> Project:
    return Project(
        id=data["id"],
        title=data["title"],
        summary=data["summary"],
        difficulty=data["difficulty"],
        industries=list(data["industries"]),
        skills=list(data.get("skills", ())),
        requires=list(data.get("requires", ())),
        hours=data["hours"],
        deliverables=list(data["deliverables"]),
        datasets=[Dataset(**d) for d in data["datasets"]],
        compute=data.get("compute"),
    )
