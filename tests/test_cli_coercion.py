"""planner.cli.coercion: typer without its pydantic coercion of unset parameters.

The override must change what is imported and nothing else: every test here runs the
same command with typer's own ``process_value`` and with the override, and compares.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import pytest
import typer
import typer.core
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from planner.cli import COMMANDS, coercion
from planner.cli import app as planner_app
from tests.conftest import FIXTURE_CURRICULA

# --------------------------------------------------------------------------- a test app


def _level(ctx: typer.Context, param: Any, value: str | None) -> str:
    """A callback that sees None too, may reject a value, and replaces it."""
    if value == "bad":
        raise typer.BadParameter("no bad levels")
    return f"level={value!r}"


def _tags(value: list[str] | None) -> list[str]:
    """A callback on a multi-value option (typer passes it the value alone)."""
    return [*(value or []), f"seen {value!r}"]


def _why(value: str | None) -> str:
    """A callback that rejects an option left unset."""
    if value is None:
        raise typer.BadParameter("say why")
    return value


app = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False)


@app.command()
def run(
    target: Annotated[str, typer.Argument()],
    rest: Annotated[list[str] | None, typer.Argument()] = None,
    flag: Annotated[bool, typer.Option("--flag/--no-flag")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
    name: Annotated[str | None, typer.Option()] = None,
    count: Annotated[int, typer.Option()] = 3,
    tag: Annotated[list[str] | None, typer.Option(callback=_tags)] = None,
    level: Annotated[str | None, typer.Option(callback=_level)] = None,
    ratio: Annotated[float | None, typer.Option(min=0, max=1)] = None,
    size: Annotated[int | None, typer.Option(envvar="COERCION_TEST_SIZE")] = None,
) -> None:
    typer.echo(repr(locals()))


@app.command()
def need(
    items: Annotated[list[str], typer.Argument()],
    who: Annotated[str, typer.Option()],
    why: Annotated[str | None, typer.Option(callback=_why)] = None,
) -> None:
    typer.echo(repr(locals()))


def _params(ctx: typer.Context, param: Any, value: str | None) -> str:
    """What click holds for the parameters processed so far (an unset one comes last)."""
    return repr(ctx.params)


@app.command()
def peek(
    items: Annotated[list[str] | None, typer.Argument()] = None,
    tag: Annotated[list[str] | None, typer.Option()] = None,
    name: Annotated[str | None, typer.Option()] = None,
    show: Annotated[str | None, typer.Option(callback=_params)] = None,
) -> None:
    typer.echo(show)


def outcome(target: Any, args: list[str], env: dict[str, str] | None = None) -> tuple[Any, ...]:
    result = CliRunner().invoke(target, args, env=env)
    error = result.exception
    if isinstance(error, SystemExit):
        error = None
    return (result.exit_code, result.stdout, result.stderr, type(error).__name__, str(error))


@pytest.fixture
def stock() -> Iterator[None]:
    """typer's own ``process_value`` for the test; the override is put back after."""
    coercion.uninstall()
    assert typer.core._TyperParameter.process_value is not coercion.process_value
    try:
        yield
    finally:
        assert coercion.install()


def both(target: Any, args: list[str], env: dict[str, str] | None = None) -> tuple[Any, Any]:
    """The outcome with the override, then with typer's own method."""
    assert coercion.installed()
    with_override = outcome(target, args, env)
    coercion.uninstall()
    try:
        without = outcome(target, args, env)
    finally:
        assert coercion.install()
    return with_override, without


CASES = [
    [],
    ["--help"],
    ["run", "--help"],
    ["run"],
    ["run", "t"],
    ["run", "t", "a", "b"],
    ["run", "t", "--flag", "--no-flag", "-q", "--count", "7", "--name", "n"],
    ["run", "t", "--tag", "x", "--tag", "y", "--level", "ok"],
    ["run", "t", "--level", "bad"],
    ["run", "t", "--count", "x"],
    ["run", "t", "--count"],
    ["run", "t", "--ratio", "2"],
    ["run", "t", "--ratio", "0.5"],
    ["run", "t", "--flag=yes"],
    ["need"],
    ["need", "a"],
    ["need", "--who", "me"],
    ["need", "a", "b", "--who", "me"],
    ["need", "a", "--who", "me", "--why", "because"],
    ["peek"],
    ["peek", "a", "--tag", "x"],
    ["peek", "--show", "x"],
    ["nothing"],
]


def test_the_override_is_installed_with_the_cli() -> None:
    assert coercion.supported()
    assert coercion.installed()
    assert typer.core._TyperParameter.process_value is coercion.process_value


def test_unset_parameters_get_what_typer_gives_them() -> None:
    """None, or the default; callbacks see them; a multi-value one reads as None."""
    values = {
        "target": "t",
        "rest": None,
        "flag": False,
        "quiet": False,
        "name": None,
        "count": 3,
        "tag": ["seen None"],
        "level": "level=None",
        "ratio": None,
        "size": None,
    }
    assert outcome(app, ["run", "t"]) == (0, f"{values!r}\n", "", "NoneType", "None")
    # Click itself holds () for a multi-value parameter left unset.
    held = {"items": (), "tag": (), "name": None}
    assert outcome(app, ["peek"])[:2] == (0, f"{held!r}\n")


@pytest.mark.parametrize("args", CASES, ids=" ".join)
def test_commands_behave_as_with_stock_typer(args: list[str]) -> None:
    with_override, without = both(app, args)
    assert with_override == without


@pytest.mark.parametrize("size", [None, "5", "x"])
def test_values_from_the_environment_behave_as_with_stock_typer(size: str | None) -> None:
    env = {"COERCION_TEST_SIZE": size} if size is not None else None
    with_override, without = both(app, ["run", "t"], env)
    assert with_override == without


WORD = st.text(alphabet="abxyz019-", min_size=1, max_size=4)
VALUES = {
    "--name": WORD,
    "--count": st.one_of(st.integers(-3, 3).map(str), WORD),
    "--tag": WORD,
    "--level": st.sampled_from(["ok", "bad"]),
    "--ratio": st.sampled_from(["0", "0.5", "1.5", "x"]),
    "--who": WORD,
    "--why": WORD,
    "--show": WORD,
}
SWITCHES = ["--flag", "--no-flag", "-q", "--help"]


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    args = [draw(st.sampled_from(["run", "need", "peek"]))]
    words = draw(st.lists(WORD, max_size=3))
    for option in draw(st.lists(st.sampled_from([*VALUES, *SWITCHES]), max_size=5)):
        args.append(option)
        if option in VALUES and draw(st.integers(0, 9)):  # now and then, no value at all
            args.append(draw(VALUES[option]))
    position = draw(st.integers(1, len(args)))
    return args[:position] + words + args[position:]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(args=command_lines())
def test_any_command_line_behaves_as_with_stock_typer(args: list[str]) -> None:
    with_override, without = both(app, args)
    assert with_override == without


def test_only_given_values_are_coerced(monkeypatch: pytest.MonkeyPatch) -> None:
    """The point of it: no runtime coercion (a pydantic TypeAdapter) is built for a
    parameter left unset; typer's own method builds one for each."""
    built: list[str] = []
    get_runtime_param = typer.core._TyperParameter.get_runtime_param

    def recording(self: Any) -> Any:
        built.append(self.name)
        return get_runtime_param(self)

    monkeypatch.setattr(typer.core._TyperParameter, "get_runtime_param", recording)
    assert outcome(app, ["run", "t", "--name", "n"])[0] == 0
    # count: its default, 3, is a value; flag and quiet: bools of a bool parameter;
    # name and target: text given to a plain str parameter, which coercion gives back.
    assert sorted(built) == ["count"]

    built.clear()
    coercion.uninstall()
    try:
        assert outcome(app, ["run", "t", "--name", "n"])[0] == 0
    finally:
        assert coercion.install()
    # ...and every unset one, typer's own --help too (the group's and the command's).
    unset = ["help", "help", "level", "ratio", "rest", "size", "tag"]
    assert sorted(built) == sorted(["count", "name", "target", *unset])


# --------------------------------------------------------------------------- the guards


def test_install_and_uninstall(stock: None) -> None:
    own = typer.core._TyperParameter.process_value
    assert coercion.install()
    assert coercion.install()  # twice is once
    assert typer.core._TyperParameter.process_value is coercion.process_value
    coercion.uninstall()
    coercion.uninstall()
    assert typer.core._TyperParameter.process_value is own
    assert not coercion.installed()


@pytest.mark.parametrize(
    ("version", "supported"),
    [
        (typer.__version__, True),
        ("0.29.0", True),
        ("0.29.17", True),
        ("0.29", True),
        ("0.28.9", False),
        ("0.30.0", False),
        ("1.29.0", False),
        ("0.2.9", False),
    ],
)
def test_only_tested_typer_versions_are_supported(version: str, supported: bool) -> None:
    assert coercion.supported(version) is supported


@pytest.mark.parametrize("version", ["0.28.1", "0.30.0", "1.0.0"])
def test_another_typer_version_is_left_alone(
    stock: None, monkeypatch: pytest.MonkeyPatch, version: str
) -> None:
    own = typer.core._TyperParameter.process_value
    with monkeypatch.context() as patch:  # undone before ``stock`` installs it again
        patch.setattr(typer, "__version__", version)
        assert not coercion.install()
        assert not coercion.installed()
        assert typer.core._TyperParameter.process_value is own
        assert outcome(app, ["run", "t"])[0] == 0


@pytest.mark.parametrize(
    ("owner", "name"),
    [
        (typer.core._TyperParameter, "process_value"),  # click's would be inherited
        (typer.core._TyperParameter, "get_runtime_param"),
        (typer.core, "_TyperParameter"),
        (typer.core._click.exceptions, "MissingParameter"),
        (typer, "_coercion"),
    ],
)
def test_typer_without_the_private_names_relied_on_is_left_alone(
    stock: None, monkeypatch: pytest.MonkeyPatch, owner: Any, name: str
) -> None:
    with monkeypatch.context() as patch:
        patch.delattr(owner, name)
        assert not coercion.supported()
        assert not coercion.install()
        assert not coercion.installed()


def test_a_patched_process_value_is_left_alone(
    stock: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone else's replacement is not ours to wrap."""
    own = typer.core._TyperParameter.process_value

    def theirs(self: Any, ctx: Any, value: Any) -> Any:
        return own(self, ctx, value)

    with monkeypatch.context() as patch:
        patch.setattr(typer.core._TyperParameter, "process_value", theirs)
        assert not coercion.install()
        assert typer.core._TyperParameter.process_value is theirs


# --------------------------------------------------------------------------- planner itself


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_planner_help_is_unchanged(command: str) -> None:
    args = [command, "--help"] if command else ["--help"]
    with_override, without = both(planner_app, args)
    assert with_override == without
    assert with_override[0] == 0


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["done"],  # a required nargs=-1 argument, missing
        ["use"],  # a required argument, missing
        ["log", "--limit", "0"],  # below its minimum
        ["status", "--plan"],  # an option without its value
        ["status", "--skills", "--json"],  # no plan yet
        ["stauts"],
    ],
    ids=" ".join,
)
def test_planner_errors_are_unchanged(args: list[str]) -> None:
    with_override, without = both(planner_app, args)
    assert with_override == without


@pytest.mark.usefixtures("fixture_curricula")
def test_planner_read_commands_are_unchanged() -> None:
    assert outcome(planner_app, ["start", "tiny-role", "--start", "2026-01-05"])[0] == 0
    for args in (["status"], ["status", "--skills"], ["next"], ["log"], ["plans"]):
        with_override, without = both(planner_app, args)
        assert with_override == without
        assert with_override[0] == 0, with_override


# --------------------------------------------------------------------------- a fresh interpreter

PROBE = """
import json, sys
from planner.cli import app, coercion
if sys.argv[1] == "stock":
    coercion.uninstall()
try:
    app(sys.argv[2:], prog_name="planner")
except SystemExit as exc:
    code = exc.code
print(json.dumps([code, coercion.installed(), "typer._adapters" in sys.modules]), file=sys.stderr)
"""


def adapters_loaded(mode: str, args: list[str], home: Path) -> bool:
    """Whether running ``planner *args`` imported typer._adapters, the module typer builds
    its pydantic TypeAdapters in (it imports pydantic's schema machinery)."""
    env = {
        **os.environ,
        "PLANNER_HOME": str(home),
        "PLANNER_CURRICULA_PATH": str(FIXTURE_CURRICULA),
        "COLUMNS": "100",
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE, mode, *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    code, installed, loaded = json.loads(done.stderr.strip().splitlines()[-1])
    assert code in (0, None), done.stderr
    assert installed is (mode == "override")
    return bool(loaded)


@pytest.mark.parametrize(
    "args", [["--help"], ["status", "--help"], ["curricula", "list"]], ids=" ".join
)
def test_planner_builds_no_type_adapter_for_unset_options(
    planner_home: Path, args: list[str]
) -> None:
    assert not adapters_loaded("override", args, planner_home)


def test_stock_typer_does_build_one(planner_home: Path) -> None:
    """So the check above can see it: typer's own method loads typer._adapters for the
    unset --db and --plan."""
    assert adapters_loaded("stock", ["status", "--help"], planner_home)
