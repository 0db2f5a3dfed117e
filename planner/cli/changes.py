"""``planner add-role``, ``planner replan`` and ``planner upgrade``: change the plan, keep the
progress."""

from __future__ import annotations

from typing import Annotated

import typer

from planner.cli import clock
from planner.cli.command import command
from planner.cli.output import echo_json, echo_warnings, echo_wrapped, hours, wrap
from planner.cli.state import state


@command
def add_role(
    ctx: typer.Context,
    role: Annotated[
        str, typer.Argument(metavar="ROLE", help="Role id (or .yaml path) to add to the plan.")
    ],
) -> None:
    """Add a role to the active plan; shared milestones count once and stay done.

    \b
    Example: planner add-role lead-ml-engineer
    """
    from planner import amend

    st = state(ctx)
    view, warnings = amend.add_role(
        db=st.db, plan_name=st.plan_name, role=role, today=clock.today()
    )
    echo_warnings(warnings)
    s = view.schedule
    titles = " + ".join(c.title for c in view.curriculum.roles)
    echo_wrapped(
        "",
        f"Plan '{view.plan.name}' now covers {titles}: {s.milestones_total} milestones, "
        f"{hours(s.hours_total)} h, {s.milestones_done} done; projected finish "
        f"{s.projected_finish}.",
    )


@command
def replan(
    ctx: typer.Context,
    hours_per_week: Annotated[
        float | None,
        typer.Option(
            "--hours-per-week",
            "-H",
            metavar="HOURS",
            help="Study this many hours a week from now.",
        ),
    ] = None,
    finish_by: Annotated[
        str | None,
        typer.Option(
            "--finish-by", metavar="YYYY-MM-DD", help="Raise the hours to finish by this day."
        ),
    ] = None,
    drop_optional: Annotated[
        bool, typer.Option("--drop-optional", help="Skip the optional milestones left.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; change nothing.")
    ] = False,
    json_: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Catch up when you fall behind: see the options with numbers, then apply one.

    With no options it only shows the choices: keep your hours and accept the new finish,
    raise your hours to meet the planned (or --finish-by) date, or drop optional
    milestones. Applying one is recorded in `planner log`.

    \b
    Example: planner replan
    Example: planner replan --hours-per-week 10 --dry-run
    """
    from planner import amend
    from planner.cli.progress import parse_date

    st = state(ctx)
    options, change, view = amend.replan(
        db=st.db,
        plan_name=st.plan_name,
        today=clock.today(),
        hours_per_week=hours_per_week,
        finish_by=parse_date(finish_by, "--finish-by"),
        drop_optional=drop_optional,
        dry_run=dry_run,
    )
    if change is not None:
        echo_warnings(change["warnings"])
    if json_:
        echo_json({**options, "change": change, "applied": change is not None and not dry_run})
        return
    o = options["options"]
    echo_wrapped(
        "",
        f"Plan '{options['plan']}': {options['pace_text']} at "
        f"{hours(options['hours_per_week'])} h/week",
        bold=True,
    )
    echo_wrapped(
        "  ",
        f"Planned finish {options['planned_finish']}, projected "
        f"{options['projected_finish']}, target {options['target']}.",
    )
    if not options["catch_up_needed"]:
        why = {
            "ahead": "you are ahead of the plan",
            "on track": "you are on track",
            "finished": "every milestone is done",
        }.get(options["pace"], f"the projection meets {options['target']}")
        typer.echo(wrap("  ", f"No catch-up is needed: {why}."))
    raise_ = o["raise_hours"]
    if options["catch_up_needed"] and raise_ is None:
        typer.echo(
            wrap(
                "  ",
                f"Keeping {hours(options['hours_per_week'])} h/week already finishes by "
                f"{options['target']}.",
            )
        )
    elif raise_ is not None and raise_["hours_per_week"] is None:
        echo_wrapped("  - ", f"No weekly hours up to 80 finish by {options['target']}.")
    elif raise_ is not None:
        typer.echo(
            wrap(
                "  - ",
                f"Study {hours(raise_['hours_per_week'])} h/week: finish {raise_['finish']} "
                f"(`planner replan --finish-by {options['target']}`).",
            )
        )
    drop = o["drop_optional"]
    if drop is not None and options["catch_up_needed"]:
        typer.echo(
            wrap(
                "  - ",
                f"Drop {len(drop['milestones'])} optional milestones "
                f"({', '.join(m['id'] for m in drop['milestones'])}) to win back "
                f"{hours(drop['hours_saved'])} h: finish {drop['finish']} "
                "(`planner replan --drop-optional`).",
            )
        )
    if change is None:
        return
    verb = "Would change" if dry_run else "Changed"
    echo_wrapped("", f"{verb}: {change['reason']}.")
    if not dry_run:
        echo_wrapped("", f"Projected finish is now {view.schedule.projected_finish}.")


@command
def upgrade(
    ctx: typer.Context,
    files: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="ROLE_OR_FILE",
            help="Curriculum files (or role ids) to move to; default: each role's "
            "curriculum on the curricula path.",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; change nothing.")
    ] = False,
    json_: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Move the active plan to the newest curriculum for its roles, keeping all progress.

    A plan keeps the curriculum it was started with, so editing, moving or deleting the
    YAML file never changes it. This shows what the curriculum now available changes
    (milestones added, removed, renamed, hours and prerequisites), and what that does to
    the finish date, then applies it. Every event is kept; progress on milestones that
    left the curriculum is reported and counts again if they return. Recorded in
    `planner log`.

    \b
    Example: planner upgrade --dry-run
    """
    from planner import amend

    st = state(ctx)
    result = amend.upgrade(
        db=st.db, plan_name=st.plan_name, refs=files or [], today=clock.today(), dry_run=dry_run
    )
    echo_warnings(result.warnings)
    if json_:
        echo_json(result.as_dict())
        return
    for role in result.missing:
        typer.echo(
            wrap(
                "",
                f"No curriculum for {role} on the curricula path; the plan keeps its own. "
                "Give the file to move to a new one: `planner upgrade FILE.yaml`.",
            ),
            err=True,
        )
    if not result.changed:
        if not result.missing:  # otherwise nothing was found to compare with (see stderr)
            echo_wrapped(
                "", f"Plan '{result.plan}' already has the newest curricula for its roles."
            )
        return
    for r in result.roles:
        files = sorted(set(r.old_versions) | set(r.new_versions))
        moved = [
            f"{cid} {r.old_versions.get(cid, '-')} -> {r.new_versions.get(cid, '-')}"
            for cid in files
            if r.old_versions.get(cid) != r.new_versions.get(cid)
        ]
        what = ", ".join(moved) or "changed without a new version number"
        if r.older:
            what += " (an older version than the plan keeps)"
        typer.secho(wrap("", f"{r.role}: {what} (from {r.source})"), bold=True)
        if r.role_text_changed:
            typer.echo(wrap("  ", "~ the role's title, summary, profile, skills or projects"))
    lines = [
        *(f"+ {i}: {t}, {hours(h)} h" for i, t, h in result.added),
        *(
            f"- {i}: {t}, {hours(h)} h"
            + (f" (your {n} event{'s' if n != 1 else ''} on it kept)" if n else "")
            for i, t, h, n in result.removed
        ),
        *(f"~ {i}: renamed '{a}' -> '{b}'" for i, a, b in result.retitled),
        *(f"~ {i}: {hours(a)} h -> {hours(b)} h" for i, a, b in result.hours),
        *(f"~ {i}: requires {_requires_change(a, b)}" for i, a, b in result.requires),
    ]
    if result.other:
        lines.append(f"~ text or resources changed: {', '.join(result.other)}")
    for line in lines or ["(no milestone changes)"]:
        typer.echo(wrap("  ", line, "      "))
    typer.echo(
        wrap(
            "",
            f"Total {hours(result.hours_before)} h -> {hours(result.hours_after)} h; planned "
            f"finish {result.planned_before} -> {result.planned_after}; projected "
            f"{result.finish_before} -> {result.finish_after}.",
        )
    )
    if dry_run:
        echo_wrapped("", "Nothing was changed (--dry-run). Run `planner upgrade` to apply it.")
    else:
        echo_wrapped("", f"Upgraded plan '{result.plan}'; the change is in `planner log`.")


def _requires_change(before: list[str], after: list[str]) -> str:
    """``+new -old`` prerequisites, or the new order when only the order changed."""
    parts = [f"+{r}" for r in after if r not in before] + [
        f"-{r}" for r in before if r not in after
    ]
    return " ".join(parts) or f"in the order {', '.join(after)}"
