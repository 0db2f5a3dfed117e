"""``planner next`` in a plan for several roles says which of them each milestone serves;
a plan for one role prints as before."""

from __future__ import annotations

import json

import pytest

from planner import cells
from tests.conftest import Run

LABEL = "  Serves:    "
TITLES = {"ai-architect": "AI Architect", "lead-ml-engineer": "Lead Machine Learning Engineer"}


def blocks(text: str) -> list[list[str]]:
    """The milestones of ``next``'s text, each as its lines (the heading left out)."""
    return [part.splitlines() for part in text.split("\n\n")[1:]]


# The two-role plan's first milestones, all for both roles; the next serves one.
BOTH = [
    "data-structures-algorithms",
    "linear-algebra",
    "calculus-optimisation",
    "r-programming",
    "sql-data-wrangling",
    "git-and-testing",
    "ci-cd-and-deployment",
    "cloud-platforms",
    "supervised-learning-basics",
    "model-evaluation-and-validation",
]


def check(cli: Run, columns: int) -> list[list[str]]:
    """``next`` at ``columns``: each milestone's titles of the roles it serves (from the
    text), checked against --json, aligned and within the width."""
    result = cli("next")
    assert result.exit_code == 0
    milestones = json.loads(cli("next", "--json").stdout)["milestones"]
    assert milestones
    found = blocks(result.stdout)
    assert len(found) == len(milestones)
    served = []
    for lines, milestone in zip(found, milestones, strict=True):
        at = next(i for i, line in enumerate(lines) if line.startswith(LABEL))
        why = next(i for i, line in enumerate(lines) if line.startswith("  Why:"))
        assert at < why
        assert lines[at][len(LABEL)] != " "
        text = lines[at][len(LABEL) :]
        for line in lines[at + 1 : why]:  # wrapped lines line up under the first
            assert line.startswith(" " * len(LABEL)) and line[len(LABEL)] != " "
            text += " " + line.strip()
        assert text == ", ".join(TITLES[r] for r in milestone["roles"])
        assert lines[why].startswith("  Why:" + " " * (len(LABEL) - 6))  # the same column
        assert lines[why][len(LABEL)] != " "
        served.append(text.split(", "))
    wide = [line for line in result.stdout.splitlines() if cells.width(line) > columns]
    assert all(line.strip().startswith("https://") for line in wide)  # a URL stands whole
    return served


@pytest.mark.parametrize("columns", [40, 60, 80])
def test_each_milestone_says_which_roles_it_serves(
    cli: Run, monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    start = cli(
        "start", "ai-architect", "lead-ml-engineer", "--know", "python", "--know", "statistics"
    )
    assert start.exit_code == 0, start.stderr
    monkeypatch.setenv("COLUMNS", str(columns))
    assert check(cli, columns)[0] == ["AI Architect", "Lead Machine Learning Engineer"]
    assert cli("done", *BOTH).exit_code == 0
    assert check(cli, columns)[0] == ["AI Architect"]  # ai-problem-framing


def test_a_plan_for_one_role_does_not_say_it(cli: Run) -> None:
    assert cli("start", "ai-architect", "lead-ml-engineer", "--name", "two").exit_code == 0
    assert cli("start", "ai-architect", "--name", "one").exit_code == 0
    result = cli("next")
    assert result.exit_code == 0
    assert "Why:" in result.stdout
    assert "Serves:" not in result.stdout
    assert "Serves:" in cli("--plan", "two", "next").stdout
    milestones = json.loads(cli("next", "--json").stdout)["milestones"]
    assert [m["roles"] for m in milestones] == [["ai-architect"]] * len(milestones)
