"""A cache of resolved curricula, keyed on the content of every file they are made of.

Parsing YAML and validating a role with its modules costs more than the rest of a
command, so the validated result is kept in ``<home>/cache/`` beside the database, one
entry per curriculum path as given (not with links resolved: a link elsewhere finds its
includes beside itself). An entry is used only when it was written by the same code that
reads curricula (``curriculum.py``, ``search.py`` and ``models.py``), the search path is
the same, every include still finds the same file, and every source file still has the
SHA-256 of the bytes that were parsed. A missing, unreadable or damaged entry is a miss,
and the files are read again. Entries are plain JSON, rebuilt into models without
validating again: like the database beside them, they are trusted not to be forged by
someone who can write to the user's own data folder. The folder is safe to delete at any
time.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner import settings
from planner.search import find_include

if TYPE_CHECKING:
    from planner.models import Curriculum

FORMAT = "planner-curriculum-cache 4"
MAX_SOURCE_BYTES = 1024 * 1024  # as the loader: a larger file is never a source
# The code that reads curricula, beside this file: a change to any of it is a new format.
READERS = ("curriculum.py", "search.py", "models.py")


@dataclass
class Provenance:
    """What a resolved curriculum was built from, for the cache to check later.

    ``digests``: absolute path -> SHA-256 of the bytes parsed; ``lookups``: each include
    as ``(absolute folder of the includer, id, absolute path it found)``.
    """

    digests: dict[str, str] = field(default_factory=dict)
    lookups: list[tuple[str, str, str]] = field(default_factory=list)


def folder() -> Path:
    return settings.home_dir() / "cache"


def _entry(source: Path) -> Path:
    digest = hashlib.sha256(str(source.absolute()).encode()).hexdigest()[:32]
    return folder() / f"curriculum-{digest}.json"


def _dirs() -> list[str]:
    return [str(path.absolute()) for path in settings.curricula_dirs()]


def _digest(path: str | Path) -> str | None:
    """SHA-256 of a regular file of at most 1 MiB, else None."""
    try:
        with Path(path).open("rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_SOURCE_BYTES:
                return None
            return hashlib.sha256(handle.read(MAX_SOURCE_BYTES + 1)).hexdigest()
    except OSError:
        return None


@functools.cache
def _format() -> str:
    """The entry format with a digest of the code that reads curricula, so a new check or
    model invalidates what an older one accepted. Read as files, not imported: the loader
    imports this module, never the other way round."""
    here = Path(__file__)
    code = "".join(str(_digest(here.with_name(name))) for name in READERS)
    return f"{FORMAT} {hashlib.sha256(code.encode()).hexdigest()[:16]}"


def _still_valid(header: Any) -> bool:
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


def versions(source: Path) -> dict[str, int] | None:
    """The ``versions`` of the cached curriculum for ``source`` (file id -> version) if
    none of its files changed, else None; reads only the entry's first line, so asking
    "is there a newer curriculum?" costs no parsing of the curriculum itself."""
    try:
        with _entry(source).open("rb") as handle:
            header = json.loads(handle.readline())
    except (OSError, ValueError):
        return None
    found = header.get("versions") if isinstance(header, dict) else None
    if not isinstance(found, dict) or not _still_valid(header):
        return None
    if not all(isinstance(k, str) and type(v) is int for k, v in found.items()):
        return None
    return found


def store(source: Path, curriculum: Curriculum, provenance: Provenance) -> None:
    """Remember a resolved curriculum; failures are ignored (it is only a cache)."""
    if not provenance.digests:
        return
    body = curriculum.model_dump_json().encode()
    header = {
        "format": _format(),
        "dirs": _dirs(),
        "lookups": [list(lookup) for lookup in provenance.lookups],
        "files": provenance.digests,  # of the bytes parsed: a later edit is a miss
        "body": hashlib.sha256(body).hexdigest(),
        "versions": dict(curriculum.versions),
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
