"""Ask web servers whether URLs still lead somewhere, many at once and politely.

Each URL is requested with ``GET`` (some servers refuse ``HEAD``), reading only the status
line and headers before the connection is closed. Redirects are followed one hop at a
time, so that every hop waits its turn for its own host: at most ``PER_HOST`` requests to
one host name at a time, and ``concurrency`` in all. ``timeout`` bounds each hop.

httpx is imported only when a URL is really requested.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

if TYPE_CHECKING:
    import asyncio

    import httpx

PER_HOST = 2  # requests to one host name at a time
MAX_REDIRECTS = 10

Progress = Callable[[int, int], None]  # (URLs answered so far, URLs to ask)


@dataclass(frozen=True)
class Outcome:
    """What asking for one URL gave. ``error`` is None for a link that works, else one of
    ``http`` (4xx/5xx), ``dns``, ``refused``, ``tls``, ``timeout``, ``redirects`` (too
    many, or to something not http(s)), ``connection`` (any other failure); ``reason``
    says it in words. ``seconds``: time to the last answer's headers, all hops;
    ``checked_at``: seconds since the epoch; ``timeout``: the one it was checked with."""

    url: str
    final_url: str
    status: int | None
    redirects: int
    seconds: float
    checked_at: float
    timeout: float
    error: str | None = None
    reason: str | None = None


def probe_urls(
    urls: list[str],
    *,
    timeout: float,
    concurrency: int,
    now: float,
    user_agent: str,
    progress: Progress | None = None,
) -> dict[str, Outcome]:
    """What each of ``urls`` gave, by URL. ``timeout``: seconds per hop; ``concurrency``:
    requests at once in all; ``now``: seconds since the epoch, recorded as when each was
    checked; ``progress`` is called as each URL is done."""
    import asyncio

    return asyncio.run(
        _check_all(
            urls,
            timeout=timeout,
            concurrency=concurrency,
            now=now,
            user_agent=user_agent,
            progress=progress,
        )
    )


async def _check_all(
    urls: list[str],
    *,
    timeout: float,
    concurrency: int,
    now: float,
    user_agent: str,
    progress: Progress | None,
) -> dict[str, Outcome]:
    import asyncio

    import httpx

    overall = asyncio.Semaphore(concurrency)
    hosts: dict[str, asyncio.Semaphore] = {}
    client = httpx.AsyncClient(
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        headers={"User-Agent": user_agent, "Accept": "*/*"},
        limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=0),
    )
    results: dict[str, Outcome] = {}
    async with client:
        tasks = [
            asyncio.create_task(_check_one(client, url, timeout, overall, hosts, now))
            for url in urls
        ]
        for done, finished in enumerate(asyncio.as_completed(tasks), start=1):
            outcome = await finished
            results[outcome.url] = outcome
            if progress is not None:
                progress(done, len(urls))
    return results


async def _check_one(
    client: httpx.AsyncClient,
    url: str,
    timeout: float,
    overall: asyncio.Semaphore,
    hosts: dict[str, asyncio.Semaphore],
    checked_at: float,
) -> Outcome:
    """Follow ``url`` hop by hop; what it gave."""
    import asyncio

    import httpx

    spent = 0.0
    current = url

    def outcome(
        status: int | None, hops: int, error: str | None = None, reason: str = ""
    ) -> Outcome:
        return Outcome(
            url=url,
            final_url=current,
            status=status,
            redirects=hops,
            seconds=spent,
            checked_at=checked_at,
            timeout=timeout,
            error=error,
            reason=reason or None,
        )

    for hops in range(MAX_REDIRECTS + 1):
        host = urlsplit(current).hostname or ""
        lock = hosts.setdefault(host, asyncio.Semaphore(PER_HOST))
        async with lock, overall:
            started = time.monotonic()
            try:
                async with asyncio.timeout(timeout):
                    response = await client.send(client.build_request("GET", current), stream=True)
                    await response.aclose()
            except (TimeoutError, httpx.HTTPError, httpx.InvalidURL, OSError) as exc:
                spent += time.monotonic() - started
                error, reason = _failure(exc, current, timeout)
                return outcome(None, hops, error, reason)
            spent += time.monotonic() - started
        status, location = response.status_code, response.headers.get("location")
        if status >= 400:
            phrase = response.reason_phrase
            return outcome(status, hops, "http", f"{status} {phrase}".strip())
        if not (300 <= status < 400 and location):
            return outcome(status, hops)
        target = urljoin(current, location)
        if scheme(target) not in ("http", "https"):
            return outcome(status, hops, "redirects", f"redirects to {target}, not a web page")
        current = target
    return outcome(None, MAX_REDIRECTS, "redirects", f"more than {MAX_REDIRECTS} redirects")


def _failure(exc: Exception, url: str, timeout: float) -> tuple[str, str]:
    """Why a request failed, as ``(error, reason)``."""
    import socket
    import ssl

    import httpx

    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return "timeout", f"no answer within {timeout:g} s"
    causes: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and len(causes) < 10:
        causes.append(seen)
        seen = seen.__cause__ or seen.__context__
    for cause in causes:
        if isinstance(cause, ssl.SSLCertVerificationError):
            why = getattr(cause, "verify_message", None) or cause.strerror or str(cause)
            return "tls", f"TLS certificate not accepted ({why})"
        if isinstance(cause, ssl.SSLError):
            detail = (cause.reason or str(cause)).replace("_", " ").lower()
            return "tls", f"TLS handshake failed ({detail}): is it served over https?"
        if isinstance(cause, socket.gaierror):
            return "dns", f"host name {urlsplit(url).hostname} not found"
        if isinstance(cause, ConnectionRefusedError):
            return "refused", "connection refused"
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return "connection", f"not a URL that can be fetched ({exc})"
    return "connection", str(exc) or type(exc).__name__


def scheme(url: str) -> str:
    return urlsplit(url).scheme.lower()
