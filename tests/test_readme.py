"""The README's samples are real: every ``$ planner ...`` line of its console blocks runs,
in order, in a fresh data folder after the Quick start's ``planner start ai-architect``,
on 2026-11-30 (``PLANNER_TODAY``) in an 80-column terminal, and prints what the README
shows (a sample that shows an ``Error:`` line may exit with its code). A line ``...`` in
a sample stands for any lines, and ``...`` within a line for any text (as doctest's
ELLIPSIS), so a long output can be shortened but never made up. Samples that need what a
test cannot set up here (a read-only mount, a Ctrl-C) are ``text`` blocks, and their
commands are tested where that is set up (tests/test_paths.py).

``python tests/test_readme.py`` prints each command's real output, to copy from when the
output changes.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
TODAY = "2026-11-30"
QUICK_START = "planner start ai-architect"


@dataclass(frozen=True)
class Sample:
    line: int  # where the command is in the README, 1-based
    command: str
    expected: str  # the lines shown under it, without trailing blank lines


def samples(text: str) -> list[Sample]:
    """Every ``$ planner`` command of the README's ``console`` blocks with its output; a
    block may be indented (inside a list item), by the indentation of its fence."""
    found: list[Sample] = []
    inside = False
    indent = 0
    command: tuple[int, str] | None = None
    output: list[str] = []

    def flush() -> None:
        if command is not None:
            found.append(Sample(command[0], command[1], "\n".join(output).rstrip("\n")))

    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("```"):
            if inside:
                flush()
                command, output = None, []
                inside = False
            else:
                inside = line.strip() == "```console"
                indent = len(line) - len(line.lstrip())
            continue
        if not inside:
            continue
        line = line[indent:]
        if line.startswith("$ "):
            flush()
            command, output = (number, line[2:]), []
        else:
            output.append(line)
    return found


def pattern(expected: str) -> re.Pattern[str]:
    """``expected`` as a regular expression in which ``...`` matches any text."""
    parts = [re.escape(part) for part in expected.split("...")]
    return re.compile(r"(?s)\A" + ".*?".join(parts) + r"\Z")


def run(command: str, cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    """Run a README command line (``planner ...``, maybe with a ``# comment`` or with
    ``> /dev/null`` to show only what comes on stderr)."""
    words = shlex.split(command, comments=True)
    assert words[0] == "planner", command
    quiet = words[-2:] == [">", "/dev/null"]
    if quiet:
        words = words[:-2]
    result = subprocess.run(
        [sys.executable, "-m", "planner", *words[1:]],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL if quiet else subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        check=False,
    )
    output = "\n".join(line.rstrip() for line in (result.stdout or "").splitlines())
    return result.returncode, output.rstrip("\n")


def environment(home: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PLANNER_") and key not in {"NO_COLOR", "TZ"}
    }
    env.update(
        PLANNER_HOME=str(home),
        PLANNER_TODAY=TODAY,
        COLUMNS="80",
        TZ="UTC",
        PYTHONIOENCODING="utf-8",
    )
    return env


def test_the_readme_has_samples() -> None:
    found = samples(README.read_text(encoding="utf-8"))
    assert len(found) >= 12
    assert {sample.command.split()[1] for sample in found} >= {"start", "next", "done", "status"}


@pytest.mark.slow
def test_every_sample_is_real_output(tmp_path: Path) -> None:
    env = environment(tmp_path / "home")
    code, _ = run(QUICK_START, tmp_path, env)
    assert code == 0
    wrong = []
    for sample in samples(README.read_text(encoding="utf-8")):
        code, output = run(sample.command, tmp_path, env)
        failed = code != 0 and not sample.expected.startswith("Error:")
        if failed or not pattern(sample.expected).match(output):
            wrong.append(
                f"README.md:{sample.line}: $ {sample.command}\n"
                f"--- the README shows\n{sample.expected}\n"
                f"--- it prints (exit {code})\n{output}"
            )
    assert not wrong, "\n\n".join(wrong)


def main() -> None:  # pragma: no cover - a tool for whoever edits the README
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        cwd = Path(folder)
        env = environment(cwd / "home")
        run(QUICK_START, cwd, env)
        for sample in samples(README.read_text(encoding="utf-8")):
            code, output = run(sample.command, cwd, env)
            mark = "" if pattern(sample.expected).match(output) else "   <-- differs"
            print(f"README.md:{sample.line} (exit {code}){mark}\n$ {sample.command}\n{output}\n")  # noqa: T201


if __name__ == "__main__":
    main()
