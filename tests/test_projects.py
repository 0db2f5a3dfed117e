"""Project suggestions: the ranking (pure, on the fixture curricula), its properties, and
``planner projects`` through the CLI, on the fixture curricula and the built-in ones.

The fixture role (tiny-role, 36 h) has python-basics 6 h -> stats-basics 10 h ->
first-model 12 h -> deploy-model 8 h, and two projects: clinic-no-shows (beginner,
Healthcare, skills [modelling], requires [first-model]) and fraud-detector (advanced,
Finance, skills [modelling, statistics], requires [deploy-model]).
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.curriculum import load_role
from planner.errors import NotFound
from planner.models import Dataset, Project
from planner.projects import Suggestion, rank_projects
from planner.queries import MilestoneState
from planner.view import PlanInfo, PlanView, build_view
from tests.conftest import FIXTURE_CURRICULA, START, Run

BOTH_BACKENDS = True  # tests that run the CLI run on SQLite and on the test server

ROLE = str(FIXTURE_CURRICULA / "tiny-role.yaml")
MILESTONES = ("python-basics", "stats-basics", "first-model", "deploy-model")
SKILLS = ("python", "statistics", "modelling")
JSON_KEYS = [
    "rank",
    "id",
    "title",
    "difficulty",
    "hours",
    "industries",
    "score",
    "why",
    "missing",
    "ready",
    "summary",
    "deliverables",
    "datasets",
]


def make_view(
    *,
    done: tuple[str, ...] = (),
    skipped: tuple[str, ...] = (),
    industry: str | None = None,
    hours_per_week: float = 8.0,
    know: tuple[str, ...] = (),
    weeks_in: int = 0,
) -> PlanView:
    """The fixture plan started on START, seen ``weeks_in`` weeks later; done on START."""
    role = load_role(ROLE)
    info = PlanInfo(
        name="tiny",
        roles=(role.id,),
        hours_per_week=hours_per_week,
        start=START,
        known_skills=know,
        industry=industry,
        created_at=datetime(2026, 1, 5, tzinfo=UTC),
        curriculum_versions={},
        curricula=(role,),
    )
    at = datetime(2026, 1, 5, 12, tzinfo=UTC)
    states = {mid: MilestoneState("done", START, at, None) for mid in done}
    states.update({mid: MilestoneState("skipped", None, at, None) for mid in skipped})
    return build_view(info, states, START + timedelta(weeks=weeks_in))


def by_id(suggestions: list[Suggestion]) -> dict[str, Suggestion]:
    return {s.id: s for s in suggestions}


# --------------------------------------------------------------------------- ranking


@pytest.mark.parametrize(
    ("options", "override", "order", "scores"),
    [
        # fresh, 8 h/week: weeks 1-4 reach into deploy-model, so every skill is covered
        ({"industry": "Healthcare"}, None, ["clinic-no-shows", "fraud-detector"], [77, 25]),
        ({"industry": "Finance"}, None, ["fraud-detector", "clinic-no-shows"], [65, 37]),
        ({}, None, ["clinic-no-shows", "fraud-detector"], [37, 25]),
        # --industry wins over the plan's, in any case
        ({"industry": "Healthcare"}, "fINANCE", ["fraud-detector", "clinic-no-shows"], [65, 37]),
        # 2 h/week: weeks 1-4 hold python-basics and 2 h of stats-basics only
        (
            {"hours_per_week": 2.0, "industry": "Healthcare"},
            None,
            ["clinic-no-shows", "fraud-detector"],
            [52, 12.5],
        ),
        # 28 of 36 h done: the beginner project is ready but below the learner's level
        (
            {"done": ("python-basics", "stats-basics", "first-model")},
            None,
            ["clinic-no-shows", "fraud-detector"],
            [49, 39],
        ),
        (
            {"done": ("python-basics", "stats-basics", "first-model"), "industry": "Finance"},
            None,
            ["fraud-detector", "clinic-no-shows"],
            [79, 49],
        ),
        # all done: the advanced project fits, the beginner one does not
        ({"done": MILESTONES}, None, ["fraud-detector", "clinic-no-shows"], [57, 45]),
    ],
)
def test_ranking_table(
    options: dict[str, object], override: str | None, order: list[str], scores: list[float]
) -> None:
    suggestions = rank_projects(make_view(**options), override)  # type: ignore[arg-type]
    assert [s.id for s in suggestions] == order
    assert [s.score for s in suggestions] == scores
    assert [s.rank for s in suggestions] == [1, 2]


@pytest.mark.parametrize(
    ("options", "project", "why", "milestones", "skills"),
    [
        (
            {"industry": "Healthcare"},
            "clinic-no-shows",
            "matches your industry (Healthcare); 1 of 1 skill covered by work done or due "
            "within 4 weeks; beginner fits 0% progress; 0 of 1 prerequisites done",
            ("first-model",),
            (),
        ),
        (
            {"industry": "Healthcare", "hours_per_week": 2.0},
            "fraud-detector",
            "other industry (Finance); 1 of 2 skills covered by work done or due within "
            "4 weeks; advanced is a stretch at 0% progress; 0 of 1 prerequisites done",
            ("deploy-model",),
            ("modelling",),
        ),
        (
            {"done": ("python-basics", "stats-basics", "first-model")},
            "clinic-no-shows",
            "1 of 1 skill covered by work done or due within 4 weeks; "
            "beginner is below your level at 78% progress; prerequisites done",
            (),
            (),
        ),
        (
            {"done": ("python-basics", "stats-basics"), "weeks_in": 1},
            "clinic-no-shows",
            "1 of 1 skill covered by work done or due within 4 weeks; "
            "beginner is below your level at 44% progress; 0 of 1 prerequisites done",
            ("first-model",),
            (),
        ),
        (
            {"done": MILESTONES},
            "fraud-detector",
            "2 of 2 skills covered by work done or due within 4 weeks; "
            "advanced fits 100% progress; prerequisites done",
            (),
            (),
        ),
        # deploy-model is skipped as known (its only skill is known): a met prerequisite
        (
            {"know": ("modelling",), "hours_per_week": 2.0},
            "fraud-detector",
            "2 of 2 skills covered by what you know, work done or due within 4 weeks; "
            "advanced is a stretch at 0% progress; prerequisites done",
            (),
            (),
        ),
        # prerequisites done but a skill not yet covered: not ready
        (
            {"done": ("deploy-model",), "hours_per_week": 1.0},
            "fraud-detector",
            "1 of 2 skills covered by work done or due within 4 weeks; "
            "advanced is a stretch at 22% progress; prerequisites done",
            (),
            ("statistics",),
        ),
        # skipped by choice is not done: the project still needs it
        (
            {
                "done": ("python-basics", "stats-basics", "first-model"),
                "skipped": ("deploy-model",),
            },
            "fraud-detector",
            "2 of 2 skills covered by work done or due within 4 weeks; "
            "advanced fits 100% progress; 0 of 1 prerequisites done",
            ("deploy-model",),
            (),
        ),
    ],
)
def test_why_and_missing(
    options: dict[str, object],
    project: str,
    why: str,
    milestones: tuple[str, ...],
    skills: tuple[str, ...],
) -> None:
    suggestion = by_id(rank_projects(make_view(**options)))[project]  # type: ignore[arg-type]
    assert suggestion.why == why
    assert "\n" not in suggestion.why
    assert suggestion.missing.milestones == milestones
    assert suggestion.missing.skills == skills
    assert suggestion.ready is (not milestones and not skills)


def test_missing_line() -> None:
    fresh = by_id(rank_projects(make_view(hours_per_week=2.0)))
    assert fresh["fraud-detector"].missing_line == (
        "finish milestones deploy-model; cover skills modelling"
    )
    assert fresh["clinic-no-shows"].missing_line == (
        "finish milestones first-model; cover skills modelling"
    )
    done = by_id(rank_projects(make_view(done=MILESTONES)))
    assert done["clinic-no-shows"].missing_line == "ready to start"


def test_only_the_current_week_and_the_three_after_count() -> None:
    """python-basics is done on the first day; stats-basics (10 h) fills the days from
    then on, then first-model (the only milestone teaching modelling) follows."""
    # 5 h/week: stats-basics fills weeks 1-2, first-model starts in week 3: inside.
    inside = by_id(rank_projects(make_view(hours_per_week=5.0, done=("python-basics",))))
    # 2.5 h/week: stats-basics fills weeks 1-4, first-model starts in week 5: outside.
    outside = by_id(rank_projects(make_view(hours_per_week=2.5, done=("python-basics",))))
    assert inside["clinic-no-shows"].missing.skills == ()
    assert outside["clinic-no-shows"].missing.skills == ("modelling",)
    # seen from week 2 with stats-basics done too, first-model is this week: inside
    later = by_id(
        rank_projects(
            make_view(hours_per_week=2.5, done=("python-basics", "stats-basics"), weeks_in=1)
        )
    )
    assert later["clinic-no-shows"].missing.skills == ()


def test_unknown_industry_lists_the_choices() -> None:
    with pytest.raises(NotFound) as caught:
        rank_projects(make_view(industry="Healthcare"), "Financ")
    assert caught.value.message == (
        "Unknown industry 'Financ'. Did you mean 'Finance'? Choose one of: Healthcare, Finance."
    )
    assert caught.value.exit_code == 4


def test_as_dict_is_the_documented_shape() -> None:
    data = rank_projects(make_view(industry="Healthcare"))[0].as_dict()
    assert list(data) == JSON_KEYS
    assert data["missing"] == {"milestones": ["first-model"], "skills": []}
    assert data["datasets"] == [
        {
            "name": "Medical Appointment No Shows",
            "url": "https://www.kaggle.com/datasets/joniarroba/noshowappointments",
        }
    ]
    assert data["deliverables"] == ["a notebook", "a short report"]
    assert data["industries"] == ["Healthcare"]
    assert json.loads(json.dumps(data)) == data


# --------------------------------------------------------------------------- properties

INDUSTRIES = ("Healthcare", "Finance", "Energy")


@st.composite
def projects(draw: st.DrawFn, prefix: str = "p") -> Project:
    return Project(
        id=f"{prefix}-{draw(st.integers(0, 10**6))}",
        title="A project",
        summary="Something to build.",
        difficulty=draw(st.sampled_from(["beginner", "intermediate", "advanced"])),
        industries=draw(st.lists(st.sampled_from(INDUSTRIES), min_size=1, max_size=2)),
        skills=draw(st.lists(st.sampled_from(SKILLS), max_size=3)),
        requires=draw(st.lists(st.sampled_from(MILESTONES), max_size=3)),
        hours=draw(st.floats(1, 100)),
        deliverables=["a thing"],
        datasets=[Dataset(name="Data", url="https://example.org/data")],
    )


plans = st.fixed_dictionaries(
    {
        "done": st.lists(st.sampled_from(MILESTONES), unique=True).map(tuple),
        "hours_per_week": st.sampled_from([1.0, 2.5, 8.0, 40.0]),
        "weeks_in": st.integers(0, 12),
        "industry": st.sampled_from([None, "Healthcare", "Finance"]),
    }
)


def with_projects(view: PlanView, items: list[Project]) -> PlanView:
    return replace(view, curriculum=replace(view.curriculum, projects=tuple(items)))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    plan=plans,
    items=st.lists(projects(), max_size=8, unique_by=lambda p: p.id),
    override=st.sampled_from([None, "healthcare", "FINANCE"]),
)
def test_ranking_is_a_deterministic_permutation(
    plan: dict[str, object], items: list[Project], override: str | None
) -> None:
    view = with_projects(make_view(**plan), items)  # type: ignore[arg-type]
    first = rank_projects(view, override)
    assert rank_projects(view, override) == first
    assert sorted(s.id for s in first) == sorted(p.id for p in items)
    assert [s.rank for s in first] == list(range(1, len(items) + 1))
    position = {p.id: i for i, p in enumerate(items)}
    for a, b in zip(first, first[1:], strict=False):
        assert a.score >= b.score
        if a.score == b.score:  # ties keep curriculum order
            assert position[a.id] < position[b.id]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    plan=plans,
    target=st.sampled_from(["Healthcare", "Finance"]),
    project=projects(prefix="twin"),
    others=st.lists(projects(), max_size=5, unique_by=lambda p: p.id),
    where=st.tuples(st.integers(0, 6), st.integers(0, 7)),
    matching_first=st.booleans(),
)
def test_matching_industry_never_ranks_below_its_twin(
    plan: dict[str, object],
    target: str,
    project: Project,
    others: list[Project],
    where: tuple[int, int],
    matching_first: bool,
) -> None:
    matching = project.model_copy(update={"id": "twin-match", "industries": [target]})
    other = project.model_copy(update={"id": "twin-other", "industries": ["Energy"]})
    items = list(others)
    pair = [matching, other] if matching_first else [other, matching]
    items.insert(min(where[0], len(items)), pair[0])
    items.insert(min(where[1], len(items)), pair[1])
    ranks = {s.id: s.rank for s in rank_projects(with_projects(make_view(**plan), items), target)}  # type: ignore[arg-type]
    assert ranks["twin-match"] < ranks["twin-other"]


# --------------------------------------------------------------------------- CLI


@pytest.fixture
def tiny(fixture_curricula: Path) -> Path:
    return fixture_curricula


def test_text_output(cli: Run, tiny: Path) -> None:
    assert cli("start", "tiny-role", "--industry", "Healthcare").exit_code == 0
    result = cli("projects")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Portfolio projects for 'tiny-role', aiming at Healthcare, best first"
    assert lines[2:9] == [
        "1. Predict clinic no-shows (clinic-no-shows)",
        "   beginner, 15 h, score 77",
        "   Why: matches your industry (Healthcare); 1 of 1 skill covered by work done or "
        "due within 4 weeks;",
        "        beginner fits 0% progress; 0 of 1 prerequisites done",
        "   Missing: finish milestones first-model",
        "   Data: Medical Appointment No Shows "
        "https://www.kaggle.com/datasets/joniarroba/noshowappointments",
        "",
    ]
    assert lines[9] == "2. Card fraud detector (fraud-detector)"
    assert "Showing" not in result.stdout  # both fit in the default of 3


def test_limit_and_ready(cli: Run, tiny: Path) -> None:
    cli("start", "tiny-role")
    cli("done", "python-basics", "stats-basics", "first-model", "deploy-model")
    result = cli("projects", "--limit", "1")
    assert result.exit_code == 0, result.stderr
    assert "1. Card fraud detector (fraud-detector)" in result.stdout
    assert "Missing: nothing, ready to start" in result.stdout
    assert "Predict clinic no-shows" not in result.stdout
    assert "Showing 1 of 2; `planner projects --limit 2` lists them all." in result.stdout
    assert "No target industry: rank for one with --industry NAME." in result.stdout


def test_json_output(cli: Run, tiny: Path) -> None:
    cli("start", "tiny-role", "--industry", "Healthcare")
    data = json.loads(cli("projects", "--json").stdout)
    assert [d["id"] for d in data] == ["clinic-no-shows", "fraud-detector"]
    assert all(list(d) == JSON_KEYS for d in data)
    assert data[0]["rank"] == 1 and data[0]["score"] == 77
    overridden = json.loads(cli("projects", "--json", "--industry", "finance", "-n", "1").stdout)
    assert [d["id"] for d in overridden] == ["fraud-detector"]
    assert overridden[0]["why"].startswith("matches your industry (Finance); ")


def test_plan_option_picks_the_plan(cli: Run, tiny: Path) -> None:
    cli("start", "tiny-role", "--industry", "Finance", "--name", "fin")
    cli("start", "tiny-role", "--industry", "Healthcare", "--name", "health")
    first = json.loads(cli("--plan", "fin", "projects", "--json").stdout)[0]
    assert first["id"] == "fraud-detector"
    latest = cli("projects", "--json")
    if os.environ.get("PLANNER_DATABASE_URL"):  # a server never assumes whose plan it is
        assert latest.exit_code == 2
        assert "This server holds 2 plans (one per person)" in latest.stderr
    else:
        assert json.loads(latest.stdout)[0]["id"] == "clinic-no-shows"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["projects", "--industry", "Retial"],
            4,
            "Error: Unknown industry 'Retial'. Choose one of: Healthcare, Finance.\n",
        ),
        (
            ["projects", "--industry", "helthcare", "--json"],
            4,
            "Error: Unknown industry 'helthcare'. Did you mean 'Healthcare'? "
            "Choose one of: Healthcare, Finance.\n",
        ),
        (
            ["projects", "--limit", "0"],
            2,
            "Error: Invalid value for '--limit' / '-n': ",
        ),
        (["--plan", "nope", "projects"], 4, "Error: No plan named 'nope'."),
    ],
)
def test_bad_input_is_one_line(
    cli: Run, tiny: Path, args: list[str], code: int, message: str
) -> None:
    cli("start", "tiny-role")
    result = cli(*args)
    assert result.exit_code == code
    assert result.stderr.startswith(message)
    assert len(result.stderr.splitlines()) == 1
    assert result.stdout == ""


def test_no_plan_yet(cli: Run, tiny: Path, planner_home: Path) -> None:
    result = cli("projects")
    assert result.exit_code == 4
    assert result.stderr.startswith("Error: No plan yet. Start one with `planner start ROLE`")
    assert len(result.stderr.splitlines()) == 1
    assert not (planner_home / "planner.db").exists()


# --------------------------------------------------------------------------- built-in curricula


def test_ai_architect_healthcare_starts_with_a_healthcare_project(cli: Run) -> None:
    assert cli("start", "ai-architect", "--industry", "Healthcare").exit_code == 0
    result = cli("projects", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert len(data) == 3
    top = data[0]
    assert "Healthcare" in top["industries"]
    assert top["difficulty"] in ("beginner", "intermediate")
    assert top["why"].startswith("matches your industry (Healthcare); ")
    assert top["datasets"] and top["datasets"][0]["url"].startswith("https://")


def test_several_roles_rank_the_projects_of_all(cli: Run) -> None:
    cli("start", "ai-architect", "lead-ml-engineer", "--industry", "gaming")
    data = json.loads(cli("projects", "--json", "--limit", "100").stdout)
    expected = {
        p.id for role in ("ai-architect", "lead-ml-engineer") for p in load_role(role).projects
    }
    assert {d["id"] for d in data} == expected
    assert [d["rank"] for d in data] == list(range(1, len(expected) + 1))
    assert data[0]["industries"] == ["Gaming"]
    healthcare = json.loads(cli("projects", "--json", "--industry", "healthcare").stdout)
    assert healthcare[0]["industries"] == ["Healthcare"]
