"""Render a printable plan: one data model, one jinja2 Environment, one template per format.

Text from curricula, notes and names is data in the template context, never template
source: HTML autoescapes it, Markdown escapes it with the ``md`` filter, and text output
drops control characters. PDF is made from the HTML by WeasyPrint with a URL fetcher
that refuses everything, so a curriculum cannot pull local files or the network into it.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner import settings
from planner.errors import PlannerError, UsageError
from planner.faults import fault_point

if TYPE_CHECKING:
    import jinja2

FORMATS = ("txt", "md", "html", "pdf")
EXTENSIONS = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}
SUFFIXES = {"txt": "txt.j2", "md": "md.j2", "html": "html.j2"}
WIDTH = 80  # the text form's width when no terminal says otherwise (a file)

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 but tab and LF, DEL, C1
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_MD_START = re.compile(r"^([#+=-])")
_MD_NUMBERED = re.compile(r"^(\d+)([.)])")


def plain(value: object) -> str:
    """Text for the terminal or a .txt file: one line, no control characters."""
    return " ".join(_CONTROL.sub(" ", str(value)).split())


def md(value: object) -> str:
    """Markdown-escape user text so it renders literally and never as HTML."""
    text = _MD_SPECIAL.sub(r"\\\1", plain(value))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_NUMBERED.sub(r"\1\\\2", _MD_START.sub(r"\\\1", text))


def md_url(value: object) -> str:
    """A URL safe inside ``[text](url)``: http(s) only; parentheses, spaces and backslashes
    (which would escape the closing parenthesis) encoded."""
    url = safe_url(value)
    for char, code in ((" ", "%20"), ("(", "%28"), (")", "%29"), ("<", "%3C"), ("\\", "%5C")):
        url = url.replace(char, code)
    return url


def safe_url(value: object) -> str:
    """Only http(s) URLs become links; anything else becomes an inert ``#``."""
    url = plain(value)
    return url if re.match(r"^https?://[^\s\"'<>`]+$", url, re.IGNORECASE) else "#"


@cache
def environment() -> jinja2.Environment:
    """The one jinja2 Environment: StrictUndefined, autoescape for HTML templates."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(settings.templates_dir())),
        bytecode_cache=_bytecode_cache(),
        undefined=jinja2.StrictUndefined,
        # Every template but the text and Markdown ones is escaped as HTML, partials
        # (_wall.svg.j2, _print.css.j2) included: a partial is escaped by its own name,
        # not by the page that includes it.
        autoescape=jinja2.select_autoescape(
            disabled_extensions=("txt.j2", "md.j2"), default_for_string=True, default=True
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    filters: dict[str, Callable[[Any], str]] = {
        "plain": plain,
        "md": md,
        "md_url": md_url,
        "safe_url": safe_url,
        "hours": format_hours,
    }
    env.filters.update(filters)
    env.filters["wrap"] = jinja2.pass_context(wrap_lines)
    env.filters["css_string"] = css_string
    return env


def wrap_lines(context: Any, text: str, indent: int | str = 0) -> str:
    """The ``wrap`` filter: ``text`` (a line, its leading spaces kept) wrapped to the
    ``width`` the template was rendered at, later lines indented by ``indent`` (cells,
    or the text itself); ends with a newline, as the line it replaces did."""
    from planner import cells

    rest = " " * indent if isinstance(indent, int) else indent
    body = text.strip("\n")
    first = body[: len(body) - len(body.lstrip(" "))]
    lines = cells.wrap(body, int(context.get("width", WIDTH)), first, rest)
    return "\n".join(lines) + "\n"


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates in ``<home>/cache/templates``; jinja2 checks each against its
    template's source. Used only in a folder of the user's own that no one else can
    write to (compiled templates are code), and any failure to read or write it only
    means compiling again."""
    import jinja2

    from planner import cache

    folder = cache.folder() / "templates"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        info = folder.stat()
    except OSError:
        return None
    getuid = getattr(os, "getuid", None)
    if getuid is not None and (info.st_uid != getuid() or info.st_mode & 0o022):
        return None
    if not os.access(folder, os.W_OK | os.X_OK):
        return None

    class QuietCache(jinja2.FileSystemBytecodeCache):
        def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception:  # noqa: BLE001 - a damaged entry is compiled again
                bucket.reset()

        def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            with contextlib.suppress(Exception):
                super().dump_bytecode(bucket)

    return QuietCache(str(folder))


def css_string(value: object) -> Any:
    """User text as a quoted CSS string (for ``content:`` in a stylesheet).

    Every character but ASCII letters and digits becomes a six-digit hex escape (spaces
    too: a space after an escape would be read as its end) and control characters are
    dropped, so nothing can end the string, the rule or the style element.
    """
    from markupsafe import Markup

    body = "".join(c if c.isascii() and c.isalnum() else f"\\{ord(c):06x}" for c in plain(value))
    return Markup(f'"{body}"')  # noqa: S704 - only letters, digits and escapes remain


def format_hours(value: float) -> str:
    return f"{value:g}" if value == round(value, 2) else f"{value:.2f}"


def render(fmt: str, context: dict[str, Any], document: str = "plan", width: int = WIDTH) -> str:
    """Render ``templates/<document>.<fmt>.j2`` (fmt: txt, md or html) with ``context``;
    text lines are wrapped to ``width`` cells (Markdown and HTML are not: their readers
    reflow them)."""
    template = environment().get_template(f"{document}.{SUFFIXES[fmt]}")
    return template.render(width=width, **context)


def html_to_pdf(html: str, on_step: Callable[[str], None] | None = None) -> bytes:
    """PDF bytes from self-contained HTML; every external fetch is refused. ``on_step``,
    if given, is called with what is being done as each step begins: "Laying out the
    pages", then "Writing N pages" (or "Writing 1 page")."""
    step = on_step or (lambda text: None)
    step("Laying out the pages")
    try:
        from weasyprint import HTML
    except OSError as exc:  # Pango or its friends are missing
        msg = (
            f"PDF output needs the Pango text library ({exc}). Install it (Debian/Ubuntu: "
            "apt install libpango-1.0-0 libpangoft2-1.0-0) or use --format html and print "
            "from a browser."
        )
        raise PlannerError(msg) from None
    # WeasyPrint's line breaking fails an assertion on U+2029 (paragraph separator) after
    # a space ("Got ' \u2029' between two lines"); in one-line fields it means a space.
    html = html.replace("\u2029", " ")
    document = HTML(string=html, url_fetcher=_refusing_fetcher(), base_url=None).render()
    pages = len(document.pages)
    step(f"Writing {pages} page{'' if pages == 1 else 's'}")
    pdf = document.write_pdf()
    assert isinstance(pdf, bytes)
    return pdf


def _refusing_fetcher() -> Any:
    """A WeasyPrint URL fetcher that fetches nothing: no file://, data: or network reads."""

    def refuse(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        msg = f"refused to fetch {url!r}: a plan is self-contained"
        raise ValueError(msg)

    try:
        from weasyprint.urls import URLFetcher
    except ImportError:  # WeasyPrint < 68 takes a plain function
        return refuse

    class Refusing(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            return refuse(url)

    return Refusing(allowed_protocols=())


def format_for(output: Path | None, fmt: str | None) -> str:
    """The format: ``--format`` if given, else the output's extension, else text."""
    if fmt is not None:
        fmt = fmt.lower()
        if fmt not in FORMATS:
            msg = f"--format must be one of {', '.join(FORMATS)} (got '{fmt}')."
            raise UsageError(msg)
        return fmt
    if output is None:
        return "txt"
    found = EXTENSIONS.get(output.suffix.lower())
    if found is None:
        msg = (
            f"Cannot tell the format from '{output.name}'. Use a .html, .pdf, .md or .txt "
            "file name, or say --format."
        )
        raise UsageError(msg)
    return found


def check_output(path: Path, example: str = "plan.html") -> Path:
    """Refuse output paths that cannot be written, before any work is done; a folder is
    answered with ``example`` (a file name) in it. Raises UsageError."""
    if path.is_dir():
        msg = f"{path} is a folder; give a file name, e.g. {path / example}."
        raise UsageError(msg)
    parent = path.parent
    if not parent.is_dir():
        msg = f"The folder {parent} does not exist; create it first or choose another path."
        raise UsageError(msg)
    if path.exists() and not path.is_file():
        msg = f"{path} exists and is not a regular file; choose another path."
        raise UsageError(msg)
    return path


def write_atomically(path: Path, data: bytes) -> Path:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place.

    A reader (or a crash) sees the complete old file or the complete new one. A symlink
    at ``path`` is followed, so the file it points to is replaced and the link kept.
    """
    target = path.resolve() if path.is_symlink() else path
    check_output(target)
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        msg = f"Cannot write to {target.parent}: {exc.strerror}. Choose another folder."
        raise UsageError(msg) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        Path(temp).chmod(0o644)  # mkstemp makes it 0600
        fault_point("output-before-rename")
        Path(temp).replace(target)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        msg = f"Cannot write {target}: {exc.strerror}. Nothing was changed."
        raise UsageError(msg) from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target
