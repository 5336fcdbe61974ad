"""Load benchmark: gunicorn with several workers on PostgreSQL, driven by concurrent clients from outside.

Loads the synthetic national network (20,000 published offers, 50,000 requests, 200 organisations) into
its own PostgreSQL database, starts `gunicorn wsgi:app` as production runs it, then lets N clients (each
its own keep-alive connection and identity) send a mix of signed-in offer searches, offer pages and API
list calls for a fixed time. Prints throughput, p50/p95/p99 and errors per kind of call. Bounded in count
and time, and only ever talks to 127.0.0.1.

    make bench-load
    python -m benchmarks.bench_load --clients 10 --duration 20 --offers 2000 --requests 5000
    python -m benchmarks.bench_load --no-load   # reuse the database of the previous run
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import select

from benchmarks.synthetic import PASSWORD, WORDS, load_network, migrate_to_head, reset_postgres
from mobilite import create_app
from mobilite.extensions import db
from mobilite.models import Offer, OfferStatus, Organisation, Skill, Theme, User
from mobilite.services.api_tokens import create_token

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
# Weighted mix of what agents and HR systems do: (kind, weight).
MIX = (("search", 4), ("offer page", 3), ("api list", 3))


@dataclass
class Identity:
    email: str
    token: str


@dataclass
class Targets:
    offer_ids: list[int]
    theme_ids: list[int]
    skill_ids: list[int]
    organisation_ids: list[int]


@dataclass
class Results:
    timings: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    first_errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, millis: float, ok: bool, detail: str) -> None:
        with self.lock:
            self.timings.setdefault(kind, []).append(millis)
            if not ok:
                self.errors[kind] = self.errors.get(kind, 0) + 1
                if len(self.first_errors) < 5:
                    self.first_errors.append(detail)


class Client:
    """One keep-alive HTTP connection with its own cookies, as one browser or one HR system."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection(HOST, port, timeout=60)

    def request(
        self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, str]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):  # a worker may close an idle keep-alive connection: reconnect once
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
                if attempt == 2:
                    raise
        for raw in response.headers.get_all("Set-Cookie") or []:
            cookie: SimpleCookie = SimpleCookie()
            cookie.load(raw)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        return response.status, text

    def sign_in(self, email: str) -> None:
        _status, page = self.request("GET", "/connexion")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token, "no CSRF token on the sign-in page"
        body = urlencode({"email": email, "password": PASSWORD, "csrf_token": token.group(1)})
        status, _text = self.request("POST", "/connexion", body, {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 302:
            raise RuntimeError(f"sign-in failed for {email}: HTTP {status}")


def prepare(url: str, args) -> tuple[list[Identity], Targets]:
    """Load the network (unless --no-load) and give each client an agent with a personal API token."""
    if not args.no_load:
        if not reset_postgres(url):
            sys.exit(f"PostgreSQL is not reachable at {url}")
        migrate_to_head(url)
    app = create_app("testing", {"DATABASE_URL": url})
    with app.test_request_context():
        if not args.no_load:
            started = time.perf_counter()
            load_network(args.offers, args.requests, args.organisations)
            print(f"synthetic network loaded in {time.perf_counter() - started:.1f} s", flush=True)
        agents = db.session.scalars(
            select(User).where(User.email.like("agent%@bench.example")).order_by(User.id).limit(args.clients)
        ).all()
        identities = []
        for agent in agents:
            _token, raw = create_token(agent, "bench-load")
            identities.append(Identity(agent.email, raw))
        db.session.commit()
        targets = Targets(
            offer_ids=list(
                db.session.scalars(select(Offer.id).where(Offer.status == OfferStatus.PUBLISHED).order_by(Offer.id))
            ),
            theme_ids=list(db.session.scalars(select(Theme.id).order_by(Theme.id))),
            skill_ids=list(db.session.scalars(select(Skill.id).order_by(Skill.id))),
            organisation_ids=list(db.session.scalars(select(Organisation.id).order_by(Organisation.id))),
        )
    db.engine.dispose()
    return identities, targets


def search_query(rng: random.Random, targets: Targets) -> dict[str, str | int]:
    soon = date.today() + timedelta(weeks=rng.randint(1, 6))
    choices: list[dict[str, str | int]] = [
        {},
        {"theme": rng.choice(targets.theme_ids), "du": soon.isoformat(), "au": (soon + timedelta(weeks=6)).isoformat()},
        {"skill": rng.choice(targets.skill_ids)},
        {"q": rng.choice(WORDS)},
        {"organisation": rng.choice(targets.organisation_ids)},
        {"distance": rng.choice((50, 150, 400)), "tri": "closest"},
    ]
    query = rng.choice(choices)
    if rng.random() < 0.3:
        query["page"] = rng.randint(2, 5)
    return query


API_NAMES = {
    "theme": "theme",
    "skill": "skill",
    "q": "q",
    "organisation": "organisation",
    "distance": "distance_km",
    "tri": "sort",
    "du": "date_from",
    "au": "date_to",
    "page": "page",
}


def one_call(client: Client, identity: Identity, rng: random.Random, targets: Targets) -> tuple[str, int, str]:
    kind = rng.choices([k for k, _ in MIX], weights=[w for _, w in MIX])[0]
    if kind == "search":
        path = "/agent/offres?" + urlencode(search_query(rng, targets))
        status, _ = client.request("GET", path)
    elif kind == "offer page":
        path = f"/agent/offres/{rng.choice(targets.offer_ids)}"
        status, _ = client.request("GET", path)
    else:
        query = {API_NAMES[k]: v for k, v in search_query(rng, targets).items()}
        path = "/api/v1/catalogue?" + urlencode(query)
        status, text = client.request("GET", path, headers={"Authorization": f"Bearer {identity.token}"})
        if status == 200:
            json.loads(text)
    return kind, status, path


def drive(client: Client, identity: Identity, targets: Targets, seed: int, clock: Clock, results: Results) -> None:
    rng = random.Random(seed)
    clock.ready.wait()
    for _ in range(clock.max_calls):
        if time.monotonic() >= clock.deadline:
            break
        started = time.perf_counter()
        try:
            kind, status, path = one_call(client, identity, rng, targets)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            results.add("connection", (time.perf_counter() - started) * 1000, False, repr(exc))
            continue
        results.add(kind, (time.perf_counter() - started) * 1000, status == 200, f"{status} {path}")


@dataclass
class Clock:
    """Every client signs in first; the measured period starts when all are ready."""

    max_calls: int
    deadline: float = 0.0
    ready: threading.Event = field(default_factory=threading.Event)


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit("gunicorn stopped before answering; see its output above")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("gunicorn did not answer in time")


def start_gunicorn(url: str, args) -> subprocess.Popen:
    env = dict(
        os.environ,
        MOBILITE_ENV="production",
        MOBILITE_DATABASE_URL=url,
        MOBILITE_SECRET_KEY="bench-load-secret",
        MOBILITE_SESSION_COOKIE_SECURE="0",
        MOBILITE_REMEMBER_COOKIE_SECURE="0",
        MOBILITE_HSTS="0",
    )
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "--workers",
        str(args.workers),
        "--bind",
        f"{HOST}:{args.port}",
        "--log-level",
        "warning",
        "--keep-alive",
        "30",
        *(["--worker-class", args.worker_class] if args.worker_class else []),
        "wsgi:app",
    ]
    if not Path(command[0]).exists():
        command[0] = "gunicorn"
    return subprocess.Popen(command, cwd=ROOT, env=env)


def _processes() -> dict[int, tuple[int, str, float]]:
    """pid → (parent pid, command line, CPU seconds so far) of every process, from /proc (empty elsewhere)."""
    found = {}
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            raw = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # ended meanwhile
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        found[int(entry.name)] = (int(fields[1]), command, (int(fields[11]) + int(fields[12])) / tick)
    return found


class ServerCpu:
    """CPU used by gunicorn's workers and by the PostgreSQL backends serving the benchmark's database (their
    command line names it), between two readings. A process that ended between them is left out (the sum
    could otherwise go negative); one that started counts whole."""

    def __init__(self, gunicorn_pid: int, database: str):
        self.gunicorn_pid, self.database = gunicorn_pid, database
        self.start = _processes()

    def used(self) -> tuple[float, float]:
        workers = postgres = 0.0
        for pid, (parent, command, seconds) in _processes().items():
            spent = seconds - (self.start[pid][2] if pid in self.start else 0.0)
            if pid == self.gunicorn_pid or parent == self.gunicorn_pid:
                workers += spent
            elif command.startswith("postgres: ") and f" {self.database} " in command:
                postgres += spent
        return workers, postgres


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * share), len(ordered) - 1)] if ordered else float("nan")


def report(results: Results, elapsed: float, args) -> None:
    print()
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"gunicorn {args.workers} workers on PostgreSQL; {args.offers} published offers, {args.requests} "
        f"requests, {args.organisations} organisations; {args.clients} clients for {elapsed:.0f} s."
    )
    print(f"{'calls':<12} {'count':>7} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    every: list[float] = []
    for kind, timings in sorted(results.timings.items()):
        every += timings
        print(
            f"{kind:<12} {len(timings):>7} {len(timings) / elapsed:>7.1f} {percentile(timings, 0.5):>8.1f} "
            f"{percentile(timings, 0.95):>8.1f} {percentile(timings, 0.99):>8.1f} {results.errors.get(kind, 0):>7}"
        )
    errors = sum(results.errors.values())
    print(
        f"{'all':<12} {len(every):>7} {len(every) / elapsed:>7.1f} {percentile(every, 0.5):>8.1f} "
        f"{percentile(every, 0.95):>8.1f} {percentile(every, 0.99):>8.1f} {errors:>7}"
    )
    print("target: at least 150 requests/s, p95 under 300 ms, 0 errors")
    for detail in results.first_errors:
        print(f"  error: {detail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument("--duration", type=float, default=120, help="seconds of load")
    parser.add_argument("--max-calls", type=int, default=100_000, help="per client, a bound on the loop")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", default="", help="gunicorn worker class (default: sync)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--offers", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--organisations", type=int, default=200)
    parser.add_argument("--no-load", action="store_true", help="reuse the database of the previous run")
    args = parser.parse_args()
    url = os.environ.get("MOBILITE_BENCH_LOAD_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/mobilite_bench_load")

    identities, targets = prepare(url, args)
    server = start_gunicorn(url, args)
    try:
        wait_for_port(args.port, server)
        results = Results()
        clients = []
        for identity in identities:
            client = Client(args.port)
            client.sign_in(identity.email)
            clients.append(client)
        clock = Clock(args.max_calls)
        threads = [
            threading.Thread(target=drive, args=(client, identity, targets, n, clock, results), daemon=True)
            for n, (client, identity) in enumerate(zip(clients, identities, strict=True))
        ]
        for thread in threads:
            thread.start()
        started = time.monotonic()
        client_cpu = time.process_time()
        cpu = ServerCpu(server.pid, url.rsplit("/", 1)[-1])
        clock.deadline = started + args.duration
        clock.ready.set()
        for thread in threads:
            thread.join(args.duration + 120)
        elapsed = time.monotonic() - started
        workers_cpu, postgres_cpu = cpu.used()
        report(results, elapsed, args)
        print(f"the clients themselves used {(time.process_time() - client_cpu) / elapsed:.2f} cores of the machine")
        calls = sum(len(timings) for timings in results.timings.values())
        if calls and (workers_cpu or postgres_cpu):
            print(
                f"the server used {(workers_cpu + postgres_cpu) / elapsed:.2f} cores: per call, "
                f"{workers_cpu / calls * 1000:.1f} ms of CPU in gunicorn's workers and "
                f"{postgres_cpu / calls * 1000:.1f} ms in PostgreSQL"
            )
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
