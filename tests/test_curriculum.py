"""Loading, resolving and validating curriculum files, good and bad."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.curriculum import MAX_FILE_BYTES, load_curriculum, resolve_file
from planner.errors import CurriculumInvalid
from planner.models import CurriculumFile
from tests.conftest import FIXTURE_CURRICULA

BASE = (FIXTURE_CURRICULA / "tiny-base.yaml").read_text()
ROLE = (FIXTURE_CURRICULA / "tiny-role.yaml").read_text()


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(CurriculumInvalid) as info:
        resolve_file(path)
    return info.value.problems


@pytest.fixture
def pair(tmp_path: Path) -> Path:
    """A writable copy of the tiny role and its module; returns the folder."""
    write(tmp_path, "tiny-base.yaml", BASE)
    write(tmp_path, "tiny-role.yaml", ROLE)
    return tmp_path


def test_fixture_role_resolves_with_includes_first() -> None:
    curriculum = resolve_file(FIXTURE_CURRICULA / "tiny-role.yaml")
    assert [m.id for m in curriculum.milestones] == [
        "python-basics",
        "stats-basics",
        "first-model",
        "deploy-model",
    ]
    assert curriculum.versions == {"tiny-base": 1, "tiny-role": 2}
    assert curriculum.total_hours == 36
    assert [s.id for s in curriculum.skills] == ["python", "statistics", "modelling"]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # unknown field, with the YAML line of the field and a suggestion
        (
            "    hours: 12\n",
            "    hours: 12\n    hour: 3\n",
            r"tiny-role\.yaml:29:5: milestones\[0\]: unknown field 'hour'; did you mean 'hours'\?",
        ),
        # missing field, located at its parent mapping
        (
            "    done_when: a repository with a cross-validated model and a README of its scores\n",
            "",
            r"tiny-role\.yaml:\d+:\d+: milestones\[0\]: missing field 'done_when'",
        ),
        # numbers YAML 1.1 reads differently from how they look
        (
            "    hours: 12\n",
            "    hours: 1:30\n",
            r"tiny-role\.yaml:28:12: YAML 1\.1 reads '1:30' as the number 90; write the number "
            r"in plain decimal, or quote it to keep it as text",
        ),
        (
            "    hours: 12\n",
            "    hours: 1:30.5\n",
            r"tiny-role\.yaml:28:12: YAML 1\.1 reads '1:30\.5' as the number 90\.5;",
        ),
        (
            "version: 2\n",
            "version: 012\n",
            r"tiny-role\.yaml:4:10: YAML 1\.1 reads '012' as the number 10;",
        ),
        # non-positive hours
        (
            "    hours: 12\n",
            "    hours: 0\n",
            r"tiny-role\.yaml:28:12: milestones\[0\]\.hours: Input should be greater than 0",
        ),
        (
            "    hours: 12\n",
            "    hours: -3\n",
            r"milestones\[0\]\.hours: Input should be greater than 0",
        ),
        # unknown skill / milestone / include with did-you-mean
        (
            "    skills: [modelling, python]\n",
            "    skills: [modeling, python]\n",
            r"tiny-role\.yaml:29:14: unknown skill 'modeling'; did you mean 'modelling'\?",
        ),
        (
            "    requires: [stats-basics]\n",
            "    requires: [stat-basics]\n",
            r"tiny-role\.yaml:30:16: unknown milestone 'stat-basics'; did you mean 'stats-basics'\?",
        ),
        (
            "includes: [tiny-base]\n",
            "includes: [tiny-bse]\n",
            r"tiny-role\.yaml:19:12: unknown include 'tiny-bse'; did you mean 'tiny-base'\?",
        ),
        # duplicate ids across a role and its include
        (
            "  - id: first-model\n",
            "  - id: python-basics\n",
            r"tiny-role\.yaml:\d+:\d+: duplicate milestone id 'python-basics' \(also in tiny-base\.yaml\)",
        ),
        # a dependency cycle, named
        (
            "    requires: [stats-basics]\n",
            "    requires: [stats-basics, deploy-model]\n",
            r"prerequisite cycle: first-model -> deploy-model -> first-model",
        ),
        # YAML syntax error with line and column
        (
            "summary: A small role used by the tests.\n",
            "summary: [unclosed\n",
            r"tiny-role\.yaml:\d+:\d+: .*",
        ),
        # YAML 1.1 surprises get a hint
        (
            "title: Tiny Role\n",
            "title: no\n",
            r"tiny-role\.yaml:2:8: title: Input should be a valid string \(YAML read False: quote it",
        ),
        # id must match the file name
        (
            "id: tiny-role\n",
            "id: other-role\n",
            r"tiny-role\.yaml:1:1: id 'other-role' does not match the file name 'tiny-role'",
        ),
        # duplicate keys are refused, not silently overwritten
        (
            "version: 2\n",
            "version: 2\nversion: 3\n",
            r"tiny-role\.yaml:5:1: .*duplicate key 'version' \(first used on line 4\)",
        ),
        # a yes/no or a quoted number is not a number of hours or weeks
        ("    hours: 12\n", "    hours: true\n", r"hours: Input should be a valid number"),
        ("    hours: 12\n", '    hours: "12"\n', r"hours: Input should be a valid number"),
        (
            "    hours: 12\n",
            "    hours: 12\n    min_weeks: yes\n",
            r"min_weeks: Input should be a valid integer",
        ),
        (
            "    hours: 12\n",
            "    hours: 12\n    min_weeks: 2.0\n",
            r"min_weeks: Input should be a valid integer",
        ),
        # a role must have a profile
        ("profile:\n", "profile_:\n", r"unknown field 'profile_'"),
        # resource URLs must be http(s)
        (
            "        url: https://scikit-learn.org/stable/user_guide.html\n",
            "        url: javascript:alert(1)\n",
            r"milestones\[0\]\.resources\[0\]\.url: String should match pattern",
        ),
        # project industries must come from the profile
        (
            "    industries: [Finance]\n",
            "    industries: [Finanse]\n",
            r"industry 'Finanse' is not in profile\.industries; did you mean 'Finance'\?",
        ),
    ],
)
def test_bad_curriculum_is_reported_with_location(
    pair: Path, old: str, new: str, expected: str
) -> None:
    assert old in ROLE
    write(pair, "tiny-role.yaml", ROLE.replace(old, new, 1))
    problems = problems_of(pair / "tiny-role.yaml")
    assert any(re.search(expected, p) for p in problems), problems


def test_every_problem_is_reported_at_once(pair: Path) -> None:
    text = ROLE.replace("    hours: 12\n", "    hours: 0\n").replace("title: Tiny Role\n", "")
    text = text.replace("    hours: 8\n", "    hours: 8\n    bogus: 1\n")
    write(pair, "tiny-role.yaml", text)
    problems = problems_of(pair / "tiny-role.yaml")
    assert len(problems) == 3, problems
    assert all(p.startswith(str(pair / "tiny-role.yaml") + ":") for p in problems)


def test_problems_in_an_included_file_name_that_file(pair: Path) -> None:
    write(pair, "tiny-base.yaml", BASE.replace("    hours: 6\n", "    hours: -1\n"))
    problems = problems_of(pair / "tiny-role.yaml")
    assert len(problems) == 1
    assert problems[0].startswith(f"{pair / 'tiny-base.yaml'}:17:12:")


def test_include_cycle_is_named(pair: Path) -> None:
    write(
        pair, "tiny-base.yaml", BASE.replace("version: 1\n", "version: 1\nincludes: [tiny-role]\n")
    )
    write(pair, "tiny-role.yaml", ROLE.replace("profile:", "kind: role\nprofile:"))
    problems = problems_of(pair / "tiny-role.yaml")
    assert any("include cycle: tiny-role -> tiny-base -> tiny-role" in p for p in problems), (
        problems
    )


def test_file_over_one_mebibyte_is_refused_unread(tmp_path: Path) -> None:
    path = write(tmp_path, "big.yaml", "id: big\n" + "#" * MAX_FILE_BYTES)
    problems = problems_of(path)
    assert problems == [
        f"{path}: file is {path.stat().st_size:,} bytes; curricula are limited to 1 MiB"
    ]


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 9):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 9)}]")
    path = write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    problems = problems_of(path)
    assert len(problems) == 1
    assert "YAML aliases expand to more than" in problems[0]
    assert problems[0].startswith(f"{path}:1:1:")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "file is empty"),
        (b"- just\n- a list\n", "expected a mapping of fields at the top level"),
        (b"id: x\ntitle: caf\xe9\n", r"2:11: not valid UTF-8 \(byte 0xe9\)"),
        (b"!!python/object/apply:os.system ['echo pwned']\n", "could not determine a constructor"),
        (b"id: x\n\ttitle: tab\n", r":2:1: .*"),
    ],
)
def test_unreadable_yaml(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(content)
    problems = problems_of(path)
    assert len(problems) == 1
    assert re.search(expected, problems[0]), problems


def test_byte_order_mark_is_accepted(pair: Path) -> None:
    (pair / "tiny-role.yaml").write_bytes(b"\xef\xbb\xbf" + ROLE.encode())
    assert resolve_file(pair / "tiny-role.yaml").id == "tiny-role"


def test_user_curricula_path_is_searched_first(pair: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(pair, "ai-architect.yaml", ROLE.replace("id: tiny-role", "id: ai-architect"))
    monkeypatch.setenv("PLANNER_CURRICULA_PATH", str(pair))
    assert load_curriculum("ai-architect").title == "Tiny Role"


def test_a_path_is_accepted_wherever_a_role_id_is(pair: Path) -> None:
    assert load_curriculum(str(pair / "tiny-role.yaml")).id == "tiny-role"


def test_schema_is_json_schema_of_the_file_format() -> None:
    schema = CurriculumFile.model_json_schema()
    assert set(schema["properties"]) >= {
        "id",
        "title",
        "summary",
        "version",
        "profile",
        "includes",
        "skills",
        "milestones",
        "projects",
    }
    assert schema["additionalProperties"] is False
    json.dumps(schema)


# -- round trip: any valid model written as YAML loads back equal --------------------

ids = st.from_regex(r"[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,4}){0,2}", fullmatch=True)
texts = (
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40)
    .map(str.strip)
    .filter(bool)
)


@st.composite
def module_files(draw: st.DrawFn) -> dict[str, object]:
    skill_ids = draw(st.lists(ids, min_size=1, max_size=4, unique=True))
    milestone_ids = draw(st.lists(ids, min_size=1, max_size=6, unique=True))
    milestones = []
    for index, mid in enumerate(milestone_ids):
        milestones.append(
            {
                "id": mid,
                "title": draw(texts),
                "summary": draw(texts),
                "hours": draw(st.floats(min_value=0.25, max_value=999, allow_nan=False)),
                "skills": draw(st.lists(st.sampled_from(skill_ids), unique=True, max_size=3)),
                "requires": draw(
                    st.lists(st.sampled_from(milestone_ids[:index]), unique=True, max_size=2)
                )
                if index
                else [],
                "covers": draw(st.lists(texts, max_size=2)),
                "resources": [
                    {
                        "title": draw(texts),
                        "url": "https://example.org/" + mid,
                        "kind": draw(st.sampled_from(["book", "docs", "video"])),
                    }
                ],
                "done_when": draw(texts),
                "optional": draw(st.booleans()),
            }
        )
    return {
        "id": "generated",
        "kind": "module",
        "title": draw(texts),
        "summary": draw(texts),
        "version": draw(st.integers(min_value=1, max_value=99)),
        "skills": [{"id": s, "name": draw(texts), "description": draw(texts)} for s in skill_ids],
        "milestones": milestones,
    }


@settings(max_examples=60, deadline=None)
@given(data=module_files())
def test_yaml_round_trip(tmp_path_factory: pytest.TempPathFactory, data: dict[str, object]) -> None:
    folder = tmp_path_factory.mktemp("rt")
    path = folder / "generated.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    resolved = resolve_file(path)
    expected = CurriculumFile.model_validate(data)
    assert resolved.milestones == expected.milestones
    assert resolved.skills == expected.skills
