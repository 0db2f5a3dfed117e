"""Every command's ``--help``: its examples run, it names what it takes in words a person
reads (``MILESTONE...``, ``--on YYYY-MM-DD``; never ``<list[str]>`` or ``{milestones}``),
and ``planner curricula show`` lists the skill ids that ``--know`` takes.

The commands are those ``planner.cli.COMMANDS`` lists, and the commands of each group
among them (``planner curricula show``), and ``planner`` itself.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.core import TyperArgument, TyperOption
from typer.testing import CliRunner

from planner.cli import COMMANDS, app, build_command
from tests.conftest import Run

BUILTIN = Path(__file__).resolve().parents[1] / "curricula"
PLAN_START = "2026-11-30"  # the day the examples were written: their dates are after it


def command_paths() -> list[tuple[str, ...]]:
    """``()`` for ``planner``, ``("done",)``, ..., ``("curricula", "show")``, ..."""
    paths: list[tuple[str, ...]] = [()]
    for name in COMMANDS:
        paths.append((name,))
        paths += [(name, sub) for sub in getattr(build_command(name), "commands", {})]
    return paths


def help_text(path: tuple[str, ...], columns: int) -> str:
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    return result.stdout


def examples(text: str) -> list[str]:
    """Each ``Example: planner ...`` of a help text, with any lines it was wrapped onto."""
    found: list[str] = []
    inside = False
    for line in text.splitlines():
        words = line.strip()
        if words.startswith("Example:"):
            found.append(words.removeprefix("Example:").strip())
            inside = True
        elif inside and words:
            found[-1] += " " + words
        else:
            inside = False
    return found


PATHS = command_paths()
HELP = {path: help_text(path, 80) for path in PATHS}
EXAMPLES = [(path, example) for path in PATHS for example in examples(HELP[path])]


def name(path: tuple[str, ...]) -> str:
    return " ".join(("planner", *path))


# --------------------------------------------------------------------------- examples


@pytest.mark.parametrize("path", PATHS, ids=name)
def test_every_command_has_examples_of_itself_on_lines_of_their_own(
    path: tuple[str, ...],
) -> None:
    """At 80 columns each example is one line, never wrapped, so it can be copied whole."""
    found = examples(HELP[path])
    assert found, f"`{name(path)} --help` has no example"
    for example in found:
        assert example.startswith(name(path)), example
        line = next(line for line in HELP[path].splitlines() if example in line)
        assert len(line) <= 80, f"too long for 80 columns: {line!r}"


def _write_my_role(cli: Run, work: Path) -> None:
    """``my-role.yaml``: a role of its own, including the built-in modules."""
    text = (BUILTIN / "lead-ml-engineer.yaml").read_text(encoding="utf-8")
    assert "\nid: lead-ml-engineer\n" in text
    (work / "my-role.yaml").write_text(text.replace("\nid: lead-ml-engineer\n", "\nid: my-role\n"))


def _run_all(*commands: list[str]) -> Callable[[Run, Path], None]:
    def prepare(cli: Run, work: Path) -> None:
        for args in commands:
            result = cli(*args)
            assert result.exit_code == 0, (args, result.stderr)

    return prepare


def _serve_my_role(cli: Run, work: Path) -> None:
    """``my-role.yaml`` whose links are on a server on this machine (tests have no
    internet), which answers each of them once and then stops by itself."""
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    server.timeout = 30  # seconds to wait for each request before stopping
    base = f"http://127.0.0.1:{server.server_address[1]}"

    def serve() -> None:
        with server:
            for _ in range(2):
                server.handle_request()

    threading.Thread(target=serve, daemon=True).start()
    text = (BUILTIN / "ai-architect.yaml").read_text(encoding="utf-8")
    profile = text[text.index("\nprofile:\n") : text.index("\nskills:\n")]
    (work / "my-role.yaml").write_text(
        "id: my-role\ntitle: My role\nsummary: Links served here.\nversion: 1"
        f"{profile}\nmilestones:\n"
        "  - id: first\n    title: First\n    summary: Why.\n    hours: 2\n"
        f"    resources:\n      - {{title: Notes, url: '{base}/notes', kind: docs}}\n"
        f"      - {{title: Book, url: '{base}/book', kind: book}}\n"
        "    done_when: done\n",
        encoding="utf-8",
    )


# What an example needs besides the plan every other example runs against (started on
# PLAN_START with nothing recorded), keyed by the command it runs. None: no plan at all.
PREPARE: dict[tuple[str, ...], Callable[[Run, Path], None] | None] = {
    ("start",): None,
    ("undo",): _run_all(["done", "python-programming"]),
    ("delete-plan",): _run_all(["start", "lead-ml-engineer", "--name", "old-plan"]),
    ("import",): _run_all(["export", "json", "--output", "planner.json"]),
    ("curricula", "validate"): _write_my_role,
    ("curricula", "check-links"): _serve_my_role,
}
SHELL = {"|", ">", ">>", "<", "2>", "&&", "||", ";"}  # the shell's part of an example


def planner_words(example: str) -> list[str]:
    """The words planner gets from an example typed into a shell: up to any pipe or
    redirect (``| jq .pace`` is jq's), with ``~`` expanded as the shell would."""
    words: list[str] = []
    for word in shlex.split(example):
        if word in SHELL:
            break
        words.append(str(Path(word).expanduser()) if word.startswith("~") else word)
    assert words[0] == "planner", example
    return words[1:]


def command_of(words: list[str]) -> tuple[str, ...]:
    groups = {name for name in COMMANDS if hasattr(build_command(name), "commands")}
    return tuple(words[:2]) if words[0] in groups else tuple(words[:1])


@pytest.fixture(scope="module")
def started_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A data folder holding a fresh ai-architect plan, copied for each example."""
    home = tmp_path_factory.mktemp("started") / "home"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PLANNER_HOME", str(home))
        for variable in ("PLANNER_DB", "PLANNER_DATABASE_URL", "PLANNER_PLAN"):
            patch.delenv(variable, raising=False)
        patch.delenv("PLANNER_CURRICULA_PATH", raising=False)
        result = Run(CliRunner())("start", "ai-architect", "--start", PLAN_START)
        assert result.exit_code == 0, result.stderr
    yield home


@pytest.mark.parametrize(("path", "example"), EXAMPLES, ids=[example for _, example in EXAMPLES])
def test_every_example_runs(
    cli: Run,
    planner_home: Path,
    started_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    path: tuple[str, ...],
    example: str,
) -> None:
    """Each example, run as written on a fresh ai-architect plan, succeeds."""
    work, user = tmp_path / "work", tmp_path / "user"
    work.mkdir()
    user.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("HOME", str(user))  # for ~ in an example
    words = planner_words(example)
    command = command_of(words)
    if command in PREPARE and PREPARE[command] is None:
        planner_home.mkdir(parents=True, exist_ok=True)
    else:
        shutil.copytree(started_home, planner_home)
        prepare = PREPARE.get(command)
        if prepare is not None:
            prepare(cli, work)
    result = cli(*words)
    assert result.exit_code == 0, f"{example}\n{result.stdout}\n{result.stderr}"
    assert "Error:" not in result.stderr


# --------------------------------------------------------------------------- what it takes

# A metavar is UPPERCASE words (NAME, ROLE_OR_FILE), a list of them (SKILL,...), several
# values (MILESTONE...), a format (YYYY-MM-DD, HH:MM), or the values to choose from as
# they are typed (a4|letter).
METAVAR = re.compile(
    r"[A-Z][A-Z_]*(,\.\.\.|\.\.\.)?|[A-Z]+(?:[-:][A-Z]+)+|[a-z0-9]+(?:\|[a-z0-9]+)+"
)
USAGE_PIECE = re.compile(r"\[OPTIONS\]|COMMAND|\[ARGS\]\.\.\.|\[?[A-Z][A-Z_]*\]?(\.\.\.)?")
# what typer writes for a parameter without a metavar: <str>, <float>, <list[str]>,
# <int range>, <path>, and {milestones} for a required argument
PYTHONISH = re.compile(r"<[a-z][^>]*>|\{[^}]*\}|\[default: -?\d+\.0\]")


@pytest.mark.parametrize("path", PATHS, ids=name)
def test_help_has_no_python_placeholders(path: tuple[str, ...]) -> None:
    text = help_text(path, 100)
    assert not PYTHONISH.findall(text), text
    usage = text.split("\n\n")[0].removeprefix("Usage: ").removeprefix(name(path)).split()
    assert all(USAGE_PIECE.fullmatch(piece) for piece in usage), usage


def _rows(text: str, section: str) -> list[str]:
    """The first column of each row of a help section (``-o, --output FILE``)."""
    rows = []
    part = text.partition(f"\n{section}:\n")[2].partition("\n\n")[0]
    for line in part.splitlines():
        if line.startswith("  ") and not line.startswith("   "):
            rows.append(re.split(r"\s{2,}", line.strip())[0])
    return rows


@pytest.mark.parametrize("path", PATHS, ids=name)
def test_help_names_what_each_parameter_takes_in_capitals(path: tuple[str, ...]) -> None:
    """Every word of the Arguments and Options columns is an option or a metavar."""
    text = help_text(path, 100)
    for row in _rows(text, "Arguments"):
        assert METAVAR.fullmatch(row), row
    for row in _rows(text, "Options"):
        for word in re.split(r",?\s+", row):  # "-o, --output FILE"
            if not word.startswith("-"):
                assert METAVAR.fullmatch(word), row


def _parameters() -> list[tuple[tuple[str, ...], Any]]:
    found = []
    for path in PATHS[1:]:
        command = build_command(path[0])
        if len(path) == 2:
            command = command.commands[path[1]]
        if hasattr(command, "commands"):
            continue
        found += [(path, param) for param in command.params]
    return found


PARAMETERS = _parameters()


@pytest.mark.parametrize(
    ("path", "param"),
    PARAMETERS,
    ids=[
        f"{name(path)} {param.opts[0] if isinstance(param, TyperOption) else param.name}"
        for path, param in PARAMETERS
    ],
)
def test_every_parameter_has_a_metavar_a_person_reads(path: tuple[str, ...], param: Any) -> None:
    if isinstance(param, TyperArgument) or (isinstance(param, TyperOption) and not param.is_flag):
        assert param.metavar is not None, f"{name(path)}: {param.name} has no metavar"
        assert METAVAR.fullmatch(param.metavar), param.metavar


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["done"], "Usage: planner done [OPTIONS] MILESTONE...\n"),
        (["undo"], "Usage: planner undo [OPTIONS] [MILESTONE]...\n"),
        (["away"], "Usage: planner away [OPTIONS] [FROM] [TO]\n"),
        (["note"], "Usage: planner note [OPTIONS] MILESTONE TEXT\n"),
        (["compare"], "Usage: planner compare [OPTIONS] ROLE OTHER_ROLE\n"),
        (["curricula", "validate"], "Usage: planner curricula validate [OPTIONS] FILE...\n"),
    ],
)
def test_usage_lines_read_as_people_write_them(args: list[str], shown: str) -> None:
    assert help_text(tuple(args), 100).startswith(shown)


def test_a_missing_argument_is_named_as_in_the_help(cli: Run) -> None:
    result = cli("done")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: Missing argument 'MILESTONE'.")


# --------------------------------------------------------------------------- skill ids

CURRICULA = sorted(path.stem for path in BUILTIN.glob("*.yaml"))


def _skills_section(text: str) -> list[str]:
    """The rows of the SKILL table of ``planner curricula show``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if re.fullmatch(r"SKILL\s+NAME", line))
    rows = []
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        rows.append(line)
    return rows


@pytest.mark.parametrize("curriculum", CURRICULA)
def test_curricula_show_lists_each_skill_by_its_id_aligned(cli: Run, curriculum: str) -> None:
    """The ids are those of ``--json``, in order, each with its name, names in one column."""
    shown = cli("curricula", "show", curriculum)
    assert shown.exit_code == 0, shown.stderr
    skills = json.loads(cli("curricula", "show", curriculum, "--json").stdout)["skills"]
    assert skills and all(skill["id"] and skill["name"] for skill in skills)
    rows = _skills_section(shown.stdout)
    assert [row.split()[0] for row in rows] == [skill["id"] for skill in skills]
    column = len(rows[0]) - len(rows[0][len(skills[0]["id"]) :].lstrip())
    for row, skill in zip(rows, skills, strict=True):
        assert row[column:] == skill["name"], row
    assert "`planner start --know SKILL,...`" in shown.stdout


@pytest.mark.parametrize("role", ["ai-architect", "lead-ml-engineer"])
def test_the_skill_ids_shown_are_what_know_takes(cli: Run, role: str) -> None:
    ids = [row.split()[0] for row in _skills_section(cli("curricula", "show", role).stdout)]
    result = cli("start", role, "--know", ",".join(ids[:-1]))
    assert result.exit_code == 0, result.stderr
    assert "Skipped as known:" in result.stdout


@pytest.mark.parametrize(
    "path",
    [path for path, param in PARAMETERS if "--know" in getattr(param, "opts", [])],
    ids=name,
)
def test_know_help_says_where_the_ids_are(path: tuple[str, ...]) -> None:
    assert "`planner curricula show ROLE` lists them" in " ".join(help_text(path, 100).split())
