"""``planner projects``: the portfolio projects that fit the active plan best, and why."""

from __future__ import annotations

from typing import Annotated

import typer

from planner.cli import clock
from planner.cli.command import command
from planner.cli.output import echo_json, echo_wrapped, hours
from planner.cli.state import state


@command
def projects(
    ctx: typer.Context,
    industry: Annotated[
        str | None,
        typer.Option(
            "--industry", metavar="INDUSTRY", help="Rank for this industry instead of the plan's."
        ),
    ] = None,
    limit: Annotated[
        int,
        typer.Option(
            "--limit",
            "-n",
            metavar="N",
            min=1,
            show_default=False,
            help="How many projects to show (default 3).",
        ),
    ] = 3,
    json_: Annotated[bool, typer.Option("--json", help="Print JSON (see the README).")] = False,
) -> None:
    """Suggest portfolio projects for the active plan, best first, with why and what is missing.

    Ranked by your target industry, the skills your done and coming work covers, how the
    difficulty fits your progress, and whether the prerequisites are done.

    \b
    Example: planner projects --industry Finance --limit 5
    """
    from planner.projects import rank_projects, target_industry
    from planner.store import load_view

    st = state(ctx)
    view = load_view(db=st.db, plan_name=st.plan_name, today=clock.today())
    suggestions = rank_projects(view, industry)  # checks --industry before any output
    shown = suggestions[:limit]
    if json_:
        echo_json([s.as_dict() for s in shown])
        return
    if not suggestions:
        echo_wrapped("", f"The curricula of '{view.plan.name}' have no portfolio projects.")
        return
    target = target_industry(view, industry)
    aim = f", aiming at {target}" if target else ""
    echo_wrapped("", f"Portfolio projects for '{view.plan.name}'{aim}, best first", bold=True)
    for s in shown:
        typer.echo("")
        echo_wrapped(f"{s.rank}. ", f"{s.title} ({s.id})")
        echo_wrapped("   ", f"{s.difficulty}, {hours(s.hours)} h, score {s.score:g}")
        echo_wrapped("   Why: ", s.why)
        echo_wrapped("   Missing: ", "nothing, ready to start" if s.ready else s.missing_line)
        first = s.datasets[0]
        licence = "" if first.licence is None else f" (licence: {first.licence})"
        echo_wrapped("   Data: ", f"{first.name} {first.url}{licence}")
        if s.compute is not None:
            echo_wrapped("   Compute: ", s.compute)
    if len(suggestions) > len(shown):
        typer.echo("")
        echo_wrapped(
            "",
            f"Showing {len(shown)} of {len(suggestions)}; "
            f"`planner projects --limit {len(suggestions)}` lists them all.",
        )
    if not target:
        echo_wrapped("", "No target industry: rank for one with --industry NAME.")
