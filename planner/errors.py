"""Errors a user can act on. Each carries its exit code; the CLI turns them into
one line on stderr in exactly one place (``planner.cli.main``).

Exit codes (documented in the README):

=== =====================================================================
0   success
1   an unexpected failure (a bug: the traceback is shown)
2   bad usage: an unknown option, a malformed value, an out-of-range number
3   an invalid curriculum file
4   something named does not exist: role, milestone, plan
5   a conflict with what is stored: a plan name taken, an ambiguous id
6   the database cannot be used: unreadable, damaged, too new, read-only, busy,
    a server that cannot be reached, a schema that needs ``planner migrate``
130 interrupted (Ctrl-C): not an error class, decided in ``planner.cli.main`` too
=== =====================================================================
"""

from __future__ import annotations


class PlannerError(Exception):
    """Base class: ``str(error)`` is the whole message, ``exit_code`` the status."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(PlannerError):
    exit_code = 2


class CurriculumInvalid(PlannerError):
    """A curriculum file (or one it includes) has problems; ``problems`` lists them all."""

    exit_code = 3

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        count = len(problems)
        head = f"{count} problem{'s' if count != 1 else ''} in curriculum"
        super().__init__(head + ":\n" + "\n".join(problems))


class NotFound(PlannerError):
    exit_code = 4


class UnknownRole(NotFound):
    pass


class UnknownMilestone(NotFound):
    pass


class UnknownSkill(NotFound):
    pass


class NoPlan(NotFound):
    pass


class Conflict(PlannerError):
    exit_code = 5


class PlanExists(Conflict):
    pass


class AmbiguousMilestone(Conflict):
    pass


class DatabaseError(PlannerError):
    exit_code = 6


class ReadOnly(DatabaseError):
    """The database can be read but not written (a read-only file or server, or a user
    without the grant): a command that can do without writing may go on."""


class PlanUnreadable(DatabaseError):
    """One plan cannot be read (its stored curriculum is missing or damaged); the other
    plans in the database are not affected."""
