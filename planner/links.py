"""Check that the links of curricula still lead somewhere: ``planner curricula check-links``.

Every resource and data-set URL of the curricula named (a role with the modules it
includes) is requested once, however often it is listed (``planner.probe`` asks the
servers: ``GET``, headers only, at most two requests to one host at a time).

A link is *dead* when it answers 4xx or 5xx, its host name is not found, the connection
is refused or fails, TLS fails, it redirects too often, or no answer comes within the
timeout (per hop); *redirected* when it ends elsewhere; *slow* when its answer (all hops)
took more than ``slow`` seconds; *plain http* when the page it ends on is not served over
TLS. Results are kept for a day in ``<home>/cache/links.json`` (``CACHE_SECONDS``).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner import cache, settings
from planner.errors import UsageError
from planner.probe import Outcome, Progress, scheme

if TYPE_CHECKING:
    from planner.models import CurriculumFile

CACHE_SECONDS = 24 * 60 * 60
CACHE_FORMAT = "planner-links 1"
TIMEOUT_RANGE = (0.1, 300.0)  # seconds, for --timeout and --slow
CONCURRENCY_RANGE = (1, 64)


@dataclass(frozen=True)
class Listing:
    """Where a URL is listed: a milestone's resource or a project's data set."""

    file: str  # the curriculum file, as it was found
    title: str  # the resource's title or the data set's name
    milestone: str | None = None
    project: str | None = None
    dataset: str | None = None

    def where(self) -> str:
        """``my-role.yaml: milestone first-steps`` or ``...: project churn, data set X``."""
        if self.milestone is not None:
            return f"{self.file}: milestone {self.milestone}"
        return f"{self.file}: project {self.project}, data set {self.dataset}"


@dataclass(frozen=True)
class Link:
    """A URL with every place it is listed, what checking it gave, and what that means."""

    url: str
    listed: tuple[Listing, ...]
    outcome: Outcome
    cached: bool
    slow_after: float  # seconds: slower than this is slow

    @property
    def dead(self) -> bool:
        return self.outcome.error is not None

    @property
    def redirected(self) -> bool:
        return self.outcome.redirects > 0

    @property
    def to_https(self) -> bool:
        """Listed as http and ends on https: the listed URL can simply say https."""
        return scheme(self.url) == "http" and scheme(self.outcome.final_url) == "https"

    @property
    def slow(self) -> bool:
        return not self.dead and self.outcome.seconds > self.slow_after

    @property
    def plain_http(self) -> bool:
        return not self.dead and scheme(self.outcome.final_url) == "http"

    @property
    def ok(self) -> bool:
        return not (self.dead or self.redirected or self.slow or self.plain_http)

    def as_dict(self) -> dict[str, Any]:
        o = self.outcome
        return {
            "url": self.url,
            "ok": self.ok,
            "dead": self.dead,
            "error": o.error,
            "reason": o.reason,
            "status": o.status,
            "redirected": self.redirected,
            "redirects": o.redirects,
            "final_url": o.final_url,
            "to_https": self.to_https,
            "slow": self.slow,
            "seconds": round(o.seconds, 3),
            "plain_http": self.plain_http,
            "cached": self.cached,
            "checked_at": datetime.fromtimestamp(o.checked_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "listed": [
                {k: v for k, v in asdict(listing).items() if v is not None}
                for listing in self.listed
            ],
        }


@dataclass
class Summary:
    """How many links there were, and how many of them fall under each heading (a link
    may be redirected, slow and plain http at once); ``cached``: answered from the cache."""

    links: int = 0
    ok: int = 0
    dead: int = 0
    redirected: int = 0
    slow: int = 0
    plain_http: int = 0
    cached: int = 0
    files: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, links: list[Link], files: list[str]) -> Summary:
        return cls(
            links=len(links),
            ok=sum(link.ok for link in links),
            dead=sum(link.dead for link in links),
            redirected=sum(link.redirected for link in links),
            slow=sum(link.slow for link in links),
            plain_http=sum(link.plain_http for link in links),
            cached=sum(link.cached for link in links),
            files=files,
        )


# --------------------------------------------------------------------------- what to check


def check_options(*, timeout: float, slow: float, concurrency: int) -> None:
    """Raise UsageError unless ``timeout`` and ``slow`` are 0.1 to 300 seconds and
    ``concurrency`` is 1 to 64."""
    low, high = TIMEOUT_RANGE
    for name, value in (("--timeout", timeout), ("--slow", slow)):
        if not (math.isfinite(value) and low <= value <= high):
            msg = f"{name} must be from {low:g} to {high:g} seconds (got {value:g})."
            raise UsageError(msg)
    first, last = CONCURRENCY_RANGE
    if not first <= concurrency <= last:
        msg = f"--concurrency must be from {first} to {last} (got {concurrency})."
        raise UsageError(msg)


def collect_links(refs: list[str]) -> tuple[dict[str, list[Listing]], list[str]]:
    """The URLs of the curricula ``refs`` (role ids or paths; none: every curriculum on
    the curricula path, as ``planner curricula list`` shows them) with where each is
    listed, in the order first listed; and the files read. A role brings the modules it
    includes; a file listed twice counts once. Everything is checked before anything is
    returned: raises UnknownRole (no such role or file) or CurriculumInvalid."""
    from planner.curriculum import available, find_curriculum, load_curriculum

    tops = [find_curriculum(ref) for ref in refs] if refs else [p for _, p in available()]
    for top in tops:
        load_curriculum(str(top))  # the whole role is valid (and cached) before any request
    links: dict[str, list[Listing]] = {}
    files: list[str] = []
    read: set[str] = set()
    for top in tops:
        for path, model in _files(top):
            key = str(path.absolute())
            if key in read:
                continue
            read.add(key)
            files.append(str(path))
            for listing, url in _listings(str(path), model):
                found = links.setdefault(url, [])
                if listing not in found:
                    found.append(listing)
    return links, files


def _files(top: Path) -> list[tuple[Path, CurriculumFile]]:
    """``top`` and the files it includes, includes first, each once; found as the loader
    finds them (beside the includer, then on the curricula path)."""
    from planner.curriculum import load_file
    from planner.search import find_in

    ordered: list[tuple[Path, CurriculumFile]] = []
    seen: set[str] = set()

    def visit(path: Path) -> None:
        seen.add(str(path.absolute()))
        model = load_file(path).model
        for include in model.includes:
            found = find_in([path.parent, *settings.curricula_dirs()], include)
            if found is not None and str(found.absolute()) not in seen:
                visit(found)
        ordered.append((path, model))

    visit(top)
    return ordered


def _listings(file: str, model: CurriculumFile) -> Iterable[tuple[Listing, str]]:
    for milestone in model.milestones:
        for resource in milestone.resources:
            yield Listing(file=file, title=resource.title, milestone=milestone.id), resource.url
    for project in model.projects:
        for dataset in project.datasets:
            listing = Listing(
                file=file, title=dataset.name, project=project.id, dataset=dataset.name
            )
            yield listing, dataset.url


# --------------------------------------------------------------------------- checking


def check_links(
    links: dict[str, list[Listing]],
    *,
    timeout: float,
    slow: float,
    concurrency: int,
    use_cache: bool,
    now: float,
    user_agent: str,
    progress: Progress | None = None,
) -> list[Link]:
    """Check every URL of ``links`` (as ``collect_links`` gives them) and return them in
    the same order. ``timeout``: seconds per hop; ``slow``: seconds, all hops;
    ``concurrency``: requests at once in all (two at most per host name); ``now``:
    seconds since the epoch, to judge the cache by; ``use_cache``: take results younger
    than a day from it (fresh results are stored either way); ``progress`` is called as
    each link that is really requested is done."""
    cached = _read_cache(now, timeout) if use_cache else {}
    todo = [url for url in links if url not in cached]
    fresh: dict[str, Outcome] = {}
    if todo:
        from planner.probe import probe_urls

        fresh = probe_urls(
            todo,
            timeout=timeout,
            concurrency=concurrency,
            now=now,
            user_agent=user_agent,
            progress=progress,
        )
        _write_cache(fresh, now)
    return [
        Link(
            url=url,
            listed=tuple(listed),
            outcome=fresh[url] if url in fresh else cached[url],
            cached=url not in fresh,
            slow_after=slow,
        )
        for url, listed in links.items()
    ]


# --------------------------------------------------------------------------- the cache


def cache_path() -> Path:
    return cache.folder() / "links.json"


def _read_entries() -> dict[str, Any]:
    try:
        data = json.loads(cache_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
        return {}
    entries = data.get("links")
    return entries if isinstance(entries, dict) else {}


def _read_cache(now: float, timeout: float) -> dict[str, Outcome]:
    """The cached outcomes still good at ``now`` for a check with ``timeout``: checked
    less than a day ago, and not one that ``timeout`` would change (a time-out after a
    shorter wait, or an answer slower than ``timeout``)."""
    found: dict[str, Outcome] = {}
    for url, entry in _read_entries().items():
        outcome = _outcome(entry)
        if outcome is None or outcome.url != url:
            continue  # a damaged entry is a miss
        if not 0 <= now - outcome.checked_at < CACHE_SECONDS:
            continue
        if outcome.error == "timeout" and outcome.timeout < timeout:
            continue
        if outcome.error is None and outcome.seconds > timeout:
            continue
        found[url] = outcome
    return found


# The type of each field of an entry, as JSON gives it back
_FIELDS: dict[str, tuple[type, ...]] = {
    "url": (str,),
    "final_url": (str,),
    "status": (int, type(None)),
    "redirects": (int,),
    "seconds": (int, float),
    "checked_at": (int, float),
    "timeout": (int, float),
    "error": (str, type(None)),
    "reason": (str, type(None)),
}


def _outcome(entry: Any) -> Outcome | None:
    """A cache entry as an Outcome, or None when it is not one (edited or damaged)."""
    if not isinstance(entry, dict) or set(entry) != set(_FIELDS):
        return None
    for name, kinds in _FIELDS.items():
        value = entry[name]
        if isinstance(value, bool) or not isinstance(value, kinds):
            return None
    return Outcome(**entry)


def _write_cache(fresh: dict[str, Outcome], now: float) -> None:
    """Keep ``fresh`` with the entries still younger than a day; failures are ignored
    (it is only a cache)."""
    entries = {
        url: entry
        for url, entry in _read_entries().items()
        if (kept := _outcome(entry)) is not None and 0 <= now - kept.checked_at < CACHE_SECONDS
    }
    entries.update({url: asdict(outcome) for url, outcome in fresh.items()})
    text = json.dumps({"format": CACHE_FORMAT, "links": entries}, sort_keys=True)
    with contextlib.suppress(OSError):
        path = cache_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".links-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            Path(temp).replace(path)
        finally:
            Path(temp).unlink(missing_ok=True)
