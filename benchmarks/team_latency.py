"""How ``planner team`` slows down when the database is across a network.

Usage::

    python benchmarks/team_latency.py                     # 1,000 plans, delays 0,1,5 ms, 5 runs
    python benchmarks/team_latency.py --plans 200 --runs 3 --delays 0,2,10
    python benchmarks/team_latency.py --url postgresql+psycopg://user@host:5432/postgres

``planner team --format txt`` (a report over every plan in one database) is run as a
whole process, the ``planner`` console script of the virtualenv that runs this script,
with its output thrown away, against the same N plans in:

    SQLite       a file in a temporary PLANNER_HOME
    PostgreSQL   a fresh database, reached directly
    PostgreSQL   the same database through a TCP proxy on loopback that holds every chunk
                 it forwards for D ms, in both directions, once per delay in --delays

The server comes from ``--url``, else PLANNER_TEST_DATABASE_URL, else the local test
server; it must let its user ``CREATE DATABASE``. Each run makes its own database
(``bench_team_<pid>_<hex>``) and drops it at the end, whatever happens.

The plans: ``planner start`` makes one plan of each of two roles, ``planner export json
--all`` gives the format and the curricula they keep, and a JSON file of N plans is
generated from them (fixed seed: started 4 to 60 weeks ago, 2 to 6 milestones done, one
study entry each, half of the plans of each role) and brought into each database with
``planner import``. A warm-up run of each setup checks the report names all N plans.
Then the setups take turns, run after run, so they all see the same machine weather.

The proxy runs in threads of this process. Each direction of each connection is a queue:
a chunk read at time t is written on at t + D (a sleep, not a bandwidth limit; order is
kept), so a request and its reply cost 2 D more than directly. It counts, per ``team``
run: connections; round trips (client->server chunks that follow a reply, i.e. the times
the client waits for the server); statements (Query and Execute messages of the
PostgreSQL protocol, when the traffic is not encrypted). The proxy with 0 ms shows what
the proxy itself costs; the direct row makes the same round trips.

The table: median and fastest wall time of ``team`` over --runs runs, and the median as a
multiple of the direct PostgreSQL median. The script measures; it does not judge: it
exits 0 whatever the times are, and 1 only when something failed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import queue
import random
import secrets
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

PLANNER = str(Path(sys.executable).parent / "planner")
DEFAULT_URL = "postgresql+psycopg://planner@127.0.0.1:5433/postgres"
ROLES = ("ai-architect", "lead-ml-engineer")
SEED = 20231206
# Variables that change what a child does or how fast, or where its data goes: unset.
UNSET = (
    "PYTHONDONTWRITEBYTECODE",
    "PYTHONPROFILEIMPORTTIME",
    "PYTHONDEVMODE",
    "PYTHONTRACEMALLOC",
    "PLANNER_DB",
    "PLANNER_DATABASE_URL",
    "PLANNER_DB_SCHEMA",
    "PLANNER_PLAN",
    "PLANNER_CURRICULA_PATH",
    "PLANNER_FAULT",
)
# PostgreSQL frontend (client->server) message types; anything else means we cannot read
# the stream (TLS, or a protocol we do not know) and statements are not counted.
FRONTEND_TYPES = frozenset(b"BCdcfDEHFPpQSX")
SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104
CANCEL_REQUEST = 80877102


def progress(message: str) -> None:
    print(f"... {message}", file=sys.stderr, flush=True)


class CommandFailed(Exception):
    def __init__(self, argv: Sequence[str], code: int, stderr: str) -> None:
        super().__init__(f"{' '.join(argv)} exited with {code}:\n{stderr}")


# --------------------------------------------------------------------------- the proxy


class _FrontendCounter:
    """Counts Query ('Q') and Execute ('E') messages in a client->server byte stream."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.started = False  # past the untyped startup packets
        self.readable = True
        self.statements = 0

    def feed(self, data: bytes) -> None:
        if not self.readable:
            return
        self.buffer += data
        buf = self.buffer
        while True:
            if not self.started:
                if len(buf) < 8:
                    return
                length, code = struct.unpack_from("!II", buf)
                if len(buf) < length:
                    return
                del buf[:length]
                if code in (SSL_REQUEST, GSSENC_REQUEST, CANCEL_REQUEST):
                    continue  # the server answers 'N' (or starts TLS: then we stop below)
                self.started = True
                continue
            if len(buf) < 5:
                return
            kind = buf[0]
            if kind not in FRONTEND_TYPES:
                self.readable = False
                buf.clear()
                return
            (length,) = struct.unpack_from("!I", buf, 1)
            if len(buf) < 1 + length:
                return
            if kind in b"QE":
                self.statements += 1
            del buf[: 1 + length]


@dataclass
class Traffic:
    """What went through the proxy since the last reset."""

    connections: int = 0
    round_trips: int = 0
    chunks_up: int = 0
    chunks_down: int = 0
    statements: int | None = 0  # None once a connection could not be read
    held_seconds: float = 0.0  # the sum of (written - read) over all chunks
    held_chunks: int = 0


class _Connection:
    """One client connection and its upstream: two readers, two delayed writers."""

    def __init__(self, proxy: DelayProxy, client: socket.socket, server: socket.socket) -> None:
        self.proxy = proxy
        self.client = client
        self.server = server
        self.last_up = False  # was the last chunk read client->server?
        self.counter = _FrontendCounter()
        self.writers_left = 2
        self.lock = threading.Lock()

    def start(self) -> None:
        for src, dst, up in ((self.client, self.server, True), (self.server, self.client, False)):
            lane: queue.SimpleQueue[tuple[float, bytes]] = queue.SimpleQueue()
            threading.Thread(target=self._read, args=(src, lane, up), daemon=True).start()
            threading.Thread(target=self._write, args=(dst, lane), daemon=True).start()

    def _read(self, src: socket.socket, lane: queue.SimpleQueue[tuple[float, bytes]], up: bool):
        delay = self.proxy.delay
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            lane.put((time.perf_counter() + delay, data))
            if not data:
                return
            with self.proxy.lock:
                traffic = self.proxy.traffic
                if up:
                    traffic.chunks_up += 1
                    if not self.last_up:
                        traffic.round_trips += 1
                    self.counter.feed(data)
                else:
                    traffic.chunks_down += 1
                self.last_up = up

    def _write(self, dst: socket.socket, lane: queue.SimpleQueue[tuple[float, bytes]]) -> None:
        broken = False
        while True:
            release, data = lane.get()
            wait = release - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            if not data:
                break
            if broken:
                continue
            try:
                dst.sendall(data)
            except OSError:
                broken = True  # keep draining the lane until its reader ends
                for sock in (self.client, self.server):
                    _shutdown(sock, socket.SHUT_RDWR)
                continue
            with self.proxy.lock:
                self.proxy.traffic.held_seconds += time.perf_counter() - (
                    release - self.proxy.delay
                )
                self.proxy.traffic.held_chunks += 1
        _shutdown(dst, socket.SHUT_WR)
        with self.lock:
            self.writers_left -= 1
            done = self.writers_left == 0
        if done:
            self.client.close()
            self.server.close()
            with self.proxy.lock:
                traffic = self.proxy.traffic
                if not self.counter.readable:
                    traffic.statements = None
                elif traffic.statements is not None:
                    traffic.statements += self.counter.statements
                self.proxy.open_connections -= 1


def _shutdown(sock: socket.socket, how: int) -> None:
    try:
        sock.shutdown(how)
    except OSError:
        pass


class DelayProxy:
    """A TCP forwarder on 127.0.0.1:<free port> to (host, port), holding each chunk for
    ``delay_ms`` in each direction. ``with DelayProxy(...) as proxy:`` starts and stops it."""

    def __init__(self, host: str, port: int, delay_ms: float) -> None:
        self.upstream = (host, port)
        self.delay = delay_ms / 1000
        self.lock = threading.Lock()
        self.traffic = Traffic()
        self.open_connections = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> DelayProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        _shutdown(self.listener, socket.SHUT_RDWR)
        self.listener.close()
        self.thread.join(timeout=5)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed by __exit__
            try:
                server = socket.create_connection(self.upstream, timeout=10)
                server.settimeout(None)
            except OSError:
                client.close()
                continue
            for sock in (client, server):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self.lock:
                self.traffic.connections += 1
                self.open_connections += 1
            _Connection(self, client, server).start()

    def take_traffic(self, settle_seconds: float = 5.0) -> Traffic:
        """The traffic since the last call, once every connection has closed (the child
        has exited, but its last bytes may still be in a lane)."""
        deadline = time.monotonic() + settle_seconds
        while True:
            with self.lock:
                if self.open_connections == 0 or time.monotonic() > deadline:
                    taken, self.traffic = self.traffic, Traffic()
                    return taken
            time.sleep(0.005)


# --------------------------------------------------------------------------- databases


def _libpq_args(url: Any) -> dict[str, Any]:
    args = {"host": url.host or "localhost", "port": url.port or 5432, "user": url.username}
    if url.password:
        args["password"] = url.password
    return {k: v for k, v in args.items() if v is not None}


class Server:
    """The PostgreSQL server of ``url``: makes fresh databases and drops them again."""

    def __init__(self, url: str) -> None:
        from sqlalchemy.engine import make_url

        self.url = make_url(url)
        self.made: list[str] = []

    def _admin(self) -> Any:
        import psycopg

        return psycopg.connect(
            **_libpq_args(self.url), dbname=self.url.database or "postgres", autocommit=True
        )

    def version(self) -> str:
        with self._admin() as conn:
            row = conn.execute("SHOW server_version").fetchone()
        return f"PostgreSQL {row[0]}" if row else "PostgreSQL"

    def create(self) -> str:
        name = f"bench_team_{os.getpid()}_{secrets.token_hex(4)}"
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.made.append(name)
        return name

    def drop_all(self) -> None:
        for name in self.made:
            try:
                with self._admin() as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except Exception as exc:  # report it, and drop the others
                print(f"could not drop database {name}: {exc}", file=sys.stderr)
        self.made.clear()

    def url_of(self, database: str, via: DelayProxy | None = None) -> str:
        url = self.url.set(database=database)
        if via is not None:
            url = url.set(host="127.0.0.1", port=via.port)
        return url.render_as_string(hide_password=False)

    @property
    def address(self) -> tuple[str, int]:
        return self.url.host or "localhost", self.url.port or 5432


# --------------------------------------------------------------------------- the plans


def run_output(argv: Sequence[str], env: dict[str, str], cwd: Path) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=cwd, check=False)
    if done.returncode:
        raise CommandFailed(argv, done.returncode, done.stderr[-3000:])
    return done.stdout


def _in_order(milestones: list[dict[str, Any]]) -> list[str]:
    """Milestone ids, each after the ones it requires (the file's order otherwise)."""
    ids = [m["id"] for m in milestones]
    known = set(ids)
    needs = {m["id"]: [r for r in m.get("requires", []) if r in known] for m in milestones}
    order: list[str] = []
    placed: set[str] = set()
    while len(order) < len(ids):
        ready = [i for i in ids if i not in placed and all(r in placed for r in needs[i])]
        if not ready:  # a cycle would be a curriculum bug; keep the rest as they come
            ready = [i for i in ids if i not in placed]
        order.append(ready[0])
        placed.add(ready[0])
    return order


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def generate_export(sample: dict[str, Any], plans: int, today: date) -> dict[str, Any]:
    """An export document of ``plans`` plans shaped like the sample's (one per role)."""
    rng = random.Random(SEED)
    templates = sample["plans"]
    curricula = sample["curricula"]
    orders = []
    for template in templates:
        role = template["roles"][0]
        snapshot = curricula[template["curriculum_digests"][role]]
        orders.append(_in_order(snapshot["milestones"]))
    now = datetime.now(UTC)
    generated = []
    for n in range(plans):
        which = n % len(templates)
        template, order = templates[which], orders[which]
        start = today - timedelta(weeks=rng.randint(4, 60))
        span = (today - start).days
        done_count = rng.randint(2, 6)
        days = sorted(rng.sample(range(1, span), done_count + 1))
        events = []
        for i, mid in enumerate(order[:done_count]):
            on = start + timedelta(days=days[i])
            events.append(("done", mid, on, None))
        study_on = start + timedelta(days=days[-1])
        events.append(("studied", order[done_count], study_on, float(rng.randint(1, 4))))
        created = now - timedelta(days=span)
        generated.append(
            {
                **template,
                "name": f"person {n:05d}",
                "hours_per_week": float(rng.choice((4, 6, 8, 10, 12))),
                "start_date": start.isoformat(),
                "created_at": _timestamp(created),
                "last_used_at": _timestamp(now),
                "events": [
                    {
                        "id": i + 1,
                        "kind": kind,
                        "milestone_id": mid,
                        "at": _timestamp(created + timedelta(days=(on - start).days)),
                        "on_date": on.isoformat(),
                        "until_date": None,
                        "hours": hours,
                        "ref_id": None,
                        "note": None,
                    }
                    for i, (kind, mid, on, hours) in enumerate(events)
                ],
            }
        )
    return {**sample, "exported_at": _timestamp(now), "plans": generated}


def write_plans(root: Path, env: dict[str, str], plans: int, today: date) -> tuple[Path, int]:
    """The export file of ``plans`` generated plans, and its number of events."""
    home = root / "home-sample"
    sample_env = {**env, "PLANNER_HOME": str(home)}
    for role in ROLES:
        start = str(today - timedelta(weeks=10))
        argv = [PLANNER, "start", role, "--name", f"sample {role}", "--start", start]
        run_output(argv, sample_env, root)
    sample_path = root / "sample.json"
    run_output([PLANNER, "export", "json", "--all", "--output", str(sample_path)], sample_env, root)
    sample = json.loads(sample_path.read_text(encoding="utf-8"))
    document = generate_export(sample, plans, today)
    path = root / f"plans-{plans}.json"
    path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    return path, sum(len(p["events"]) for p in document["plans"])


# --------------------------------------------------------------------------- measuring


@dataclass
class Setup:
    backend: str
    delay: str
    env: dict[str, str]
    proxy: DelayProxy | None = None
    seconds: list[float] = field(default_factory=list)
    traffic: list[Traffic] = field(default_factory=list)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000


TEAM = (PLANNER, "team", "--format", "txt")


def time_team(setup: Setup, root: Path, *, check_plans: int | None = None) -> float:
    """Wall time of one ``planner team``; with ``check_plans``, its report must say so."""
    with tempfile.TemporaryFile(dir=root) as out, tempfile.TemporaryFile(dir=root) as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            TEAM,
            stdin=subprocess.DEVNULL,
            stdout=out if check_plans is not None else subprocess.DEVNULL,
            stderr=err,
            env=setup.env,
            cwd=root,
        )
        code = proc.wait()
        seconds = time.perf_counter() - started
        if code:
            err.seek(0)
            raise CommandFailed(TEAM, code, err.read().decode("utf-8", "replace")[-3000:])
        if check_plans is not None:
            out.seek(0)
            first = out.readline().decode("utf-8", "replace").strip()
            if f": {check_plans} plans" not in first:
                msg = f"{setup.backend} {setup.delay}: the report starts {first!r}"
                raise RuntimeError(msg)
    return seconds


def measure(setups: list[Setup], root: Path, runs: int, plans: int) -> None:
    for setup in setups:
        progress(f"warm-up: {setup.backend}, {setup.delay}")
        time_team(setup, root, check_plans=plans)
        if setup.proxy is not None:
            setup.proxy.take_traffic()
    for n in range(runs):
        for setup in setups:
            seconds = time_team(setup, root)
            setup.seconds.append(seconds)
            if setup.proxy is not None:
                setup.traffic.append(setup.proxy.take_traffic())
        progress(
            f"run {n + 1}/{runs}: "
            + ", ".join(f"{s.backend} {s.delay} {s.seconds[-1] * 1000:,.0f} ms" for s in setups)
        )


def _median_of(values: list[int | None]) -> str:
    if not values or any(v is None for v in values):
        return ""
    known = [v for v in values if v is not None]
    low, high = min(known), max(known)
    middle = statistics.median(known)
    shown = f"{middle:,.0f}"
    return shown if low == high else f"{shown} ({low:,}–{high:,})"


def table(setups: list[Setup], base_ms: float) -> str:
    header = [
        "backend",
        "delay (each way)",
        "median ms",
        "min ms",
        "× direct PG",
        "round trips",
        "statements",
        "connections",
    ]
    rows = []
    for s in setups:
        rows.append(
            [
                s.backend,
                s.delay,
                f"{s.median_ms:,.0f}",
                f"{min(s.seconds) * 1000:,.0f}",
                f"{s.median_ms / base_ms:.2f}",
                _median_of([t.round_trips for t in s.traffic]),
                _median_of([t.statements for t in s.traffic]),
                _median_of([t.connections for t in s.traffic]),
            ]
        )
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def held_note(setups: list[Setup]) -> str:
    parts = []
    for s in setups:
        chunks = sum(t.held_chunks for t in s.traffic)
        if s.proxy is not None and chunks:
            held = sum(t.held_seconds for t in s.traffic) / chunks * 1000
            parts.append(f"{s.delay}: {held:.2f} ms")
        elif s.proxy is not None:
            parts.append(f"{s.delay}: n/a")
    return "mean time a chunk spent in the proxy: " + "; ".join(parts)


def parse_delays(text: str) -> list[float]:
    try:
        delays = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        msg = f"--delays takes numbers of ms separated by commas, not {text!r}"
        raise argparse.ArgumentTypeError(msg) from None
    if any(d < 0 for d in delays):
        msg = "--delays must not be negative"
        raise argparse.ArgumentTypeError(msg)
    return delays


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plans", type=int, default=1000, help="plans in each database")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each setup")
    parser.add_argument(
        "--delays",
        type=parse_delays,
        default=[0.0, 1.0, 5.0],
        help="ms the proxy holds each chunk, each way (comma-separated; default 0,1,5)",
    )
    parser.add_argument(
        "--url",
        default=os.environ.get("PLANNER_TEST_DATABASE_URL") or DEFAULT_URL,
        help="a PostgreSQL SQLAlchemy URL whose user may CREATE DATABASE "
        "(default: PLANNER_TEST_DATABASE_URL, else the local test server)",
    )
    args = parser.parse_args(argv)
    if args.plans < 1 or args.runs < 1:
        parser.error("--plans and --runs must be at least 1")
    if not Path(PLANNER).is_file():
        print(
            f"No planner console script at {PLANNER}; install the project first.", file=sys.stderr
        )
        return 1

    started = time.perf_counter()
    today = date.today()
    server = Server(args.url)
    host, port = server.address
    base_env = {k: v for k, v in os.environ.items() if k not in UNSET}
    proxies: list[DelayProxy] = []
    try:
        with tempfile.TemporaryDirectory(prefix="planner-team-latency-") as temp:
            root = Path(temp)
            base_env["PLANNER_HOME"] = str(root / "home-unused")
            pg_version = server.version()
            progress(f"generating {args.plans:,} plans")
            export, events = write_plans(root, base_env, args.plans, today)

            sqlite_env = {**base_env, "PLANNER_HOME": str(root / "home-sqlite")}
            database = server.create()
            pg_env = {**base_env, "PLANNER_DATABASE_URL": server.url_of(database)}
            for name, env in (("SQLite", sqlite_env), (f"PostgreSQL {database}", pg_env)):
                progress(f"importing into {name}")
                began = time.perf_counter()
                run_output([PLANNER, "import", str(export)], env, root)
                progress(f"imported in {time.perf_counter() - began:,.1f} s")

            setups = [Setup("SQLite", "–", sqlite_env), Setup("PostgreSQL", "direct", pg_env)]
            for delay in args.delays:
                proxy = DelayProxy(host, port, delay)
                proxy.__enter__()
                proxies.append(proxy)
                env = {**base_env, "PLANNER_DATABASE_URL": server.url_of(database, proxy)}
                setups.append(Setup("PostgreSQL via proxy", f"{delay:g} ms", env, proxy))
            measure(setups, root, args.runs, args.plans)
    finally:
        for proxy in proxies:
            proxy.__exit__(None, None, None)
        server.drop_all()

    took = time.perf_counter() - started
    print(
        f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, {platform.node()}, "
        f"Python {platform.python_version()}, {pg_version} at {host}:{port}, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    print(
        f"`planner team --format txt` over {args.plans:,} plans ({events:,} events): "
        f"median and min of {args.runs} runs after one warm-up, whole process; "
        f"took {took:,.0f} s in all"
    )
    print()
    print(table(setups, setups[1].median_ms))
    print()
    print(held_note(setups))
    print(
        "round trips: client->server chunks that follow a reply; statements: Query and "
        "Execute messages; both per `team` run (median, with the range when runs differ)"
    )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (CommandFailed, RuntimeError, OSError) as exc:
        print(f"failed: {exc}", file=sys.stderr)
        sys.exit(1)
