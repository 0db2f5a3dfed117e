"""The curriculum cache: a hit is exactly what parsing gives, and any change is a miss."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings

from planner import cache, curriculum, renderer
from planner.models import Curriculum, construct
from tests.conftest import FIXTURE_CURRICULA, Run
from tests.test_curriculum import module_files


@pytest.fixture(autouse=True)
def fresh_process(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each load below behaves like a new process: nothing remembered in memory."""
    monkeypatch.setattr(curriculum, "_resolved", {})
    monkeypatch.setattr(curriculum, "_file_cache", {})
    yield


def load(ref: str) -> Curriculum:
    curriculum._resolved.clear()
    curriculum._file_cache.clear()
    return curriculum.load_curriculum(ref)


def entries() -> list[Path]:
    return sorted(cache.folder().glob("curriculum-*.json"))


@pytest.fixture
def copied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The tiny test curricula in a folder of their own, which tests may edit."""
    folder = tmp_path / "curricula"
    shutil.copytree(FIXTURE_CURRICULA, folder)
    monkeypatch.setenv("PLANNER_CURRICULA_PATH", str(folder))
    return folder


@pytest.mark.parametrize("role", ["ai-architect", "lead-ml-engineer"])
def test_a_cache_hit_equals_parsing_the_files(role: str, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = load(role)  # a miss: parsed and stored
    assert len(entries()) == 1

    def no_parsing(*args: object, **kwargs: object) -> None:
        raise AssertionError("the cache was not used")

    monkeypatch.setattr(curriculum, "resolve_file", no_parsing)
    cached = load(role)
    assert cached == parsed
    assert cached.model_dump() == parsed.model_dump()
    assert cached.total_hours == parsed.total_hours


def test_editing_an_included_module_is_seen_at_once(copied: Path) -> None:
    assert {m.id for m in load("tiny-role").milestones} >= {"stats-basics"}
    base = copied / "tiny-base.yaml"
    base.write_text(base.read_text().replace("title: Statistics", "title: Statistics II"))
    titles = {m.id: m.title for m in load("tiny-role").milestones}
    assert titles["stats-basics"].startswith("Statistics II")


def test_a_new_file_that_shadows_an_include_is_seen(
    copied: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same search path, same files, but an include now finds another file first."""
    front, elsewhere = tmp_path / "front", tmp_path / "elsewhere"
    front.mkdir()
    elsewhere.mkdir()
    monkeypatch.setenv("PLANNER_CURRICULA_PATH", os.pathsep.join([str(front), str(copied)]))
    # Outside the role's own folder, its include is looked up on the search path.
    role = elsewhere / "tiny-role.yaml"
    shutil.copy(copied / "tiny-role.yaml", role)
    assert {m.id: m.title for m in load(str(role)).milestones}["stats-basics"] == (
        "Statistics basics"
    )
    base = (copied / "tiny-base.yaml").read_text()
    (front / "tiny-base.yaml").write_text(base.replace("title: Statistics", "title: Shadowed"))
    titles = {m.id: m.title for m in load(str(role)).milestones}
    assert titles["stats-basics"] == "Shadowed basics"


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: "",
        lambda text: text[: len(text) // 2],
        lambda text: "not json\n" + text,
        lambda text: text.replace('"title": "', '"title": "tampered ', 1),  # body != digest
        lambda text: text.replace('"format": "', '"format": "old ', 1),
        lambda text: text.split("\n", 1)[0] + "\n[1, 2, 3]",
    ],
    ids=["empty", "truncated", "garbage", "tampered", "other-format", "wrong-body"],
)
def test_a_damaged_entry_is_a_miss_and_is_replaced(damage: object) -> None:
    parsed = load("ai-architect")
    (entry,) = entries()
    entry.write_text(damage(entry.read_text()))  # type: ignore[operator]
    assert load("ai-architect") == parsed
    assert json.loads(entry.read_text().split("\n", 1)[0])["files"]  # written again


def test_an_unwritable_cache_folder_is_only_slower(planner_home: Path) -> None:
    planner_home.mkdir(parents=True, exist_ok=True)
    (planner_home / "cache").write_text("a file where the folder should be")
    assert load("ai-architect").id == "ai-architect"
    assert load("ai-architect").id == "ai-architect"


def test_deleting_the_cache_folder_is_safe(cli: Run) -> None:
    assert cli("start", "ai-architect").exit_code == 0
    shutil.rmtree(cache.folder())
    curriculum._resolved.clear()
    result = cli("status")
    assert result.exit_code == 0, result.stderr
    total = load("ai-architect").total_hours  # the shipped file's figure, whatever it is
    assert f"0 of {total:g} h" in result.stdout


def test_validate_always_reads_the_files(cli: Run, copied: Path) -> None:
    """`curricula validate` never trusts the cache: it is how a user checks a file."""
    load("tiny-role")
    role = copied / "tiny-role.yaml"
    role.write_text(role.read_text().replace("hours: 12", "hours: -1"))
    result = cli("curricula", "validate", str(role))
    assert result.exit_code == 3
    assert "hours" in result.stdout + result.stderr


@settings(max_examples=60, deadline=None)
@given(data=module_files())
def test_construct_round_trips_any_valid_curriculum(
    tmp_path_factory: pytest.TempPathFactory, data: dict[str, object]
) -> None:
    folder = tmp_path_factory.mktemp("cache-rt")
    path = folder / "generated.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    resolved = curriculum.resolve_file(path)
    rebuilt = construct(Curriculum, json.loads(resolved.model_dump_json()))
    assert rebuilt == resolved
    assert rebuilt.model_dump_json() == resolved.model_dump_json()


def test_a_link_elsewhere_is_its_own_entry(copied: Path, tmp_path: Path) -> None:
    """Includes are found beside the path as given, so a link in another folder, next to
    another module of the same id, is another curriculum."""
    other = tmp_path / "other"
    other.mkdir()
    (other / "tiny-role.yaml").symlink_to(copied / "tiny-role.yaml")
    base = (copied / "tiny-base.yaml").read_text()
    (other / "tiny-base.yaml").write_text(base.replace("title: Statistics", "title: Other"))
    first = {m.id: m.title for m in load(str(copied / "tiny-role.yaml")).milestones}
    second = {m.id: m.title for m in load(str(other / "tiny-role.yaml")).milestones}
    assert first["stats-basics"] == "Statistics basics"
    assert second["stats-basics"] == "Other basics"
    assert len(entries()) == 2


def test_an_edit_while_parsing_is_seen_on_the_next_run(
    copied: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache records the digest of the bytes parsed, not of the file at store time."""
    base = copied / "tiny-base.yaml"
    real_store = cache.store

    def edit_then_store(*args: Any) -> None:
        base.write_text(base.read_text().replace("title: Statistics", "title: Edited"))
        real_store(*args)

    monkeypatch.setattr(cache, "store", edit_then_store)
    assert {m.id: m.title for m in load("tiny-role").milestones}["stats-basics"] == (
        "Statistics basics"
    )
    monkeypatch.setattr(cache, "store", real_store)
    assert {m.id: m.title for m in load("tiny-role").milestones}["stats-basics"] == (
        "Edited basics"
    )


def test_only_small_regular_files_are_hashed(tmp_path: Path) -> None:
    assert cache._digest("/dev/zero") is None  # a device: would never end
    assert cache._digest(tmp_path) is None
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (cache.MAX_SOURCE_BYTES + 1))
    assert cache._digest(big) is None
    small = tmp_path / "small.yaml"
    small.write_bytes(b"id: x\n")
    assert cache._digest(small) is not None


def rendered_md(cli: Run) -> str:
    result = cli("plan", "--format", "md")
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_damaged_compiled_templates_are_compiled_again(cli: Run) -> None:
    assert cli("start", "ai-architect", "--start", "2026-01-05").exit_code == 0
    renderer.environment.cache_clear()  # made once per process, maybe for another home
    expected = rendered_md(cli)
    compiled = sorted((cache.folder() / "templates").glob("*.cache"))
    assert compiled
    for path in compiled:
        path.write_bytes(b"j2\x00" + b"\xff" * 40)
    renderer.environment.cache_clear()
    assert rendered_md(cli) == expected


def test_a_failing_template_cache_only_costs_time(
    cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    import jinja2

    def full_disk(self: object, bucket: object) -> None:
        raise OSError(28, "No space left on device")

    assert cli("start", "ai-architect", "--start", "2026-01-05").exit_code == 0
    monkeypatch.setattr(jinja2.FileSystemBytecodeCache, "dump_bytecode", full_disk)
    renderer.environment.cache_clear()
    assert "AI Architect" in rendered_md(cli)


def test_compiled_templates_are_not_kept_in_a_folder_others_can_write(planner_home: Path) -> None:
    folder = planner_home / "cache" / "templates"
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    assert renderer._bytecode_cache() is None
    folder.chmod(0o700)
    assert renderer._bytecode_cache() is not None
