"""A status line on stderr while slow work runs ("Laying out the pages…", then "Writing
14 pages…"): each step overwrites the last (a carriage return), and the line is blanked
when the work ends, however it ends, so what is printed next starts on a clean line.
Only on a terminal: a pipe, a file or CI gets nothing at all."""

from __future__ import annotations

import os
import sys
from types import TracebackType
from typing import TextIO

from planner.cli.output import GLYPHS


def ellipsis(stream: TextIO | None = None) -> str:
    """``…`` where ``stream`` (default stderr) can encode it, else ``...``."""
    stream = stream or sys.stderr
    encoding = getattr(stream, "encoding", None) or "ascii"
    char, stand_in = next((c, s) for c, s in GLYPHS.items() if s == "...")
    try:
        char.encode(encoding)
    except (UnicodeError, LookupError):
        return stand_in
    return char


class StatusLine:
    """``with StatusLine() as status: status.show("Writing 14 pages")`` shows the text,
    with an ellipsis, on stderr's last line when stderr is a terminal; otherwise
    ``show`` does nothing. Text is cut to the terminal's width, so that the carriage
    return always reaches its start."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.shown = 0  # characters on the line now, to blank
        self.live = _is_terminal(self.stream)

    def show(self, text: str) -> None:
        if not self.live:
            return
        line = text + ellipsis(self.stream)
        line = line[: max(_columns(self.stream) - 1, 1)]
        self._write("\r" + line + " " * max(self.shown - len(line), 0))
        self.shown = len(line)

    def clear(self) -> None:
        """Blank the line and put the cursor at its start."""
        if self.live and self.shown:
            self._write("\r" + " " * self.shown + "\r")
        self.shown = 0

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # the terminal went away: the work goes on
            self.live = False

    def __enter__(self) -> StatusLine:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.clear()


def _is_terminal(stream: TextIO | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (OSError, ValueError):  # closed
        return False


def _columns(stream: TextIO) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns or 80
    except (OSError, ValueError):
        return 80
