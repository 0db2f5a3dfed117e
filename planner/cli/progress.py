"""Plan and progress commands: start, status, next, done, undo, skip, note, log, plans,
use and delete-plan. Each parses its options, calls one service function and prints."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from planner.cli.output import bar, echo_json, echo_table, echo_warnings, hours, wrap
from planner.cli.state import state

if TYPE_CHECKING:
    from planner.service import Change
    from planner.view import PlanView

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (see the README).")]


def parse_date(value: str | None, option: str) -> date | None:
    from planner.errors import UsageError

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        msg = f"{option} must be a date like 2026-01-31 (got '{value}')."
        raise UsageError(msg) from None


def _utc(moment: datetime) -> str:
    """``2026-11-27T17:51:10Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def split_list(values: list[str] | None) -> list[str]:
    """``--know a,b --know c`` -> ``[a, b, c]``."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def _finish_line(view: PlanView) -> str:
    s = view.schedule
    late = (s.projected_finish - s.planned_finish).days
    shift = ""
    if late > 0:
        shift = f" ({late} days later than planned {s.planned_finish})"
    elif late < 0:
        shift = f" ({-late} days earlier than planned {s.planned_finish})"
    return f"projected {s.projected_finish}{shift}"


def _when(view: PlanView) -> str:
    """'today is week 3', or 'starts in 12 days' for a plan that has not started."""
    days = (view.plan.start - view.today).days
    if days > 0:
        return f"starts in {days} day{'s' if days != 1 else ''}"
    return f"today is week {view.schedule.current_week}"


def _pace_line(view: PlanView) -> str:
    from planner.view import pace_of

    behind = view.schedule.hours_behind
    pace = pace_of(behind)
    if pace == "on track":
        return "on track"
    return f"{pace} by {hours(round(abs(behind), 1))} h"


# --------------------------------------------------------------------------- start


def start(
    ctx: typer.Context,
    roles: Annotated[
        list[str], typer.Argument(help="Role id(s), e.g. ai-architect, or curriculum .yaml paths.")
    ],
    name: Annotated[
        str | None, typer.Option("--name", help="Plan name (default: the role ids joined).")
    ] = None,
    hours_per_week: Annotated[
        float, typer.Option("--hours-per-week", "-H", help="Hours you can study each week.")
    ] = 8.0,
    start_on: Annotated[
        str | None,
        typer.Option("--start", metavar="YYYY-MM-DD", help="First day of week 1 (default today)."),
    ] = None,
    know: Annotated[
        list[str] | None,
        typer.Option("--know", metavar="SKILL,...", help="Skills you already have (ids)."),
    ] = None,
    industry: Annotated[
        str | None, typer.Option("--industry", help="Industry you aim for (ranks projects).")
    ] = None,
) -> None:
    """Start a dated study plan for one or more roles.

    Example: planner start ai-architect --hours-per-week 10 --know python,statistics
    """
    from planner import service

    today = date.today()
    view, warnings = service.start_plan(
        db=state(ctx).db,
        roles=roles,
        name=name,
        hours_per_week=hours_per_week,
        start=parse_date(start_on, "--start") or today,
        know=split_list(know),
        industry=industry,
        today=today,
    )
    echo_warnings(warnings)
    s = view.schedule
    titles = ", ".join(c.title for c in view.curriculum.roles)
    typer.secho(f"Started plan '{view.plan.name}': {titles}", bold=True)
    planned_weeks = ((s.planned_finish - view.plan.start).days + 1) // 7
    typer.echo(
        f"{s.milestones_total} milestones, {hours(s.hours_total)} h at "
        f"{hours(view.plan.hours_per_week)} h/week: {planned_weeks} weeks, "
        f"from {view.plan.start} to {s.planned_finish}."
    )
    if s.projected_finish != s.planned_finish:
        typer.echo(
            wrap(
                "",
                f"It started {(view.today - view.plan.start).days // 7} weeks ago with nothing "
                f"done yet, so it is projected to finish on {s.projected_finish}; mark what "
                "you did with `planner done ID --on DATE`.",
            )
        )
    if s.skipped_known:
        typer.echo(f"Skipped as known: {', '.join(s.skipped_known)}.")
    _echo_week(view, s.current_week)
    typer.echo("\nNext: `planner next` for details, `planner done ID` when you finish one.")


def _echo_week(view: PlanView, number: int) -> None:
    from planner.status import week_data

    week = week_data(view, number)
    typer.echo(f"\nWeek {number} ({week['start']} to {week['end']}):")
    if not week["slots"]:
        typer.echo("  nothing scheduled")
    for slot in week["slots"]:
        mark = "x" if slot["done"] else " "
        more = " (continues)" if slot["continues"] else ""
        typer.echo(
            f"  [{mark}] {slot['milestone']}: {slot['title']}, {hours(slot['hours'])} h{more}"
        )


# --------------------------------------------------------------------------- status/next


def status(ctx: typer.Context, json_: JsonOption = False) -> None:
    """Show where you stand: progress, pace, projected finish, skills, this week.

    Example: planner status --json | jq .pace
    """
    from planner.status import status_data
    from planner.store import load_view, newer_curricula

    st = state(ctx)
    view = load_view(db=st.db, plan_name=st.plan_name, today=date.today())
    data = status_data(view)
    data["updates"] = [
        {
            "role": role,
            "files": [{"id": f, "version": kept, "available": now} for f, kept, now in files],
        }
        for role, files in newer_curricula(view.plan)
    ]
    if json_:
        echo_json(data)
        return
    p = data["progress"]
    roles = ", ".join(c.title for c in view.curriculum.roles)
    typer.secho(f"{view.plan.name}: {roles}", bold=True)
    typer.echo(f"  {hours(view.plan.hours_per_week)} h/week from {view.plan.start}; {_when(view)}")
    typer.echo(
        f"Progress  {bar(p['percent'] / 100)} {p['percent']:g}%  "
        f"{hours(p['hours_done'])} of {hours(p['hours_total'])} h, "
        f"{p['milestones_done']} of {p['milestones_total']} milestones"
    )
    typer.echo(
        f"Pace      {_pace_line(view)} "
        f"(plan expected {hours(round(view.schedule.hours_planned_to_date, 1))} h by today)"
    )
    typer.echo(f"Finish    {_finish_line(view)}")
    if len(data["role_progress"]) > 1:
        typer.echo("\nRoles")
        for role in data["role_progress"]:
            typer.echo(
                f"  {role['id']:<24} {bar(role['percent'] / 100, 10)} {role['percent']:5g}%  "
                f"{hours(role['hours_done'])}/{hours(role['hours_total'])} h"
            )
    if data["skills"]:
        typer.echo("\nSkills")
        width = max(len(sk["name"]) for sk in data["skills"])
        for sk in data["skills"]:
            typer.echo(
                f"  {sk['name']:<{width}} {bar(sk['percent'] / 100, 10)} {sk['percent']:5g}%  "
                f"{hours(sk['hours_done'])}/{hours(sk['hours_total'])} h"
            )
    if data["skipped_known"]:
        typer.echo(f"\nSkipped as known: {', '.join(i['id'] for i in data['skipped_known'])}")
    if data["skipped"]:
        typer.echo(f"Skipped by you: {', '.join(i['id'] for i in data['skipped'])}")
    _echo_week(view, view.schedule.current_week)
    for update in data["updates"]:
        changed = ", ".join(
            f"{f['id']} {f['version']} -> {f['available']}" for f in update["files"]
        )
        text = (
            f"A newer {update['role']} curriculum is available ({changed}): "
            "`planner upgrade --dry-run` shows what would change."
        )
        typer.echo("\n" + wrap("", text))
    if data["pace"]["hours_behind"] > view.plan.hours_per_week:
        typer.echo(
            "\nYou are more than a week of hours behind: the finish date has moved. "
            "See your options with `planner replan`."
        )


def next_(ctx: typer.Context, json_: JsonOption = False) -> None:
    """Show this week's milestones: hours, why, when it is done, and where to start.

    Example: planner next
    """
    from planner.status import next_data
    from planner.store import load_view

    st = state(ctx)
    view = load_view(db=st.db, plan_name=st.plan_name, today=date.today())
    data = next_data(view)
    if json_:
        echo_json(data)
        return
    if data["finished"]:
        typer.echo(f"Nothing left to do in '{view.plan.name}': every milestone is done. ")
        return
    week = data["week"]
    label = "This week" if week["number"] == data["current_week"] else "Coming up"
    if view.today < view.plan.start:
        label = f"The plan {_when(view)}; first"
    typer.secho(f"{label}: week {week['number']} ({week['start']} to {week['end']})", bold=True)
    for item in data["milestones"]:
        note = ""
        if item["continued"] or item["continues"]:
            note = f" of {hours(item['hours'])} h" + (" (continues)" if item["continues"] else "")
        typer.echo(f"\n{item['id']}: {item['title']}, {hours(item['hours_this_week'])} h{note}")
        typer.echo(wrap("  Why:       ", item["summary"]))
        typer.echo(wrap("  Done when: ", item["done_when"]))
        first = item["resources"][0]
        typer.echo(f"  Start:     {first['title']} ({first['kind']}) {first['url']}")


# --------------------------------------------------------------------------- recording


def _confirm(changes: list[Change], view: PlanView) -> None:
    s = view.schedule
    tail = f"{hours(s.hours_done)} of {hours(s.hours_total)} h done; {_finish_line(view)}."
    for change in changes:
        words = {
            "done": f"Done: {change.milestone_id} ({change.title}) on {change.on}.",
            "already-done": f"Already done: {change.milestone_id} (on {change.on}).",
            "undone": f"Undone: {change.milestone_id} is back in the plan.",
            "unskipped": f"Unskipped: {change.milestone_id} is back in the plan.",
            "skipped": f"Skipped: {change.milestone_id} ({change.title}).",
            "already-skipped": f"Already skipped: {change.milestone_id}.",
            "noted": f"Noted on {change.milestone_id}.",
        }[change.action]
        typer.echo(f"{words} {tail}" if change.action != "noted" else words)


Milestones = Annotated[list[str], typer.Argument(help="Milestone ids (or unique prefixes).")]
NoteOption = Annotated[str | None, typer.Option("--note", help="A note to keep with it.")]


def done(
    ctx: typer.Context,
    milestones: Milestones,
    note: NoteOption = None,
    hours_spent: Annotated[
        float | None, typer.Option("--hours", help="Hours you actually spent.")
    ] = None,
    on: Annotated[
        str | None,
        typer.Option("--on", metavar="YYYY-MM-DD", help="Day you finished it (default today)."),
    ] = None,
) -> None:
    """Mark milestones done; the plan is re-projected at once.

    Example: planner done python-fundamentals --hours 14 --note "took longer than planned"
    """
    _record(ctx, "done", milestones, note=note, hours=hours_spent, on=parse_date(on, "--on"))


def undo(ctx: typer.Context, milestones: Milestones) -> None:
    """Undo done or skipped on milestones: they go back into the plan.

    Example: planner undo python-fundamentals
    """
    _record(ctx, "undo", milestones)


def skip(ctx: typer.Context, milestones: Milestones, note: NoteOption = None) -> None:
    """Skip milestones you choose not to study; they count neither for nor against you.

    Example: planner skip r-for-data-analysis --note "using Python only"
    """
    _record(ctx, "skip", milestones, note=note)


def note(
    ctx: typer.Context,
    milestone: Annotated[str, typer.Argument(help="Milestone id (or unique prefix).")],
    text: Annotated[str, typer.Argument(help="The note.")],
) -> None:
    """Keep a note on a milestone (it shows in `planner log`).

    Example: planner note deep-learning-frameworks "finished chapter 3 of the d2l book"
    """
    _record(ctx, "note", [milestone], note=text)


def _record(ctx: typer.Context, action: str, milestones: list[str], **options: Any) -> None:
    from planner import service

    st = state(ctx)
    changes, view = service.record(
        db=st.db,
        plan_name=st.plan_name,
        action=action,
        queries=milestones,
        today=date.today(),
        **options,
    )
    _confirm(changes, view)


# --------------------------------------------------------------------------- history


def log(
    ctx: typer.Context,
    json_: JsonOption = False,
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", min=1, help="Only the newest N events.")
    ] = None,
) -> None:
    """Show the history of the active plan: every done, undo, skip and note.

    Example: planner log -n 20
    """
    from planner import service

    st = state(ctx)
    plan_name, events = service.plan_events(db=st.db, plan_name=st.plan_name, limit=limit)
    rows: list[dict[str, Any]] = [
        {
            "id": e.id,
            "at": _utc(e.at),
            "kind": e.kind,
            "milestone": e.milestone_id,
            "on": e.on_date.isoformat() if e.on_date else None,
            "hours": e.hours,
            "note": e.note,
        }
        for e in events
    ]
    if json_:
        echo_json({"plan": plan_name, "events": rows})
        return
    if not rows:
        typer.echo(f"No events yet in '{plan_name}'. Mark a milestone with `planner done ID`.")
        return
    echo_table(
        ["WHEN (UTC)", "EVENT", "MILESTONE", "DETAIL"],
        [
            [
                r["at"][:16].replace("T", " "),
                r["kind"],
                r["milestone"] or "(plan)",
                "; ".join(
                    part
                    for part in (
                        f"on {r['on']}" if r["on"] else "",
                        (
                            f"{hours(r['hours'])} h done by then"
                            if r["kind"] == "replanned"
                            else f"{hours(r['hours'])} h spent"
                        )
                        if r["hours"]
                        else "",
                        " ".join(str(r["note"]).split()) if r["note"] else "",
                    )
                    if part
                ),
            ]
            for r in rows
        ],
    )


def plans(ctx: typer.Context, json_: JsonOption = False) -> None:
    """List your plans with their progress; the active one is marked with *.

    Example: planner plans
    """
    from planner import service
    from planner.status import status_data

    st = state(ctx)
    summaries = service.list_plans(db=st.db, plan_name=st.plan_name, today=date.today())
    data: list[dict[str, Any]] = []
    for summary in summaries:
        if summary.view is None:
            data.append(
                {
                    "name": summary.name,
                    "active": summary.active,
                    "roles": list(summary.roles),
                    "unreadable": summary.problem,
                    "last_activity": _utc(summary.last_activity) if summary.last_activity else None,
                }
            )
            continue
        summary_data = status_data(summary.view)
        data.append(
            {
                "name": summary.name,
                "active": summary.active,
                "roles": list(summary.roles),
                "hours_per_week": summary.view.plan.hours_per_week,
                "start": summary.view.plan.start.isoformat(),
                "progress": summary_data["progress"],
                "pace": summary_data["pace"],
                "finish": summary_data["finish"],
                "last_activity": _utc(summary.last_activity) if summary.last_activity else None,
            }
        )
    if json_:
        echo_json(data)
        return
    if not data:
        typer.echo("No plans yet. Start one with `planner start ROLE`.")
        return
    echo_table(
        ["", "PLAN", "ROLES", "DONE", "PACE", "PROJECTED FINISH"],
        [
            [
                "*" if d["active"] else "",
                d["name"],
                ", ".join(d["roles"]),
                f"{d['progress']['percent']:g}%" if "progress" in d else "?",
                d["pace"]["status"] if "pace" in d else "unreadable",
                d["finish"]["projected"] if "finish" in d else "",
            ]
            for d in data
        ],
    )
    for d in data:
        if d.get("unreadable"):
            typer.echo(f"Warning: {d['unreadable']}", err=True)


def use(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The plan to make active.")],
) -> None:
    """Make a plan the active one (commands act on it unless --plan says otherwise).

    Example: planner use ai-architect
    """
    from planner import service

    used = service.use_plan(db=state(ctx).db, name=name)
    typer.echo(f"Now using plan '{used}'.")


def delete_plan(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The plan to delete, with all its progress.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete a plan and its whole history. This cannot be undone; it asks first.

    Example: planner delete-plan old-plan --yes
    """
    from planner import service

    if not yes:
        typer.confirm(
            f"Delete plan '{name}' and all of its progress? This cannot be undone", abort=True
        )
    count = service.delete_plan(db=state(ctx).db, name=name)
    typer.echo(f"Deleted plan '{name}' and its {count} events.")
