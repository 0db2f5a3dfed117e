"""``planner curricula ...``: list, show, validate and describe curriculum files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from planner.cli.command import Command
from planner.cli.links import register as register_check_links
from planner.cli.output import echo_json, echo_table, echo_wrapped, hours

if TYPE_CHECKING:
    from planner.models import Curriculum, Level

app = typer.Typer(
    help="Browse and check the role curricula plans are built from.\n\n"
    "Example: planner curricula show ai-architect",
    no_args_is_help=True,
    rich_markup_mode=None,
    add_completion=False,
)


@app.command("list", cls=Command)
def list_command(
    json_: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List the curricula you can start a plan from.

    \b
    Example: planner curricula list
    """
    from planner import service

    entries = service.list_curricula()
    if json_:
        echo_json([e.as_dict() for e in entries])
        return
    rows = [
        [
            e.id,
            e.title if e.problem is None else "(invalid: run planner curricula validate)",
            e.kind,
            e.milestones,
            hours(e.hours),
            e.source,
        ]
        for e in entries
    ]
    echo_table(
        ["ID", "TITLE", "KIND", "MILESTONES", "HOURS", "SOURCE"],
        rows,
        give={"TITLE": "text", "SOURCE": "text"},
    )


@app.command("show", cls=Command)
def show_command(
    role: Annotated[
        str,
        typer.Argument(metavar="ROLE", help="A role id (or module id), or a .yaml path."),
    ],
    json_: Annotated[
        bool, typer.Option("--json", help="Print the full resolved curriculum as JSON.")
    ] = False,
) -> None:
    """Show a curriculum with everything it includes merged in.

    Lists its skills by id (the ids `planner start --know` takes), its milestones and
    its portfolio projects; what the role prepares for and its usual career path, where
    each milestone's hours come from, the weeks it needs at least, the hardware it or a
    project needs, and each data set's licence, where the curriculum gives them.

    \b
    Example: planner curricula show ai-architect
    Example: planner curricula show lead-ml-engineer --json
    """
    from planner.curriculum import load_curriculum

    curriculum = load_curriculum(role)
    if json_:
        echo_json(curriculum.model_dump(mode="json"))
        return
    echo_wrapped(
        "", f"{curriculum.title} ({curriculum.id}, version {curriculum.version})", bold=True
    )
    echo_wrapped("", curriculum.summary)
    if curriculum.profile is not None:
        typer.echo("")
        echo_wrapped("", curriculum.profile.definition)
        echo_wrapped("Industries: ", ", ".join(curriculum.profile.industries))
        echo_wrapped("Outlook: ", curriculum.profile.outlook.text)
        if curriculum.profile.level is not None:
            _echo_level(curriculum.profile.level)
    if curriculum.includes:
        echo_wrapped("Includes: ", ", ".join(curriculum.includes))
    if curriculum.skills:
        typer.echo("")
        echo_wrapped(
            "",
            f"{len(curriculum.skills)} skills (give the ones you have to "
            "`planner start --know SKILL,...`)",
        )
        typer.echo("")
        echo_table(
            ["SKILL", "NAME"], [[s.id, s.name] for s in curriculum.skills], give={"NAME": "text"}
        )
    optional = [m for m in curriculum.milestones if m.optional]
    core = (
        ""
        if not optional
        else (
            f" ({hours(curriculum.total_hours - sum(m.hours for m in optional))} without the "
            f"{len(optional)} optional)"
        )
    )
    typer.echo(
        f"\n{len(curriculum.milestones)} milestones, {hours(curriculum.total_hours)} hours{core}\n"
    )
    echo_table(
        ["MILESTONE", "HOURS", "REQUIRES", "TITLE"],
        [
            [m.id, hours(m.hours), ", ".join(m.requires) or "-", _title(m.title, m.optional)]
            for m in curriculum.milestones
        ],
        give={"REQUIRES": "words", "TITLE": "text"},
    )
    _echo_milestone_notes(curriculum)
    if curriculum.projects:
        typer.echo("")
        echo_table(
            ["PROJECT", "DIFFICULTY", "HOURS", "INDUSTRIES"],
            [
                [p.id, p.difficulty, hours(p.hours), ", ".join(p.industries)]
                for p in curriculum.projects
            ],
            give={"INDUSTRIES": "words"},
        )
        _echo_project_notes(curriculum)


def _title(title: str, optional: bool) -> str:
    return f"{title} (optional)" if optional else title


def _echo_level(level: Level) -> None:
    echo_wrapped("Prepares for: ", level.prepares_for)
    echo_wrapped("Usual path: ", " -> ".join(level.path))
    if level.note is not None:
        echo_wrapped("Note: ", level.note)


def _echo_milestone_notes(curriculum: Curriculum) -> None:
    """Each milestone's effort basis, spread and compute note, for those that give any."""
    for m in curriculum.milestones:
        if m.effort is None and m.min_weeks == 1 and m.compute is None:
            continue
        typer.echo("")
        echo_wrapped("", f"{m.id}: {m.title}")
        if m.effort is not None:
            echo_wrapped("  Effort: ", m.effort)
        if m.min_weeks > 1:
            echo_wrapped("  ", f"Spread over at least {m.min_weeks} weeks, alongside other work")
        if m.compute is not None:
            echo_wrapped("  Compute: ", m.compute)


def _echo_project_notes(curriculum: Curriculum) -> None:
    """Each project's compute note and data-set licences, for those that give any."""
    for p in curriculum.projects:
        licensed = [d for d in p.datasets if d.licence is not None]
        if p.compute is None and not licensed:
            continue
        typer.echo("")
        echo_wrapped("", f"{p.id}: {p.title}")
        if p.compute is not None:
            echo_wrapped("  Compute: ", p.compute)
        for d in licensed:
            echo_wrapped("  Data: ", f"{d.name}, licence: {d.licence}")


@app.command("validate", cls=Command)
def validate_command(
    files: Annotated[
        list[Path], typer.Argument(metavar="FILE", help="Curriculum YAML files to check.")
    ],
) -> None:
    """Check curriculum files and everything they include; print ok or every problem.

    Exits 0 only when every file is valid (3 otherwise).

    \b
    Example: planner curricula validate my-role.yaml
    """
    from planner.errors import CurriculumInvalid
    from planner.service import validate_files

    results = validate_files(files)
    failed = False
    for path, problems in results:
        if problems:
            failed = True
            for problem in problems:
                typer.echo(problem, err=True)
        else:
            echo_wrapped("", f"{path}: ok")
    if failed:
        raise typer.Exit(CurriculumInvalid.exit_code)


@app.command("schema", cls=Command)
def schema_command() -> None:
    """Print the JSON Schema of the curriculum file format (for editor validation).

    \b
    Example: planner curricula schema > curriculum.schema.json
    """
    from planner.models import CurriculumFile

    schema = CurriculumFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "planner curriculum"
    echo_json(schema)


register_check_links(app)
