"""Small helpers for terminal output: aligned tables, progress bars and JSON."""

from __future__ import annotations

import functools
import json
import re
import sys
from collections.abc import Sequence
from typing import Any

import typer

_NUMBER = re.compile(r"^-?[\d.,]+%?$")

# Every non-ASCII character planner prints of its own choosing, with the ASCII it prints
# instead when stdout cannot encode it (a cp1252 or latin-1 console or redirect). Any
# other text it cannot encode (names, notes) comes out as \u escapes: see
# ``planner.cli.prepare_streams``. tests/test_terminal.py checks no other is used.
GLYPHS = {"█": "#", "░": "-"}


def glyph(char: str) -> str:
    """``char`` from ``GLYPHS``, or its ASCII stand-in when stdout cannot encode it."""
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    return char if _encodes(encoding, char) else GLYPHS[char]


@functools.cache
def _encodes(encoding: str, char: str) -> bool:
    try:
        char.encode(encoding)
    except (UnicodeError, LookupError):
        return False
    return True


def echo_json(data: Any) -> None:
    """``data`` as indented JSON. Where stdout cannot encode a character it is written as
    a ``\\uXXXX`` escape, so the output is still valid JSON with the same data."""
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def echo_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Left-aligned columns, numbers right-aligned, two spaces apart."""
    cells = [[str(c) for c in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    numeric = [
        bool(rows) and all(_NUMBER.match(str(row[i])) for row in rows) for i in range(len(headers))
    ]

    def line(row: list[str]) -> str:
        parts = [
            cell.rjust(widths[i]) if numeric[i] else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        return "  ".join(parts).rstrip()

    typer.secho(line(cells[0]), bold=True)
    for row in cells[1:]:
        typer.echo(line(row))


def bar(fraction: float, width: int = 20) -> str:
    """A progress bar of block characters, ``█████░░░░░``; ``#####-----`` where stdout
    cannot encode them."""
    fraction = min(max(fraction, 0.0), 1.0)
    full = round(fraction * width)
    return glyph("█") * full + glyph("░") * (width - full)


def hours(value: float) -> str:
    """``12`` for whole hours, ``12.5`` otherwise."""
    return f"{value:g}" if value == round(value, 2) else f"{value:.2f}"


def echo_warnings(warnings: list[str] | tuple[str, ...]) -> None:
    """Each warning as one ``Warning: ...`` line on stderr (the command still succeeds)."""
    for warning in warnings:
        typer.echo(f"Warning: {warning}", err=True)


NBSP = "\u00a0"


def wrap(label: str, text: str, indent: str | None = None) -> str:
    """``text`` wrapped to the terminal width, after ``label`` and indented under it."""
    import shutil
    import textwrap

    width = max(shutil.get_terminal_size((100, 24)).columns, 60)
    # a command in backticks is never split over two lines
    words = re.sub(r"`[^`]*`", lambda m: m[0].replace(" ", NBSP), " ".join(text.split()))
    words = re.sub(r"(\d) (h\b|h/week|days?\b)", rf"\1{NBSP}\2", words)  # "8 h" stays whole
    return textwrap.fill(
        words,
        width=width,
        initial_indent=label,
        subsequent_indent=indent if indent is not None else " " * len(label),
        break_on_hyphens=False,
    ).replace(NBSP, " ")
