"""A team on one PostgreSQL server: the guarantees of the SQLite file, against a real
server (PLANNER_TEST_DATABASE_URL; each test in a schema of its own).

The races are real ``planner`` processes started together. Each scenario is a case
measured before planner took a write lock on servers (the README's "A team on one
server"): concurrent first use, lost ``add-role`` changes, duplicate ``done`` events,
``done`` and ``skip`` crossing, same-name ``start``, waits without end.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from planner import db
from planner.server import normalise_url
from tests.conftest import FIXTURE_CURRICULA, SERVER_URL, Run, planners

PLANNER = [sys.executable, "-m", "planner"]
EXTRA_ROLES = ("extra-a", "extra-b", "extra-c", "extra-d")
ROLE_YAML = """id: {id}
title: Extra role {id}
summary: A role that only adds one milestone of its own.
version: 1
profile:
  source: "A test article (2023)"
  definition: A role that exists only in tests.
  responsibilities: [Testing things]
  required_skills: [Python]
  education: [Any degree]
  tools: [pytest]
  industries: [Healthcare]
  outlook:
    growth_percent: 1
    period: 2019-2029
    occupation: testers
    source: A test bureau
    text: Steady.
skills:
  - {{id: {id}-skill, name: Skill of {id}, description: Only in tests.}}
milestones:
  - id: {id}-work
    title: Work of {id}
    summary: One milestone of its own.
    hours: 3
    skills: [{id}-skill]
    resources:
      - {{title: Docs, url: "https://example.org/{id}", kind: docs}}
    done_when: it is done
"""


def engine() -> sa.Engine:
    return sa.create_engine(normalise_url(SERVER_URL), poolclass=sa.pool.NullPool)


def query(schema: str, sql: str, **params: object) -> list[tuple[object, ...]]:
    """Rows of ``sql`` run in ``schema`` on the test server."""
    eng = engine()
    try:
        with eng.connect() as conn:
            conn.execute(sa.text(f'SET search_path TO "{schema}"'))
            return [tuple(row) for row in conn.execute(sa.text(sql), params)]
    finally:
        eng.dispose()


def schema_exists(schema: str) -> bool:
    eng = engine()
    try:
        with eng.connect() as conn:
            found = conn.execute(
                sa.text("SELECT 1 FROM information_schema.schemata WHERE schema_name = :s"),
                {"s": schema},
            ).first()
        return found is not None
    finally:
        eng.dispose()


@pytest.fixture
def curricula(tmp_path: Path) -> Path:
    """The test curricula plus four roles of one milestone each, for add-role races."""
    folder = tmp_path / "curricula"
    folder.mkdir()
    for source in FIXTURE_CURRICULA.glob("*.yaml"):
        (folder / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    for role in EXTRA_ROLES:
        (folder / f"{role}.yaml").write_text(ROLE_YAML.format(id=role), encoding="utf-8")
    return folder


@pytest.fixture
def env(server_schema: str, curricula: Path, planner_home: Path) -> dict[str, str]:
    """The environment of a planner process on the test server, in this test's schema."""
    environ = {
        **os.environ,
        "PLANNER_DATABASE_URL": SERVER_URL,
        "PLANNER_DB_SCHEMA": server_schema,
        "PLANNER_CURRICULA_PATH": str(curricula),
        "PLANNER_HOME": str(planner_home),
        "COLUMNS": "100",
    }
    environ.pop("PLANNER_PLAN", None)
    return environ


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PLANNER, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def race(env: dict[str, str], commands: list[list[str]]) -> list[subprocess.CompletedProcess[str]]:
    """Start every command at once as its own process; wait for all of them."""
    return planners([(env, args) for args in commands])


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The error of a failed command: exactly one line on stderr, no traceback."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: "), result.stderr
    return lines[0]


def event_kinds(schema: str, milestone: str) -> list[str]:
    rows = query(schema, "SELECT kind FROM event WHERE milestone_id = :m ORDER BY id", m=milestone)
    return [str(row[0]) for row in rows]


# --------------------------------------------------------------------------- one writer at a time

pytestmark = pytest.mark.slow


def test_first_use_by_four_processes_at_once(env: dict[str, str], server_schema: str) -> None:
    """Four `start`s on an empty schema: each creates the tables if it is first; all
    succeed, and each migration is applied exactly once."""
    results = race(env, [["start", "tiny-role", "--name", f"P{i}"] for i in range(4)])
    assert [r.returncode for r in results] == [0, 0, 0, 0], [r.stderr for r in results]
    versions = query(server_schema, "SELECT version FROM planner_migration ORDER BY version")
    assert [row[0] for row in versions] == list(range(1, db.SCHEMA_VERSION + 1))
    names = query(server_schema, "SELECT name FROM plan ORDER BY name")
    assert [row[0] for row in names] == ["P0", "P1", "P2", "P3"]


def test_add_role_by_four_processes_loses_nothing(env: dict[str, str], server_schema: str) -> None:
    assert run(env, "start", "tiny-role", "--name", "Team").returncode == 0
    results = race(env, [["add-role", role] for role in EXTRA_ROLES])
    assert [r.returncode for r in results] == [0, 0, 0, 0], [r.stderr for r in results]
    ((roles,),) = query(server_schema, "SELECT roles FROM plan")
    assert sorted(roles) == sorted(["tiny-role", *EXTRA_ROLES])  # type: ignore[arg-type]
    added = query(server_schema, "SELECT COUNT(*) FROM event WHERE kind = 'role-added'")
    assert added == [(4,)]


def test_done_by_eight_processes_is_recorded_once(env: dict[str, str], server_schema: str) -> None:
    assert run(env, "start", "tiny-role", "--name", "Team").returncode == 0
    results = race(env, [["done", "python-basics"]] * 8)
    assert [r.returncode for r in results] == [0] * 8, [r.stderr for r in results]
    told_done = [r for r in results if r.stdout.startswith("Done: python-basics")]
    told_already = [r for r in results if r.stdout.startswith("Already done: python-basics")]
    assert (len(told_done), len(told_already)) == (1, 7)
    assert event_kinds(server_schema, "python-basics") == ["done"]


def test_done_and_skip_at_once_end_as_the_user_was_told(
    env: dict[str, str], server_schema: str
) -> None:
    """`done X` and `skip X` together end as one of the two orders one at a time would:
    done first (skip is then refused: X is done), or skip first and then done (done may
    follow a skip). Never skipped after the user was told "Done"."""
    assert run(env, "start", "tiny-role", "--name", "Team").returncode == 0
    milestones = ["python-basics", "stats-basics", "first-model", "deploy-model"]
    for milestone in milestones:
        done, skip = race(env, [["done", milestone], ["skip", milestone]])
        kinds = event_kinds(server_schema, milestone)
        assert done.returncode == 0 and done.stdout.startswith("Done: "), done.stdout
        if kinds == ["done"]:
            assert skip.returncode == 2
            assert f"'{milestone}' is done; run `planner undo" in one_line_error(skip)
        else:
            assert kinds == ["skipped", "done"], (kinds, done.stdout, skip.stdout)
            assert skip.returncode == 0 and skip.stdout.startswith("Skipped"), skip.stdout


def test_start_with_one_name_by_four_processes(env: dict[str, str], server_schema: str) -> None:
    results = race(env, [["start", "tiny-role", "--name", "Same"]] * 4)
    codes = sorted(r.returncode for r in results)
    assert codes == [0, 5, 5, 5], [r.stderr for r in results]
    for loser in (r for r in results if r.returncode == 5):
        assert "A plan named 'Same' already exists" in one_line_error(loser)
    assert query(server_schema, "SELECT COUNT(*) FROM plan") == [(1,)]


# --------------------------------------------------------------------------- bounded waits


@contextlib.contextmanager
def locked_events(schema: str) -> Iterator[None]:
    """Another session holding an exclusive lock on planner's event table."""
    eng = engine()
    conn = eng.connect()
    conn.execute(sa.text(f'LOCK TABLE "{schema}".event IN ACCESS EXCLUSIVE MODE'))
    try:
        yield
    finally:
        conn.rollback()
        conn.close()
        eng.dispose()


def test_a_held_lock_ends_in_a_plain_busy_error(env: dict[str, str], server_schema: str) -> None:
    assert run(env, "start", "tiny-role", "--name", "Team").returncode == 0
    with locked_events(server_schema):
        for args in (["done", "python-basics"], ["status"]):
            started = time.monotonic()
            result = run(env, *args)
            waited = time.monotonic() - started
            assert result.returncode == 6, (args, result.stdout, result.stderr)
            assert "stayed busy for 10 s" in one_line_error(result)
            assert waited < 30
    assert event_kinds(server_schema, "python-basics") == []
    assert run(env, "done", "python-basics").returncode == 0


def test_a_server_that_never_answers_ends_in_a_plain_error(
    env: dict[str, str], tmp_path: Path
) -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    accepted: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                accepted.append(silent.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    port = silent.getsockname()[1]
    try:
        env = {**env, "PLANNER_DATABASE_URL": f"postgresql+psycopg://planner@127.0.0.1:{port}/x"}
        started = time.monotonic()
        result = run(env, "status")
        assert time.monotonic() - started < 30
    finally:
        silent.close()
        for conn in accepted:
            conn.close()
    assert result.returncode == 6
    line = one_line_error(result)
    assert "no answer within 10 s" in line
    assert f"127.0.0.1:{port}" in line


# --------------------------------------------------------------------------- errors


def _url_with(**parts: str) -> str:
    url = sa.engine.make_url(normalise_url(SERVER_URL))
    return url.set(**parts).render_as_string(hide_password=False)  # type: ignore[arg-type]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("make_url", "expected"),
    [
        (lambda: "not a url", "is not a database URL"),
        (lambda: "foo://host/db", "planner works with SQLite files and PostgreSQL"),
        (lambda: "postgresql://u@127.0.0.1:54x3/db", "is not a database URL"),
        (lambda: "mysql://u@127.0.0.1/db", "pip install 'planner[postgres]'"),
        (lambda: "postgresql+psycopg2://u@127.0.0.1/db", "pip install 'planner[postgres]'"),
        (lambda: _url_with(port=str(_free_port())), "Connection refused"),
        (lambda: _url_with(database="no_such_db"), "createdb"),
        (lambda: _url_with(username="no_such_role"), "createuser"),
        (lambda: _url_with(host="no-such-host.invalid"), "Check that the server is running"),
    ],
    ids=[
        "not-a-url",
        "unknown-dialect",
        "port-not-a-number",
        "no-mysql-driver",
        "no-psycopg2",
        "refused",
        "no-database",
        "no-role",
        "no-host",
    ],
)
def test_connection_problems_are_one_line_exit_6(
    cli: Run, server_schema: str, monkeypatch: pytest.MonkeyPatch, make_url: object, expected: str
) -> None:
    if "psycopg2" in str(make_url) and _importable("psycopg2"):
        pytest.skip("psycopg2 is installed here")
    url = make_url()  # type: ignore[operator]
    monkeypatch.setenv("PLANNER_DATABASE_URL", url)
    for args in (["status"], ["start", "ai-architect"], ["doctor"]):
        result = cli(*args)
        assert result.exit_code == 6, (args, result.stdout, result.stderr)
        line = result.stderr.strip()
        assert "\n" not in line and line.startswith("Error: "), result.stderr
        assert expected in line, line
        assert "--db" not in line  # advice for a file, not for a server


def _importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def test_postgres_and_postgresql_schemes_mean_psycopg(
    cli: Run, server_schema: str, monkeypatch: pytest.MonkeyPatch, fixture_curricula: Path
) -> None:
    url = sa.engine.make_url(normalise_url(SERVER_URL))
    for scheme in ("postgres", "postgresql"):
        plain = url.set(drivername=scheme).render_as_string(hide_password=False)
        monkeypatch.setenv("PLANNER_DATABASE_URL", plain)
        result = cli("start", "tiny-role", "--name", f"via {scheme}")
        assert result.exit_code == 0, result.stderr
    assert [r[0] for r in query(server_schema, "SELECT name FROM plan ORDER BY name")] == [
        "via postgres",
        "via postgresql",
    ]


@pytest.fixture
def limited_role(server_schema: str) -> Iterator[str]:
    """A login role that may read planner's tables but not write them."""
    name = f"reader_{server_schema}"
    eng = engine()
    try:
        with eng.begin() as conn:
            conn.execute(sa.text(f'CREATE ROLE "{name}" LOGIN'))
        yield name
    finally:
        with eng.begin() as conn:
            conn.execute(sa.text(f'DROP OWNED BY "{name}"'))
            conn.execute(sa.text(f'DROP ROLE IF EXISTS "{name}"'))
        eng.dispose()


def test_a_user_who_may_only_read(
    cli: Run,
    server_schema: str,
    limited_role: str,
    monkeypatch: pytest.MonkeyPatch,
    fixture_curricula: Path,
) -> None:
    assert cli("start", "tiny-role", "--name", "Team").exit_code == 0
    monkeypatch.setenv("PLANNER_DATABASE_URL", _url_with(username=limited_role))
    for args in (["status"], ["plans"], ["doctor"]):  # no USAGE on the schema: not "no plans"
        result = cli(*args)
        assert result.exit_code == 6, (args, result.stdout)
        assert f"may not use the schema {server_schema}" in result.stderr
        assert "GRANT USAGE ON SCHEMA" in result.stderr
    monkeypatch.setenv("PLANNER_DATABASE_URL", SERVER_URL)
    eng = engine()
    with eng.begin() as conn:
        conn.execute(sa.text(f'GRANT USAGE ON SCHEMA "{server_schema}" TO "{limited_role}"'))
        conn.execute(
            sa.text(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{server_schema}" TO "{limited_role}"')
        )
    eng.dispose()
    monkeypatch.setenv("PLANNER_DATABASE_URL", _url_with(username=limited_role))
    before = query(server_schema, "SELECT COUNT(*) FROM event")
    assert cli("status").exit_code == 0
    result = cli("done", "python-basics")
    assert result.exit_code == 6
    assert "may not do this" in result.stderr and "\n" not in result.stderr.strip()
    doctor = cli("doctor")
    assert f"user {limited_role} can read but not record progress here" in doctor.stdout
    # a standby or a read-only default: the server refuses writes
    eng = engine()
    with eng.begin() as conn:
        conn.execute(sa.text(f'ALTER ROLE "{limited_role}" SET default_transaction_read_only = on'))
    eng.dispose()
    result = cli("done", "python-basics")
    assert result.exit_code == 6
    assert "only allows reading" in result.stderr
    assert query(server_schema, "SELECT COUNT(*) FROM event") == before


def test_another_programs_tables_are_refused_with_the_schema_fix(
    cli: Run, server_schema: str, monkeypatch: pytest.MonkeyPatch, fixture_curricula: Path
) -> None:
    eng = engine()
    with eng.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{server_schema}"'))
        conn.execute(sa.text(f'CREATE TABLE "{server_schema}".invoices (id INTEGER)'))
    eng.dispose()
    result = cli("start", "tiny-role")
    assert result.exit_code == 6
    assert "a database of another program (tables: invoices)" in result.stderr
    assert "PLANNER_DB_SCHEMA" in result.stderr
    monkeypatch.setenv("PLANNER_DB_SCHEMA", f"{server_schema}_planner")
    try:
        assert cli("start", "tiny-role").exit_code == 0
    finally:
        from tests.conftest import drop_schema

        drop_schema(f"{server_schema}_planner")


# --------------------------------------------------------------------------- reads only read


@pytest.mark.parametrize(
    "args",
    [["status"], ["next"], ["log"], ["plans"], ["team"], ["doctor"], ["export", "json", "--all"]],
)
def test_reading_commands_never_create_the_schema(
    cli: Run, server_schema: str, fixture_curricula: Path, args: list[str]
) -> None:
    result = cli(*args)
    assert result.exit_code in (0, 4), (result.stdout, result.stderr)
    assert not schema_exists(server_schema)


def test_an_older_schema_is_upgraded_only_by_migrate(
    cli: Run, server_schema: str, fixture_curricula: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    older = db.SCHEMA_VERSION - 1
    with monkeypatch.context() as patched:
        patched.setattr(db, "MIGRATIONS", [m for m in db.MIGRATIONS if m[0] <= older])
        patched.setattr(db, "SCHEMA_VERSION", older)
        assert cli("start", "tiny-role", "--name", "Team").exit_code == 0
    for args in (["status"], ["done", "python-basics"], ["doctor"]):
        result = cli(*args)
        if args == ["doctor"]:
            assert result.exit_code == 0
            assert f"schema version {older} of {db.SCHEMA_VERSION}" in result.stdout
            assert "`planner migrate`" in result.stdout
        else:
            assert result.exit_code == 6
            assert "Run `planner migrate`" in one_line_error(result)  # type: ignore[arg-type]
        assert query(server_schema, "SELECT MAX(version) FROM planner_migration") == [(older,)]
    result = cli("migrate")
    assert result.exit_code == 0
    assert f"from schema {older} to {db.SCHEMA_VERSION}" in result.stdout
    assert cli("migrate").stdout.endswith("nothing to do.\n")
    assert cli("done", "python-basics").exit_code == 0


def test_doctor_names_the_server_and_reads_only(
    cli: Run, server_schema: str, fixture_curricula: Path
) -> None:
    assert cli("start", "tiny-role", "--name", "Team").exit_code == 0
    result = cli("doctor")
    assert result.exit_code == 0, result.stderr
    url = sa.engine.make_url(normalise_url(SERVER_URL))
    # the first check, its wrapped lines joined
    first = " ".join(re.split(r"\n(?=\S)", result.stdout)[0].split())
    assert first.startswith(f"ok database: postgresql://{url.username}@")
    assert f"database {url.database}, user {url.username}, schema {server_schema}" in first
    assert "server time zone" in first
    assert f"user {url.username} can read and write" in result.stdout
    assert f"schema version {db.SCHEMA_VERSION} of {db.SCHEMA_VERSION}" in result.stdout


# --------------------------------------------------------------------------- round trips


def _statements(cli: Run, *args: str) -> int:
    """How many SQL statements one in-process command sends."""
    count = 0

    def counted(*_: object) -> None:
        nonlocal count
        count += 1

    sa.event.listen(sa.Engine, "before_cursor_execute", counted)
    try:
        result = cli(*args)
        assert result.exit_code == 0, result.stderr
    finally:
        sa.event.remove(sa.Engine, "before_cursor_execute", counted)
    return count


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_team_and_plans_cost_the_same_queries_for_2_and_12_plans(
    cli: Run, fixture_curricula: Path, request: pytest.FixtureRequest, backend: str
) -> None:
    if backend == "postgresql":
        request.getfixturevalue("server_schema")
    counts: dict[int, tuple[int, int]] = {}
    made = 0
    for plans in (2, 12):
        while made < plans:
            name = f"Person {made:02d}"
            assert cli("start", "tiny-role", "--name", name).exit_code == 0
            assert cli("--plan", name, "done", "python-basics").exit_code == 0
            assert cli("--plan", name, "study", "stats-basics", "1h").exit_code == 0
            made += 1
        counts[plans] = (_statements(cli, "team"), _statements(cli, "plans"))
    assert counts[2] == counts[12], counts
    assert max(counts[12]) <= 12, counts


def test_a_server_never_assumes_whose_plan(
    cli: Run, server_schema: str, fixture_curricula: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a file the most recently used plan is yours; on a server it may be a
    colleague's, so with two plans or more a command must be told which."""
    assert cli("start", "tiny-role", "--name", "Ada").exit_code == 0
    assert cli("done", "python-basics").exit_code == 0  # one plan: it is the one
    assert cli("start", "tiny-role", "--name", "Grace").exit_code == 0
    before = query(server_schema, "SELECT COUNT(*) FROM event")
    for args in (["done", "stats-basics"], ["status"], ["next"], ["log"]):
        result = cli(*args)
        assert result.exit_code == 2, (args, result.stdout)
        line = result.stderr.strip()
        assert line == (
            "Error: This server holds 2 plans (one per person), so the plan to act on must "
            "be named: set PLANNER_PLAN=YOUR_NAME on your machine, or give --plan NAME. "
            "Plans: Ada, Grace."
        )
    assert query(server_schema, "SELECT COUNT(*) FROM event") == before
    use = cli("use", "Grace")
    assert use.exit_code == 2
    assert "set PLANNER_PLAN='Grace' on your machine" in use.stderr
    listed = cli("plans")
    assert listed.exit_code == 0 and "*" not in listed.stdout  # nobody's plan is "active"
    monkeypatch.setenv("PLANNER_PLAN", "Grace")
    assert cli("done", "stats-basics").exit_code == 0
    assert query(
        server_schema,
        "SELECT p.name FROM event e JOIN plan p ON p.id = e.plan_id WHERE e.milestone_id = "
        "'stats-basics'",
    ) == [("Grace",)]
    assert "*  Grace" in cli("plans").stdout
