"""Plan and progress commands: start, status, next, done, undo, skip, note, log, plans,
use and delete-plan. Each parses its options, calls one service function and prints."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from typing import TYPE_CHECKING, Annotated, Any

import typer

from planner.cli import clock
from planner.cli.command import command
from planner.cli.output import (
    bar,
    cut_mark,
    echo_json,
    echo_table,
    echo_warnings,
    echo_wrapped,
    hours,
    terminal_width,
    wrap,
)
from planner.cli.state import state

if TYPE_CHECKING:
    from planner.progress import Change
    from planner.view import PlanView

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (see the README).")]
HoursPerWeekOption = Annotated[
    float,
    typer.Option(
        "--hours-per-week",
        "-H",
        metavar="HOURS",
        show_default=False,
        help="Hours you can study each week (default 8).",
    ),
]


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


def local_time(stamp: str, zone: tzinfo | None) -> str:
    """A ``_utc`` stamp as wall-clock time in ``zone`` (None: the system's local time,
    as the C library gives it for that moment): ``2026-11-28 07:51``."""
    return datetime.fromisoformat(stamp).astimezone(zone).strftime("%Y-%m-%d %H:%M")


def split_list(values: list[str] | None) -> list[str]:
    """``--know a,b --know c`` -> ``[a, b, c]``."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def finish_line(view: PlanView) -> str:
    """``projected 2027-11-07, 2 days earlier than planned 2027-11-09``."""
    s = view.schedule
    late = (s.projected_finish - s.planned_finish).days
    if s.finished:
        return f"finished {s.projected_finish}"
    if late > 0:
        return f"projected {s.projected_finish}, {late} days later than planned {s.planned_finish}"
    if late < 0:
        return (
            f"projected {s.projected_finish}, {-late} days earlier than planned {s.planned_finish}"
        )
    return f"projected {s.projected_finish}, as planned"


def progress_line(view: PlanView) -> str:
    """``50 of 400 h earned; ahead by 2 h; projected ...``: the line after a change."""
    from planner.view import pace_text

    s = view.schedule
    earned = f"{hours(round(s.hours_earned, 1))} of {hours(s.hours_total)} h earned"
    if s.finished:
        return wrap("", f"{earned}; every milestone is done ({finish_line(view)}).")
    return wrap("", f"{earned}; {pace_text(s)}; {finish_line(view)}.")


def _when(view: PlanView) -> str:
    """'today is week 3', or 'starts in 12 days' for a plan that has not started."""
    days = (view.plan.start - view.today).days
    if days > 0:
        return f"starts in {days} day{'s' if days != 1 else ''}"
    return f"today is week {view.schedule.current_week}"


def _pace_line(view: PlanView) -> str:
    from planner.view import pace_text

    s = view.schedule
    return (
        f"{pace_text(s)} (earned {hours(round(s.hours_earned, 1))} h; the plan expected "
        f"{hours(round(s.hours_planned_to_date, 1))} h by today)"
    )


# --------------------------------------------------------------------------- start

# `--know` on start and compare: skill ids, which `planner curricula show ROLE` lists
KNOW_HELP = "Skills you already have, by id (`planner curricula show ROLE` lists them)."


@command
def start(
    ctx: typer.Context,
    roles: Annotated[
        list[str],
        typer.Argument(
            metavar="ROLE", help="Role id(s), e.g. ai-architect, or curriculum .yaml paths."
        ),
    ],
    name: Annotated[
        str | None,
        typer.Option("--name", metavar="NAME", help="Plan name (default: the role ids joined)."),
    ] = None,
    hours_per_week: HoursPerWeekOption = 8.0,
    start_on: Annotated[
        str | None,
        typer.Option("--start", metavar="YYYY-MM-DD", help="First day of week 1 (default today)."),
    ] = None,
    know: Annotated[
        list[str] | None, typer.Option("--know", metavar="SKILL,...", help=KNOW_HELP)
    ] = None,
    industry: Annotated[
        str | None,
        typer.Option(
            "--industry", metavar="INDUSTRY", help="Industry you aim for (ranks projects)."
        ),
    ] = None,
) -> None:
    """Start a dated study plan for one or more roles.

    \b
    Example: planner start ai-architect --hours-per-week 10 --know python,sql
    """
    from planner import service

    today = clock.today()
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
    echo_wrapped("", f"Started plan '{view.plan.name}': {titles}", bold=True)
    planned_weeks = -(-((s.planned_finish - view.plan.start).days + 1) // 7)
    echo_wrapped(
        "",
        f"{s.milestones_total} milestones, {hours(s.hours_total)} h at "
        f"{hours(view.plan.hours_per_week)} h/week: {planned_weeks} weeks, "
        f"from {view.plan.start} to {s.planned_finish}.",
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
        echo_wrapped("Skipped as known: ", f"{', '.join(s.skipped_known)}.")
    _echo_week(view, s.current_week)
    typer.echo("")
    echo_wrapped("Next: ", "`planner next` for details, `planner done ID` when you finish one.")


def _echo_week(view: PlanView, number: int) -> None:
    from planner.status import week_data

    week = week_data(view, number)
    away = f", {week['away_days']} days away" if week["away_days"] else ""
    typer.echo("\n" + wrap("", f"Week {number} ({week['start']} to {week['end']}{away}):"))
    if not week["slots"]:
        typer.echo("  nothing scheduled")
    studied = view.schedule.hours_studied
    for slot in week["slots"]:
        mid = slot["milestone"]
        if slot["recorded"]:
            mark = "x" if slot["done"] else "~"
            what = f"{hours(slot['hours'])} h" + (", done" if slot["done"] else " studied")
        else:
            mark = " "
            what = f"{hours(slot['hours'])} h"
            total = view.curriculum.by_id[mid].hours
            if mid in studied:
                what += f" ({hours(round(studied[mid], 1))} of {hours(total)} h studied)"
            elif slot["continues"]:
                what += " (continues)"
        typer.echo(wrap(f"  [{mark}] ", f"{mid}: {slot['title']}, {what}", " " * 6))


# --------------------------------------------------------------------------- status/next


@command
def status(
    ctx: typer.Context,
    json_: JsonOption = False,
    skills: Annotated[
        bool, typer.Option("--skills", help="Also show progress per skill and per role.")
    ] = False,
) -> None:
    """Show where you stand: progress, pace, projected finish, skills, this week.

    Progress counts earned hours: a done milestone earns its estimate, a started one its
    study time (at most 90% of the estimate until done). Pace is earned minus the hours
    the plan expected by today; within a day's planned hours (at least 1 h) you are on
    track.

    \b
    Example: planner status --json | jq .pace
    """
    from planner.status import status_data
    from planner.store import load_view, newer_curricula

    st = state(ctx)
    view = load_view(db=st.db, plan_name=st.plan_name, today=clock.today())
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
    echo_wrapped("", f"{view.plan.name}: {roles}", bold=True)
    echo_wrapped(
        "  ", f"{hours(view.plan.hours_per_week)} h/week from {view.plan.start}; {_when(view)}"
    )
    started = f", {p['milestones_started']} started" if p["milestones_started"] else ""
    echo_wrapped(
        f"Progress  {bar(p['percent'] / 100)} {p['percent']:g}%  ",
        f"{hours(round(p['hours_earned'], 1))} of {hours(p['hours_total'])} h earned",
        " " * 10,
    )
    echo_wrapped(
        " " * 10, f"{p['milestones_done']} of {p['milestones_total']} milestones done{started}"
    )
    typer.echo(wrap("Pace      ", _pace_line(view)))
    typer.echo(wrap("Finish    ", finish_line(view)))
    at_rate = data["finish"]["at_your_rate"]
    if at_rate is not None and at_rate["finish"]:
        typer.echo(
            wrap(
                "          ",
                f"you take {at_rate['rate']:g}x the estimates ({at_rate['milestones']} "
                f"milestones); at that rate you finish {at_rate['finish']}",
            )
        )
    week = data["this_week"]
    streak = week["streak_weeks"]
    echo_wrapped(
        "This week ",
        f"{hours(round(week['hours_recorded'], 1))} of "
        f"{hours(round(week['hours_planned'], 1))} h studied; plan met {streak} "
        f"week{'s' if streak != 1 else ''} in a row",
    )
    for t in data["time_off"][:2]:
        what = "no study" if not t["hours_per_week"] else f"{hours(t['hours_per_week'])} h/week"
        echo_wrapped("Time off  ", f"{t['from']} to {t['to']} ({what})")
    if skills:
        if len(data["role_progress"]) > 1:
            typer.echo("\nRoles")
            _echo_bars([(r["id"], r) for r in data["role_progress"]], fold=False)
        if data["skills"]:
            typer.echo("\nSkills")
            _echo_bars([(sk["name"], sk) for sk in data["skills"]], fold=True)
    if data["skipped_known"]:
        text = ", ".join(i["id"] for i in data["skipped_known"])
        typer.echo("\n" + wrap("Skipped as known: ", text))
    if data["skipped"]:
        typer.echo(wrap("Skipped by you: ", ", ".join(i["id"] for i in data["skipped"])))
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
            "\n"
            + wrap(
                "",
                "You are more than a week of hours behind: the finish date has moved. "
                "See your options with `planner replan`, or record time off with "
                "`planner away FROM TO`.",
            )
        )
    elif not skills and data["skills"]:
        typer.echo("\nProgress per skill: `planner status --skills`.")


def _echo_bars(rows: list[tuple[str, dict[str, Any]]], *, fold: bool) -> None:
    """``  name ██████░░░░  60%  12/20 h`` lines, their columns aligned; a name that does
    not fit wraps when ``fold`` (skill names), an id never does."""
    from planner import cells

    table = [
        [name, "known", "", ""]
        if row.get("known")
        else [
            name,
            bar(row["percent"] / 100, 10),
            f"{row['percent']:g}%",
            f" {hours(row['hours_done'])}/{hours(row['hours_total'])} h",
        ]
        for name, row in rows
    ]
    _, lines = cells.table(
        table,
        terminal_width() - 2,
        right=[False, False, True, False],
        give={0: "text"} if fold else {},
        gap=1,
        header=False,
        cut=cut_mark(),
    )
    for line in lines:
        typer.echo(f"  {line}")


@command
def next_(ctx: typer.Context, json_: JsonOption = False) -> None:
    """Show this week's milestones: hours, why, when it is done, and where to start.

    In a plan for several roles, each milestone also says which of them it serves.

    \b
    Example: planner next
    """
    from planner.status import next_data
    from planner.store import load_view

    st = state(ctx)
    view = load_view(db=st.db, plan_name=st.plan_name, today=clock.today())
    data = next_data(view)
    if json_:
        echo_json(data)
        return
    if data["finished"]:
        echo_wrapped("", f"Nothing left to do in '{view.plan.name}': every milestone is done.")
        return
    week = data["week"]
    label = "This week" if week["number"] == data["current_week"] else "Coming up"
    if view.today < view.plan.start:
        label = f"The plan {_when(view)}; first"
    echo_wrapped(
        "", f"{label}: week {week['number']} ({week['start']} to {week['end']})", bold=True
    )
    titles = {role.id: role.title for role in view.curriculum.roles}
    for item in data["milestones"]:
        note = ""
        if item["hours_studied"]:
            note = (
                f" ({hours(round(item['hours_studied'], 1))} of {hours(item['hours'])} h studied"
                + (", continues)" if item["continues"] else ")")
            )
        elif item["continued"] or item["continues"]:
            note = f" of {hours(item['hours'])} h" + (" (continues)" if item["continues"] else "")
        title = f"{item['id']}: {item['title']}, {hours(item['hours_this_week'])} h{note}"
        typer.echo("\n" + wrap("", title, "  "))
        if len(titles) > 1:  # which of the plan's roles it serves
            serves = [titles[role] for role in item["roles"] if role in titles]
            typer.echo(wrap("  Serves:    ", ", ".join(serves)))
        typer.echo(wrap("  Why:       ", item["summary"]))
        typer.echo(wrap("  Done when: ", item["done_when"]))
        first = item["resources"][0]
        echo_wrapped("  Start:     ", f"{first['title']} ({first['kind']}) {first['url']}")


# --------------------------------------------------------------------------- recording


def _confirm(changes: list[Change], view: PlanView) -> None:
    for change in changes:
        known = view.state_of(change.milestone_id) == "known" if change.milestone_id else False
        back = "skipped as known again (--know)" if known else "back in the plan"
        spent = ""
        if change.action == "done" and change.hours:
            estimate = view.curriculum.by_id[change.milestone_id].hours
            spent = f", {hours(round(change.hours, 2))} h of {hours(estimate)} h estimated"
        words = {
            "done": f"Done: {change.milestone_id} ({change.title}) on {change.on}{spent}.",
            "already-done": f"Already done: {change.milestone_id} (on {change.on}).",
            "undone": f"Undone: {change.milestone_id} is {back}.",
            "unskipped": f"Unskipped: {change.milestone_id} is {back}.",
            "unstudied": (
                f"Took back {hours(change.hours or 0)} h of study on {change.milestone_id} "
                f"(recorded for {change.on})."
            ),
            "skipped": f"Skipped: {change.milestone_id} ({change.title}).",
            "already-skipped": f"Already skipped: {change.milestone_id}.",
            "noted": f"Noted on {change.milestone_id}.",
        }[change.action]
        typer.echo(wrap("", words))
    if any(change.action != "noted" for change in changes):
        typer.echo(progress_line(view))


Milestones = Annotated[
    list[str], typer.Argument(metavar="MILESTONE", help="Milestone ids (or unique prefixes).")
]
NoteOption = Annotated[
    str | None, typer.Option("--note", metavar="TEXT", help="A note to keep with it.")
]


@command
def done(
    ctx: typer.Context,
    milestones: Milestones,
    note: NoteOption = None,
    hours_spent: Annotated[
        float | None,
        typer.Option("--hours", metavar="HOURS", help="Hours you actually spent."),
    ] = None,
    on: Annotated[
        str | None,
        typer.Option("--on", metavar="YYYY-MM-DD", help="Day you finished it (default today)."),
    ] = None,
) -> None:
    """Mark milestones done; the plan is re-projected at once.

    \b
    Example: planner done python-programming --hours 30 --note "more than planned"
    """
    _record(ctx, "done", milestones, note=note, hours=hours_spent, on=parse_date(on, "--on"))


@command
def undo(
    ctx: typer.Context,
    milestones: Annotated[
        list[str] | None,
        typer.Argument(metavar="MILESTONE", help="Milestone ids (or unique prefixes)."),
    ] = None,
    away_on: Annotated[
        str | None,
        typer.Option("--away", metavar="YYYY-MM-DD", help="Take back the time off on this day."),
    ] = None,
) -> None:
    """Take back done, skipped or the latest study time on milestones, or time off.

    On a milestone, undo takes back done or skipped first, then study entries one at a
    time, newest first. Nothing is erased: the history keeps what was taken back.

    \b
    Example: planner undo python-programming
    """
    from planner.errors import UsageError

    if away_on is not None and milestones:
        msg = (
            "Undo time off and milestones in two commands: `planner undo --away DATE`, "
            "then `planner undo ID`."
        )
        raise UsageError(msg)
    if away_on is not None:
        from planner import progress

        st = state(ctx)
        change, view = progress.back(
            db=st.db,
            plan_name=st.plan_name,
            day=parse_date(away_on, "--away") or clock.today(),
            today=clock.today(),
        )
        echo_wrapped("", f"Took back the time off from {change.on} to {change.until}.")
        typer.echo(progress_line(view))
        return
    if not milestones:
        msg = "Name the milestones to undo, or --away DATE for time off."
        raise UsageError(msg)
    _record(ctx, "undo", milestones)


@command
def skip(ctx: typer.Context, milestones: Milestones, note: NoteOption = None) -> None:
    """Skip milestones you choose not to study; they count neither for nor against you.

    \b
    Example: planner skip r-programming --note "using Python only"
    """
    _record(ctx, "skip", milestones, note=note)


@command
def note(
    ctx: typer.Context,
    milestone: Annotated[
        str, typer.Argument(metavar="MILESTONE", help="Milestone id (or unique prefix).")
    ],
    text: Annotated[str, typer.Argument(metavar="TEXT", help="The note.")],
) -> None:
    """Keep a note on a milestone (it shows in `planner log`).

    \b
    Example: planner note deep-learning-pytorch "d2l book: finished chapter 3"
    """
    _record(ctx, "note", [milestone], note=text)


def _record(ctx: typer.Context, action: str, milestones: list[str], **options: Any) -> None:
    from planner import progress

    st = state(ctx)
    changes, view = progress.record(
        db=st.db,
        plan_name=st.plan_name,
        action=action,
        queries=milestones,
        today=clock.today(),
        **options,
    )
    _confirm(changes, view)


# --------------------------------------------------------------------------- history


@command
def log(
    ctx: typer.Context,
    json_: JsonOption = False,
    limit: Annotated[
        int | None,
        typer.Option("--limit", "-n", metavar="N", min=1, help="Only the newest N events."),
    ] = None,
) -> None:
    """Show the history of the active plan: study time, done, undo, skip, notes, time off.

    \b
    Example: planner log -n 20
    """
    from planner import service
    from planner.status import event_detail

    st = state(ctx)
    plan_name, events, estimates = service.plan_events(db=st.db, plan_name=st.plan_name, limit=None)
    earlier: dict[int, Any] = {}
    rows: list[dict[str, Any]] = []
    for e in events:
        rows.append(
            {
                "id": e.id,
                "at": _utc(e.at),
                "kind": e.kind,
                "milestone": e.milestone_id,
                "on": e.on_date.isoformat() if e.on_date else None,
                "until": e.until_date.isoformat() if e.until_date else None,
                "hours": e.hours,
                "ref_id": e.ref_id,
                "note": e.note,
                "detail": event_detail(e, earlier, estimates),
            }
        )
        if e.id is not None:
            earlier[e.id] = e
    if limit is not None:
        rows = rows[-limit:]
    if json_:
        echo_json({"plan": plan_name, "events": rows})
        return
    if not rows:
        echo_wrapped(
            "", f"No events yet in '{plan_name}'. Mark a milestone with `planner done ID`."
        )
        return
    zone = None  # the system's local time at each moment
    echo_table(
        ["WHEN", "EVENT", "MILESTONE", "DETAIL"],
        [
            [local_time(r["at"], zone), r["kind"], r["milestone"] or "(plan)", r["detail"]]
            for r in rows
        ],
        give={"DETAIL": "text"},
    )


@command
def plans(ctx: typer.Context, json_: JsonOption = False) -> None:
    """List your plans with their progress; the active one is marked with *.

    \b
    Example: planner plans
    """
    from planner import service
    from planner.status import status_data

    st = state(ctx)
    summaries = service.list_plans(db=st.db, plan_name=st.plan_name, today=clock.today())
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
        echo_wrapped("", "No plans yet. Start one with `planner start ROLE`.")
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
        give={"ROLES": "words", "PROJECTED FINISH": "words"},
    )
    for d in data:
        if d.get("unreadable"):
            typer.echo(f"Warning: {d['unreadable']}", err=True)


@command
def use(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The plan to make active.")],
) -> None:
    """Make a plan the active one (commands act on it unless --plan says otherwise).

    \b
    Example: planner use ai-architect
    """
    from planner import service

    used = service.use_plan(db=state(ctx).db, name=name)
    echo_wrapped("", f"Now using plan '{used}'.")


@command
def delete_plan(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="The plan to delete, with all its progress.")
    ],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete a plan and its whole history. This cannot be undone; it asks first.

    \b
    Example: planner delete-plan old-plan --yes
    """
    from planner import service

    if not yes:
        typer.confirm(
            f"Delete plan '{name}' and all of its progress? This cannot be undone", abort=True
        )
    count = service.delete_plan(db=state(ctx).db, name=name)
    echo_wrapped("", f"Deleted plan '{name}' and its {count} events.")
