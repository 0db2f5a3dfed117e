"""Named fault points for crash tests.

When the environment variable ``PLANNER_FAULT`` names a point, the process kills itself
there with SIGKILL, as a power cut or ``kill -9`` would. Tests use this to prove that a
crash at any step of a write leaves either the old state or the new one. Unset (always,
outside tests), a fault point costs one dictionary lookup.
"""

from __future__ import annotations

import os
import signal

POINTS = (
    "write-before-commit",  # inside a write transaction, all rows written, not committed
    "write-after-commit",  # committed, before the command reports success
    "migration-after-step",  # a migration's changes made, not yet recorded or committed
    "output-before-rename",  # an output file fully written to its temporary name
)


def fault_point(name: str) -> None:
    if os.environ.get("PLANNER_FAULT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
