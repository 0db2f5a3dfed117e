"""Text a PDF would print as boxes (``planner.fonts``): which characters no installed font
has, asked of the real fontconfig (``fc-list``), grouped by script, and the one warning
line per script that ``planner plan`` prints before it writes the PDF anyway."""

from __future__ import annotations

import html
import json
import shutil
import subprocess
import sys
import unicodedata
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner import fonts
from planner.fonts import Gap
from tests.conftest import Run, today

FC_LIST = shutil.which("fc-list")
needs_fc_list = pytest.mark.skipif(FC_LIST is None, reason="fontconfig's fc-list is not here")


def has_font_for(text: str) -> bool:
    """Whether one installed TrueType/OpenType font has every character of ``text``:
    fontconfig asked directly, apart from the code under test."""
    assert FC_LIST is not None
    wanted = " ".join(f"{ord(c):x}" for c in text)
    out = subprocess.run(
        [FC_LIST, "--format", "%{fontformat}\n", f":charset={wanted}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return any(line.strip() in ("TrueType", "CFF") for line in out.splitlines())


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def away_with_note(cli: Run, note: str) -> None:
    """Time off in the plan's second week, with ``note`` (the printed plan shows it)."""
    first = today() + timedelta(days=8)
    result = cli("away", str(first), str(first + timedelta(days=2)), "--note", note)
    assert result.exit_code == 0, result.stderr


# --------------------------------------------------------------------------- the command


@needs_fc_list
def test_a_cjk_plan_is_written_with_one_warning_naming_the_package(
    cli: Run, tmp_path: Path
) -> None:
    assert cli("start", "ai-architect", "--name", "Zoë 学习").exit_code == 0
    away_with_note(cli, "春节 假期, в гостях")  # CJK, and Cyrillic, which DejaVu has
    out = tmp_path / "plan.pdf"
    result = cli("plan", "--weeks", "3", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes().startswith(b"%PDF-")
    assert "Zoë" in pdf_text(out)
    lines = result.stderr.splitlines()
    if has_font_for("学"):  # this machine can draw it: nothing to say
        assert lines == []
        return
    assert lines == [
        "Warning: no installed font can draw the CJK text in this plan (学习春节假期); it "
        "would print as boxes. Install a font that covers it (Debian/Ubuntu: apt install "
        "fonts-noto-cjk) and run planner plan again."
    ]
    assert has_font_for("вгостях")  # so the Cyrillic rightly went unmentioned
    assert result.stdout == f"Wrote {out}\n"


@needs_fc_list
def test_a_latin_plan_with_accents_and_dashes_gets_no_warning(cli: Run, tmp_path: Path) -> None:
    name = "Zoë — café, Łódź"
    note = "naïve résumé – “quoted” … ½ ǅ ẞ ŉ"
    assert has_font_for(name + note)
    assert cli("start", "ai-architect", "--name", name).exit_code == 0
    away_with_note(cli, note)
    out = tmp_path / "plan.pdf"
    result = cli("plan", "--weeks", "3", "-o", str(out))
    assert result.exit_code == 0
    assert result.stderr == ""
    assert "Łódź" in pdf_text(out)


@needs_fc_list
@pytest.mark.parametrize(
    ("char", "expected"),
    [
        (
            "\U00013000",  # EGYPTIAN HIEROGLYPH A001
            "Warning: no installed font can draw the Egyptian text in this plan (\U00013000);"
            " it would print as boxes. Install a font that covers it (Debian/Ubuntu: apt "
            "install fonts-noto-core) and run planner plan again.",
        ),
        (
            "\ue83a",  # private use: no standard font, so no package to name
            "Warning: no installed font can draw the private-use characters in this plan "
            "(\ue83a); they would print as boxes. Install a font that covers them and run "
            "planner plan again.",
        ),
    ],
    ids=["hieroglyph", "private-use"],
)
def test_a_character_no_font_has_is_warned_about(
    cli: Run, tmp_path: Path, char: str, expected: str
) -> None:
    if has_font_for(char):
        pytest.skip(f"a font here has U+{ord(char):04X}")
    assert cli("start", "ai-architect", "--name", f"Signs {char}").exit_code == 0
    out = tmp_path / "plan.pdf"
    result = cli("plan", "--weeks", "1", "-o", str(out))
    assert result.exit_code == 0
    assert out.read_bytes().startswith(b"%PDF-")
    assert result.stderr.splitlines() == [expected]


def test_without_fc_list_nothing_is_said(
    cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No fontconfig tools (Windows, a bare macOS): it cannot be told, so no warning, and
    the PDF is written as before."""
    assert cli("start", "ai-architect", "--name", "Zoë 学习 \U00013000").exit_code == 0
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert fonts.find_uncovered(["学"]) is None
    out = tmp_path / "plan.pdf"
    result = cli("plan", "--weeks", "1", "-o", str(out))
    assert result.exit_code == 0
    assert result.stderr == ""
    assert out.read_bytes().startswith(b"%PDF-")


# --------------------------------------------------------------------------- properties

LATIN = [chr(c) for c in range(0x20, 0x250) if unicodedata.category(chr(c)) not in ("Cc", "Cn")]


@needs_fc_list
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(st.sampled_from(LATIN), max_size=40))
def test_latin_text_never_warns(text: str) -> None:
    """Latin-1 and Latin Extended-A and -B, which DejaVu Sans has, as escaped HTML (as
    the template writes user text)."""
    assert has_font_for("".join(LATIN[95:]))  # U+00A0 on: DejaVu Sans has them all
    assert fonts.find_gaps(html.escape(text)) == []


NO_FONT = next(
    (c for c in ("\U00013000", "\U0001d800", "\ue83a") if FC_LIST and not has_font_for(c)), None
)


@needs_fc_list
@pytest.mark.skipif(NO_FONT is None, reason="every candidate character has a font here")
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(st.sampled_from(LATIN), max_size=30), st.integers(0, 30))
def test_the_one_character_no_font_has_is_the_one_reported(text: str, at: int) -> None:
    """No single font has all of the text then, so the fonts' own character sets are
    read: the Latin around it must not be reported with it."""
    assert NO_FONT is not None
    found = fonts.find_gaps(text[:at] + NO_FONT + text[at:])
    assert [gap.chars for gap in found] == [(NO_FONT,)]


# --------------------------------------------------------------------------- fc-list's answers


def fake_fc_list(tmp_path: Path, query: str, listing: str) -> tuple[str, Path]:
    """A stand-in ``fc-list`` that logs its arguments and answers a ``:charset=`` query
    with ``query``, and anything else (the listing of every font) with ``listing``."""
    log = tmp_path / "calls.log"
    program = tmp_path / "fc-list"
    program.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        f"with open({str(log)!r}, 'a') as log:\n"
        "    log.write(json.dumps(sys.argv[1:]) + '\\n')\n"
        f"query, listing = {query!r}, {listing!r}\n"
        "sys.stdout.write(query if any(a.startswith(':charset=') for a in sys.argv) "
        "else listing)\n",
        encoding="utf-8",
    )
    program.chmod(0o755)
    return str(program), log


def calls(log: Path) -> list[list[str]]:
    """The argument lists the stand-in was run with, in order."""
    text = log.read_text(encoding="utf-8") if log.exists() else ""
    return [json.loads(line) for line in text.splitlines()]


def test_one_run_when_one_font_has_every_character(tmp_path: Path) -> None:
    program, log = fake_fc_list(tmp_path, "TrueType\nType 1\n", "")
    assert fonts.find_uncovered(["д", "学"], program) == []
    assert calls(log) == [["--format", "%{fontformat}\n", ":charset=434 5b66"]]


def test_two_runs_find_the_characters_no_usable_font_has(tmp_path: Path) -> None:
    """Only a Type 1 font has the query's characters (Pango no longer draws those);
    the listing shows which: a Type 1 or bitmap font's characters do not count."""
    listing = "TrueType|20-7e 400-4ff\nType 1|5b66\nPCF|13000\nCFF|4e60-4e61 4e8c\n|\n"
    program, log = fake_fc_list(tmp_path, "Type 1\n", listing)
    chars = ["д", "学", "𓀀", "习", "二"]
    assert fonts.find_uncovered(chars, program) == ["学", "𓀀"]
    assert len(calls(log)) == 2


def test_no_run_for_no_characters(tmp_path: Path) -> None:
    program, log = fake_fc_list(tmp_path, "", "")
    assert fonts.find_uncovered([], program) == []
    assert fonts.find_gaps("<p>Plain ASCII, Latin-1: café ½ — “quotes”</p>", program) == []
    assert calls(log) == []


@pytest.mark.parametrize(
    "listing",
    ["TrueType|20-7e zz\n", "TrueType|20-\n", "TrueType|20-7e-80\n"],
    ids=["not hex", "half a range", "a range and a half"],
)
def test_an_answer_that_cannot_be_read_tells_nothing(tmp_path: Path, listing: str) -> None:
    program, _ = fake_fc_list(tmp_path, "", listing)
    assert fonts.find_uncovered(["学"], program) is None
    assert fonts.find_gaps("学", program) == []


@pytest.mark.skipif(not Path("/bin/false").exists(), reason="needs /bin/false")
def test_a_failing_or_missing_fc_list_tells_nothing(tmp_path: Path) -> None:
    assert fonts.find_uncovered(["学"], "/bin/false") is None
    assert fonts.find_uncovered(["学"], str(tmp_path / "no-such-program")) is None


def test_a_query_too_long_for_one_argument_goes_straight_to_the_listing(tmp_path: Path) -> None:
    many = [chr(c) for c in range(0x4E00, 0x4E00 + 25_000)]  # 125,000 characters of hex
    program, log = fake_fc_list(tmp_path, "TrueType\n", "CFF|4e00-8000\n")
    assert fonts.find_uncovered(many, program) == [c for c in many if ord(c) > 0x8000]
    assert calls(log) == [["--format", "%{fontformat}|%{charset}\n"]]


# --------------------------------------------------------------------------- pure parts


def test_characters_are_distinct_in_order_of_first_use() -> None:
    text = "<h1>Zoë 学习</h1><p>学 &#x4e60;&#20108; &amp; д\u200d\ufe0f\u3000\u00ad 🎉д</p>"
    assert fonts.characters(text) == ["学", "习", "二", "д", "🎉"]


@pytest.mark.parametrize(
    "char",
    ["a", "é", "\u00a0", "—", "“", "…", "€", "™", "\u200b", "\u200d", "\ufe0f", "\u3000"],
)
def test_what_every_font_has_and_what_is_not_drawn_needs_no_font(char: str) -> None:
    assert not fonts.needs_font(char)


@pytest.mark.parametrize(
    ("char", "script", "package"),
    [
        ("学", "CJK", "fonts-noto-cjk"),
        ("ア", "CJK", "fonts-noto-cjk"),  # katakana
        ("の", "CJK", "fonts-noto-cjk"),  # hiragana
        ("한", "CJK", "fonts-noto-cjk"),  # Hangul
        ("。", "CJK", "fonts-noto-cjk"),
        ("\U00020000", "CJK", "fonts-noto-cjk"),  # Extension B
        ("🎉", "emoji", "fonts-noto-color-emoji"),
        ("✅", "emoji", "fonts-noto-color-emoji"),
        ("🇫", "emoji", "fonts-noto-color-emoji"),  # a regional indicator (flags)
        ("ا", "Arabic", "fonts-noto-core"),
        ("א", "Hebrew", "fonts-noto-core"),
        ("अ", "Devanagari", "fonts-noto-core"),
        ("\u093e", "Devanagari", "fonts-noto-core"),  # a vowel sign (a combining mark)
        ("ก", "Thai", "fonts-noto-core"),
        ("\U00010300", "Old Italic", "fonts-noto-core"),
        ("\U00013000", "Egyptian", "fonts-noto-core"),
        ("ꝏ", "Latin", "fonts-noto-core"),
        ("✓", "symbols", "fonts-noto-core"),
        ("⌘", "symbols", "fonts-noto-core"),
        ("⸺", "symbols", "fonts-noto-core"),
        ("\ue000", "private use", None),
        ("\U000f0000", "private use", None),
        ("\u0378", "unknown", None),  # not assigned
    ],
)
def test_script_of(char: str, script: str, package: str | None) -> None:
    assert fonts.script_of(char) == (script, package)


def test_groups_keep_the_order_of_first_use_and_punctuation_goes_with_its_script() -> None:
    chars = ["✓", "学", "ا", "؟", "🎉", "习", "।", "⸺", "\ue000", "ب"]
    assert fonts.group_by_script(chars) == [
        Gap("symbols", "fonts-noto-core", ("✓", "।", "⸺")),  # no Devanagari letters
        Gap("CJK", "fonts-noto-cjk", ("学", "习")),
        Gap("Arabic", "fonts-noto-core", ("ا", "؟", "ب")),  # ARABIC QUESTION MARK
        Gap("emoji", "fonts-noto-color-emoji", ("🎉",)),
        Gap("private use", None, ("\ue000",)),
    ]
    assert fonts.group_by_script([]) == []
    assert fonts.group_by_script(["学", "学"]) == [Gap("CJK", "fonts-noto-cjk", ("学",))]


@settings(max_examples=200)
@given(st.lists(st.characters(blacklist_categories=("Cs",)), max_size=30))
def test_grouping_keeps_every_character_once(chars: list[str]) -> None:
    groups = fonts.group_by_script(chars)
    flat = [c for gap in groups for c in gap.chars]
    assert sorted(flat) == sorted(set(chars))
    assert len({(gap.script, gap.package) for gap in groups}) == len(groups)
    assert all(gap.chars for gap in groups)
