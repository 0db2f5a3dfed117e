"""Text a PDF would print as boxes: the characters of a document that no installed font
can draw, grouped by script, each group with the Debian package that has a font for it.

The PDF is drawn by WeasyPrint through Pango, which finds fonts with fontconfig; so
fontconfig's command line, ``fc-list``, is asked. ``find_uncovered`` runs it once with all
the characters that need asking (``fc-list ':charset=5b66 4e60' family``: the fonts that
have every one of them), and only when no single font has them all, once more to list the
characters of every font and find those that none has: two runs at most, however many
characters a plan holds. ASCII, Latin-1 and common punctuation, which every text font has,
are not asked about, so a plan in a Latin script usually runs nothing.

Where ``fc-list`` is not installed (Windows, or macOS without fontconfig's tools) or gives
no usable answer, nothing can be told, and nothing is reported.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

CJK_PACKAGE = "fonts-noto-cjk"
EMOJI_PACKAGE = "fonts-noto-color-emoji"
SCRIPTS_PACKAGE = "fonts-noto-core"  # Noto for every other script, symbols, maths, music

# Characters every text font has (WGL4): not asked about.
_SURE = re.compile(r"[\x00-\xff\u2010-\u2027\u2030-\u203a\u20ac\u2122]")

# Default-ignorable code points of categories other than Cc/Cf (which are skipped by
# category): variation selectors, the combining grapheme joiner, Hangul fillers,
# Mongolian free variation selectors, Khmer inherent vowels. Nothing draws them.
_IGNORABLE = (
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xE0000, 0xE0FFF),
)
_SKIPPED_CATEGORIES = {"Cc", "Cf", "Cs", "Zs", "Zl", "Zp"}

_CJK = (
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x2E80, 0x2FFF),  # radicals, ideographic description
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3040, 0x31FF),  # kana, Bopomofo, Hangul compatibility Jamo, kanbun, strokes
    (0x3200, 0x9FFF),  # enclosed, compatibility, ideographs (and Extension A)
    (0xA960, 0xA97F),  # Hangul Jamo Extended-A
    (0xAC00, 0xD7FF),  # Hangul syllables, Jamo Extended-B
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0xFE30, 0xFE4F),  # compatibility forms
    (0xFF00, 0xFFEF),  # half-width and full-width forms
    (0x1AFF0, 0x1B16F),  # kana supplement and extensions
    (0x20000, 0x3FFFF),  # ideograph extensions
)
_EMOJI = (
    (0x1F004, 0x1F004),
    (0x1F0CF, 0x1F0CF),
    (0x1F18E, 0x1F18E),
    (0x1F191, 0x1F19A),
    (0x1F1E6, 0x1F1FF),  # regional indicators (flags)
    (0x1F201, 0x1F251),
    (0x1F300, 0x1F64F),
    (0x1F680, 0x1F6FF),
    (0x1F7E0, 0x1F7EB),
    (0x1F90C, 0x1F9FF),
    (0x1FA70, 0x1FAFF),
)
# Characters below U+FFFF shown as emoji by default (Unicode's Emoji_Presentation).
_BMP_EMOJI = frozenset(
    [0x231A, 0x231B, 0x23E9, 0x23EA, 0x23EB, 0x23EC, 0x23F0, 0x23F3, 0x25FD, 0x25FE]
    + [0x2614, 0x2615, *range(0x2648, 0x2654), 0x267F, 0x2693, 0x26A1, 0x26AA, 0x26AB]
    + [0x26BD, 0x26BE, 0x26C4, 0x26C5, 0x26CE, 0x26D4, 0x26EA, 0x26F2, 0x26F3, 0x26F5]
    + [0x26FA, 0x26FD, 0x2705, 0x270A, 0x270B, 0x2728, 0x274C, 0x274E, 0x2753, 0x2754]
    + [0x2755, 0x2757, 0x2795, 0x2796, 0x2797, 0x27B0, 0x27BF, 0x2B1B, 0x2B1C, 0x2B50]
    + [0x2B55]
)
# Words that, in a character's Unicode name, follow the name of its script: "ARABIC
# LETTER ALEF", "OLD ITALIC LETTER A", "EGYPTIAN HIEROGLYPH A001", "THAI CHARACTER KO KAI".
_KINDS = frozenset(
    "LETTER LIGATURE SIGN DIGIT NUMBER NUMERAL FRACTION VOWEL CONSONANT SYLLABLE SYLLABICS "
    "CHARACTER HIEROGLYPH IDEOGRAM LOGOGRAM PUNCTUATION MARK SYMBOL SMALL CAPITAL COMMA "
    "TONE MEDIAL FINAL INDEPENDENT DEPENDENT SUBJOINED SEPARATOR SECTION DANDA VIRAMA "
    "ABBREVIATION AKSARA HEAD".split()
)
_LEADING = frozenset({"COMBINING", "MODIFIER"})
_GROUPS = frozenset({"CJK", "emoji", "symbols", "private use", "unknown"})  # not scripts

_RANGE = re.compile(r"([0-9a-fA-F]{1,6})(?:-([0-9a-fA-F]{1,6}))?")  # fontconfig's "4e00-9fff"
TIMEOUT = 60  # seconds for one fc-list run (the first after fonts change rebuilds a cache)
_MAX_QUERY = 100_000  # characters of one command-line argument (Linux allows 128 KiB)


@dataclass(frozen=True)
class Gap:
    """Characters of one script group that no installed font has.

    ``script`` is "CJK" (Chinese, Japanese and Korean: ideographs, kana, Hangul),
    "emoji", "symbols", "private use", "unknown" (a character this Python's Unicode
    tables do not know) or the name of a script in title case ("Arabic", "Old Italic");
    ``package`` the Debian/Ubuntu package with a font for it, or None when there is none
    to name; ``chars`` the characters, in the order the document first uses them."""

    script: str
    package: str | None
    chars: tuple[str, ...]


def _within(code: int, ranges: Iterable[tuple[int, int]]) -> bool:
    return any(first <= code <= last for first, last in ranges)


def needs_font(char: str) -> bool:
    """Whether ``char`` (one character) must be asked about: not ASCII, Latin-1 or common
    punctuation (every text font has them), and drawn at all (not a control, format
    character, space or variation selector)."""
    if _SURE.match(char):
        return False
    if unicodedata.category(char) in _SKIPPED_CATEGORIES:
        return False
    return not _within(ord(char), _IGNORABLE)


def characters(text: str) -> list[str]:
    """The distinct characters of ``text`` that need a font (see ``needs_font``), in the
    order of their first use. HTML character references are read as the characters they
    stand for; the tags are ASCII and so are left out anyway."""
    return [char for char in dict.fromkeys(html.unescape(text)) if needs_font(char)]


def script_of(char: str) -> tuple[str, str | None]:
    """The script group of ``char`` and the Debian package with a font for it:
    ``("CJK", "fonts-noto-cjk")``, ``("emoji", "fonts-noto-color-emoji")``,
    ``("Arabic", "fonts-noto-core")``, ``("symbols", "fonts-noto-core")``,
    ``("private use", None)`` or ``("unknown", None)``. See ``Gap``."""
    code = ord(char)
    category = unicodedata.category(char)
    if category == "Co":
        return "private use", None
    if category == "Cn":
        return "unknown", None
    if _within(code, _CJK):
        return "CJK", CJK_PACKAGE
    if code in _BMP_EMOJI or _within(code, _EMOJI):
        return "emoji", EMOJI_PACKAGE
    words = unicodedata.name(char, "").split()
    if category[0] in "PS":  # "CHECK MARK", "TWO-EM DASH"; see group_by_script
        return "symbols", SCRIPTS_PACKAGE
    while words and words[0] in _LEADING:
        words = words[1:]
    kind = next((i for i, word in enumerate(words[:4]) if word in _KINDS), None)
    if kind:  # neither None nor 0: the script's name stands before the kind
        return " ".join(words[:kind]).title(), SCRIPTS_PACKAGE
    if kind is None and words:
        return words[0].title(), SCRIPTS_PACKAGE
    return "symbols", SCRIPTS_PACKAGE


def group_by_script(chars: Iterable[str]) -> list[Gap]:
    """``chars`` grouped by ``script_of``, the groups in the order of their first
    character, the characters in their given order (repeats dropped). A script's own
    punctuation ("ARABIC QUESTION MARK") goes with its letters where they are in a
    group, and with the symbols where not."""
    distinct = list(dict.fromkeys(chars))
    found = {char: script_of(char) for char in distinct}
    scripts = {key for key in found.values() if key[0] not in _GROUPS}
    groups: dict[tuple[str, str | None], list[str]] = {}
    for char in distinct:
        key = found[char]
        if key[0] == "symbols":
            first = unicodedata.name(char, "").partition(" ")[0].title()
            key = next((s for s in scripts if s[0] == first), key)
        groups.setdefault(key, []).append(char)
    return [Gap(script, package, tuple(chars)) for (script, package), chars in groups.items()]


def find_uncovered(chars: list[str], fc_list: str | None = None) -> list[str] | None:
    """Those of ``chars`` (distinct single characters) that no installed font has, in
    their given order; None when that cannot be told: ``fc-list`` (found on PATH, or
    the path ``fc_list``) is missing, fails, or gives an answer that cannot be read.
    Runs fc-list at most twice and not at all for an empty list."""
    if not chars:
        return []
    program = fc_list or shutil.which("fc-list")
    if program is None:
        return None
    wanted = " ".join(f"{ord(char):x}" for char in chars)
    if len(wanted) <= _MAX_QUERY:
        formats = _run([program, "--format", "%{fontformat}\n", f":charset={wanted}"])
        if formats is None:
            return None
        if _usable(formats.splitlines()):
            return []  # one font has them all
    listing = _run([program, "--format", "%{fontformat}|%{charset}\n"])
    if listing is None:
        return None
    left = sorted(ord(char) for char in chars)
    for line in listing.splitlines():
        kind, _, charset = line.partition("|")
        if not _usable([kind]):
            continue
        for part in charset.split():
            found = _RANGE.fullmatch(part)
            if found is None:
                return None
            low = int(found[1], 16)
            high = int(found[2], 16) if found[2] else low
            del left[bisect_left(left, low) : bisect_right(left, high)]
        if not left:
            return []
    missing = set(left)
    return [char for char in chars if ord(char) in missing]


def _usable(formats: list[str]) -> bool:
    """Whether one of these fonts (by fontconfig's ``fontformat``) is one Pango draws
    with: TrueType or OpenType (CFF); not Type 1 or bitmap fonts, which it has not used
    since version 1.44."""
    return any(kind.strip() in ("TrueType", "CFF") for kind in formats)


def _run(args: list[str]) -> str | None:
    """fc-list's output, or None when it cannot be run or fails."""
    try:
        done = subprocess.run(  # noqa: S603 - fc-list from PATH, arguments are hex digits
            args,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def find_gaps(text: str, fc_list: str | None = None) -> list[Gap]:
    """The script groups of ``text`` (a document, HTML or plain) that no installed font
    can draw; empty when every character has a font, or when that cannot be told (no
    ``fc-list``; see ``find_uncovered``)."""
    return group_by_script(find_uncovered(characters(text), fc_list) or [])
