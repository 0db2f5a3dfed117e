"""``planner compare``: two roles side by side, and what each would take you."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from planner.cli import clock
from planner.cli.command import command
from planner.cli.output import (
    cut_mark,
    echo_json,
    echo_table,
    echo_wrapped,
    hours,
    terminal_width,
)
from planner.cli.progress import KNOW_HELP, HoursPerWeekOption, split_list


def _column(value: Any, width: int) -> list[str]:
    from planner import cells

    items = value if isinstance(value, list) else [value]
    lines: list[str] = []
    for item in items:
        prefix = "- " if isinstance(value, list) else ""
        lines += [
            cells.clip(line, width, cut_mark()) for line in cells.wrap(str(item), width, prefix)
        ]
    return lines


def _side_by_side(label: str, left: Any, right: Any, width: int) -> None:
    """Two columns under a label; below 80 cells, the label above them."""
    from planner import cells

    label_width = 20 if width >= 80 else 0
    column = (width - label_width - 2) // 2
    a, b = _column(left, column), _column(right, column)
    if not label_width and label:
        typer.echo(label)
    for index in range(max(len(a), len(b))):
        head = label if index == 0 and label_width else ""
        cell_a = a[index] if index < len(a) else ""
        cell_b = b[index] if index < len(b) else ""
        line = cells.pad(head, label_width) + cells.pad(cell_a, column) + "  " + cell_b
        typer.echo(line.rstrip())
    typer.echo("")


def _levels_side_by_side(left: Any, right: Any, width: int) -> None:
    """What each role prepares for and its usual path ("-" for a role that does not
    say); nothing when neither does."""
    if left is None and right is None:
        return
    a, b = left or {}, right or {}
    _side_by_side("Prepares for", a.get("prepares_for", "-"), b.get("prepares_for", "-"), width)
    path_a, path_b = (" -> ".join(side.get("path", ["-"])) for side in (a, b))
    _side_by_side("Usual path", path_a, path_b, width)
    if "note" in a or "note" in b:
        _side_by_side("Note", a.get("note", "-"), b.get("note", "-"), width)


@command
def compare(
    first: Annotated[
        str, typer.Argument(metavar="ROLE", help="A role id or curriculum .yaml path.")
    ],
    second: Annotated[
        str, typer.Argument(metavar="OTHER_ROLE", help="Another role to compare it with.")
    ],
    hours_per_week: HoursPerWeekOption = 8.0,
    know: Annotated[
        list[str] | None, typer.Option("--know", metavar="SKILL,...", help=KNOW_HELP)
    ] = None,
    json_: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Compare two roles: what they are, what they share, and how long each takes you.

    \b
    Example: planner compare ai-architect lead-ml-engineer -H 10 --know python
    """
    from planner.compare import PROFILE_FIELDS, compare_roles

    data = compare_roles(
        first, second, hours_per_week=hours_per_week, know=split_list(know), today=clock.today()
    )
    if json_:
        echo_json(data)
        return
    width = terminal_width()
    (a, b) = data["roles"]
    pa, pb = data["profiles"][a["id"]], data["profiles"][b["id"]]
    _side_by_side("", a["title"], b["title"], width)
    for key, label in PROFILE_FIELDS:
        _side_by_side(label, pa[key], pb[key], width)
    _side_by_side("Outlook", pa["outlook"], pb["outlook"], width)
    _levels_side_by_side(pa.get("level"), pb.get("level"), width)
    shared, only = data["shared"], data["only"]
    typer.secho("Milestones", bold=True)
    groups = [("shared by both", shared)] + [(f"only {r['id']}", only[r["id"]]) for r in (a, b)]
    for label, part in groups:
        head = f"  {label}: {part['count']} ({hours(part['hours'])} h): "
        ids = ", ".join(m["id"] for m in part["milestones"]) or "none"
        echo_wrapped(head, ids, "    ")
    learner = data["learner"]
    known = ", ".join(learner["known_skills"]) or "nothing yet"
    typer.echo("")
    echo_wrapped(
        "",
        f"For you at {hours(learner['hours_per_week'])} h/week from {learner['start']}, "
        f"knowing {known}:",
        bold=True,
    )
    effort = data["effort"]
    echo_table(
        ["PLAN", "MILESTONES", "HOURS", "WEEKS", "FINISH"],
        [
            [name, e["milestones"], hours(e["hours"]), e["weeks"], e["finish"]]
            for name, e in (
                (a["id"], effort[a["id"]]),
                (b["id"], effort[b["id"]]),
                ("both", effort["both"]),
            )
        ],
    )
    credit = sorted({pa["source"], pb["source"]})
    typer.echo("")
    echo_wrapped("", f"Profiles from {'; '.join(credit)}.")
