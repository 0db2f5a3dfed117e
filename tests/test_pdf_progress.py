"""The steps of making a PDF on a status line: shown on a terminal (a real pseudo-terminal
here) and blanked before ``Wrote plan.pdf``; never on a pipe."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from planner import renderer
from planner.cli.status_line import StatusLine
from tests.conftest import Run


def pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    found = re.search(r"^Pages:\s+(\d+)$", info.stdout, re.MULTILINE)
    assert found is not None, info.stdout
    return int(found[1])


def plan_pdf(out: Path, stderr_on_terminal: bool, **env: str) -> tuple[int, bytes, bytes]:
    """Run the real ``planner plan -o OUT`` with stdout on a pipe and stderr on a
    pseudo-terminal (or on a pipe); its exit code, stdout and stderr."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PYTHONIOENCODING")}
    command = [sys.executable, "-m", "planner", "plan", "-o", str(out)]
    if not stderr_on_terminal:
        done = subprocess.run(command, env={**environ, **env}, capture_output=True, timeout=120)
        return done.returncode, done.stdout, done.stderr
    parent, child = os.openpty()
    proc = subprocess.Popen(
        command,
        env={**environ, **env},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=child,
    )
    os.close(child)
    err = b""
    while True:
        try:
            chunk = os.read(parent, 65536)
        except OSError:  # the terminal closed: EIO on Linux
            break
        if not chunk:
            break
        err += chunk
    os.close(parent)
    assert proc.stdout is not None
    out_bytes = proc.stdout.read()
    proc.stdout.close()
    return proc.wait(timeout=120), out_bytes, err


def screen(parts: list[str]) -> str:
    """What a terminal's line shows after each part was written from its start (the
    parts between carriage returns), trailing blanks left out."""
    line: list[str] = []
    for part in parts:
        line[: len(part)] = part
    return "".join(line).rstrip(" ")


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
@pytest.mark.parametrize(
    ("encoding", "mark"), [("utf-8", "\u2026"), ("ascii", "...")], ids=["utf-8", "ascii"]
)
def test_the_steps_show_on_a_terminal_and_are_cleared(
    cli: Run, tmp_path: Path, encoding: str, mark: str
) -> None:
    assert cli("start", "ai-architect", "--name", "Ada").exit_code == 0
    out = tmp_path / "plan.pdf"
    code, stdout, stderr = plan_pdf(out, True, PYTHONIOENCODING=encoding)
    assert code == 0, stderr
    assert stdout == f"Wrote {out}\n".encode()
    shown = stderr.decode(encoding).split("\r")
    assert shown[0] == ""  # every step begins at the start of the line
    steps = [part.rstrip(" ") for part in shown[1:-2]]
    assert steps == [f"Laying out the pages{mark}", f"Writing {pages(out)} pages{mark}"]
    for number, step in enumerate(steps, start=2):  # each step shows alone on the line
        assert screen(shown[:number]) == step
    assert screen(shown) == ""  # and the line is left blank
    assert shown[-1] == ""  # and the cursor at its start, for what comes next


def test_a_pipe_gets_no_steps(cli: Run, tmp_path: Path) -> None:
    assert cli("start", "ai-architect", "--name", "Ada").exit_code == 0
    out = tmp_path / "plan.pdf"
    code, stdout, stderr = plan_pdf(out, False)
    assert code == 0
    assert stderr == b""
    assert stdout == f"Wrote {out}\n".encode()
    assert out.read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("body", "count"),
    [("<p>one</p>", 1), ("<p>one</p>" + '<p style="break-before: page">next</p>' * 2, 3)],
)
def test_html_to_pdf_reports_its_steps_with_the_page_count(
    tmp_path: Path, body: str, count: int
) -> None:
    steps: list[str] = []
    pdf = renderer.html_to_pdf(f"<html><body>{body}</body></html>", on_step=steps.append)
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    assert pages(path) == count
    noun = "page" if count == 1 else "pages"
    assert steps == ["Laying out the pages", f"Writing {count} {noun}"]
    assert renderer.html_to_pdf(f"<html><body>{body}</body></html>").startswith(b"%PDF-")


class FakeTerminal(io.StringIO):
    """A stream that says whether it is a terminal; its encoding is unknown (None), so
    the ellipsis is ASCII."""

    def __init__(self, terminal: bool) -> None:
        super().__init__()
        self.terminal = terminal

    def isatty(self) -> bool:
        return self.terminal


def test_a_status_line_is_blanked_however_the_work_ends() -> None:
    stream = FakeTerminal(terminal=True)
    with pytest.raises(KeyboardInterrupt), StatusLine(stream) as status:
        status.show("Writing 3 pages")
        raise KeyboardInterrupt
    shown = stream.getvalue().split("\r")
    assert shown[1] == "Writing 3 pages..."
    assert screen(shown) == ""
    assert shown[-1] == ""


def test_a_status_line_off_a_terminal_writes_nothing() -> None:
    stream = FakeTerminal(terminal=False)
    with StatusLine(stream) as status:
        status.show("Laying out the pages")
    assert stream.getvalue() == ""
