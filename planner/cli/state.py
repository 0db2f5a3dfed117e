"""Global options shared by every command, and what the running command is writing."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import typer


@dataclass
class State:
    db: str | None = None
    plan: str | None = None
    writing: Path | None = None  # the file the command replaces (see will_write)
    writing_before: tuple[int, ...] | None = None
    unnamed: str = ""  # what an interruption left when the file has no name yet

    @property
    def plan_name(self) -> str | None:
        return self.plan or os.environ.get("PLANNER_PLAN") or None

    def will_write(self, path: Path | None, *, unnamed: str = "") -> None:
        """Note the file this command is about to replace (None: output to stdout, or a
        name chosen later, ``unnamed`` then saying what an interruption leaves), so that
        a Ctrl-C can say what became of it (``interrupted``)."""
        self.writing = path
        self.writing_before = _identity(path)
        self.unnamed = unnamed

    def interrupted(self) -> str:
        """The line to show when the command was interrupted (Ctrl-C)."""
        path = self.writing
        if path is None:
            if self.unnamed:
                return f"Interrupted: {self.unnamed}."
            # A change is one transaction: saved whole before the interruption, or not at all.
            return "Interrupted. Nothing was half-saved; `planner log` shows what was recorded."
        if _identity(path) != self.writing_before:
            return f"Interrupted after {path} was written."
        if self.writing_before is None:
            return f"Interrupted: {path} was not written."
        return f"Interrupted: {path} was not changed."


def _identity(path: Path | None) -> tuple[int, ...] | None:
    """Which file is at ``path`` (a replaced file is another inode), None for none."""
    if path is None:
        return None
    try:
        found = path.stat()
    except OSError:
        return None
    return (found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns)


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    return root.obj if isinstance(root.obj, State) else State()
