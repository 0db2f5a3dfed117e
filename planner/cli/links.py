"""``planner curricula check-links``: whether the links of curricula still lead somewhere."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from planner.cli.command import Command
from planner.cli.output import echo_json, echo_wrapped, hours

if TYPE_CHECKING:
    from planner.links import Link, Summary


def check_links_command(
    refs: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="ROLE_OR_FILE",
            show_default=False,
            help="Role ids or curriculum files (default: every curriculum `planner "
            "curricula list` shows).",
        ),
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            metavar="SECONDS",
            show_default=False,
            help="Give up on a server after this long (each redirect too; default 10).",
        ),
    ] = 10.0,
    slow: Annotated[
        float,
        typer.Option(
            "--slow",
            metavar="SECONDS",
            show_default=False,
            help="Report links that take longer than this to answer (default 3).",
        ),
    ] = 3.0,
    concurrency: Annotated[
        int,
        typer.Option(
            "--concurrency",
            metavar="N",
            show_default=False,
            help="Requests at once (default 8; never more than 2 to one host).",
        ),
    ] = 8,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache", help="Check every link again, not only those unchecked for a day."
        ),
    ] = False,
    json_: Annotated[bool, typer.Option("--json", help="Print JSON (see the README).")] = False,
) -> None:
    """Check the resource and data-set links of curricula: dead, redirected, slow, no TLS.

    Each URL is requested once, however often it is listed; a role brings the modules
    it includes. Results are kept for a day (--no-cache checks again). Exits 1 when any
    link is dead (4xx or 5xx, host not found, refused, TLS failure, time-out), 0
    otherwise.

    \b
    Example: planner curricula check-links my-role.yaml
    Example: planner curricula check-links my-role.yaml --timeout 5 --json
    """
    import time

    from planner import links
    from planner.cli import version

    links.check_options(timeout=timeout, slow=slow, concurrency=concurrency)
    found, files = links.collect_links(refs or [])
    show = _progress if sys.stderr.isatty() else None
    checked = links.check_links(
        found,
        timeout=timeout,
        slow=slow,
        concurrency=concurrency,
        use_cache=not no_cache,
        now=time.time(),
        user_agent=f"planner/{version()} (curriculum link check)",
        progress=show,
    )
    if show is not None:
        typer.echo("\r\x1b[K", err=True, nl=False)
    summary = links.Summary.of(checked, files)
    if json_:
        echo_json({"summary": vars(summary), "links": [link.as_dict() for link in checked]})
    else:
        _echo_links(checked, summary)
    if summary.dead:
        raise typer.Exit(1)


def _progress(done: int, total: int) -> None:
    typer.echo(f"\r\x1b[KChecking links: {done} of {total}", err=True, nl=False)


def _echo_links(checked: list[Link], summary: Summary) -> None:
    """Each link with a finding, dead ones first, then one line of counts."""
    shown = sorted((link for link in checked if not link.ok), key=lambda link: not link.dead)
    for link in shown:
        o = link.outcome
        echo_wrapped("", link.url, bold=True)
        if link.dead:
            again = " (from the cache: --no-cache checks again)" if link.cached else ""
            echo_wrapped("  dead: ", f"{o.reason}{again}", " " * 8)
        if link.redirected and not link.dead:
            how = "from http to https, " if link.to_https else ""
            times = f"{o.redirects} redirect{'s' if o.redirects != 1 else ''}"
            echo_wrapped("  redirected: ", f"{how}{times}, to {o.final_url}", " " * 14)
        elif link.redirected:
            echo_wrapped("  redirected: ", f"{o.redirects} times, last to {o.final_url}", " " * 14)
        if link.slow:
            echo_wrapped("  slow: ", f"{_seconds(o.seconds)} (over {hours(link.slow_after)} s)")
        if link.plain_http:
            echo_wrapped("  no TLS: ", "served over plain http", " " * 10)
        for listing in link.listed:
            echo_wrapped("  listed in ", listing.where(), " " * 4)
        typer.echo("")
    counts = [
        f"{summary.dead} dead",
        f"{summary.redirected} redirected",
        f"{summary.slow} slow",
        f"{summary.plain_http} without TLS",
        f"{summary.ok} ok",
    ]
    cached = f", {summary.cached} of them from the cache" if summary.cached else ""
    noun = "link" if summary.links == 1 else "links"
    files = f"{len(summary.files)} file{'s' if len(summary.files) != 1 else ''}"
    echo_wrapped("", f"{summary.links} {noun} in {files}{cached}: {', '.join(counts)}.")


def _seconds(value: float) -> str:
    return f"{value:.1f} s to answer"


def register(app: typer.Typer) -> None:
    """Add ``check-links`` to the ``planner curricula`` group ``app``."""
    app.command("check-links", cls=Command)(check_links_command)
