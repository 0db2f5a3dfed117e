"""The shipped curricula teach everything the seed article says each role needs.

The article "AI Architect vs. Lead Machine Learning Engineer" lists, per role, bullets
under headings such as "AI Architect Responsibilities" (lines starting with "  • ").
For each role this checks that every bullet under its Responsibilities, Required
Skills, Educational Backgrounds, Tools and Software and Practical Tips headings is
quoted verbatim in the ``covers`` of a milestone in the role file or in a module it
includes (transitively); that the article's shared "Required Skills" sentences are
covered for both roles; that the profile quotes the article's lists; and that each of
the role's industries has enough portfolio projects.

The article's lists are kept in ``tests/fixtures/seed-article.yaml``, so the checks run
in any checkout. When the article itself is at hand (``shared/seed/`` beside the
checkout, or the path in ``PLANNER_SEED``), one more test checks that file against it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from planner.models import CurriculumFile

REPO = Path(__file__).resolve().parents[1]
CURRICULA = REPO / "curricula"
DEFAULT_SEED = REPO.parent / "shared" / "seed" / "ai-architect-vs-lead-ml-engineer.txt"
LISTS = Path(__file__).resolve().parent / "fixtures" / "seed-article.yaml"

ROLE_NAMES = {"ai-architect": "AI Architect", "lead-ml-engineer": "Lead Machine Learning Engineer"}
COVERED_SECTIONS = (
    "Responsibilities",
    "Required Skills",
    "Educational Backgrounds",
    "Tools and Software",
    "Practical Tips",
)
PROFILE_SECTIONS = {
    "responsibilities": "Responsibilities",
    "required_skills": "Required Skills",
    "education": "Educational Backgrounds",
    "tools": "Tools and Software",
    "industries": "Common Industries",
}
BULLET = "  • "
SHARED_PARAGRAPH = "Both AI Architects and Lead Machine Learning Engineers need a strong foundation"
EARLY_DIFFICULTIES = {"beginner", "intermediate"}


@dataclass(frozen=True)
class Article:
    sections: dict[str, list[str]]
    """Bullets under each heading, in article order."""
    shared_sentences: list[str]
    """The first two sentences of the shared "Required Skills" paragraph."""

    def bullets(self, role: str, section: str) -> list[str]:
        heading = self.heading(role, section)
        return self.sections[heading]

    def heading(self, role: str, section: str) -> str:
        if section == "Practical Tips":
            # "Practical Tips for Becoming an AI Architect" / "... a Lead Machine ..."
            found = [
                h
                for h in self.sections
                if h.startswith("Practical Tips for Becoming") and h.endswith(f" {role}")
            ]
        else:
            found = [h for h in self.sections if h == f"{role} {section}"]
        assert len(found) == 1, (
            f"expected one {section!r} heading with bullets for {role!r}, found {found}"
        )
        return found[0]


def parse_article(text: str) -> Article:
    """Split the article into headings (unindented lines) and the bullets under them."""
    sections: dict[str, list[str]] = {}
    shared: list[str] = []
    heading = ""
    for line in text.splitlines():
        if line.startswith(BULLET):
            sections.setdefault(heading, []).append(line.removeprefix(BULLET).strip())
        elif line.strip() and not line[0].isspace():
            heading = line.strip()
            if heading.startswith(SHARED_PARAGRAPH):
                shared = re.split(r"(?<=\.)\s+", heading)[:2]
    return Article(sections=sections, shared_sentences=shared)


def load_lists(path: Path = LISTS) -> Article:
    """The article's lists as kept in ``tests/fixtures/seed-article.yaml``."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Article(sections=data["sections"], shared_sentences=data["shared_sentences"])


@pytest.fixture(scope="module")
def article() -> Article:
    parsed = load_lists()
    assert len(parsed.shared_sentences) == 2, "the shared 'Required Skills' sentences are missing"
    return parsed


def test_kept_lists_are_the_articles() -> None:
    path = Path(os.environ.get("PLANNER_SEED") or DEFAULT_SEED)
    if not path.is_file():
        pytest.skip(f"the article is not at {path}; set PLANNER_SEED to its path")
    parsed = parse_article(path.read_text(encoding="utf-8"))
    assert len(parsed.shared_sentences) == 2, "the shared 'Required Skills' paragraph was not found"
    assert load_lists() == parsed, f"{LISTS} no longer matches {path}: extract it again"


@pytest.fixture(scope="module")
def curricula() -> dict[str, CurriculumFile]:
    files = {}
    for path in sorted(CURRICULA.glob("*.yaml")):
        files[path.stem] = CurriculumFile.model_validate(
            yaml.safe_load(path.read_text(encoding="utf-8"))
        )
    assert files, f"no curriculum files in {CURRICULA}"
    return files


def role_file(curricula: dict[str, CurriculumFile], role_id: str) -> CurriculumFile:
    assert role_id in curricula, f"curricula/{role_id}.yaml is missing"
    return curricula[role_id]


def covers_of(curricula: dict[str, CurriculumFile], role_id: str) -> set[str]:
    """Every `covers` entry of the role and of the modules it includes, transitively."""
    covers: set[str] = set()
    seen: set[str] = set()
    pending = [role_id]
    while pending:
        file_id = pending.pop()
        if file_id in seen:
            continue
        seen.add(file_id)
        assert file_id in curricula, (
            f"'{file_id}' is included but curricula/{file_id}.yaml does not exist"
        )
        file = curricula[file_id]
        covers.update(entry for milestone in file.milestones for entry in milestone.covers)
        pending.extend(file.includes)
    return covers


@pytest.mark.parametrize("section", COVERED_SECTIONS)
@pytest.mark.parametrize("role_id", ROLE_NAMES)
def test_every_bullet_is_covered(
    article: Article, curricula: dict[str, CurriculumFile], role_id: str, section: str
) -> None:
    bullets = article.bullets(ROLE_NAMES[role_id], section)
    covered = covers_of(curricula, role_id)
    missing = [bullet for bullet in bullets if bullet not in covered]
    assert not missing, f"{role_id}: no milestone covers these '{section}' bullets: {missing}"


@pytest.mark.parametrize("role_id", ROLE_NAMES)
def test_shared_skills_paragraph_is_covered(
    article: Article, curricula: dict[str, CurriculumFile], role_id: str
) -> None:
    covered = covers_of(curricula, role_id)
    missing = [sentence for sentence in article.shared_sentences if sentence not in covered]
    assert not missing, f"{role_id}: no milestone covers these shared sentences: {missing}"


def test_covers_quote_the_article_exactly(
    article: Article, curricula: dict[str, CurriculumFile]
) -> None:
    quotable = {bullet for bullets in article.sections.values() for bullet in bullets}
    quotable.update(article.shared_sentences)
    misquoted = [
        f"{file_id}/{milestone.id}: {entry!r}"
        for file_id, file in curricula.items()
        for milestone in file.milestones
        for entry in milestone.covers
        if entry not in quotable
    ]
    assert not misquoted, f"covers entries that are not verbatim article bullets: {misquoted}"


@pytest.mark.parametrize("field", PROFILE_SECTIONS)
@pytest.mark.parametrize("role_id", ROLE_NAMES)
def test_profile_lists_quote_the_article(
    article: Article, curricula: dict[str, CurriculumFile], role_id: str, field: str
) -> None:
    profile = role_file(curricula, role_id).profile
    assert profile is not None
    expected = article.bullets(ROLE_NAMES[role_id], PROFILE_SECTIONS[field])
    assert getattr(profile, field) == expected


@pytest.mark.parametrize("role_id", ROLE_NAMES)
def test_each_industry_has_an_early_and_an_advanced_project(
    article: Article, curricula: dict[str, CurriculumFile], role_id: str
) -> None:
    role = role_file(curricula, role_id)
    for industry in article.bullets(ROLE_NAMES[role_id], "Common Industries"):
        levels = [project.difficulty for project in role.projects if industry in project.industries]
        assert len(levels) >= 2, (
            f"{role_id}: {industry!r} has {len(levels)} project(s), needs at least 2"
        )
        assert EARLY_DIFFICULTIES & set(levels), (
            f"{role_id}: {industry!r} has no beginner or intermediate project"
        )
        assert "advanced" in levels, f"{role_id}: {industry!r} has no advanced project"
