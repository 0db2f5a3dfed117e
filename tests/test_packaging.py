"""The wheel carries the curricula and templates and works from any folder."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(REPO)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("planner-*.whl")
    return built


@pytest.mark.slow
def test_wheel_contains_curricula_and_templates(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    shipped = sorted(p.name for p in (REPO / "curricula").glob("*.yaml"))
    assert shipped, "no curricula in the repository"
    for name in shipped:
        assert f"planner/curricula/{name}" in names
    for template in (REPO / "templates").iterdir():
        assert f"planner/templates/{template.name}" in names
    assert not any(n.startswith("tests/") for n in names)


@pytest.mark.slow
def test_wheel_installs_and_runs_from_another_folder(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(wheel)],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PLANNER_", "PYTHON", "XDG_", "VIRTUAL_ENV"))
    }
    env["HOME"] = str(tmp_path / "home")
    listed = subprocess.run(
        [str(env_dir / "bin" / "planner"), "curricula", "list"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert listed.returncode == 0, listed.stderr
    assert "ai-architect" in listed.stdout
    assert "lead-ml-engineer" in listed.stdout
    assert "built-in" in listed.stdout
    started = subprocess.run(
        [str(python), "-m", "planner", "start", "ai-architect"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert started.returncode == 0, started.stderr
    assert (tmp_path / "home" / ".local" / "share" / "planner" / "planner.db").is_file()
