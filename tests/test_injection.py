"""Hostile text from curricula and plan names, rendered into every output format.

Generated titles, summaries, done-when lines, resource titles, role and project text, the
optional notes (a milestone's effort basis and compute note, a project's compute note, a
data set's licence, a role's level: what it prepares for, its career path and note) and
plan names are full of markup (``<script>``, ``on*=`` handlers), ``javascript:`` and
``data:`` URLs written as text, template syntax (``{{ }}``, ``{% %}``), CR/LF, NUL and
other control characters, right-to-left marks and emoji; resource and dataset URLs are
hostile too. Each example is rendered and checked:

- HTML (parsed with ``html.parser``): the element and attribute skeleton is exactly that
  of the same plan with harmless text, so no script element, event-handler attribute or
  other markup comes from user text; every link is http(s) or ``#``; every text reads back
  unchanged, template syntax included (so it was never evaluated).
- Markdown: no raw HTML outside code, no link to anything but http(s) or ``#``, the line
  structure of the harmless plan, and every text reads back once Markdown's escapes are
  undone.
- Text: no control characters, the harmless plan's lines, every text on one line.
- PDF (fewer examples: it is slow): no JavaScript, launch actions or embedded files, and
  only http(s) links.
- ICS (``planner.calendar``): lines of at most 75 octets, the harmless plan's properties,
  and every text decodes back to what was written, less the control characters RFC 5545
  forbids. Plan names here are ones ``planner start --name`` accepts (no character below
  U+0020): ``to_ics`` fails on a name with a line break, which cannot be stored today.

2,000 examples for each of HTML, Markdown, text and ICS (1 in 100 of that for PDF, 1 in
20 for the whole pipeline) come from a hypothesis settings profile (``injection``;
``PLANNER_INJECTION_EXAMPLES`` changes the number for a quick local run).
To keep 2,000 examples affordable, the view is built once, with ``planner.view.build_view``
over a curriculum file on ``PLANNER_CURRICULA_PATH``, and each example's text is put into the
report (or view) with ``dataclasses.replace``: the same templates and filters, without
re-reading YAML each time. ``test_text_survives_the_whole_pipeline`` does the slow thing for
fewer examples: text written to a curriculum file, loaded, scheduled, reported, rendered.
``pytest -s`` prints the figures ("html: 2000 of 2000 examples clean", ...).
"""

from __future__ import annotations

import dataclasses
import html
import html.parser
import os
import re
import shutil
import subprocess
import tempfile
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from planner import curriculum, renderer
from planner.history import Activity, Note
from planner.models import Dataset, Resource
from planner.outline import short_url
from planner.projects import rank_projects
from planner.queries import MilestoneState
from planner.report import Report, build_report
from planner.view import PlanInfo, PlanView, build_view
from tests.conftest import FIXTURE_CURRICULA
from tests.conftest import report as report_figure

try:
    from planner import calendar as planner_calendar
except ImportError:  # another engineer is writing it
    planner_calendar = None  # type: ignore[assignment]

HAS_CALENDAR = planner_calendar is not None and all(
    hasattr(planner_calendar, name) for name in ("plan_sessions", "to_ics")
)
needs_calendar = pytest.mark.skipif(
    not HAS_CALENDAR,
    reason="planner/calendar.py with plan_sessions and to_ics does not exist yet, so there is "
    "no ICS output to test",
)

EXAMPLES = int(os.environ.get("PLANNER_INJECTION_EXAMPLES", "2000"))
settings.register_profile(
    "injection",
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("injection-ics", settings.get_profile("injection"), max_examples=EXAMPLES)
settings.register_profile(
    "injection-pdf", settings.get_profile("injection"), max_examples=max(1, EXAMPLES // 100)
)
settings.register_profile(
    "injection-pipeline", settings.get_profile("injection"), max_examples=max(1, EXAMPLES // 20)
)

START = date(2026, 1, 5)
TODAY = date(2026, 1, 21)  # week 3 of the plan

# --------------------------------------------------------------------------- hostile text

ATOMS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    "<iframe src=data:text/html,x>",
    '" onmouseover="alert(1)',
    "' onfocus='alert(1)' autofocus='",
    "onclick=alert(1)",
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    "data:text/html;base64,PHNjcmlwdD4=",
    "[link](javascript:alert(1))",
    "![x](data:image/svg+xml,x)",
    "<javascript:alert(1)>",
    "<https://evil.example>",
    "{{ 7*7 }}",
    "{{ config }}",
    "{% include '/etc/passwd' %}",
    "{% raw %}",
    "{# note #}",
    "{{",
    "}}",
    "{%",
    "%}",
    "\r\n",
    "\n",
    "\r",
    "\x00",
    "\x07",
    "\x1b[31m",
    "\x1b]0;title\x07",
    "\x9b2J",
    "\x85",
    "\u2028",
    "\u2029",
    "\u202e",
    "\u202d",
    "\u200f",
    "\u200e",
    "\u061c",
    "\u2066",
    "\u2069",
    "\ufeff",
    "\u200b",
    "📚",
    "🚀",
    "👩\u200d💻",
    "🏳️\u200d🌈",
    "&amp;",
    "&lt;b&gt;",
    "&#x3C;script&#x3E;",
    "<!--",
    "-->",
    "<![CDATA[x]]>",
    "</li></ul>",
    "</style><script>x</script>",
    "</title>",
    "# heading",
    "| a | b |",
    "1. ",
    "2) ",
    "- [x] ",
    "> ",
    "```",
    "`",
    "*",
    "_",
    "~",
    "\\",
    "<",
    ">",
    "&",
    '"',
    "'",
    "\t",
    "  ",
]
hostile = st.lists(
    st.one_of(st.sampled_from(ATOMS), st.text(max_size=12)), min_size=1, max_size=6
).map("".join)

BAD_URLS = [
    "javascript:alert(1)",
    "JAVASCRIPT:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "javascript&colon;alert(1)",
    "data:text/html;base64,PHNjcmlwdD4=",
    "DATA:image/svg+xml,<svg onload=alert(1)>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "//evil.example/x",
    "https:/evil.example",
    "http://exa mple.org/",
    'https://e.example/"onmouseover="alert(1)',
    "https://e.example/<script>",
    "https://e.example/\nx",
]
URL_PIECES = st.one_of(
    st.sampled_from(
        ["(", ")", "\\", "`", "{{", "}}", "{%", "&", "javascript:", "?a=b", "#x", "%20", "*", "_"]
        + ["[", "]", "|", "~", "<", ">", '"', "'", " ", "\n", "📚", "\u202e"]
    ),
    st.text(max_size=6),
)
# Valid by the schema, and each a way to end a Markdown link early or break out of it.
TRICKY_URLS = [
    "https://example.org/a\\",
    "https://example.org/a\\)",
    "https://example.org/a_(b)",
    "https://example.org/)](javascript:alert(1))",
    "https://example.org/`x`",
    "https://example.org/[x]*y*_z_",
]
urls = st.one_of(
    st.sampled_from(BAD_URLS),
    st.sampled_from(TRICKY_URLS),
    st.builds(
        "".join,
        st.tuples(
            st.sampled_from(["http://", "https://", "HTTPS://"]),
            st.lists(URL_PIECES, min_size=1, max_size=5).map("".join),
        ),
    ),
)


@dataclasses.dataclass(frozen=True)
class Texts:
    """One example: a text for every user-written field a plan shows."""

    name: str
    title: str
    summary: str
    done_when: str
    resource: str
    role: str
    definition: str
    project: str
    project_summary: str
    dataset: str
    effort: str
    compute: str
    project_compute: str
    licence: str
    prepares_for: str
    path_step: str
    level_note: str
    note: str
    url: str

    def shown(self) -> list[str]:
        """The texts that are shown as text (the URL is a link target)."""
        return [getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "url"]


texts = st.builds(
    Texts,
    **{f.name: hostile for f in dataclasses.fields(Texts) if f.name != "url"},
    url=urls,
)
# What `planner start --name` accepts: stripped, 1 to 100 characters, none below U+0020
# (so no CR or LF; DEL, C1 controls and everything else are allowed).
plan_names = (
    hostile.map(lambda s: "".join(ch for ch in s if ord(ch) >= 32).strip()[:100])
    .map(str.strip)
    .filter(bool)
)
ics_texts = texts.flatmap(lambda t: plan_names.map(lambda name: dataclasses.replace(t, name=name)))
HARMLESS = Texts(**{f.name: "x" for f in dataclasses.fields(Texts)} | {"url": "https://e.org/"})


# --------------------------------------------------------------------------- the plan


def plan_info(name: str = "Ada's plan") -> PlanInfo:
    """The plan's settings, with the tiny role as found on the search path now."""
    return PlanInfo(
        name=name,
        roles=("tiny-role",),
        hours_per_week=8,
        start=START,
        known_skills=(),
        industry="Healthcare",
        created_at=datetime(2026, 1, 5, tzinfo=UTC),
        curriculum_versions={},
        curricula=(curriculum.load_role("tiny-role"),),
    )


STATES = {
    "python-basics": MilestoneState(
        kind="done", on_date=date(2026, 1, 7), at=datetime(2026, 1, 7, tzinfo=UTC), hours=5
    ),
    "deploy-model": MilestoneState(
        kind="skipped", on_date=None, at=datetime(2026, 1, 8, tzinfo=UTC), hours=None
    ),
}


def write_curriculum(folder: Path, t: Texts) -> None:
    """The tiny test role and its module, with ``t`` in every text field."""
    base = yaml.safe_load((FIXTURE_CURRICULA / "tiny-base.yaml").read_text())
    role = yaml.safe_load((FIXTURE_CURRICULA / "tiny-role.yaml").read_text())
    for milestone in base["milestones"] + role["milestones"]:
        milestone.update(title=t.title, summary=t.summary, done_when=t.done_when)
        milestone.update(effort=t.effort, compute=t.compute)
        milestone["resources"][0].update(title=t.resource, url=t.url)
    role.update(title=t.role)
    role["profile"]["definition"] = t.definition
    level = {"prepares_for": t.prepares_for, "path": [t.path_step] * 2, "note": t.level_note}
    role["profile"]["level"] = level
    for project in role["projects"]:
        project.update(title=t.project, summary=t.project_summary, compute=t.project_compute)
        project["datasets"][0].update(name=t.dataset, url=t.url, licence=t.licence)
    for name, data in (("tiny-base", base), ("tiny-role", role)):
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")


def load_view(folder: Path, name: str) -> PlanView:
    """A view built the way the commands build it, from the curriculum files in ``folder``."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PLANNER_CURRICULA_PATH", str(folder))
        curriculum._resolved.clear()  # noqa: SLF001
        curriculum._file_cache.clear()  # noqa: SLF001
        try:
            plain_view = build_view(plan_info(name), STATES, TODAY)
            ids = [m.id for m in plain_view.curriculum.milestones]
            # a note on every milestone, so the notes of the printed plan are checked too
            notes = tuple(Note(mid, "a note", datetime(2026, 1, 2, tzinfo=UTC)) for mid in ids)
            return build_view(plan_info(name), STATES, TODAY, Activity(notes=notes))
        finally:
            curriculum._resolved.clear()  # noqa: SLF001
            curriculum._file_cache.clear()  # noqa: SLF001


@pytest.fixture(scope="module")
def view(tmp_path_factory: pytest.TempPathFactory) -> PlanView:
    folder = tmp_path_factory.mktemp("curricula")
    write_curriculum(folder, HARMLESS)
    return load_view(folder, HARMLESS.name)


@pytest.fixture(scope="module")
def report(view: PlanView) -> Report:
    return build_report(view, rank_projects(view))


def with_texts(report: Report, t: Texts) -> Report:
    """``report`` with ``t`` in every user-written text (and every link target)."""
    r = dataclasses.replace
    return r(
        report,
        name=t.name,
        roles=tuple(
            r(
                role,
                title=t.role,
                definition=t.definition,
                prepares_for=t.prepares_for,
                path=(t.path_step, t.path_step),
                level_note=t.level_note,
            )
            for role in report.roles
        ),
        weeks=tuple(
            r(
                week,
                items=tuple(
                    r(
                        item,
                        title=t.title,
                        summary=t.summary,
                        done_when=t.done_when,
                        effort=t.effort,
                        compute=t.compute,
                        resources=tuple(r(x, title=t.resource, url=t.url) for x in item.resources),
                        notes=tuple(r(n, text=t.note) for n in item.notes),
                    )
                    for item in week.items
                ),
            )
            for week in report.weeks
        ),
        milestones=tuple(
            r(
                m,
                title=t.title,
                summary=t.summary,
                done_when=t.done_when,
                effort=t.effort,
                compute=t.compute,
                resources=tuple(
                    r(x, title=t.resource, url=t.url, short=short_url(t.url)) for x in m.resources
                ),
                notes=tuple(r(n, text=t.note) for n in m.notes),
            )
            for m in report.milestones
        ),
        wall=r(
            report.wall,
            pages=tuple(
                r(page, bars=tuple(r(bar, title=t.title) for bar in page.bars))
                for page in report.wall.pages
            ),
        )
        if report.wall is not None
        else None,
        skipped_known=tuple((mid, t.title) for mid, _ in report.skipped_known),
        skipped=tuple((mid, t.title) for mid, _ in report.skipped),
        projects=tuple(
            r(
                p,
                title=t.project,
                summary=t.project_summary,
                compute=t.project_compute,
                datasets=tuple(
                    r(d, title=t.dataset, url=t.url, licence=t.licence) for d in p.datasets
                ),
            )
            for p in report.projects
        ),
    )


def render(fmt: str, report: Report) -> str:
    """Text too wide to wrap: a line user text adds would come from the text itself."""
    return renderer.render(fmt, {"plan": report}, width=10**6)


class Tally:
    """Counts the examples of one test, run under the settings profile ``profile``."""

    def __init__(self, label: str, profile: str) -> None:
        self.label, self.run, self.clean = label, 0, 0
        self.settings = settings.get_profile(profile)

    def check(self, function: Callable[..., None], *args: Any) -> None:
        self.run += 1
        function(*args)
        self.clean += 1

    def report(self) -> None:
        """Print the figure; fail unless every example ran clean, and all of them ran."""
        report_figure(f"{self.label}: {self.clean} of {self.run} examples clean")
        assert self.clean == self.run >= self.settings.max_examples


# --------------------------------------------------------------------------- what is clean

CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")  # C0 (but line feed), DEL, C1


def one_line(text: str) -> str:
    """What text output may show of ``text``: control characters as spaces, whitespace
    collapsed (so one line, and nothing a terminal takes as a command)."""
    return " ".join(re.sub(r"[\x00-\x1f\x7f-\x9f]", " ", text).split())


def is_web_link(url: str) -> bool:
    """An http(s) URL with nothing in it that could end an attribute or a Markdown link,
    and no control character."""
    return re.fullmatch(r"https?://[^\s\"'<>`\x00-\x1f\x7f-\x9f]+", url, re.IGNORECASE) is not None


class Page(html.parser.HTMLParser):
    """Tags and attribute names in order (the skeleton), attributes and text."""

    def __init__(self, document: str) -> None:
        super().__init__(convert_charrefs=True)
        self.skeleton: list[tuple[str, ...]] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []
        self.feed(document)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.skeleton.append(("<", tag, *sorted(name for name, _ in attrs)))
        self.attrs.extend(attrs)

    def handle_endtag(self, tag: str) -> None:
        self.skeleton.append(("/", tag))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.skeleton.append(("<!--",))

    def handle_decl(self, decl: str) -> None:
        self.skeleton.append(("<!", decl))

    def handle_pi(self, data: str) -> None:
        self.skeleton.append(("<?",))

    def unknown_decl(self, data: str) -> None:
        self.skeleton.append(("<![",))


def check_html(document: str, t: Texts, harmless: Page) -> None:
    page = Page(document)
    assert page.skeleton == harmless.skeleton, "user text changed the HTML elements"
    tags = {step[1] for step in page.skeleton if step[0] == "<"}
    assert not tags & {"script", "iframe", "object", "embed", "img", "form", "base"}, tags
    assert not [name for name, _ in page.attrs if name.lower().startswith("on")]
    links = [v or "" for n, v in page.attrs if n in ("href", "src", "xlink:href", "action")]
    assert links, "the plan has links"
    in_page = re.compile(r"#[a-z]+(-\d+)?")  # the plan's own anchors: #week-3, #milestones
    assert all(link == "#" or in_page.fullmatch(link) or is_web_link(link) for link in links)
    shown = "".join(page.text)
    for text in t.shown():
        assert text in shown, f"{text!r} does not read back from the HTML"


MD_ESCAPED = re.compile(r"\\(.)", re.DOTALL)
# A fenced code block, as CommonMark reads one: its content is literal text (the plan's
# overview), up to the first line of at least as many backticks as opened it.
MD_FENCED = re.compile(r"^(`{3,})[^`\n]*\n.*?^ {0,3}\1`*[ \t]*$", re.MULTILINE | re.DOTALL)


def code_blocks(markdown: str) -> list[int]:
    """How many lines each fenced code block of ``markdown`` spans, in order."""
    return [m[0].count("\n") for m in MD_FENCED.finditer(markdown)]


def md_read_back(document: str) -> str:
    """Undo what ``md`` does to text: backslash escapes, then the three entities."""
    text = MD_ESCAPED.sub(r"\1", document)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def md_shape(line: str) -> str:
    """What makes a Markdown line a heading, list item, table row or paragraph."""
    match = re.match(r"\s*(#{1,6} |[-+*] \[[ x]\] |[-+*] |\d{1,9}[.)] |\||>|```|~~~)?", line)
    return match.group(0) if match else ""


def md_link_targets(document: str) -> Iterator[str]:
    r"""The target of every ``[text](target)``: after each ``](`` whose ``]`` is not
    backslash-escaped (in ``\\](`` the backslash is escaped, so the bracket is real), up to
    the first ``)`` that is not escaped either."""
    starts, escaped = [], False
    for index, char in enumerate(document):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "]" and document.startswith("(", index + 1):
            starts.append(index + 2)
    for start in starts:
        target, escaped = "", False
        for char in document[start:]:
            if char == ")" and not escaped:
                break
            escaped = char == "\\" and not escaped
            target += char
        yield target


def check_markdown(document: str, t: Texts, harmless: str) -> None:
    assert [md_shape(x) for x in document.split("\n")] == [
        md_shape(x) for x in harmless.split("\n")
    ], "user text changed the Markdown structure"
    assert code_blocks(document) == code_blocks(harmless), "user text ended a code block"
    document_outside = MD_FENCED.sub("", document)
    outside_code = re.sub(r"`[^`\n]*`", "", MD_ESCAPED.sub("", document_outside))
    raw = re.search(r"<[A-Za-z/!?]", outside_code)
    assert raw is None, f"raw HTML in Markdown: {outside_code[raw.start() : raw.start() + 40]!r}"
    targets = list(md_link_targets(document_outside))
    assert targets, "the plan has links"
    for target in targets:
        assert target == "#" or (is_web_link(target) and not re.search(r"[()]", target)), target
    shown = md_read_back(document)
    for text in t.shown():
        assert one_line(text) in shown, f"{text!r} does not read back from the Markdown"


def check_text(document: str, t: Texts, harmless: str) -> None:
    control = CONTROL.search(document)
    assert control is None, f"control character {control.group()!r} in text output"
    assert len(document.split("\n")) == len(harmless.split("\n")), "user text added lines"
    for text in t.shown():
        assert one_line(text) in document, f"{text!r} is not in the text output"


# --------------------------------------------------------------------------- HTML, MD, text

FORMAT_LABELS = {"html": "html", "md": "markdown", "txt": "text"}


def test_hostile_text_renders_as_text(report: Report) -> None:
    """HTML, Markdown and text from the same examples (drawing an example costs more than
    rendering it three times); each format keeps its own tally."""
    harmless = with_texts(report, HARMLESS)
    formats: list[tuple[str, Callable[[str, Texts, Any], None], Any]] = [
        ("html", check_html, Page(render("html", harmless))),
        ("md", check_markdown, render("md", harmless)),
        ("txt", check_text, render("txt", harmless)),
    ]
    tallies = {fmt: Tally(label, "injection") for fmt, label in FORMAT_LABELS.items()}

    @tallies["html"].settings
    @given(t=texts)
    def example(t: Texts) -> None:
        report_t = with_texts(report, t)
        for fmt, check, harmless_form in formats:
            tallies[fmt].check(check, render(fmt, report_t), t, harmless_form)

    example()
    for tally in tallies.values():
        tally.report()


@pytest.mark.parametrize("url", TRICKY_URLS)
def test_markdown_links_end_where_they_should(report: Report, url: str) -> None:
    """Found by the examples above: a URL ending in a backslash escaped the closing ``)``."""
    t = dataclasses.replace(HARMLESS, url=url)
    check_markdown(
        render("md", with_texts(report, t)), t, render("md", with_texts(report, HARMLESS))
    )


def test_template_syntax_is_shown_not_run(report: Report) -> None:
    """The one case spelled out: what would be 42042 if evaluated stays ``{{ 7007*6 }}``."""
    t = dataclasses.replace(
        HARMLESS, title="{{ 7007*6 }}", summary="{% if true %}evaluated{% endif %}"
    )
    for fmt in ("html", "md", "txt"):
        document = render(fmt, with_texts(report, t))
        assert "42042" not in document
        assert ("{{ 7007\\*6 }}" if fmt == "md" else "{{ 7007*6 }}") in document
        assert "{% if true %}evaluated{% endif %}" in document


OPTIONAL_NOTES = (
    "effort",
    "compute",
    "project_compute",
    "licence",
    "prepares_for",
    "path_step",
    "level_note",
)


@pytest.mark.parametrize("field", OPTIONAL_NOTES)
def test_markup_in_an_optional_note_is_text(report: Report, field: str) -> None:
    """Each optional note spelled out: a script in it is escaped text in HTML, escaped in
    Markdown, plain in text, and shown in all three."""
    script = "<script>alert(1)</script>{{ 7007*6 }}"
    t = dataclasses.replace(HARMLESS, **{field: script})
    page = render("html", with_texts(report, t))
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;{{ 7007*6 }}" in page
    assert "42042" not in page
    markdown = render("md", with_texts(report, t))
    assert "<script>" not in markdown and "&lt;script&gt;alert(1)&lt;/script&gt;" in markdown
    assert script in render("txt", with_texts(report, t))


# --------------------------------------------------------------------------- PDF

UNSAFE_PDF = (b"/JavaScript", b"/JS ", b"/JS(", b"/JS<", b"/Launch", b"/EmbeddedFile")
UNSAFE_PDF += (b"/SubmitForm", b"/ImportData", b"/RichMedia", b"/GoToR")


def pdf_objects(pdf: bytes) -> bytes:
    """The PDF with every compressed stream (object streams included) inflated beside it,
    so a search for a dictionary key cannot miss one that was compressed."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            # A stream whose last byte is a carriage return loses it to the pattern's
            # "\r?\n": that byte belongs to the Adler-32 check, so inflate without
            # requiring the check instead of skipping the stream.
            parts.append(zlib.decompressobj().decompress(match.group(1)))
        except zlib.error:
            continue  # not Flate (an image, a font): no dictionaries in it
    return b"\n".join(parts)


def test_a_stream_ending_in_a_carriage_return_is_searched() -> None:
    """A hostile example once made WeasyPrint write the object stream holding the link
    annotations with compressed bytes ending in 0x0D; the search skipped that stream
    and reported the PDF as having no link at all."""
    payload, data = b"", b""
    for n in range(1000):  # about 1 in 256 compressed streams ends in 0x0D
        payload = b"<< /A << /S /URI /URI (https://example.org/" + b"x" * n + b") >> >>"
        data = zlib.compress(payload)
        if data.endswith(b"\r"):
            break
    assert data.endswith(b"\r")
    pdf = b"%PDF-1.7\n1 0 obj\n<< /Filter /FlateDecode >>\nstream\n" + data + b"\nendstream\n"
    assert payload in pdf_objects(pdf)


def check_pdf(pdf: bytes, t: Texts) -> None:
    assert pdf.startswith(b"%PDF-")
    objects = pdf_objects(pdf)
    for marker in UNSAFE_PDF:
        assert marker not in objects, marker
    targets = [m.group(1) for m in re.finditer(rb"/URI\s*\(((?:\\.|[^\\)])*)\)", objects)]
    web = [target for target in targets if target != b"#"]  # "#": the page itself
    assert all(re.match(rb"https?://", target, re.IGNORECASE) for target in web), targets
    assert bool(web) == is_web_link(one_line(t.url)), (t.url, targets)  # as safe_url reads it


def test_hostile_text_in_pdf(report: Report, tmp_path: Path) -> None:
    one_week = dataclasses.replace(report, weeks=report.weeks[2:3])  # PDF is slow: one week
    tally = Tally("pdf", "injection-pdf")

    @tally.settings
    @given(t=texts)
    def example(t: Texts) -> None:
        def check() -> None:
            document = render("html", with_texts(one_week, t))
            check_pdf(renderer.html_to_pdf(document), t)

        tally.check(check)

    example()
    tally.report()


@pytest.mark.parametrize("text", ["a \u2029 b", "\u2029", "a\u2029 \u2029b", " \u2028 \u2029 "])
def test_paragraph_separators_do_not_break_the_pdf(report: Report, text: str) -> None:
    """WeasyPrint fails an assertion on U+2029 after a space; found by the examples above."""
    t = dataclasses.replace(HARMLESS, definition=text, title=text)
    check_pdf(renderer.html_to_pdf(render("html", with_texts(report, t))), t)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed")
def test_template_syntax_is_text_in_pdf(report: Report, tmp_path: Path) -> None:
    t = dataclasses.replace(HARMLESS, title="{{ 7*7 }} <script>alert(1)</script>")
    path = tmp_path / "plan.pdf"
    path.write_bytes(renderer.html_to_pdf(render("html", with_texts(report, t))))
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "{{ 7*7 }} <script>alert(1)</script>" in text


# --------------------------------------------------------------------------- ICS

ICS_FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # RFC 5545 CONTROL, but HTAB, LF


def ics_text(text: str) -> str:
    """What an iCalendar TEXT value can hold of ``text``: line breaks as LF, no controls."""
    return ICS_FORBIDDEN.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def ics_value(text: str) -> str:
    """``text`` as a whole property value reads back: icalendar takes a U+FEFF at the start
    of a value for a byte order mark and drops it (invisible either way)."""
    return ics_text(text).removeprefix("\ufeff")


def with_view_texts(view: PlanView, t: Texts) -> PlanView:
    milestones = tuple(
        m.model_copy(
            update={
                "title": t.title,
                "done_when": t.done_when,
                "resources": [
                    m.resources[0].model_copy(update={"title": t.resource}),
                    *m.resources[1:],
                ],
            }
        )
        for m in view.curriculum.milestones
    )
    return dataclasses.replace(
        view,
        plan=dataclasses.replace(view.plan, name=t.name),
        curriculum=dataclasses.replace(view.curriculum, milestones=milestones),
    )


def ics_of(view: PlanView) -> tuple[list[Any], bytes]:
    assert planner_calendar is not None
    now = datetime(2026, 1, 21, 9, tzinfo=UTC)
    sessions = planner_calendar.plan_sessions(view, (0, 2, 5), time(19), 2.0, now)
    return sessions, planner_calendar.to_ics(sessions, view.plan.name, stamp=now)


def ics_names(data: bytes) -> list[str]:
    """The property name of every (unfolded) content line."""
    unfolded = re.sub(rb"\r\n[ \t]", b"", data).decode("utf-8")
    lines = unfolded.split("\r\n")
    assert lines[-1] == "", "the file ends with CRLF"
    names = []
    for line in lines[:-1]:
        match = re.match(r"([A-Za-z0-9-]+)[;:]", line)
        assert match, f"not a content line: {line!r}"
        names.append(match.group(1).upper())
    return names


def check_ics(sessions: list[Any], data: bytes, t: Texts, harmless_names: list[str]) -> None:
    import icalendar

    for line in data.split(b"\r\n"):
        assert len(line) <= 75, line
        line.decode("utf-8")  # a fold never splits a character
    assert not ICS_FORBIDDEN.search(data.replace(b"\r\n", b"").decode("utf-8"))
    assert ics_names(data) == harmless_names, "user text added or removed properties"
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["X-WR-CALNAME"]) == ics_text(f"Study plan: {t.name}")
    events = calendar.walk("VEVENT")
    assert len(events) == len(sessions)
    for event, session in zip(events, sessions, strict=True):
        titles = [t.title] * len(session.milestone_ids)
        assert str(event["SUMMARY"]) == ics_value(" + ".join(titles))
        description = str(event["DESCRIPTION"])
        assert description == ics_value(session.description)
        assert ics_text(f"Done when: {t.done_when}\nStart with: {t.resource} ") in description


@needs_calendar
def test_hostile_text_in_ics(view: PlanView) -> None:
    harmless_names = ics_names(ics_of(with_view_texts(view, HARMLESS))[1])
    tally = Tally("ics", "injection-ics")

    @tally.settings
    @hypothesis.example(t=dataclasses.replace(HARMLESS, title="a \\N b", resource="c \\n; d"))
    @given(t=ics_texts)
    def example(t: Texts) -> None:
        def check() -> None:
            sessions, data = ics_of(with_view_texts(view, t))
            check_ics(sessions, data, t, harmless_names)

        tally.check(check)

    example()
    tally.report()


# --------------------------------------------------------------------------- end to end


def survives_yaml(text: str) -> bool:
    """Curriculum text is stripped, at most 4,000 characters, and a YAML round trip keeps
    it (PyYAML writes U+0085 unescaped, and reads it back as a line break)."""
    loaded = yaml.load(yaml.safe_dump(text, allow_unicode=True), Loader=yaml.CSafeLoader)
    return bool(text.strip()) and len(text) <= 4000 and loaded == text


def model_strip(text: str) -> str:
    """``text`` as the curriculum models keep it: pydantic strips Unicode white space,
    which, unlike ``str.strip``, leaves the C0 separators U+001C to U+001F in place."""
    from pydantic import TypeAdapter

    from planner.models import Text

    return str(TypeAdapter(Text).validate_python(text))


curriculum_text = hostile.filter(survives_yaml)
schema_urls = urls.filter(lambda u: re.fullmatch(r"https?://[^\s<>\"']+", u) is not None)
curriculum_texts = st.builds(
    Texts,
    **{f.name: curriculum_text for f in dataclasses.fields(Texts) if f.name not in ("url", "name")},
    name=plan_names,
    url=schema_urls,
)


def test_text_survives_the_whole_pipeline(report: Report, view: PlanView) -> None:
    """Curriculum file -> load -> view -> report -> every format, fewer examples."""
    harmless_html = Page(render("html", with_texts(report, HARMLESS)))
    harmless_md = render("md", with_texts(report, HARMLESS))
    harmless_txt = render("txt", with_texts(report, HARMLESS))
    harmless_ics = ics_names(ics_of(with_view_texts(view, HARMLESS))[1]) if HAS_CALENDAR else []
    tally = Tally("whole pipeline (yaml, html, markdown, text, ics)", "injection-pipeline")

    @tally.settings
    @hypothesis.example(t=dataclasses.replace(HARMLESS, title="1. \x1f"))  # U+001F is kept
    @given(t=curriculum_texts)
    def example(t: Texts) -> None:
        def check() -> None:
            with tempfile.TemporaryDirectory() as folder:
                write_curriculum(Path(folder), t)
                built = load_view(Path(folder), t.name)
            stripped = dataclasses.replace(
                t, **{f.name: model_strip(getattr(t, f.name)) for f in dataclasses.fields(Texts)}
            )
            stripped = dataclasses.replace(stripped, name=t.name)  # plan names are kept as is
            stripped = dataclasses.replace(stripped, note="a note")  # notes are not in a curriculum
            made = build_report(built, rank_projects(built))
            check_html(render("html", made), stripped, harmless_html)
            check_markdown(render("md", made), stripped, harmless_md)
            check_text(render("txt", made), stripped, harmless_txt)
            if HAS_CALENDAR:
                sessions, data = ics_of(built)
                check_ics(sessions, data, stripped, harmless_ics)

        tally.check(check)

    example()
    tally.report()


# --------------------------------------------------------------------------- the schema


@settings(max_examples=300, deadline=None)
@given(
    scheme=st.sampled_from(
        ["javascript:", "JavaScript:", "data:", "DATA:", "vbscript:", "file:", " https://"]
        + ["ftp://", "//", "http:", "https:/", "\thttp://", "java\nscript:"]
    ),
    rest=st.text(max_size=40),
)
def test_schema_refuses_urls_that_are_not_http(scheme: str, rest: str) -> None:
    url = scheme + rest
    # "https:/" + "/x" or "http:" + "//x" completes a real http(s) URL, which is fine.
    hypothesis.assume(re.match(r"https?://", url) is None)
    with pytest.raises(ValidationError):
        Resource.model_validate({"title": "t", "url": url, "kind": "docs"})
    with pytest.raises(ValidationError):
        Dataset.model_validate({"name": "t", "url": url})


@pytest.mark.parametrize(
    "url",
    [
        "https://docs.python.org/3/tutorial/",
        "http://example.org/a_(b)?c=d&e=f#g",
        "https://example.org/javascript:alert(1)",  # the path is not a scheme
    ],
)
def test_schema_accepts_http_urls(url: str) -> None:
    assert Resource.model_validate({"title": "t", "url": url, "kind": "docs"}).url == url


def test_curricula_show_prints_hostile_notes_as_they_are(cli: Any) -> None:
    """``curricula show`` on the hostile corpus's markup file: the effort and compute
    notes come out as written (template syntax not run), on plain lines."""
    path = FIXTURE_CURRICULA.parent / "hostile" / "text-script-and-template-valid.yaml"
    result = cli("curricula", "show", str(path))
    assert result.exit_code == 0, result.stderr
    flat = " ".join(result.stdout.split())
    assert "Effort: <svg onload=alert(3)> {{ 6*7 }} 2 h" in flat
    assert "Compute: [gpu](javascript:alert(4)) {% raw %}" in flat
    assert "Spread over at least 2 weeks" in flat
    assert "42" not in result.stdout
    assert CONTROL.search(result.stdout) is None
