"""Text measured in terminal cells: display width, word wrap and table columns.

Pure functions of strings and a width. The command line asks the terminal for the width
(``planner.cli.output``) and hands it to these, and to the text plan. A CJK character or
an emoji takes two cells and a combining mark none: ``width`` asks wcwidth, which is
imported only for text that is not ASCII, so English output does not wait for it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Literal

# Joins words that must stay on one line (`planner done ID`, "8 h"); printed as a space.
GLUE = "\u00a0"
# Glyphs planner prints of its own choosing (progress bars, the cut mark) and GLUE: one
# cell each, counted without asking wcwidth.
_OWN_GLYPHS = str.maketrans("", "", "█░…" + GLUE)
CUT = "…"
_SPACE = re.compile(r"[ \t\n\r\f\v]+")

# How a table column gives way when the table is wider than the terminal: "" it is kept
# whole (ids, numbers, dates); "words" it wraps between words (a list of ids) but never
# gets narrower than its longest word; "text" it wraps, and a word wider than the column
# is cut with an ellipsis (free text: titles, notes).
Give = Literal["", "words", "text"]
_NARROWEST_TEXT = 20


def width(text: str) -> int:
    """How many terminal cells ``text`` takes (one line, no control characters)."""
    if text.isascii() or text.translate(_OWN_GLYPHS).isascii():
        return len(text)
    from wcwidth import width as cells

    return int(cells(text))


def pad(text: str, size: int, *, right: bool = False) -> str:
    """``text`` padded with spaces to ``size`` cells, on the left when ``right``."""
    fill = " " * max(size - width(text), 0)
    return fill + text if right else text + fill


def clip(text: str, size: int, cut: str = CUT) -> str:
    """``text`` cut to at most ``size`` cells, ending in ``cut`` when anything was cut
    (never inside a character that takes several code points, such as an emoji)."""
    if width(text) <= size:
        return text
    room = max(size - width(cut), 0)
    if text.isascii():
        return text[:room] + cut
    from wcwidth import iter_graphemes

    kept, used = [], 0
    for grapheme in iter_graphemes(text):
        used += width(grapheme)
        if used > room:
            break
        kept.append(grapheme)
    return "".join(kept) + cut


def words_of(text: str) -> list[str]:
    """The words of ``text``: split at ASCII whitespace only, so ``GLUE`` holds words
    together."""
    return [word for word in _SPACE.split(text) if word]


def wrap(text: str, size: int, first: str = "", rest: str | None = None) -> list[str]:
    """``text`` as lines of at most ``size`` cells, words in order and never split.

    The first line starts with ``first`` (a label, or an indent), the others with
    ``rest`` (by default spaces as wide as ``first``, so they line up under the value).
    A word wider than a line is not broken: it stands whole on a line of its own (after
    the indent), the one kind of line that may be wider than ``size``. ``GLUE``
    characters keep words together and come out as spaces.
    """
    rest = " " * width(first) if rest is None else rest
    lines: list[str] = []
    line, used, empty = first, width(first), True
    for word in words_of(text):
        cells = width(word)
        if empty and (used + cells <= size or not line.strip()):
            line, used, empty = line + word, used + cells, False
        elif not empty and used + 1 + cells <= size:
            line, used = f"{line} {word}", used + 1 + cells
        else:  # start a new line; a label whose value does not fit stands alone
            lines.append(line.rstrip())
            line, used, empty = rest + word, width(rest) + cells, False
    lines.append(line.rstrip() if empty else line)
    return [each.replace(GLUE, " ") for each in lines]


def table(
    rows: Sequence[Sequence[str]],
    size: int,
    *,
    right: Sequence[bool] = (),
    give: Mapping[int, Give] | None = None,
    gap: int = 2,
    header: bool = True,
    cut: str = CUT,
) -> tuple[list[str], list[str]]:
    """``rows`` as aligned columns ``gap`` cells apart and at most ``size`` cells wide:
    the header's lines and the body's (the first row is the header when ``header``).

    Columns start at the same cell in every line. The columns in ``give`` get narrower
    until the table fits, their cells wrapping onto the next lines of the column (the
    other columns blank there); ``right`` aligns a column to the right (numbers). When
    even their narrowest is too wide, the columns that give way move, widest first,
    out of the table to lines of their own under each row (``requires: a, b``), until
    the rest fits; failing that, the columns close up to one space apart; and when not
    even the whole columns fit, each row's cells are wrapped as words, the columns that
    give way indented under them. ``cut`` ends a cut word.
    """
    if not rows:
        return [], []
    text = [[str(cell) for cell in row] for row in rows]
    give = {i: kind for i, kind in (give or {}).items() if kind}
    count = len(text[0])
    aligned = [bool(right[i]) if i < len(right) else False for i in range(count)]
    least = {i: _narrowest(text, i, kind, header) for i, kind in give.items()}
    below: list[int] = []
    for moved in [None, *sorted(give, key=lambda i: -least[i])]:
        if moved is not None:
            below.append(moved)
        columns = [i for i in range(count) if i not in below]
        sizes = _fit(text, columns, size, least, gap)
        if sizes is not None:
            break
    else:
        if gap > 1:  # one space apart still lines up, better than no columns at all
            return table(rows, size, right=right, give=give, gap=1, header=header, cut=cut)
        columns = [i for i in range(count) if i not in give]
    names = [text[0][i].lower() for i in below] if header else []
    lines: list[list[str]] = []
    for row in text:
        cells = [row[i] for i in columns]
        if sizes is None:
            first = wrap((" " * gap).join(c for c in cells if c), size, rest="  ")
        else:
            kinds = {n: give.get(i, "") for n, i in enumerate(columns)}
            first = _row_lines(cells, sizes, [aligned[i] for i in columns], kinds, gap, cut)
        lines.append(first)
        for number, i in enumerate(below):
            if row is text[0] and header or not row[i] or row[i] == "-":
                continue
            label = f"    {names[number]}: " if names else "    "
            value = row[i]
            if give[i] == "text":  # a word too wide for the line is cut, after the label
                room = size - width(label)
                value = " ".join(clip(word, room, cut) for word in words_of(value))
            first += wrap(value, size, label)
    if not header:
        return [], [line for each in lines for line in each]
    return lines[0], [line for each in lines[1:] for line in each]


def _fit(
    rows: list[list[str]], columns: list[int], size: int, least: Mapping[int, int], gap: int
) -> list[int] | None:
    """The widths of ``columns`` that fit in ``size`` cells, the ones in ``least``
    (which give way) narrowed widest first but not below their least; None if none do."""
    sizes = {i: max(width(row[i]) for row in rows) for i in columns}
    excess = sum(sizes.values()) + gap * (len(columns) - 1) - size
    while excess > 0:
        room = {i: sizes[i] - least[i] for i in columns if i in least and sizes[i] > least[i]}
        if not room:
            return None
        widest = max(room, key=lambda i: sizes[i])
        others = [sizes[i] for i in room if i != widest]
        step = min(excess, room[widest], max(sizes[widest] - max(others, default=0), 1))
        sizes[widest] -= step
        excess -= step
    return [sizes[i] for i in columns]


def _row_lines(
    row: list[str],
    sizes: list[int],
    aligned: list[bool],
    give: Mapping[int, Give],
    gap: int,
    cut: str,
) -> list[str]:
    cells = [_fold(cell, sizes[i], give.get(i, ""), cut) for i, cell in enumerate(row)]
    return [
        (" " * gap)
        .join(
            pad(c[k] if k < len(c) else "", sizes[i], right=aligned[i]) for i, c in enumerate(cells)
        )
        .rstrip()
        for k in range(max(len(c) for c in cells))
    ]


def _narrowest(rows: list[list[str]], column: int, kind: Give, header: bool) -> int:
    """The fewest cells a column that gives way may have: for a list of words, its
    longest word (header included, which wraps too); for free text, its header and no
    fewer than twenty cells (narrower reads badly, so the table becomes blocks)."""
    if kind == "words":  # the header wraps too
        return max((width(w) for row in rows for w in words_of(row[column])), default=0)
    heading = width(rows[0][column]) if header else 0
    natural = max(width(row[column]) for row in rows)
    return max(heading, min(natural, _NARROWEST_TEXT))


def _fold(cell: str, size: int, kind: Give, cut: str) -> list[str]:
    if not kind or width(cell) <= size:
        return [cell]
    lines = wrap(cell, size)
    return [clip(line, size, cut) for line in lines] if kind == "text" else lines
