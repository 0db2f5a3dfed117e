"""Named fault points for crash tests.

When the environment variable ``PLANNER_FAULT`` names a point, the process kills itself
there with SIGKILL, as a power cut or ``kill -9`` would. Tests use this to prove that a
crash at any step of a write leaves either the old state or the new one; ``NAME:wait``
makes it wait there instead, for a test to send a signal. Unset (always,
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
    "backup-before-link",  # a backup fully copied and checked under its temporary name
)


def fault_point(name: str) -> None:
    chosen = os.environ.get("PLANNER_FAULT")
    if chosen == name:
        os.kill(os.getpid(), signal.SIGKILL)
    elif chosen == f"{name}:wait":  # stop there for a minute, for a test to interrupt
        import time

        time.sleep(60)
