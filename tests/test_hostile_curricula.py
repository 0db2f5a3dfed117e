"""Hostile curriculum files, each validated by ``planner curricula validate`` in its own
process, twice.

Every file in ``tests/fixtures/hostile/`` has a row in ``CORPUS``: accepted (exit 0,
``FILE: ok``), or refused (exit 3) with a message that starts with the file's path, carries
``:line:col`` where the problem has a position, and matches the row's pattern. Files over
about 100 KB (the 50 MB one among them) are written by ``GENERATED`` into a temporary
folder instead of being committed. For every file both runs must agree byte for byte, show
no traceback, and stay within budget, measured on the child by ``os.wait4``:

- work: at most ``WORK_LIMIT_S`` seconds of CPU time (user + system) beyond what
  ``planner --help`` takes, i.e. beyond interpreter and CLI start. CPU time, not wall time:
  on this shared two-core machine other people's test runs stretch the wall time of even
  an empty file past 3 s, and that is their work, not ours. Best case against best case:
  the lesser of the two runs against the least of three ``--help`` runs, since even CPU
  time varies by a quarter from run to run here. Wall time is printed, and bounded by
  ``WALL_LIMIT_S`` (the faster run) to catch a run that waits or hangs without using the
  CPU.
- memory: a peak resident set under ``RSS_LIMIT_MIB``.

The ``!!python/...`` payloads would create a file named ``hostile-marker...`` in the
working folder if anything in them ran; none may exist.

``pytest -s`` prints a line per file and the figure "hostile curricula: N of N handled as
expected"; the last test fails unless every selected file was.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import report

HOSTILE = Path(__file__).parent / "fixtures" / "hostile"
MARKER = "hostile-marker"
WORK_LIMIT_S = 2.0  # CPU seconds beyond `planner --help` (1 s typical; headroom for a loaded host)
WALL_LIMIT_S = 30.0  # seconds in all; catches waiting and hanging, not slowness
RSS_LIMIT_MIB = 100.0
KILL_AFTER_S = 60.0  # a run that hangs is killed (and fails) instead of hanging the suite


@dataclass(frozen=True)
class Expect:
    """``message`` None: accepted. Otherwise a regex for the refusal, matched against the
    first stderr line after the file's path (so a located one starts ``:line:col:``)."""

    message: str | None
    lines: int = 1  # how many problem lines the refusal has
    last: str | None = None  # a regex for the last line, after the path, when there are more


ACCEPTED = Expect(None)


def refused(message: str, lines: int = 1, last: str | None = None) -> Expect:
    return Expect(message, lines, last)


def no_constructor(tag: str) -> str:
    return rf"could not determine a constructor for the tag '{re.escape(tag)}'$"


YAML11_HINT = r"Input should be a valid string \(YAML read {} quote it, e\.g\. \"no\" or \"1\.10\", to keep it as text\)$"
ALIAS_BOMB = (
    r"^:1:1: YAML aliases expand to more than 50,000 values; write the values out instead "
    r"of repeating aliases$"
)
YAML11_NUMBER = (
    r"YAML 1\.1 reads '{}' as the number {}; write the number in plain decimal, or quote it "
    r"to keep it as text$"
)
EMPTY = r"^: file is empty; a curriculum needs at least an 'id'$"

CORPUS: dict[str, Expect] = {
    # ---- tags that would run code if YAML were loaded unsafely, and tags nobody defined
    "tag-python-object-apply-os-system.yaml": refused(
        "^:1:1: " + no_constructor("tag:yaml.org,2002:python/object/apply:os.system")
    ),
    "tag-python-object-apply-in-title.yaml": refused(
        "^:3:8: " + no_constructor("tag:yaml.org,2002:python/object/apply:subprocess.check_call")
    ),
    "tag-python-object-apply-open.yaml": refused(
        "^:20:16: " + no_constructor("tag:yaml.org,2002:python/object/apply:builtins.open")
    ),
    "tag-python-object-new-mkstemp.yaml": refused(
        "^:4:10: " + no_constructor("tag:yaml.org,2002:python/object/new:tempfile.mkstemp")
    ),
    "tag-python-object.yaml": refused(
        "^:13:14: " + no_constructor("tag:yaml.org,2002:python/object:argparse.Namespace")
    ),
    "tag-python-name.yaml": refused(
        "^:3:8: " + no_constructor("tag:yaml.org,2002:python/name:os.system")
    ),
    "tag-python-module.yaml": refused(
        "^:4:10: " + no_constructor("tag:yaml.org,2002:python/module:os")
    ),
    "tag-local-include.yaml": refused("^:3:8: " + no_constructor("!include")),
    "tag-verbatim-unknown.yaml": refused("^:3:8: " + no_constructor("tag:example.com,2024:shell")),
    # a standard tag: bytes that are UTF-8 ("<script>alert(1)</script>") are text, and data
    "tag-binary-text-valid.yaml": ACCEPTED,
    "tag-binary-not-utf8.yaml": refused(
        r"^:12:12: milestones\[0\]\.title: Input should be a valid string, unable to parse raw "
        r"data as a unicode string$"
    ),
    # ---- aliases
    "alias-billion-laughs.yaml": refused(ALIAS_BOMB),
    "alias-bomb-nested-mappings.yaml": refused(ALIAS_BOMB),
    "alias-recursive-sequence.yaml": refused(r"^:21:13: recursive YAML alias$"),
    "alias-recursive-merge-key.yaml": refused(r"^:11:5: recursive YAML alias$"),
    "alias-undefined.yaml": refused(r"^:3:8: found undefined alias"),
    "alias-small-valid.yaml": ACCEPTED,  # anchors, aliases and a merge key, used sensibly
    # ---- size and depth
    "list-1001-entries.yaml": refused(
        r"^:1020:5: more than 1,000 entries in one list or mapping; split the curriculum "
        r"into modules that roles include$"
    ),
    "nesting-10000-flow-sequence.yaml": refused(
        r"^:2:1007: while increasing flow level exceeded maximum nesting depth$"
    ),
    "nesting-10000-flow-mapping.yaml": refused(
        r"^:2:4004: while increasing flow level exceeded maximum nesting depth$"
    ),
    "nesting-10000-block-sequence.yaml": refused(
        r"^:1:1999: while increasing block level exceeded maximum nesting depth$"
    ),
    "nesting-999-flow-sequence-in-title.yaml": refused(
        r"^:3:8: title: Input should be a valid string$"
    ),
    "long-line-title-64k.yaml": refused(
        r"^:3:8: title: String should have at most 4000 characters$"
    ),
    "long-line-comment-64k-valid.yaml": ACCEPTED,
    "long-plain-key.yaml": refused(
        r"^:6:2001: while scanning a simple key could not find expected ':'$"
    ),
    # ---- duplicate keys are refused, never silently the last one wins
    "duplicate-key-top-level.yaml": refused(
        r"^:6:1: duplicate key 'version' \(first used on line 5\)$"
    ),
    "duplicate-key-nested.yaml": refused(r"^:20:9: duplicate key 'url' \(first used on line 18\)$"),
    "duplicate-key-quoted.yaml": refused(r"^:5:1: duplicate key 'title' \(first used on line 3\)$"),
    "duplicate-key-flow-mapping.yaml": refused(
        r"^:16:15: duplicate key 'a' \(first used on line 16\)$"
    ),
    # ---- YAML 1.1 turns these into booleans, numbers, null and dates where text is expected
    "yaml11-no-as-title.yaml": refused(r"^:3:8: title: " + YAML11_HINT.format("False:")),
    "yaml11-yes-as-summary.yaml": refused(r"^:4:10: summary: " + YAML11_HINT.format("True:")),
    "yaml11-on-as-skill-name.yaml": refused(
        r"^:8:11: skills\[0\]\.name: " + YAML11_HINT.format("True:")
    ),
    "yaml11-off-as-done-when.yaml": refused(
        r"^:20:16: milestones\[0\]\.done_when: " + YAML11_HINT.format("False:")
    ),
    "yaml11-one-point-ten-as-title.yaml": refused(
        r"^:12:12: milestones\[0\]\.title: " + YAML11_HINT.format(r"1\.1:")
    ),
    "yaml11-octal-012-as-id.yaml": refused(r"^:1:5: " + YAML11_NUMBER.format("012", "10")),
    "yaml11-hex-0x1f-as-title.yaml": refused(r"^:3:8: " + YAML11_NUMBER.format("0x1F", "31")),
    "yaml11-underscore-1-000-as-title.yaml": refused(
        r"^:17:16: " + YAML11_NUMBER.format("1_000", "1000")
    ),
    "yaml11-tilde-as-title.yaml": refused(
        r"^:3:8: title: Input should be a valid string \(YAML read ~, null or nothing as no "
        r"value: write the text\)$"
    ),
    "yaml11-date-as-title.yaml": refused(
        r"^:12:12: milestones\[0\]\.title: Input should be a valid string \(YAML read "
        r"\d{4}-\d\d-\d\d as a date: quote it to keep it as text\)$"
    ),
    "yaml11-impossible-date-as-title.yaml": refused(
        r"^:12:12: cannot read '2001-13-45' as a YAML timestamp \(month must be in 1\.\.12\); "
        r"quote it to keep it as text$"
    ),
    "yaml11-huge-integer-as-version.yaml": refused(
        r"^:5:10: cannot read '9{40}\.\.\.' as a YAML int \(5,000 digits is too many\); "
        r"quote it to keep it as text$"
    ),
    "yaml11-on-as-key.yaml": refused(
        r"^:16:5: milestones\[0\]: key 'on' is read by YAML as True, not as text; "
        r"quote it: \"on\":$"
    ),
    # ---- bytes and encodings
    "encoding-utf8-bom-valid.yaml": ACCEPTED,
    "encoding-invalid-utf8.yaml": refused(r"^:12:15: not valid UTF-8 \(byte 0xe9\)$"),
    "encoding-utf16-le-bom.yaml": refused(r"^:1:1: not valid UTF-8 \(byte 0xff\)$"),
    "encoding-utf16-be-bom.yaml": refused(r"^:1:1: not valid UTF-8 \(byte 0xfe\)$"),
    "encoding-utf16-le-no-bom.yaml": refused(r"^:1:2: contains a NUL byte; not a text file$"),
    "nul-byte-in-title.yaml": refused(r"^:12:17: contains a NUL byte; not a text file$"),
    "tabs-for-indentation.yaml": refused(
        r"^:8:1: while scanning a plain scalar found a tab character that violates indentation$"
    ),
    "line-endings-crlf-valid.yaml": ACCEPTED,
    "line-endings-cr-only-valid.yaml": ACCEPTED,
    # ---- nothing, or more than one document
    "empty.yaml": refused(EMPTY),
    "only-comments.yaml": refused(EMPTY),
    "only-document-marker.yaml": refused(EMPTY),
    "multiple-documents.yaml": refused(
        r"^:21:1: expected a single document in the stream but found another document$"
    ),
    # ---- wrong shapes
    "key-is-a-list.yaml": refused(r"^:6:1: while constructing a mapping found unhashable key$"),
    "top-level-list.yaml": refused(
        r"^:1:1: expected a mapping of fields at the top level, found list$"
    ),
    "top-level-scalar.yaml": refused(
        r"^:1:1: expected a mapping of fields at the top level, found str$"
    ),
    "unclosed-flow-sequence.yaml": refused(
        r"^:16:14: while parsing a flow sequence did not find expected ',' or '\]'$"
    ),
    # ---- text is data: markup and template syntax are accepted; links are http(s) only
    "text-script-and-template-valid.yaml": ACCEPTED,
    "url-javascript-refused.yaml": refused(
        r"^:18:14: milestones\[0\]\.resources\[0\]\.url: String should match pattern"
    ),
    "url-data-refused.yaml": refused(
        r"^:18:14: milestones\[0\]\.resources\[0\]\.url: String should match pattern"
    ),
}


# --------------------------------------------------------------------------- generated

MODULE_HEAD = (
    "id: {id}\nkind: module\ntitle: Generated\nsummary: Written by the test.\nversion: 1\n"
)


def fifty_megabytes(path: Path) -> None:
    """50 MiB of plausible YAML: refused from its size, before a byte of it is parsed."""
    size = 50 * 1024 * 1024
    chunk = b"  - a milestone title that goes on for a while\n" * 20_000
    with path.open("wb") as out:
        out.write(MODULE_HEAD.format(id=path.stem).encode() + b"covers:\n")
        while out.tell() + len(chunk) < size:
            out.write(chunk)
        out.write(b"#" * (size - out.tell() - 1) + b"\n")


def many_values(path: Path) -> None:
    """~150 KB holding 51,000 values in lists of 1,000: over the limit on values."""
    row = "  - [" + ", ".join(["a"] * 1000) + "]\n"
    path.write_text(MODULE_HEAD.format(id=path.stem) + "covers:\n" + row * 51)


def many_problems(path: Path) -> None:
    """~90 KB (generated all the same): 10 milestones with 999 unknown fields each, ~10,000
    problems in all, of which the first 100 are shown."""
    row = "  - {" + ", ".join(f"b{j}: 1" for j in range(999)) + "}\n"
    path.write_text(MODULE_HEAD.format(id=path.stem) + "milestones:\n" + row * 10)


def near_the_limits_valid(path: Path) -> None:
    """~155 KB, valid, with as many values as allowed: the most work an accepted file makes."""
    covers = ", ".join(["a"] * 975)
    milestones = "".join(
        f"  - id: step-{i}\n    title: Step {i}\n    summary: One of many.\n    hours: 1\n"
        f'    resources: [{{title: R, url: "https://example.org/", kind: docs}}]\n'
        f"    done_when: done\n    covers: [{covers}]\n"
        for i in range(50)
    )
    path.write_text(MODULE_HEAD.format(id=path.stem) + "milestones:\n" + milestones)


def nesting_block_mapping(path: Path) -> None:
    """Block mappings nested 1,100 deep, one space per level (~600 KB)."""
    path.write_text("".join(" " * depth + "a:\n" for depth in range(1100)) + " " * 1100 + "b\n")


GENERATED: dict[str, tuple[Callable[[Path], None], Expect]] = {
    "fifty-megabytes.yaml": (
        fifty_megabytes,
        refused(r"^: file is 52,428,800 bytes; curricula are limited to 1 MiB$"),
    ),
    "many-values.yaml": (
        many_values,
        refused(
            r"^:\d+:\d+: more than 50,000 YAML values; split the curriculum into modules "
            r"that roles include$"
        ),
    ),
    "many-problems.yaml": (
        many_problems,
        refused(
            r"^:7:5: milestones\[0\]: missing field 'id'$",
            lines=101,
            last=r"^: stopped after 100 problems; fix these first$",
        ),
    ),
    "near-the-limits-valid.yaml": (near_the_limits_valid, ACCEPTED),
    "nesting-1100-block-mapping.yaml": (
        nesting_block_mapping,
        refused(r"^:1000:1001: while increasing block level exceeded maximum nesting depth$"),
    ),
}


# --------------------------------------------------------------------------- running


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str
    wall: float  # seconds
    cpu: float  # seconds of user and system time of the child
    rss_mib: float  # peak resident memory of the child


def run_planner(*args: str, cwd: Path) -> Run:
    """``python -m planner ARGS`` in ``cwd``, measured by ``os.wait4`` on the child."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "planner", *args],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
        )
        killer = threading.Timer(KILL_AFTER_S, process.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            killer.cancel()
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        return Run(
            code=process.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
            wall=wall,
            cpu=usage.ru_utime + usage.ru_stime,
            rss_mib=usage.ru_maxrss / 1024,  # KiB on Linux
        )


@pytest.fixture(scope="module")
def baseline() -> Run:
    """``planner --help``: what interpreter and CLI start cost (the least of three runs)."""
    with tempfile.TemporaryDirectory() as folder:
        runs = [run_planner("--help", cwd=Path(folder)) for _ in range(3)]
    assert all(run.code == 0 for run in runs)
    return min(runs, key=lambda run: run.cpu)


HANDLED: dict[str, bool] = {}

CASES = [pytest.param(name, None, expect, id=name) for name, expect in CORPUS.items()] + [
    pytest.param(name, make, expect, id=name, marks=pytest.mark.slow)
    for name, (make, expect) in GENERATED.items()
]


@pytest.mark.parametrize(("name", "make", "expect"), CASES)
def test_hostile_curriculum(
    name: str,
    make: Callable[[Path], None] | None,
    expect: Expect,
    tmp_path: Path,
    baseline: Run,
) -> None:
    HANDLED[name] = False
    if make is None:
        path = HOSTILE / name
    else:
        path = tmp_path / name
        make(path)
    workdir = tmp_path / "cwd"
    workdir.mkdir()

    first = run_planner("curricula", "validate", str(path), cwd=workdir)
    second = run_planner("curricula", "validate", str(path), cwd=workdir)

    work = min(first.cpu, second.cpu) - baseline.cpu
    wall = min(first.wall, second.wall)
    rss = max(first.rss_mib, second.rss_mib)
    said = (first.stderr or first.stdout or "(nothing)").splitlines()[0]
    print(  # noqa: T201
        f"\n{name}: exit {first.code}; CPU {work:+.2f} s beyond --help "
        f"({first.cpu:.2f} s, {second.cpu:.2f} s; --help {baseline.cpu:.2f} s); wall "
        f"{first.wall:.2f} s, {second.wall:.2f} s; {rss:.0f} MiB; "
        f"{said.replace(str(path), 'FILE')[:110]}"
    )
    assert not list(workdir.glob(f"{MARKER}*")), "a YAML payload ran code"
    assert (first.code, first.stdout, first.stderr) == (
        second.code,
        second.stdout,
        second.stderr,
    ), "two runs differ"
    assert "Traceback" not in first.stderr, first.stderr
    assert work < WORK_LIMIT_S, f"{work:.2f} s of CPU beyond --help"
    assert wall < WALL_LIMIT_S, f"{first.wall:.2f} s and {second.wall:.2f} s of wall time"
    # A forked child's ru_maxrss starts at the parent's size, so the figure only means
    # something while this test process itself is below the limit.
    if resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 < RSS_LIMIT_MIB:
        assert rss < RSS_LIMIT_MIB, f"{rss:.0f} MiB"

    if expect.message is None:
        assert (first.code, first.stdout, first.stderr) == (0, f"{path}: ok\n", "")
    else:
        assert first.code == 3, first.stderr
        assert first.stdout == ""
        lines = first.stderr.splitlines()
        assert len(lines) == expect.lines, lines[:3]
        for line in lines:
            assert line.startswith(f"{path}:"), line
        rest = lines[0][len(str(path)) :]
        assert re.match(expect.message, rest), rest
        if expect.last is not None:
            assert re.match(expect.last, lines[-1][len(str(path)) :]), lines[-1]
    HANDLED[name] = True


def test_corpus_folder_and_table_agree() -> None:
    committed = sorted(p.name for p in HOSTILE.iterdir())
    assert committed == sorted(CORPUS), "every committed file needs a row, every row a file"
    assert len(committed) + len(GENERATED) >= 30
    too_big = [p.name for p in HOSTILE.iterdir() if p.stat().st_size > 100_000]
    assert not too_big, f"generate these in the test instead of committing them: {too_big}"


def test_every_hostile_curriculum_was_handled_as_expected(request: pytest.FixtureRequest) -> None:
    """The figure. Runs last in this module; counts the cases selected in this session."""
    selected = [
        item.callspec.params["name"]
        for item in request.session.items
        if item.module is sys.modules[__name__]
        and getattr(item, "originalname", "") == "test_hostile_curriculum"
    ]
    handled = sum(HANDLED.get(name, False) for name in selected)
    report(f"hostile curricula: {handled} of {len(selected)} handled as expected")
    assert selected, "no hostile curriculum was selected"
    assert handled == len(selected), sorted(n for n in selected if not HANDLED.get(n))
