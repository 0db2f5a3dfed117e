from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
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

# The day this test run began. Tests compute dates from it (``TODAY``), often when their
# module is loaded; should the run cross midnight, the autouse fixture below makes every
# planner command act on this day as well (PLANNER_TODAY), so the two never disagree.
os.environ.setdefault("PLANNER_TEST_SESSION_DAY", date.today().isoformat())
SESSION_DAY = date.fromisoformat(os.environ["PLANNER_TEST_SESSION_DAY"])


@contextlib.contextmanager
def local_time_zone(name: str) -> Iterator[None]:
    """Run the block with the system's zone set to ``name`` (TZ), as a user there would."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = saved
        time.tzset()


def today() -> date:
    """The day planner commands act on in this test: ``SESSION_DAY``, or the real date
    where a test removed PLANNER_TODAY to use the clock itself."""
    pinned = os.environ.get("PLANNER_TODAY")
    return date.fromisoformat(pinned) if pinned else date.today()


@pytest.fixture(autouse=True)
def planner_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own data folder; the user's is never touched."""
    home = tmp_path / "planner-home"
    monkeypatch.setenv("PLANNER_HOME", str(home))
    for name in (
        "PLANNER_DB",
        "PLANNER_DATABASE_URL",
        "PLANNER_DB_SCHEMA",
        "PLANNER_PLAN",
        "PLANNER_CURRICULA_PATH",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "100")
    if date.today() != SESSION_DAY:  # the run crossed midnight: see SESSION_DAY
        monkeypatch.setenv("PLANNER_TODAY", SESSION_DAY.isoformat())
    else:
        monkeypatch.delenv("PLANNER_TODAY", raising=False)
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
def cli(runner: CliRunner, request: pytest.FixtureRequest) -> Run:
    callspec = getattr(request.node, "callspec", None)
    if callspec is not None and "database_backend" in callspec.params:
        request.getfixturevalue("database_backend")  # BOTH_BACKENDS: see pytest_generate_tests
    return Run(runner)


# --------------------------------------------------------------------------- a real server

# A PostgreSQL server to run the server suites against: any SQLAlchemy URL of a database
# the user may create schemas in (`.ci/run` starts a throw-away cluster and sets it). Each
# test gets a schema of its own (PLANNER_DB_SCHEMA), dropped afterwards. Without the
# variable those tests are skipped, unless PLANNER_TEST_REQUIRE_SERVER=1 (as in CI), which
# makes a missing server a failure.
SERVER_URL = os.environ.get("PLANNER_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite", "postgresql"]


def require_server() -> str:
    """The test server's URL; skips (or fails, in CI) when there is none."""
    if not SERVER_URL:
        message = "no PLANNER_TEST_DATABASE_URL: the PostgreSQL suites need a server"
        if os.environ.get("PLANNER_TEST_REQUIRE_SERVER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return SERVER_URL


def drop_schema(schema: str) -> None:
    import sqlalchemy as sa

    from planner.server import normalise_url

    engine = sa.create_engine(normalise_url(SERVER_URL), poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        engine.dispose()


@pytest.fixture
def server_schema(planner_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """PLANNER_DATABASE_URL at the test server, in a new schema of this test's own
    (not created: planner creates it on first write); yields the schema's name."""
    url = require_server()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    monkeypatch.setenv("PLANNER_DATABASE_URL", url)
    monkeypatch.setenv("PLANNER_DB_SCHEMA", schema)
    try:
        yield schema
    finally:
        drop_schema(schema)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """In a module that sets ``BOTH_BACKENDS = True``, every test that runs the CLI
    (uses ``cli``) runs twice: on a SQLite file, then on the test server; unless it is
    marked ``sqlite_only`` (it looks at the file itself)."""
    both = getattr(metafunc.module, "BOTH_BACKENDS", False)
    if (
        both
        and "cli" in metafunc.fixturenames
        and not metafunc.definition.get_closest_marker("sqlite_only")
    ):
        if "database_backend" not in metafunc.fixturenames:
            metafunc.fixturenames.append("database_backend")
        metafunc.parametrize("database_backend", BACKENDS, indirect=True)


@pytest.fixture(params=BACKENDS)
def database_backend(request: pytest.FixtureRequest, planner_home: Path) -> Iterator[str]:
    """Run a test on each backend: a SQLite file in PLANNER_HOME, then the test server
    (a schema of its own); see ``pytest_generate_tests``."""
    if request.param == "sqlite":
        yield "sqlite"
        return
    request.getfixturevalue("server_schema")
    yield "postgresql"


def planners(
    commands: Sequence[tuple[dict[str, str], Sequence[str]]],
) -> list[subprocess.CompletedProcess[str]]:
    """Start real ``planner`` processes side by side, each with its environment; their
    results in order."""
    started = [
        (
            list(args),
            subprocess.Popen(
                [sys.executable, "-m", "planner", *args],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
            ),
        )
        for env, args in commands
    ]
    results = []
    for args, proc in started:
        out, err = proc.communicate(timeout=180)
        results.append(subprocess.CompletedProcess(args, proc.returncode, out, err))
    return results
