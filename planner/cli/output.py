"""Terminal output: text wrapped and tables fitted to the terminal's width, progress
bars and JSON. Every command prints through these; widths are counted in display cells
(``planner.cells``), so CJK text and emoji line up."""

from __future__ import annotations

import functools
import json
import re
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from planner.cells import Give

_NUMBER = re.compile(r"^-?[\d.,]+%?$")

# Every non-ASCII character planner prints of its own choosing, with the ASCII it prints
# instead when stdout cannot encode it (a cp1252 or latin-1 console or redirect). Any
# other text it cannot encode (names, notes) comes out as \u escapes: see
# ``planner.cli.prepare_streams``. tests/test_terminal.py checks no other is used.
GLYPHS = {"█": "#", "░": "-", "…": "..."}


def glyph(char: str) -> str:
    """``char`` from ``GLYPHS``, or its ASCII stand-in when stdout cannot encode it."""
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    return char if _encodes(encoding, char) else GLYPHS[char]


def cut_mark() -> str:
    """What ends text cut to fit: ``…``, or ``...`` where stdout cannot encode it."""
    return glyph("…")


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


def echo_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    give: Mapping[str, Give] | None = None,
) -> None:
    """Left-aligned columns, numbers right-aligned, two spaces apart, as wide as the
    terminal: the columns named in ``give`` (by header) wrap within their cells, or are
    cut with ``…``, to fit (see ``planner.cells.table``); the others are kept whole."""
    from planner import cells

    text = [[str(c) for c in headers], *[[" ".join(str(c).split()) for c in row] for row in rows]]
    numeric = [
        bool(rows) and all(_NUMBER.match(str(row[i])) for row in rows) for i in range(len(headers))
    ]
    kinds = {headers.index(name): kind for name, kind in (give or {}).items()}
    heading, body = cells.table(text, terminal_width(), right=numeric, give=kinds, cut=cut_mark())
    for line in heading:
        typer.secho(line, bold=True)
    for line in body:
        typer.echo(line)


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


MIN_WIDTH = 40


def terminal_width() -> int:
    """The width output fits in: ``COLUMNS`` when set, else the terminal's when stdout
    is one, else 80 (a pipe or a file); never less than ``MIN_WIDTH``."""
    import shutil

    return max(shutil.get_terminal_size((80, 24)).columns, MIN_WIDTH)


def wrap(label: str, text: str, indent: str | None = None) -> str:
    """``text`` wrapped to the terminal width, after ``label`` and indented under it
    (or by ``indent``). A command in backticks and "8 h" are never split over two
    lines; a word longer than the line (a URL) stands whole on a line of its own."""
    from planner import cells

    glue = cells.GLUE
    words = re.sub(r"`[^`]*`", lambda m: m[0].replace(" ", glue), " ".join(text.split()))
    words = re.sub(r"(\d) (h\b|h/week|days?\b)", rf"\1{glue}\2", words)  # "8 h" stays whole
    return "\n".join(cells.wrap(words, terminal_width(), label, indent))


def echo_wrapped(label: str, text: str, indent: str | None = None, *, bold: bool = False) -> None:
    """``wrap(label, text, indent)`` printed."""
    typer.secho(wrap(label, text, indent), bold=bold or None)
