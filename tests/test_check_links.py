"""``planner curricula check-links`` against real HTTP servers on this machine.

A ``http.server`` on 127.0.0.1 (port 0) answers 200, 404, a chain of three redirects, a
page slower than a short ``--timeout`` and one slower than ``--slow`` but within it; it
counts every request and how many it serves at once. A curriculum written in tmp_path
points at it, and at ``https://`` on the same plain-http port, where TLS fails.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import pty
import re
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner import links, probe
from tests.conftest import Run
from tests.test_startup import loaded

PROFILE = """\
profile:
  source: a test
  definition: A role whose links point at a server on this machine.
  responsibilities: [Checking links]
  required_skills: [Reading]
  education: [Any]
  tools: [curl]
  industries: [Testing]
  outlook: {growth_percent: 1, period: 2024-2034, occupation: testers, source: a test,
            text: Steady.}
"""


@dataclass
class Seen:
    """What a test server saw: each request's path and headers, and the most at once."""

    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    now: int = 0
    most: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def paths(self) -> Counter[str]:
        return Counter(path for _, path, _ in self.requests)


class Server:
    """A threaded ``http.server`` on ``host`` (port 0) with the paths the module names."""

    def __init__(self, host: str = "127.0.0.1", together: Seen | None = None) -> None:
        self.seen = Seen()
        self.together = together  # also counts requests at once over several servers
        self.stop = threading.Event()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def handle(self) -> None:
                counters = [c for c in (server.seen, server.together) if c is not None]
                for c in counters:
                    with c.lock:
                        c.now += 1
                        c.most = max(c.most, c.now)
                try:
                    super().handle()
                finally:
                    for c in counters:
                        with c.lock:
                            c.now -= 1

            def do_HEAD(self) -> None:  # some servers refuse HEAD: so does this one
                server.seen.requests.append(("HEAD", self.path, dict(self.headers)))
                self.send_response(405)
                self.end_headers()

            def do_GET(self) -> None:
                server.seen.requests.append(("GET", self.path, dict(self.headers)))
                path = self.path
                if path in ("/ok", "/landing", "/twice"):
                    self.answer(200)
                elif path == "/missing":
                    self.answer(404)
                elif path.startswith("/r/"):
                    left = int(path.removeprefix("/r/"))
                    self.send_response(302)
                    self.send_header("Location", f"/r/{left - 1}" if left > 1 else "/landing")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif path == "/stall":
                    server.stop.wait(5)
                    with contextlib.suppress(OSError):
                        self.answer(200)
                elif path == "/slow":
                    time.sleep(0.8)
                    self.answer(200)
                elif path.startswith("/hold/"):
                    time.sleep(0.3)
                    self.answer(200)
                else:
                    self.answer(500)

            def answer(self, status: int) -> None:
                body = b"x" * 100_000  # a body planner never reads
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        class Quiet(http.server.ThreadingHTTPServer):
            daemon_threads = True
            block_on_close = False

            def handle_error(self, request: object, client_address: object) -> None:
                pass

        self.httpd = Quiet((host, 0), Handler)
        self.port = self.httpd.server_address[1]
        self.base = f"http://{host}:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    started = Server()
    yield started
    started.close()


def resource(title: str, url: str) -> str:
    return f'      - {{title: "{title}", url: "{url}", kind: docs}}\n'


def milestone(mid: str, *resources: str) -> str:
    return (
        f"  - id: {mid}\n    title: {mid}\n    summary: Why it matters.\n    hours: 1\n"
        f"    resources:\n{''.join(resources)}    done_when: it is done\n"
    )


def write_role(
    folder: Path, name: str, milestones: str, *, includes: str = "", extra: str = ""
) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(
        f"id: {name}\ntitle: {name}\nsummary: Links to check.\nversion: 1\n{includes}{PROFILE}"
        f"milestones:\n{milestones}{extra}",
        encoding="utf-8",
    )
    return path


def write_module(folder: Path, name: str, milestones: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(
        f"id: {name}\nkind: module\ntitle: {name}\nsummary: Shared.\nversion: 1\n"
        f"milestones:\n{milestones}",
        encoding="utf-8",
    )
    return path


def project(base: str) -> str:
    return (
        "projects:\n  - id: data-project\n    title: A data project\n    summary: Uses data.\n"
        "    difficulty: beginner\n    industries: [Testing]\n    hours: 2\n"
        "    deliverables: [a report]\n    datasets:\n"
        f'      - {{name: "Moved data", url: "{base}/r/3"}}\n'
    )


@pytest.fixture
def every_kind(tmp_path: Path, server: Server) -> Path:
    """``links-role.yaml``, including ``links-base.yaml``: every kind of link once, and
    ``/ok`` listed in both files."""
    base = server.base
    write_module(tmp_path, "links-base", milestone("shared", resource("Fine", f"{base}/ok")))
    return write_role(
        tmp_path,
        "links-role",
        milestone("works", resource("Fine again", f"{base}/ok"))
        + milestone("gone", resource("Gone", f"{base}/missing"))
        + milestone("stalls", resource("Stalls", f"{base}/stall"))
        + milestone("crawls", resource("Crawls", f"{base}/slow"))
        + milestone("no-tls", resource("TLS", f"https://127.0.0.1:{server.port}/")),
        includes="includes: [links-base]\n",
        extra=project(base),
    )


FAST = ("--timeout", "1.5", "--slow", "0.4")


def by_url(stdout: str) -> tuple[dict[str, object], dict[str, dict[str, object]]]:
    data = json.loads(stdout)
    return data["summary"], {link["url"]: link for link in data["links"]}


# --------------------------------------------------------------------------- what is reported


def test_each_kind_of_link_is_reported_with_where_it_is_listed(
    cli: Run, every_kind: Path, server: Server
) -> None:
    result = cli("curricula", "check-links", str(every_kind), *FAST, "--json")
    assert result.exit_code == 1, result.stderr
    assert result.stderr == ""  # no progress line: stderr is no terminal
    summary, found = by_url(result.stdout)
    base = server.base
    tls = f"https://127.0.0.1:{server.port}/"
    assert list(found) == [f"{base}/ok", f"{base}/missing", f"{base}/stall", f"{base}/slow"] + [
        tls,
        f"{base}/r/3",
    ]
    role, module = str(every_kind), str(every_kind.with_name("links-base.yaml"))

    ok = found[f"{base}/ok"]
    assert (ok["dead"], ok["status"], ok["redirected"], ok["slow"]) == (False, 200, False, False)
    assert ok["plain_http"] is True and ok["ok"] is False  # works, but without TLS
    assert ok["listed"] == [
        {"file": module, "title": "Fine", "milestone": "shared"},
        {"file": role, "title": "Fine again", "milestone": "works"},
    ]

    missing = found[f"{base}/missing"]
    assert (missing["dead"], missing["error"], missing["status"]) == (True, "http", 404)
    assert missing["reason"] == "404 Not Found"
    assert missing["listed"] == [{"file": role, "title": "Gone", "milestone": "gone"}]

    stall = found[f"{base}/stall"]
    assert (stall["dead"], stall["error"], stall["reason"]) == (
        True,
        "timeout",
        "no answer within 1.5 s",
    )
    assert stall["listed"][0]["milestone"] == "stalls"

    crawl = found[f"{base}/slow"]
    assert (crawl["dead"], crawl["slow"], crawl["status"]) == (False, True, 200)
    assert 0.8 <= crawl["seconds"] < 1.5

    broken = found[tls]
    assert (broken["dead"], broken["error"], broken["plain_http"]) == (True, "tls", False)
    assert "TLS handshake failed" in broken["reason"]
    assert broken["listed"][0]["milestone"] == "no-tls"

    moved = found[f"{base}/r/3"]
    assert (moved["dead"], moved["redirected"], moved["redirects"]) == (False, True, 3)
    assert moved["final_url"] == f"{base}/landing"
    assert moved["to_https"] is False
    assert moved["listed"] == [
        {"file": role, "title": "Moved data", "project": "data-project", "dataset": "Moved data"}
    ]

    assert summary == {
        "links": 6,
        "ok": 0,
        "dead": 3,
        "redirected": 1,
        "slow": 1,
        "plain_http": 3,
        "cached": 0,
        "files": [module, role],
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", str(ok["checked_at"]))


def test_each_url_is_requested_once_with_get_and_planners_user_agent(
    cli: Run, every_kind: Path, server: Server
) -> None:
    assert cli("curricula", "check-links", str(every_kind), *FAST).exit_code == 1
    counts = server.seen.paths()
    assert counts["/ok"] == 1  # listed twice, in two files
    assert counts["/missing"] == counts["/slow"] == counts["/r/3"] == counts["/landing"] == 1
    assert {method for method, _, _ in server.seen.requests} == {"GET"}
    agents = {headers.get("User-Agent", "") for _, _, headers in server.seen.requests}
    assert len(agents) == 1
    assert re.fullmatch(r"planner/\S+ \(curriculum link check\)", agents.pop())


def test_the_text_report_names_each_problem_and_where(
    cli: Run, every_kind: Path, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(every_kind.parent)
    result = cli("curricula", "check-links", every_kind.name, *FAST)
    assert result.exit_code == 1
    assert result.stderr == ""
    base, tls = server.base, f"https://127.0.0.1:{server.port}/"
    blocks = result.stdout.strip().split("\n\n")
    # a word-wrapped block read as one line
    shown = {block.splitlines()[0]: " ".join(block.split()) for block in blocks}
    assert shown[f"{base}/missing"] == (
        f"{base}/missing dead: 404 Not Found listed in links-role.yaml: milestone gone"
    )
    assert shown[f"{base}/stall"] == (
        f"{base}/stall dead: no answer within 1.5 s listed in links-role.yaml: milestone stalls"
    )
    assert shown[tls].startswith(f"{tls} dead: TLS handshake failed (")
    assert shown[tls].endswith("listed in links-role.yaml: milestone no-tls")
    assert shown[f"{base}/r/3"] == (
        f"{base}/r/3 redirected: 3 redirects, to {base}/landing no TLS: served over plain http "
        "listed in links-role.yaml: project data-project, data set Moved data"
    )
    assert re.fullmatch(
        rf"{re.escape(base)}/slow slow: \d\.\d s to answer \(over 0\.4 s\) no TLS: served over"
        r" plain http listed in links-role\.yaml: milestone crawls",
        shown[f"{base}/slow"],
    )
    assert shown[f"{base}/ok"] == (
        f"{base}/ok no TLS: served over plain http listed in links-base.yaml: milestone shared"
        " listed in links-role.yaml: milestone works"
    )
    firsts = [block.splitlines()[0] for block in blocks]
    assert firsts[:3] == [f"{base}/missing", f"{base}/stall", tls]  # dead ones first
    assert firsts[-1] == "6 links in 2 files: 3 dead, 1 redirected, 1 slow, 3 without TLS, 0 ok."


def test_no_dead_link_exits_0(cli: Run, tmp_path: Path, server: Server) -> None:
    role = write_role(
        tmp_path,
        "alive",
        milestone(
            "one", resource("Fine", f"{server.base}/ok"), resource("A", f"{server.base}/r/1")
        ),
    )
    result = cli("curricula", "check-links", str(role), "--json")
    assert result.exit_code == 0, result.stdout
    summary, _ = by_url(result.stdout)
    assert (summary["dead"], summary["redirected"], summary["plain_http"]) == (0, 1, 2)


def test_a_redirect_from_http_to_https_is_reported_as_such(
    cli: Run, tmp_path: Path, server: Server
) -> None:
    """Checked from the cache (no TLS server here): what was found is reported as such."""
    url = f"{server.base}/page"
    outcome = probe.Outcome(
        url=url,
        final_url="https://example.org/page",
        status=200,
        redirects=1,
        seconds=0.2,
        checked_at=time.time(),
        timeout=10,
    )
    links._write_cache({url: outcome}, time.time())
    role = write_role(tmp_path, "upgraded", milestone("one", resource("Page", url)))
    result = cli("curricula", "check-links", str(role), "--json")
    assert result.exit_code == 0
    _, found = by_url(result.stdout)
    assert (found[url]["to_https"], found[url]["plain_http"], found[url]["cached"]) == (
        True,
        False,
        True,
    )
    text = cli("curricula", "check-links", str(role)).stdout
    assert "redirected: from http to https, 1 redirect, to https://example.org/page" in text
    assert server.seen.requests == []


# --------------------------------------------------------------------------- the cache


def test_a_second_run_within_a_day_uses_the_cache_and_no_cache_does_not(
    cli: Run, every_kind: Path, server: Server
) -> None:
    first = cli("curricula", "check-links", str(every_kind), *FAST, "--json")
    asked = len(server.seen.requests)
    assert asked >= 6
    second = cli("curricula", "check-links", str(every_kind), *FAST, "--json")
    assert len(server.seen.requests) == asked  # the server saw nothing new
    assert second.exit_code == 1
    summary, found = by_url(second.stdout)
    assert summary["cached"] == 6 and all(link["cached"] for link in found.values())
    _, before = by_url(first.stdout)
    for url, link in found.items():
        same = {k: v for k, v in link.items() if k != "cached"}
        assert same == {k: v for k, v in before[url].items() if k != "cached"}
    assert (
        "from the cache: --no-cache checks again"
        in cli("curricula", "check-links", str(every_kind), *FAST).stdout
    )

    third = cli("curricula", "check-links", str(every_kind), *FAST, "--json", "--no-cache")
    assert len(server.seen.requests) == 2 * asked
    assert by_url(third.stdout)[0]["cached"] == 0


def test_results_older_than_a_day_are_checked_again(tmp_path: Path, server: Server) -> None:
    role = write_role(tmp_path, "aging", milestone("one", resource("Fine", f"{server.base}/ok")))
    found, _ = links.collect_links([str(role)])
    start = time.time()

    def run(now: float) -> list[links.Link]:
        return links.check_links(
            found, timeout=2, slow=1, concurrency=2, use_cache=True, now=now, user_agent="t"
        )

    assert not run(start)[0].cached
    assert run(start + links.CACHE_SECONDS - 1)[0].cached
    assert server.seen.paths()["/ok"] == 1
    assert not run(start + links.CACHE_SECONDS)[0].cached
    assert server.seen.paths()["/ok"] == 2


def test_a_time_out_is_checked_again_with_a_longer_timeout(tmp_path: Path, server: Server) -> None:
    role = write_role(tmp_path, "waits", milestone("one", resource("S", f"{server.base}/slow")))
    found, _ = links.collect_links([str(role)])
    now = time.time()

    def run(timeout: float) -> links.Link:
        return links.check_links(
            found, timeout=timeout, slow=5, concurrency=2, use_cache=True, now=now, user_agent="t"
        )[0]

    assert run(0.2).outcome.error == "timeout"
    assert run(0.2).cached  # the same timeout: the same answer
    longer = run(3)
    assert (longer.cached, longer.dead) == (False, False)
    assert run(3).cached


@pytest.mark.parametrize(
    "damage",
    [
        "not json",
        '{"format": "planner-links 1", "links": []}',
        '{"format": "planner-links 1", "links": {"URL": {"url": "URL", "seconds": "fast"}}}',
        "ENTRY_WITH_checked_at_TEXT",
        '{"format": "planner-links 0", "links": {}}',
    ],
)
def test_a_damaged_cache_is_a_miss(cli: Run, tmp_path: Path, server: Server, damage: str) -> None:
    url = f"{server.base}/ok"
    role = write_role(tmp_path, "cached", milestone("one", resource("Fine", url)))
    assert cli("curricula", "check-links", str(role)).exit_code == 0
    path = links.cache_path()
    if damage == "ENTRY_WITH_checked_at_TEXT":
        data = json.loads(path.read_text(encoding="utf-8"))
        data["links"][url]["checked_at"] = "today"
        damage = json.dumps(data)
    path.write_text(damage.replace("URL", url), encoding="utf-8")
    result = cli("curricula", "check-links", str(role), "--json")
    assert result.exit_code == 0, result.stdout
    assert by_url(result.stdout)[1][url]["cached"] is False
    assert server.seen.paths()["/ok"] == 2
    assert cli("curricula", "check-links", str(role), "--json").exit_code == 0
    assert server.seen.paths()["/ok"] == 2  # the cache was written whole again


@settings(max_examples=50, deadline=None)
@given(age=st.integers(-3 * 86400, 3 * 86400))
def test_the_cache_keeps_a_result_for_a_day_at_most(age: int) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(links, "cache_path", lambda: Path(os.environ["PLANNER_HOME"]) / "l.json")
        now = 2_000_000_000.0
        outcome = probe.Outcome("http://a/", "http://a/", 200, 0, 0.1, now - age, 10)
        links._write_cache({"http://a/": outcome}, now - age)
        kept = links._read_cache(now, 10)
        assert ("http://a/" in kept) == (0 <= age < links.CACHE_SECONDS)


def test_a_refused_connection_is_dead(cli: Run, tmp_path: Path) -> None:
    with socket.socket() as unused:  # a port nothing listens on once it is closed
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    role = write_role(tmp_path, "refused", milestone("one", resource("Nobody", url)))
    result = cli("curricula", "check-links", str(role), "--json")
    assert result.exit_code == 1
    link = by_url(result.stdout)[1][url]
    assert (link["dead"], link["error"], link["reason"]) == (True, "refused", "connection refused")


def _failed(cause: BaseException) -> Exception:
    import httpx

    error = httpx.ConnectError(str(cause))
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("exc", "error", "reason"),
    [
        (
            _failed(socket.gaierror(-2, "Name or service not known")),
            "dns",
            "host name nowhere.example not found",
        ),
        (_failed(ConnectionRefusedError(111, "refused")), "refused", "connection refused"),
        (
            _failed(ssl.SSLCertVerificationError(1, "certificate verify failed")),
            "tls",
            "TLS certificate not accepted",
        ),
        (TimeoutError(), "timeout", "no answer within 2 s"),
        (_failed(OSError(113, "No route to host")), "connection", "[Errno 113] No route to host"),
    ],
)
def test_failures_are_named_by_their_cause(exc: Exception, error: str, reason: str) -> None:
    found = probe._failure(exc, "https://nowhere.example/page", 2)
    assert found[0] == error
    assert found[1].startswith(reason)


# --------------------------------------------------------------------------- politeness


def test_never_more_than_two_requests_at_once_to_one_host(
    cli: Run, tmp_path: Path, server: Server
) -> None:
    holds = [resource(f"Hold {i}", f"{server.base}/hold/{i}") for i in range(6)]
    role = write_role(tmp_path, "busy", milestone("many", *holds))
    result = cli("curricula", "check-links", str(role), "--concurrency", "8")
    assert result.exit_code == 0, result.stdout
    assert len(server.seen.requests) == 6
    assert server.seen.most == 2  # concurrent, but politely


def test_concurrency_limits_requests_in_all(
    cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    together = Seen()
    one, two = Server("127.0.0.1", together), Server("127.0.0.2", together)
    try:
        holds = [
            resource(f"Hold {i}", f"{server.base}/hold/{i}")
            for server in (one, two)
            for i in range(4)
        ]
        role = write_role(tmp_path, "two-hosts", milestone("many", *holds))
        result = cli("curricula", "check-links", str(role), "--concurrency", "3")
        assert result.exit_code == 0, result.stdout
        assert together.most == 3
        assert one.seen.most <= 2 and two.seen.most <= 2
        assert len(one.seen.requests) == len(two.seen.requests) == 4
    finally:
        one.close()
        two.close()


# --------------------------------------------------------------------------- what it checks


def test_no_argument_checks_every_curriculum_on_the_path(
    cli: Run, tmp_path: Path, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    builtin = tmp_path / "builtin"
    builtin.mkdir()
    write_module(builtin, "base-one", milestone("m1", resource("A", f"{server.base}/ok")))
    write_role(
        builtin,
        "role-one",
        milestone("m2", resource("B", f"{server.base}/twice")),
        includes="includes: [base-one]\n",
    )
    write_role(builtin, "role-two", milestone("m3", resource("C", f"{server.base}/twice")))
    monkeypatch.setattr("planner.settings.builtin_curricula_dir", lambda: builtin)
    result = cli("curricula", "check-links", "--json")
    assert result.exit_code == 0, result.stdout
    summary, found = by_url(result.stdout)
    assert len(summary["files"]) == 3  # the module once, though a role includes it
    assert list(found) == [f"{server.base}/ok", f"{server.base}/twice"]
    assert [listing["milestone"] for listing in found[f"{server.base}/twice"]["listed"]] == [
        "m2",
        "m3",
    ]
    assert server.seen.paths() == Counter({"/ok": 1, "/twice": 1})


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["no-such-role"], 4, "Error: Unknown role 'no-such-role'."),
        (["missing.yaml"], 4, "Error: No curriculum file at 'missing.yaml'."),
        (["--timeout", "0"], 2, "Error: --timeout must be from 0.1 to 300 seconds (got 0)."),
        (["--timeout", "soon"], 2, "Error: Invalid value for '--timeout'"),
        (["--slow", "-1"], 2, "Error: --slow must be from 0.1 to 300 seconds (got -1)."),
        (["--concurrency", "0"], 2, "Error: --concurrency must be from 1 to 64 (got 0)."),
        (["broken.yaml"], 3, "Error: 1 problem in curriculum:"),
    ],
)
def test_bad_arguments_are_refused_before_any_request(
    cli: Run,
    every_kind: Path,
    server: Server,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    code: int,
    message: str,
) -> None:
    monkeypatch.chdir(every_kind.parent)
    (every_kind.parent / "broken.yaml").write_text("id: broken\ntitle: [\n", encoding="utf-8")
    result = cli("curricula", "check-links", every_kind.name, *args)
    assert result.exit_code == code
    assert result.stderr.startswith(message), result.stderr
    assert "Traceback" not in result.stderr
    assert server.seen.requests == []


# --------------------------------------------------------------------------- the terminal


def test_httpx_is_loaded_only_to_check_links(planner_home: Path) -> None:
    for args in (["curricula", "list"], ["curricula", "check-links", "--help"], ["--help"]):
        assert loaded(args, planner_home, ("httpx", "anyio", "httpcore")) == set(), args


def test_a_progress_line_is_shown_only_on_a_terminal(every_kind: Path, server: Server) -> None:
    """stderr a terminal (a pty): ``Checking links: N of M`` as links are done, cleared at
    the end; the report itself still on stdout."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "100"}
    with subprocess.Popen(
        [sys.executable, "-m", "planner", "curricula", "check-links", str(every_kind), *FAST],
        stdout=subprocess.PIPE,
        stderr=follower,
        env=env,
        text=True,
    ) as proc:
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the other end closed
                break
            if not chunk:
                break
            shown += chunk
        out = proc.stdout.read() if proc.stdout else ""
        assert proc.wait(timeout=60) == 1
    os.close(leader)
    text = shown.decode()
    assert "Checking links: 1 of 6" in text and "Checking links: 6 of 6" in text
    assert text.endswith("\r\x1b[K")  # the line is cleared before the report
    assert "Checking" not in out and "links in 2 files: 3 dead" in out
