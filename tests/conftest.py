from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from planner.cli import app

FIXTURES = Path(__file__).parent / "fixtures"
FIGURES: list[str] = []  # the reliability suites' figures, shown at the end of every run


def report(figure: str) -> None:
    """Record a suite's figure ("N of N ..."); pytest prints them all in its summary."""
    FIGURES.append(figure)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    # pytest loads this file as ``conftest``; the test files import it as ``tests.conftest``
    # (another module object), and that is where their figures are.
    from tests import conftest as imported

    if imported.FIGURES:
        terminalreporter.section("figures")
        for figure in imported.FIGURES:
            terminalreporter.write_line(figure)


FIXTURE_CURRICULA = FIXTURES / "curricula"
START = date(2026, 1, 5)  # a Monday


@pytest.fixture(autouse=True)
def planner_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own data folder; the user's is never touched."""
    home = tmp_path / "planner-home"
    monkeypatch.setenv("PLANNER_HOME", str(home))
    for name in ("PLANNER_DB", "PLANNER_DATABASE_URL", "PLANNER_PLAN", "PLANNER_CURRICULA_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "100")
    yield home


@pytest.fixture
def fixture_curricula(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Put the small test curricula on the search path."""
    monkeypatch.setenv("PLANNER_CURRICULA_PATH", str(FIXTURE_CURRICULA))
    return FIXTURE_CURRICULA


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


class Run:
    """Invoke the CLI in-process; result has exit_code, stdout and stderr."""

    def __init__(self, runner: CliRunner) -> None:
        self.runner = runner

    def __call__(self, *args: str, input: str | None = None):  # type: ignore[no-untyped-def]
        return self.runner.invoke(app, list(args), input=input, catch_exceptions=False)


@pytest.fixture
def cli(runner: CliRunner) -> Run:
    return Run(runner)
