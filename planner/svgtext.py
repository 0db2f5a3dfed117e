"""Labels and lines of the printed charts, in SVG user units: where a text sits, the box
it covers, and a place for it that crosses no line.

Pure geometry: no user text is measured here (the charts write their own labels).
"""

from __future__ import annotations

from dataclasses import astuple, dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

FONT = 10  # px: ticks, legend, finishes and "today"
CHAR = 0.62  # a character's width in ems, a little over DejaVu Sans' average

Point = tuple[float, float]
Box = tuple[float, float, float, float]  # left, top, right, bottom


@dataclass(frozen=True)
class Text:
    """A label: ``text`` with its baseline at ``y``; ``x`` is where its ``anchor`` (SVG
    text-anchor: start, middle or end) is; ``size`` is the font size in px."""

    x: float
    y: float
    text: str
    anchor: str = "start"
    size: int = FONT

    def box(self) -> Box:
        """(left, top, right, bottom) the text covers, estimated at CHAR em a character."""
        width = len(self.text) * self.size * CHAR
        left = self.x - {"start": 0.0, "middle": width / 2, "end": width}[self.anchor]
        return (left, self.y - 0.75 * self.size, left + width, self.y + 0.25 * self.size)


@dataclass(frozen=True)
class Line:
    """A straight line from (x1, y1) to (x2, y2), in px."""

    x1: float
    y1: float
    x2: float
    y2: float


def place(
    candidates: list[Text], segments: Sequence[tuple[Point, Point]], avoid: list[Box], bounds: Box
) -> Text:
    """The first candidate (moved inside ``bounds``) that crosses no segment and overlaps
    no box of ``avoid``; else the first of those that meet the fewest."""

    def inside(text: Text) -> Text:
        left, top, right, bottom = text.box()
        dx = max(bounds[0] + 2 - left, 0) or min(bounds[2] - 2 - right, 0)
        dy = max(bounds[1] + 2 - top, 0) or min(bounds[3] - 2 - bottom, 0)
        return Text(round(text.x + dx, 1), round(text.y + dy, 1), *astuple(text)[2:])

    def hits(text: Text) -> int:
        left, top, right, bottom = text.box()
        box = (left - 2, top - 2, right + 2, bottom + 2)
        return sum(crosses(p, q, box) for p, q in segments) + sum(overlaps(box, b) for b in avoid)

    return min((inside(t) for t in candidates), key=hits)


def crosses(p: Point, q: Point, box: Box) -> bool:
    """Whether the segment from ``p`` to ``q`` passes through ``box`` (Liang-Barsky)."""
    (x0, y0), (x1, y1) = p, q
    low, high = 0.0, 1.0
    edges = ((x0 - x1, x0 - box[0]), (x1 - x0, box[2] - x0))
    for toward, room in (*edges, (y0 - y1, y0 - box[1]), (y1 - y0, box[3] - y0)):
        if toward == 0 and room < 0:
            return False  # parallel to this edge, outside it
        if toward < 0:
            low = max(low, room / toward)
        elif toward > 0:
            high = min(high, room / toward)
    return low <= high


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def points(points: Sequence[Point]) -> str:
    """SVG points: "x,y x,y ..."."""
    return " ".join(f"{x:g},{y:g}" for x, y in points)
