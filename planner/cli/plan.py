"""``planner plan``: the printable plan as text, Markdown, HTML or PDF."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from planner.cli import clock
from planner.cli.command import command
from planner.cli.output import echo_warnings, echo_wrapped, terminal_width
from planner.cli.state import state
from planner.cli.status_line import StatusLine, ellipsis

if TYPE_CHECKING:
    from planner.fonts import Gap


@command
def plan(
    ctx: typer.Context,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", metavar="html|pdf|md|txt", help="Output format (default: txt)."
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", metavar="FILE", help="Write to FILE; its extension sets the format."
        ),
    ] = None,
    weeks: Annotated[
        int | None, typer.Option("--weeks", metavar="N", help="Only N weeks from this one.")
    ] = None,
    paper: Annotated[
        str, typer.Option("--paper", metavar="a4|letter", help="Paper size for HTML and PDF.")
    ] = "a4",
) -> None:
    """Write your dated plan, with your progress on it, to print or share.

    \b
    Example: planner plan --output plan.pdf
    """
    from planner import renderer, service
    from planner.errors import UsageError

    if output is not None:
        renderer.check_output(output.resolve() if output.is_symlink() else output)
    state(ctx).will_write(output)
    chosen = renderer.format_for(output, fmt)
    if paper.lower() not in ("a4", "letter"):
        msg = f"--paper must be a4 or letter (got '{paper}')."
        raise UsageError(msg)
    if output is None and chosen == "pdf":
        msg = "PDF is binary; give a file with --output, e.g. --output plan.pdf."
        raise UsageError(msg)
    st = state(ctx)
    options: dict[str, Any] = {
        "db": st.db,
        "plan_name": st.plan_name,
        "today": clock.today(),
        "weeks": weeks,
        "paper": "A4" if paper.lower() == "a4" else "Letter",
    }
    if chosen == "pdf":
        data = _pdf(options)
    else:
        width = terminal_width() if output is None else 80
        data = service.render_plan(fmt=chosen, width=width, **options)
    if output is None:
        typer.echo(data.decode("utf-8"), nl=False)
        return
    written = renderer.write_atomically(output, data)
    echo_wrapped("", f"Wrote {written}")


def _pdf(options: dict[str, Any]) -> bytes:
    """The plan as PDF, made from its HTML: first a warning for each script in it that no
    installed font can draw, then the PDF, with its steps on a status line."""
    from planner import fonts, renderer, service

    html = service.render_plan(fmt="html", **options).decode("utf-8")
    echo_warnings([_font_warning(gap) for gap in fonts.find_gaps(html)])
    with StatusLine() as status:
        return renderer.html_to_pdf(html, on_step=status.show)


EXAMPLES = 6  # characters a font warning shows


def _font_warning(gap: Gap) -> str:
    """``no installed font can draw the CJK text in this plan (<its first characters>); it
    would print as boxes. Install a font that covers it (Debian/Ubuntu: apt install
    fonts-noto-cjk) and run planner plan again.``"""
    what, plural = {
        "emoji": ("the emoji", True),
        "symbols": ("the symbols", True),
        "private use": ("the private-use characters", True),
        "unknown": ("some of the characters", True),
    }.get(gap.script, (f"the {gap.script} text", False))
    it, them = ("they", "them") if plural else ("it", "it")
    shown = "".join(gap.chars[:EXAMPLES]) + (ellipsis() if len(gap.chars) > EXAMPLES else "")
    where = f" (Debian/Ubuntu: apt install {gap.package})" if gap.package else ""
    return (
        f"no installed font can draw {what} in this plan ({shown}); {it} would print as "
        f"boxes. Install a font that covers {them}{where} and run planner plan again."
    )
