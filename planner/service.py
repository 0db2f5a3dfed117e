"""Use cases the commands call: the one place that combines curriculum, scheduler,
tracker and renderer. Functions here return data, never text for the terminal."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from planner import curriculum as curricula
from planner.errors import CurriculumInvalid


@dataclass(frozen=True)
class CurriculumEntry:
    id: str
    title: str
    kind: str
    milestones: int
    hours: float
    source: str
    problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def list_curricula() -> list[CurriculumEntry]:
    """Every curriculum on the search path, roles first; invalid ones are listed, marked."""
    entries = []
    for cid, path in curricula.available():
        source = "built-in" if curricula.is_builtin(path) else str(path)
        try:
            resolved = curricula.resolve_file(path)
        except CurriculumInvalid as exc:
            entries.append(CurriculumEntry(cid, "", "?", 0, 0.0, source, exc.problems[0]))
            continue
        entries.append(
            CurriculumEntry(
                cid,
                resolved.title,
                resolved.kind,
                len(resolved.milestones),
                resolved.total_hours,
                source,
            )
        )
    return sorted(entries, key=lambda e: (e.kind != "role", e.id))


def validate_files(paths: list[Path]) -> list[tuple[Path, list[str]]]:
    """Each file with its problems (an empty list means valid)."""
    results = []
    for path in paths:
        try:
            curricula.resolve_file(path)
        except CurriculumInvalid as exc:
            results.append((path, exc.problems))
        else:
            results.append((path, []))
    return results
