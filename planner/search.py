"""Where a curriculum id is found: the file names it may have and the folders searched.

Shared by the loader (``curriculum``), which follows includes, and the cache, which
checks that every include it recorded still finds the same file.
"""

from __future__ import annotations

import re
from pathlib import Path

from planner import settings

ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SUFFIXES = (".yaml", ".yml")


def find_in(dirs: list[Path], curriculum_id: str) -> Path | None:
    """The first ``<id>.yaml`` or ``<id>.yml`` file in ``dirs``, in order, else None."""
    if not ID_RE.match(curriculum_id):
        return None
    for folder in dirs:
        for suffix in SUFFIXES:
            candidate = folder / f"{curriculum_id}{suffix}"
            if candidate.is_file():
                return candidate
    return None


def find_include(folder: str, curriculum_id: str) -> Path | None:
    """The file (absolute) an include of ``curriculum_id`` written in ``folder`` finds."""
    found = find_in([Path(folder), *settings.curricula_dirs()], curriculum_id)
    return found.absolute() if found is not None else None
