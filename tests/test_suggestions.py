"""Suggestions ("did you mean ...?"): one of the things that may be written there, never
the word typed, and the one meant.

Two kinds: an unknown field in a curriculum file (only fields of the model at that place
in the file), and an unknown milestone, skill, plan or industry typed on the command line
(``planner.rules.closest``: by prefix, shared words, then spelling).
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from planner import models
from planner.rules import closest
from planner.service import validate_files
from tests.conftest import Run

BUILTIN = Path(__file__).resolve().parents[1] / "curricula"

# --------------------------------------------------------------------------- curriculum fields

RESOURCE = {"title": "A book", "url": "https://example.org/book", "kind": "book"}
ROLE: dict[str, Any] = {
    "id": "some-role",
    "title": "Some role",
    "summary": "A role with one of everything.",
    "version": 1,
    "profile": {
        "source": "An article",
        "definition": "What the role is.",
        "responsibilities": ["Doing it"],
        "required_skills": ["Python"],
        "education": ["A degree"],
        "tools": ["pytest"],
        "industries": ["Finance"],
        "outlook": {
            "growth_percent": 10,
            "period": "2019-2029",
            "occupation": "people",
            "source": "A bureau",
            "text": "It grows.",
        },
        "level": {"prepares_for": "A junior role", "path": ["Junior", "Some role"]},
    },
    "skills": [{"id": "python", "name": "Python", "description": "Writing Python."}],
    "milestones": [
        {
            "id": "python-basics",
            "title": "Python basics",
            "summary": "Why it matters.",
            "hours": 10,
            "skills": ["python"],
            "resources": [RESOURCE],
            "done_when": "a script runs",
        }
    ],
    "projects": [
        {
            "id": "a-project",
            "title": "A project",
            "summary": "Build a thing.",
            "difficulty": "beginner",
            "industries": ["Finance"],
            "skills": ["python"],
            "requires": ["python-basics"],
            "hours": 5,
            "deliverables": ["a repository"],
            "datasets": [{"name": "Some data", "url": "https://example.org/data"}],
        }
    ],
}

# every model of the format, and a place in ROLE where it is written
LOCATIONS: dict[type[BaseModel], tuple[str | int, ...]] = {
    models.CurriculumFile: (),
    models.Profile: ("profile",),
    models.Outlook: ("profile", "outlook"),
    models.Level: ("profile", "level"),
    models.Skill: ("skills", 0),
    models.Milestone: ("milestones", 0),
    models.Resource: ("milestones", 0, "resources", 0),
    models.Project: ("projects", 0),
    models.Dataset: ("projects", 0, "datasets", 0),
}
EVERY_FIELD = sorted({f for model in LOCATIONS for f in model.model_fields})


def test_every_model_of_the_format_has_a_place_here() -> None:
    written = {
        value
        for value in vars(models).values()
        if isinstance(value, type)
        and issubclass(value, models.Strict)
        and value not in (models.Strict, models.Curriculum)  # Curriculum: merged, never written
    }
    assert written == set(LOCATIONS)


def problems_with(tmp_path: Path, location: tuple[str | int, ...], key: str) -> list[str]:
    """The problems ``planner curricula validate`` reports for ROLE with ``key: x`` added
    to the mapping at ``location``."""
    import copy

    document = copy.deepcopy(ROLE)
    target: Any = document
    for part in location:
        target = target[part]
    target[key] = "x"
    folder = tmp_path / f"try-{next(_counter)}"
    folder.mkdir()
    path = folder / "some-role.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    [(_, problems)] = validate_files([path])
    return problems


_counter = itertools.count()


def suggested(problems: list[str], key: str) -> tuple[str | None, list[str] | None]:
    """From the one problem about ``key``: the field suggested, or the fields listed."""
    [line] = [p for p in problems if f"unknown field '{key}'" in p]
    close = re.search(r"; did you mean '([^']*)'\?$", line)
    listed = re.search(r"; expected one of: (.*)$", line)
    assert close or listed, line
    return (close[1] if close else None), (listed[1].split(", ") if listed else None)


def test_a_dataset_with_title_is_told_its_fields(tmp_path: Path) -> None:
    """A dataset has a name, not a title; 'title' is a field elsewhere, so it used to be
    suggested for itself: "unknown field 'title'; did you mean 'title'?"."""
    problems = problems_with(tmp_path, LOCATIONS[models.Dataset], "title")
    assert any(
        p.endswith(
            "projects[0].datasets[0]: unknown field 'title'; expected one of: name, url, licence"
        )
        for p in problems
    ), problems


@pytest.mark.parametrize(
    ("model", "key", "meant"),
    [
        (models.Milestone, "hour", "hours"),
        (models.Milestone, "done-when", "done_when"),
        (models.Milestone, "Title", "title"),
        (models.Project, "dataset", "datasets"),
        (models.Outlook, "growth", "growth_percent"),
        (models.Profile, "industry", "industries"),
        (models.CurriculumFile, "include", "includes"),
        (models.Resource, "kinds", "kind"),
        (models.Skill, "descripton", "description"),
    ],
)
def test_a_misspelt_field_is_told_the_field_meant(
    tmp_path: Path, model: type[BaseModel], key: str, meant: str
) -> None:
    assert suggested(problems_with(tmp_path, LOCATIONS[model], key), key) == (meant, None)


@st.composite
def typo_of(draw: st.DrawFn, words: list[str]) -> str:
    """One of ``words`` with one character dropped, doubled, swapped with the next or
    replaced."""
    word = draw(st.sampled_from(words))
    i = draw(st.integers(0, len(word) - 1))
    kind = draw(st.sampled_from(["drop", "double", "swap", "replace"]))
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if kind == "swap" and i + 1 < len(word):
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + draw(st.sampled_from("abcdefghijklmnopqrstuvwxyz_")) + word[i + 1 :]


def _read_as_text(key: str) -> bool:
    """Whether YAML reads ``key:`` as the text key (not ``on`` -> True, ``1`` -> 1)."""
    loaded = yaml.safe_load(f"{key}: 1")
    return isinstance(loaded, dict) and list(loaded) == [key]


@pytest.mark.parametrize("model", list(LOCATIONS), ids=lambda model: model.__name__)
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_wrong_field_is_told_only_fields_of_its_own_model(
    tmp_path: Path, model: type[BaseModel], data: st.DataObject
) -> None:
    """Whatever is written, a field of another model (``title`` in a dataset), a typo of one
    of its own, or any word: the suggestion, or the list, is of that model's fields."""
    own = list(model.model_fields)
    key = data.draw(
        st.one_of(
            st.sampled_from(EVERY_FIELD),
            typo_of(own),
            st.from_regex(r"[a-z][a-z_]{0,14}", fullmatch=True),
        ),
        label="key",
    )
    assume(key and key not in own and _read_as_text(key))
    close, listed = suggested(problems_with(tmp_path, LOCATIONS[model], key), key)
    if close is not None:
        assert close in own
        assert close != key
    else:
        assert listed == own


# --------------------------------------------------------------------------- typed ids


def _milestone_ids() -> list[str]:
    from planner.curriculum import load_curriculum

    return [m.id for m in load_curriculum("ai-architect").milestones]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        # the milestone ids the help examples of done, skip and note used to give
        ("python-fundamentals", "python-programming"),
        ("r-for-data-analysis", "r-programming"),
        ("deep-learning-frameworks", "deep-learning-pytorch"),
        # a typo, a word left out, a word of the id
        ("pyton-programming", "python-programming"),
        ("linaer-algebra", "linear-algebra"),
        ("model-validation", "model-evaluation-and-validation"),
        ("capstone", "ai-architect-capstone"),
        ("pytorch", "deep-learning-pytorch"),
    ],
)
def test_an_unknown_milestone_suggests_the_one_meant(cli: Run, typed: str, meant: str) -> None:
    assert cli("start", "ai-architect").exit_code == 0
    result = cli("done", typed)
    assert result.exit_code == 4
    assert f"No milestone '{typed}' in plan 'ai-architect'. Did you mean '{meant}'?" in (
        result.stderr
    )


IDS = _milestone_ids()


def one_slip(word: str) -> set[str]:
    """``word`` with a character dropped, doubled or swapped with the next, anywhere."""
    typos = set()
    for i in range(len(word)):
        typos.add(word[:i] + word[i + 1 :])
        typos.add(word[:i] + word[i] + word[i:])
        if i + 1 < len(word):
            typos.add(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
    return typos - {word}


@pytest.mark.parametrize("meant", IDS)
def test_every_one_slip_typo_of_a_milestone_id_suggests_it(meant: str) -> None:
    """Unless the typo is as near another id (``nsupervised``: ``supervised`` or
    ``unsupervised``?) or is one."""
    others = set().union(*(one_slip(i) | {i} for i in IDS if i != meant))
    for typo in sorted(one_slip(meant) - others):
        assert closest(typo, IDS) == meant, typo


def test_nothing_alike_suggests_nothing() -> None:
    assert closest("xyz", IDS) is None
    assert closest("", IDS) is None


@settings(max_examples=300)
@given(
    name=st.text(st.sampled_from("abcdefghij- "), max_size=12),
    choices=st.lists(st.text(st.sampled_from("abcdefghij- "), max_size=12), max_size=8),
)
def test_a_suggestion_is_a_choice_and_never_the_word_typed(name: str, choices: list[str]) -> None:
    found = closest(name, choices)
    assert found is None or (found in choices and found != name)


@settings(max_examples=100)
@given(meant=st.sampled_from(IDS), other=st.sampled_from(IDS))
def test_the_word_typed_is_never_suggested_even_when_it_is_a_choice(meant: str, other: str) -> None:
    assert closest(meant, [meant]) is None
    assert closest(meant, [meant, other]) != meant
