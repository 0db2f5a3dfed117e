"""The clock, read in one place: the local day every command plans and records against.

``PLANNER_TODAY=YYYY-MM-DD`` makes a command act as if that were today: the plan, pace
and week are those of that day, and ``done``, ``study`` and ``skip`` without ``--on``
record that day. It makes examples and tests reproducible (the README's samples are
checked this way) and answers "where will I stand on 1 March?". Stored timestamps
(when an entry was recorded) stay the real time.
"""

from __future__ import annotations

import os
from datetime import date

TODAY_VARIABLE = "PLANNER_TODAY"


def today() -> date:
    """The local date, or ``PLANNER_TODAY`` when it is set and not empty.

    Raises UsageError (exit 2) when ``PLANNER_TODAY`` is not a ``YYYY-MM-DD`` date."""
    override = os.environ.get(TODAY_VARIABLE, "").strip()
    if not override:
        return date.today()
    try:
        return date.fromisoformat(override)
    except ValueError:
        from planner.errors import UsageError

        msg = (
            f"{TODAY_VARIABLE} must be a date like 2026-01-31 (got '{override}'); "
            f"unset it to use today's date."
        )
        raise UsageError(msg) from None
