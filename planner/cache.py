"""A cache of resolved curricula, keyed on the content of every file they are made of.

Parsing YAML and validating a role with its modules costs more than the rest of a
command, so the validated result is kept in ``<home>/cache/`` beside the database. An
entry is used only when the search path is the same, every include still finds the same
file, and every source file still has the same SHA-256. Anything else (a missing,
unreadable, damaged or foreign entry) is a miss, and the files are read again. The
folder is safe to delete at any time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner import settings

if TYPE_CHECKING:
    from planner.models import Curriculum

FORMAT = "planner-curriculum-cache 2"


def folder() -> Path:
    return settings.home_dir() / "cache"


def _entry(source: Path) -> Path:
    digest = hashlib.sha256(str(source.resolve()).encode()).hexdigest()[:32]
    return folder() / f"curriculum-{digest}.json"


def _dirs() -> list[str]:
    return [str(path) for path in settings.curricula_dirs()]


def _digest(path: str | Path) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def _format() -> str:
    """The entry format, with a digest of the models: changing them invalidates entries."""
    from planner import models

    return f"{FORMAT} {_digest(models.__file__)}"


def _still_valid(header: Any) -> bool:
    from planner.curriculum import find_include

    if not isinstance(header, dict) or header.get("format") != _format():
        return False
    files, lookups = header.get("files"), header.get("lookups")
    if not isinstance(files, dict) or not files or not isinstance(lookups, list):
        return False
    if header.get("dirs") != _dirs():
        return False
    for lookup in lookups:
        if not (isinstance(lookup, list) and len(lookup) == 3):
            return False
        where, include, found = (str(part) for part in lookup)
        if str(find_include(where, include)) != found:
            return False
    return all(_digest(path) == digest for path, digest in files.items())


def load(source: Path) -> Curriculum | None:
    """The cached curriculum for ``source`` if none of its files changed, else None."""
    try:
        with _entry(source).open("rb") as handle:
            header = json.loads(handle.readline())
            body = handle.read()
    except (OSError, ValueError):
        return None
    if not _still_valid(header) or hashlib.sha256(body).hexdigest() != header.get("body"):
        return None  # changed files, another search path, or a damaged entry
    from planner.models import Curriculum, construct

    try:
        return construct(Curriculum, json.loads(body))
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def store(source: Path, curriculum: Curriculum, lookups: list[tuple[str, str, str]]) -> None:
    """Remember a resolved curriculum; failures are ignored (it is only a cache)."""
    files = {path: _digest(path) for path in curriculum.sources.values()}
    if any(digest is None for digest in files.values()):
        return
    body = curriculum.model_dump_json().encode()
    header = {
        "format": _format(),
        "dirs": _dirs(),
        "lookups": [list(lookup) for lookup in lookups],
        "files": files,
        "body": hashlib.sha256(body).hexdigest(),
    }
    with contextlib.suppress(OSError):
        entry = _entry(source)
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".curriculum-", suffix=".tmp", dir=entry.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(json.dumps(header, sort_keys=True).encode() + b"\n" + body)
            Path(temp).replace(entry)
        finally:
            Path(temp).unlink(missing_ok=True)
