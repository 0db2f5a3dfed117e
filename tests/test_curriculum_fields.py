"""The curriculum's optional fields, shown wherever a learner reads a curriculum.

A milestone's ``effort`` (where its hours come from), ``min_weeks`` and ``compute``, a
project's ``compute``, a data set's ``licence`` and a profile's ``level`` appear in
``curricula show`` (text and JSON), ``compare`` (text and JSON), ``projects`` (text and
JSON) and every format of ``plan``; they wrap to the terminal and survive an export and
import. A curriculum that uses none of them prints exactly what it printed before: no
empty lines for them, and a snapshot without their keys.
"""

from __future__ import annotations

import copy
import html
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from planner import cells
from planner.cli import app
from planner.curriculum import load_curriculum
from planner.snapshot import snapshot_of
from tests.conftest import START, Run

EFFORT = "MIT 6.006 lectures 1 to 8 are about 12 h; thirty practice problems about 16 h more"
COMPUTE = "A GPU with 16 GB of memory: a free notebook tier is enough for the exercises"
PROJECT_COMPUTE = "Eight GPU hours for fine-tuning, rented by the hour from a cloud provider"
LICENCE = "CC BY-NC-SA 4.0, attribution required and no commercial use of derived work"
PREPARES_FOR = "A junior machine learning engineer role on a product team."
PATH_STEPS = ["Software engineer", "Machine learning engineer", "Staff ML engineer"]
NOTE = "Leading the design of systems other teams depend on only comes with years on the job"
NEW_TEXTS = (EFFORT, COMPUTE, PROJECT_COMPUTE, LICENCE, PREPARES_FOR, NOTE, *PATH_STEPS)
NEW_LABELS = ("Effort", "Compute", "licence", "Prepares for", "Usual path", "Spread over")

RESOURCE = {"title": "A guide", "url": "https://example.org/guide", "kind": "docs"}
ROLE: dict[str, Any] = {
    "id": "fields-role",
    "title": "Fields Role",
    "summary": "A role that uses every optional field.",
    "version": 1,
    "profile": {
        "source": "A test article (2024)",
        "definition": "A role that exists only in these tests.",
        "responsibilities": ["Testing"],
        "required_skills": ["Python"],
        "education": ["Any degree"],
        "tools": ["pytest"],
        "industries": ["Healthcare"],
        "outlook": {
            "growth_percent": 10,
            "period": "2022-2032",
            "occupation": "testers",
            "source": "A bureau",
            "text": "It grows 10% from 2022 to 2032.",
        },
        "level": {"prepares_for": PREPARES_FOR, "path": PATH_STEPS, "note": NOTE},
    },
    "skills": [{"id": "python", "name": "Python", "description": "Writing Python."}],
    "milestones": [
        {
            "id": "algorithms",
            "title": "Algorithms",
            "summary": "The basics every interview asks for.",
            "hours": 28,
            "skills": ["python"],
            "resources": [RESOURCE],
            "done_when": "thirty problems solved",
            "effort": EFFORT,
        },
        {
            "id": "mentoring",
            "title": "Mentoring sessions",
            "summary": "Three sessions with a practitioner, two weeks apart.",
            "hours": 6,
            "requires": ["algorithms"],
            "resources": [RESOURCE],
            "done_when": "three sessions held",
            "min_weeks": 3,
            "compute": COMPUTE,
        },
    ],
    "projects": [
        {
            "id": "fine-tune",
            "title": "Fine-tune a model",
            "summary": "Fine-tune a small model on a public data set.",
            "difficulty": "beginner",
            "industries": ["Healthcare"],
            "skills": ["python"],
            "hours": 10,
            "deliverables": ["a notebook"],
            "datasets": [
                {"name": "Open Notes", "url": "https://example.org/notes", "licence": LICENCE}
            ],
            "compute": PROJECT_COMPUTE,
        }
    ],
}


def without_new_fields(data: dict[str, Any], new_id: str) -> dict[str, Any]:
    """``data`` with none of the optional fields (and its own id)."""
    plain = copy.deepcopy(data)
    plain["id"] = new_id
    del plain["profile"]["level"]
    for milestone in plain["milestones"]:
        for key in ("effort", "min_weeks", "compute"):
            milestone.pop(key, None)
    for project in plain["projects"]:
        project.pop("compute", None)
        for dataset in project["datasets"]:
            dataset.pop("licence", None)
    return plain


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """fields-role (every new field) and plain-role (none), on the curricula path."""
    folder = tmp_path / "curricula"
    folder.mkdir()
    for data in (ROLE, without_new_fields(ROLE, "plain-role")):
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        (folder / f"{data['id']}.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("PLANNER_CURRICULA_PATH", str(folder))
    return folder


def words(text: str) -> str:
    """``text`` with its line breaks and indents as single spaces (wrapped text read back)."""
    return " ".join(text.split())


def assert_fits(text: str, columns: int = 60) -> None:
    for line in text.splitlines():
        assert cells.width(line) <= columns, f"{cells.width(line)} > {columns} cells: {line!r}"


def assert_shows_every_field(text: str) -> None:
    flat = words(text)
    for needle in NEW_TEXTS:
        assert needle in flat, needle


def ok(result: Any) -> str:
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return str(result.stdout)


# --------------------------------------------------------------------------- curricula show


def test_show_gives_every_field_wrapped_to_the_terminal(
    cli: Run, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    out = ok(cli("curricula", "show", "fields-role"))
    assert_fits(out)
    assert_shows_every_field(out)
    flat = words(out)
    assert "Usual path: Software engineer -> Machine learning engineer -> Staff ML" in flat
    assert f"Prepares for: {PREPARES_FOR}" in flat
    assert f"Note: {NOTE}" in flat
    assert f"algorithms: Algorithms Effort: {EFFORT}" in flat
    assert "mentoring: Mentoring sessions Spread over at least 3 weeks" in flat
    assert f"Compute: {COMPUTE}" in flat
    assert f"fine-tune: Fine-tune a model Compute: {PROJECT_COMPUTE}" in flat
    assert f"Data: Open Notes, licence: {LICENCE}" in flat
    # wrapped under its label, not cut
    effort_lines = [line for line in out.splitlines() if "Effort:" in line]
    assert effort_lines == ["  Effort: MIT 6.006 lectures 1 to 8 are about 12 h; thirty"]


def test_show_json_carries_every_field(cli: Run, folder: Path) -> None:
    data = json.loads(ok(cli("curricula", "show", "fields-role", "--json")))
    assert data["profile"]["level"] == {
        "prepares_for": PREPARES_FOR,
        "path": PATH_STEPS,
        "note": NOTE,
    }
    algorithms, mentoring = data["milestones"]
    assert algorithms["effort"] == EFFORT
    assert "min_weeks" not in algorithms and "compute" not in algorithms
    assert (mentoring["min_weeks"], mentoring["compute"]) == (3, COMPUTE)
    (project,) = data["projects"]
    assert project["compute"] == PROJECT_COMPUTE
    assert project["datasets"][0]["licence"] == LICENCE


def test_a_curriculum_without_the_fields_shows_nothing_new(cli: Run, folder: Path) -> None:
    out = ok(cli("curricula", "show", "plain-role"))
    for label in NEW_LABELS + ("Note:", "Data:"):
        assert label not in out, label
    # the same output as the role with the fields, less the lines they add
    full = ok(cli("curricula", "show", "fields-role")).replace("fields-role", "plain-role")
    assert set(out.splitlines()) <= set(full.splitlines())
    data = json.loads(ok(cli("curricula", "show", "plain-role", "--json")))
    text = json.dumps(data)
    for key in ("level", "effort", "min_weeks", "compute", "licence"):
        assert f'"{key}"' not in text, key


FIELDS = ("level", "note", "effort", "min_weeks", "compute", "project_compute", "licence")


def with_fields(chosen: frozenset[str]) -> dict[str, Any]:
    """The role with only the ``chosen`` optional fields set."""
    data = without_new_fields(ROLE, "some-role")
    algorithms, mentoring = data["milestones"]
    (project,) = data["projects"]
    if "level" in chosen:
        data["profile"]["level"] = {"prepares_for": PREPARES_FOR, "path": PATH_STEPS}
        if "note" in chosen:
            data["profile"]["level"]["note"] = NOTE
    values = {"effort": EFFORT, "min_weeks": 3, "compute": COMPUTE}
    mentoring.update({k: v for k, v in values.items() if k in chosen})
    if "project_compute" in chosen:
        project["compute"] = PROJECT_COMPUTE
    if "licence" in chosen:
        project["datasets"][0]["licence"] = LICENCE
    return data


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chosen=st.frozensets(st.sampled_from(FIELDS)))
def test_show_prints_exactly_the_fields_that_are_set(chosen: frozenset[str]) -> None:
    """Any mix of the optional fields: each shows when set and only then."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "some-role.yaml"
        path.write_text(yaml.safe_dump(with_fields(chosen)), encoding="utf-8")
        result = CliRunner().invoke(app, ["curricula", "show", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    level = "level" in chosen
    expected = {
        f"Prepares for: {PREPARES_FOR}": level,
        f"Note: {NOTE}": level and "note" in chosen,
        f"Effort: {EFFORT}": "effort" in chosen,
        "Spread over at least 3 weeks": "min_weeks" in chosen,
        f"Compute: {COMPUTE}": "compute" in chosen,
        f"Compute: {PROJECT_COMPUTE}": "project_compute" in chosen,
        f"licence: {LICENCE}": "licence" in chosen,
        "mentoring: Mentoring sessions": bool(chosen & {"effort", "min_weeks", "compute"}),
        "fine-tune: Fine-tune a model": bool(chosen & {"project_compute", "licence"}),
    }
    assert {needle: needle in out for needle in expected} == expected


# --------------------------------------------------------------------------- compare


def test_compare_puts_the_levels_side_by_side(
    cli: Run, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = copy.deepcopy(ROLE)
    other["id"] = "other-role"
    other["profile"]["level"] = {"prepares_for": "A data analyst role", "path": ["Analyst", "Lead"]}
    (folder / "other-role.yaml").write_text(yaml.safe_dump(other), encoding="utf-8")
    for columns in (60, 120):
        monkeypatch.setenv("COLUMNS", str(columns))
        out = ok(cli("compare", "fields-role", "other-role"))
        assert_fits(out, columns)
        flat = words(out)
        assert "Prepares for" in out and "Usual path" in out
        assert "A data analyst role" in flat and "Analyst -> Lead" in flat
        assert "Software engineer ->" in flat
        assert "Note" in out and "years on the job" in flat
    row = next(line for line in out.splitlines() if line.startswith("Usual path"))
    assert row.index("Software engineer") < row.index("Analyst -> Lead")  # left, then right
    data = json.loads(ok(cli("compare", "fields-role", "other-role", "--json")))
    assert data["profiles"]["fields-role"]["level"] == {
        "prepares_for": PREPARES_FOR,
        "path": PATH_STEPS,
        "note": NOTE,
    }
    assert data["profiles"]["other-role"]["level"] == {
        "prepares_for": "A data analyst role",
        "path": ["Analyst", "Lead"],
    }


def test_compare_with_one_level_marks_the_other_side(cli: Run, folder: Path) -> None:
    out = ok(cli("compare", "fields-role", "plain-role"))
    row = next(line for line in out.splitlines() if line.startswith("Prepares for"))
    assert row.rstrip().endswith("  -")
    data = json.loads(ok(cli("compare", "fields-role", "plain-role", "--json")))
    assert "level" not in data["profiles"]["plain-role"]


def test_compare_without_levels_prints_nothing_new(cli: Run, folder: Path) -> None:
    other = without_new_fields(ROLE, "plain-other")
    (folder / "plain-other.yaml").write_text(yaml.safe_dump(other), encoding="utf-8")
    out = ok(cli("compare", "plain-role", "plain-other"))
    for label in ("Prepares for", "Usual path", "Note"):
        assert label not in out
    data = json.loads(ok(cli("compare", "plain-role", "plain-other", "--json")))
    assert all("level" not in p for p in data["profiles"].values())


# --------------------------------------------------------------------------- plan and projects


def start(cli: Run, role: str, name: str | None = None) -> None:
    args = ["start", role, "--start", START.isoformat(), "-H", "8", "--industry", "Healthcare"]
    result = cli(*args, *(["--name", name] if name else []))
    assert result.exit_code == 0, result.stderr


def test_the_printed_plan_gives_every_field_in_each_format(
    cli: Run, folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    start(cli, "fields-role")
    monkeypatch.setenv("COLUMNS", "60")
    text = ok(cli("plan", "--format", "txt"))
    assert_fits(text)
    assert_shows_every_field(text)
    flat = words(text)
    assert f"Effort: {EFFORT}" in flat
    assert "Spread over at least 3 weeks, alongside other work" in flat
    assert f"Compute: {COMPUTE}" in flat
    assert f"(licence: {LICENCE})" in flat
    assert f"Compute: {PROJECT_COMPUTE}" in flat
    assert "Usual path: Software engineer -> Machine learning engineer -> Staff" in flat
    assert f"Prepares for: {PREPARES_FOR}" in flat and f"Note: {NOTE}" in flat

    markdown = ok(cli("plan", "--format", "md"))
    assert_shows_every_field(markdown)
    assert f"  - Effort: {EFFORT}" in markdown
    assert "  - Spread over at least 3 weeks, alongside other work" in markdown
    assert f"   - Compute: {PROJECT_COMPUTE}" in markdown
    assert f"(licence: {LICENCE})" in markdown
    assert "- Usual path: Software engineer -> Machine learning engineer -> Staff" in markdown

    page = html.unescape(ok(cli("plan", "--format", "html")))
    assert_shows_every_field(page)
    assert f"<b>Effort:</b> {EFFORT}</p>" in page
    assert "spread over at least 3 weeks" in page
    assert "Software engineer → Machine learning engineer → Staff ML engineer" in page
    # The role's own sentences keep their own full stops: none is added after them.
    text_of_page = re.sub(r"<[^>]+>", " ", page)
    assert f"Prepares for: {PREPARES_FOR}" in " ".join(text_of_page.split())
    assert ".." not in text_of_page.replace("...", "")

    pdf = tmp_path / "plan.pdf"
    assert cli("plan", "--output", str(pdf)).exit_code == 0
    assert pdf.read_bytes().startswith(b"%PDF-")
    if shutil.which("pdftotext") is not None:
        pdf_text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert_shows_every_field(pdf_text.replace("\u2192", "->"))


def test_a_plan_without_the_fields_prints_nothing_new(cli: Run, folder: Path) -> None:
    start(cli, "plain-role")
    for fmt in ("txt", "md", "html"):
        out = ok(cli("plan", "--format", fmt))
        for label in NEW_LABELS + ("Weeks:", "Note:"):
            assert label not in out, (fmt, label)
        assert not re.search(r"Effort:\s*$", out, re.MULTILINE)


def test_projects_show_the_licence_and_compute(
    cli: Run, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    start(cli, "fields-role")
    monkeypatch.setenv("COLUMNS", "60")
    out = ok(cli("projects"))
    assert_fits(out)
    flat = words(out)
    assert f"Data: Open Notes https://example.org/notes (licence: {LICENCE})" in flat
    assert f"Compute: {PROJECT_COMPUTE}" in flat
    (top,) = json.loads(ok(cli("projects", "--json")))
    assert top["datasets"] == [
        {"name": "Open Notes", "url": "https://example.org/notes", "licence": LICENCE}
    ]
    assert top["compute"] == PROJECT_COMPUTE


def test_projects_without_the_fields_print_nothing_new(cli: Run, folder: Path) -> None:
    start(cli, "plain-role")
    out = ok(cli("projects"))
    assert "licence" not in out and "Compute" not in out
    (top,) = json.loads(ok(cli("projects", "--json")))
    assert top["datasets"] == [{"name": "Open Notes", "url": "https://example.org/notes"}]
    assert "compute" not in top


# --------------------------------------------------------------------------- keeping them


def test_export_and_import_keep_the_fields(cli: Run, folder: Path, tmp_path: Path) -> None:
    start(cli, "fields-role")
    exported = tmp_path / "plan.json"
    assert cli("export", "json", "--output", str(exported)).exit_code == 0
    data = json.loads(exported.read_text(encoding="utf-8"))
    assert PREPARES_FOR in json.dumps(data, ensure_ascii=False)
    for path in folder.iterdir():  # the plan must not need the files any more
        path.unlink()
    other = tmp_path / "other.db"
    result = cli("--db", str(other), "import", str(exported))
    assert result.exit_code == 0, result.stderr
    assert "Warning" not in result.stderr
    text = ok(cli("--db", str(other), "plan", "--format", "txt"))
    assert_shows_every_field(text)
    again = tmp_path / "again.json"
    assert cli("--db", str(other), "export", "json", "--output", str(again)).exit_code == 0
    assert json.loads(again.read_text(encoding="utf-8"))["curricula"] == data["curricula"]


def test_a_snapshot_without_the_fields_holds_none_of_their_keys(folder: Path) -> None:
    snapshot = snapshot_of(load_curriculum("plain-role"))
    body = json.loads(snapshot.body)
    for key in ("level", "effort", "min_weeks", "compute", "licence"):
        assert f'"{key}"' not in snapshot.body, key
    assert "level" not in body["profile"]
    assert all(set(m) >= {"id", "done_when"} for m in body["milestones"])
    full = snapshot_of(load_curriculum("fields-role"))
    assert '"effort"' in full.body and '"licence"' in full.body and '"level"' in full.body
