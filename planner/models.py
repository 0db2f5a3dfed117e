"""The curriculum file format as pydantic models.

One YAML file describes either a *role* (``kind: role``, the default) or a shared
*module* (``kind: module``) whose skills and milestones roles pull in through
``includes``. The field names are the format's public contract: ``planner curricula
schema`` prints them as JSON Schema.
"""

from __future__ import annotations

from types import UnionType
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80),
    Field(description="kebab-case identifier, e.g. 'deep-learning-basics'"),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Url = Annotated[
    str,
    StringConstraints(pattern=r"^https?://[^\s<>\"']+$", max_length=2000),
    Field(description="an http(s) URL"),
]
Hours = Annotated[
    float,
    # strict: YAML's `true` or "12" is a slip, not a number of hours
    Field(gt=0, le=1000, strict=True, description="estimated hours of study"),
]

ResourceKind = Literal["book", "course", "docs", "article", "video", "certification"]
Difficulty = Literal["beginner", "intermediate", "advanced"]
ModelT = TypeVar("ModelT", bound=BaseModel)


def _is_none(value: object) -> bool:
    return value is None


def _is_one(value: object) -> bool:
    return value == 1


# Fields added after the format's first release (effort, min_weeks, compute, licence,
# level) are left out of a dump while they hold their default, so a curriculum that does
# not use them keeps the snapshot (and SHA-256) it always had: a plan exported before
# they existed imports without a false "changed after it was exported" warning.


class Strict(BaseModel):
    """Base for every curriculum model: unknown fields are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Resource(Strict):
    title: Text
    url: Url
    kind: ResourceKind


class Skill(Strict):
    id: Id
    name: Text
    description: Text


class Milestone(Strict):
    id: Id
    title: Text
    summary: Text = Field(description="why this matters for the role")
    hours: Hours
    skills: list[Id] = Field(default_factory=list)
    requires: list[Id] = Field(default_factory=list)
    covers: list[Text] = Field(
        default_factory=list, description="seed-article bullets this milestone teaches, verbatim"
    )
    resources: list[Resource] = Field(min_length=1)
    done_when: Text = Field(description="a checkable outcome")
    optional: bool = False
    effort: Text | None = Field(
        default=None,
        exclude_if=_is_none,
        description=(
            "where the hours come from, e.g. 'MIT 6.006 lectures 1-8 = 12 h; 30 problems = 16 h'"
        ),
    )
    min_weeks: Annotated[int, Field(ge=1, le=52, strict=True)] = Field(
        default=1,
        exclude_if=_is_one,
        description=(
            "calendar weeks the work needs however many hours a week there are (e.g. three"
            " mentoring sessions); the plan spreads it over at least this many weeks,"
            " alongside other work"
        ),
    )
    compute: Text | None = Field(
        default=None,
        exclude_if=_is_none,
        description="hardware it needs beyond a laptop (a GPU) and how to get it",
    )


class Dataset(Strict):
    name: Text
    url: Url
    licence: Text | None = Field(
        default=None, exclude_if=_is_none, description="licence or terms of use, in brief"
    )


class Project(Strict):
    id: Id
    title: Text
    summary: Text
    difficulty: Difficulty
    industries: list[Text] = Field(min_length=1)
    skills: list[Id] = Field(default_factory=list)
    requires: list[Id] = Field(default_factory=list, description="milestones to finish first")
    hours: Hours
    deliverables: list[Text] = Field(min_length=1)
    datasets: list[Dataset] = Field(min_length=1)
    compute: Text | None = Field(
        default=None,
        exclude_if=_is_none,
        description="hardware it needs beyond a laptop (a GPU) and how to get it",
    )


class Outlook(Strict):
    growth_percent: float
    period: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{4}$")]
    occupation: Text
    source: Text
    text: Text


class Level(Strict):
    """What finishing the plan prepares a learner for, and the usual way to the title."""

    prepares_for: Text = Field(description="the role a learner who finishes is ready to apply for")
    path: list[Text] = Field(
        min_length=2, description="the usual career steps to the title, first to last"
    )
    note: Text | None = Field(
        default=None, exclude_if=_is_none, description="what only the job itself teaches"
    )


class Profile(Strict):
    """What the seed article says about the role, paraphrased or quoted with credit."""

    source: Text = Field(description="the article this profile is drawn from")
    definition: Text
    responsibilities: list[Text] = Field(min_length=1)
    required_skills: list[Text] = Field(min_length=1)
    education: list[Text] = Field(min_length=1)
    tools: list[Text] = Field(min_length=1)
    industries: list[Text] = Field(min_length=1)
    outlook: Outlook
    level: Level | None = Field(
        default=None,
        exclude_if=_is_none,
        description="what the plan prepares for, and the usual path to the title",
    )


class CurriculumFile(Strict):
    """One YAML file as written: a role, or a module that roles include."""

    id: Id
    kind: Literal["role", "module"] = "role"
    title: Text
    summary: Text
    version: Annotated[int, Field(ge=1, description="bumped when milestones change")]
    profile: Profile | None = None
    includes: list[Id] = Field(default_factory=list)
    skills: list[Skill] = Field(default_factory=list)
    milestones: list[Milestone] = Field(default_factory=list)
    projects: list[Project] = Field(default_factory=list)

    @model_validator(mode="after")
    def _profile_matches_kind(self) -> CurriculumFile:
        if self.kind == "role" and self.profile is None:
            msg = "a role needs a 'profile' (or set 'kind: module')"
            raise ValueError(msg)
        if self.kind == "module" and self.profile is not None:
            msg = "a module has no 'profile' (remove it, or set 'kind: role')"
            raise ValueError(msg)
        return self


class Curriculum(Strict):
    """A role with everything it includes merged in, validated as a whole.

    Order is meaningful: included modules come first (depth-first, in ``includes``
    order), then the role's own skills, milestones and projects.
    """

    id: Id
    kind: Literal["role", "module"]
    title: Text
    summary: Text
    version: int
    profile: Profile | None
    includes: list[Id]
    versions: dict[str, int] = Field(description="version of every file merged in, by id")
    sources: dict[str, str] = Field(description="path of every file merged in, by id")
    skills: list[Skill]
    milestones: list[Milestone]
    projects: list[Project]

    @property
    def total_hours(self) -> float:
        return sum(m.hours for m in self.milestones)


def construct(model: type[ModelT], data: Any) -> ModelT:
    """Rebuild ``model`` from what its own ``model_dump`` produced, without validating.

    Only for data that was validated when it was written and has not changed since (the
    curriculum cache checks a SHA-256 of it first); it skips building pydantic's
    validators, which costs more than the rest of a command.
    """
    values = {
        name: _construct_value(field.annotation, data[name])
        for name, field in model.model_fields.items()
        if name in data
    }
    return model.model_construct(**values)


def _construct_value(annotation: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = get_origin(annotation)
    if origin is list:
        (item,) = get_args(annotation)
        return [_construct_value(item, v) for v in value]
    if origin in (Union, UnionType):
        models = [
            a for a in get_args(annotation) if isinstance(a, type) and issubclass(a, BaseModel)
        ]
        return construct(models[0], value) if models else value
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return construct(annotation, value)
    return value
