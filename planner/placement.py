"""Lay remaining work on the weeks: the filler behind ``planner.scheduler``.

Pure and standard library only. Work is in capacity units (a seventh of a minute, see
``planner.scheduler``); weeks are numbers, and ``room_of(n)`` says how many units week
``n`` holds (from the first day remaining work may use, for the first week).

Milestones are taken in prerequisite order (Kahn's algorithm with a heap): of those
ready, a paced one first, since it needs calendar time and starts as soon as its
prerequisites allow, then ties by curriculum index. Each is laid out in one of two ways:

- sequential (``share`` 0): the milestone fills the free room of the cursor's week, then
  of the following weeks, until its work is placed; the cursor ends in its last week and
  its dependents are released at once.
- paced (``share`` > 0: a milestone that needs calendar time, ``min_weeks`` > 1): it is
  *launched* at the cursor and runs alongside the sequential work. It takes, in each
  week from the first with free room on, the work left spread evenly over the weeks of
  its ``spread`` still to come, never more than ``share`` (less what was recorded of it
  in the first week) and never more than the week's free room; what it takes is
  reserved, so later work fills only what is left of each week. The cursor does not
  move. Its dependents are released when the cursor reaches its last week (they may
  start in that week), even in the middle of a sequential milestone: paced work that
  becomes ready then is launched in that week, beside it (a sequential one waits for
  the cursor's milestone to end, as sequential work always does). When nothing else is
  ready, the cursor moves on to that week, leaving the weeks between to the paced work
  alone.

Cost: O((n + e) log n) plus one step per week walked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from heapq import heappop, heappush

__all__ = ["Piece", "Placement", "place_work"]


@dataclass(frozen=True, slots=True)
class Piece:
    """One milestone's share of one week: ``units`` of work; ``continued`` when work of it
    comes before (recorded or an earlier week), ``continues`` when more comes after."""

    task: int
    units: int
    continued: bool
    continues: bool


@dataclass(slots=True)
class Placement:
    """``order``: task indices in the order they were taken (launched, for paced ones).
    ``weeks``: week number -> its pieces, in the order they were placed. ``used``: week
    number -> units placed in it."""

    order: list[int] = field(default_factory=list)
    weeks: dict[int, list[Piece]] = field(default_factory=dict)
    used: dict[int, int] = field(default_factory=dict)

    @property
    def last_week(self) -> int:
        """The last week holding work; 0 when nothing was placed."""
        return max(self.weeks, default=0)


def place_work(
    *,
    members: Sequence[bool],
    prereqs: Sequence[Sequence[int]],
    dependents: Sequence[Sequence[int]],
    need: Sequence[int],
    started: Sequence[bool],
    share: Sequence[int],
    spread: Sequence[int],
    already: Sequence[int],
    first_week: int,
    room_of: Callable[[int], int],
) -> Placement:
    """Place the ``need`` units (> 0) of every member from ``first_week`` on.

    Per task index: ``members`` (work to place), ``prereqs`` and ``dependents`` (indices;
    prerequisites that are not members count as met), ``need`` (units left), ``started``
    (work of it is recorded: its first piece is ``continued``), ``share`` (0 for
    sequential, else the most units a week), ``spread`` (paced: the weeks its work
    left is spread over) and ``already`` (paced: units of it recorded in the first week,
    which its first week's share gives up). Assumes no prerequisite cycle; ``room_of``
    must give a week's units (>= 0), with room again after any run of empty weeks.
    Raises OverflowError when ``room_of`` does (a week past the calendar's end).
    """
    result = Placement()
    free: dict[int, int] = {}

    def room(number: int) -> int:
        if number not in free:
            free[number] = room_of(number)
        return free[number]

    def put(number: int, piece: Piece) -> None:
        free[number] -= piece.units
        result.used[number] = result.used.get(number, 0) + piece.units
        result.weeks.setdefault(number, []).append(piece)

    waiting = [0] * len(members)
    for i, required in enumerate(prereqs):
        if members[i]:
            waiting[i] = sum(1 for p in required if members[p])
    ready: list[tuple[bool, int]] = []  # a heap: (sequential, index), paced ones first
    for i, member in enumerate(members):
        if member and not waiting[i]:
            heappush(ready, (not share[i], i))
    held: list[tuple[int, int]] = []  # (last week, task) of launched paced milestones

    def release(i: int) -> None:
        for d in dependents[i]:
            if members[d]:
                waiting[d] -= 1
                if not waiting[d]:
                    heappush(ready, (not share[d], d))

    def launch(i: int, number: int) -> None:
        """Spread paced task ``i`` from week ``number`` on; hold its dependents."""
        left, continued = need[i], started[i]
        while not room(number):
            number += 1
        weeks_left = spread[i]
        while left:
            most = share[i] - (already[i] if number == first_week else 0)
            take = min(room(number), most, -(-left // max(1, weeks_left)))
            if take:
                left -= take
                put(number, Piece(i, take, continued, left > 0))
                continued = True
            weeks_left -= 1
            number += 1
        heappush(held, (number - 1, i))

    def arrive(number: int) -> None:
        """The cursor is in week ``number``: release what paced work ends by then, and
        launch every paced task that is ready, so none waits for sequential work."""
        while True:
            while held and held[0][0] <= number:
                release(heappop(held)[1])
            if not ready or ready[0][0]:  # (sequential, index): paced ones sort first
                return
            _, i = heappop(ready)
            result.order.append(i)
            launch(i, number)

    cursor = first_week
    while True:
        arrive(cursor)
        if not ready:
            if not held:
                break
            cursor = held[0][0]  # only paced work until then: the weeks between stay idle
            continue
        _, i = heappop(ready)
        result.order.append(i)
        left, continued = need[i], started[i]
        while left:
            while not room(cursor):
                cursor += 1
                arrive(cursor)
            take = min(left, room(cursor))
            left -= take
            put(cursor, Piece(i, take, continued, left > 0))
            continued = True
        release(i)
    return result
