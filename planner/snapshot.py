"""The stored form of a resolved curriculum (a *snapshot*): what a plan keeps so that it
never needs the YAML files it was made from again.

A snapshot is the JSON of the ``Curriculum`` model (``model_dump_json``), with source
paths reduced to file names so the same curriculum installed in different places is
stored once, identified by the SHA-256 of that text. ``FORMAT`` is stored beside it and
bumped when the JSON changes shape.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from planner import models, plain

FORMAT = 1


@dataclass(frozen=True)
class Snapshot:
    """role: the curriculum's id; body: its JSON; digest: SHA-256 (hex) of ``body``."""

    role: str
    digest: str
    body: str


def snapshot_of(curriculum: models.Curriculum | plain.Curriculum) -> Snapshot:
    """The snapshot of a curriculum, validated (``models``) or as a plan keeps it
    (``plain``: validated again here, so the JSON is the model's own)."""
    from planner import models

    if not isinstance(curriculum, models.Curriculum):
        curriculum = models.Curriculum.model_validate(dataclasses.asdict(curriculum))
    sources = {cid: Path(path).name for cid, path in curriculum.sources.items()}
    body = curriculum.model_copy(update={"sources": sources}).model_dump_json()
    return Snapshot(curriculum.id, hashlib.sha256(body.encode()).hexdigest(), body)


def digest_of(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()
