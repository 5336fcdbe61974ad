"""Web latency benchmark: offer search, the HR home page and a big round's review on a national-size network.

Loads a synthetic network (20,000 published offers with 2 sessions each, 50,000 requests from 50,000
agents of 200 organisations) into a fresh SQLite file and, when reachable, a PostgreSQL database, then
times real requests through the whole Flask stack (routing, sign-in session, queries, templates) and
prints median and p95 per scenario. A second network carries a round in review of 2,000 proposals on
20,000 approved requests × 4,000 sessions (benchmarks/bench_review.py): its review page and filters,
target p95 < 200 ms. Speed targets live here, never in the test suite.

    make bench-web                      # SQLite, plus PostgreSQL if MOBILITE_BENCH_POSTGRES_URL is set
    python -m benchmarks.bench_web --offers 2000 --requests 5000 --repeat 50
    python -m benchmarks.bench_web --offers 200 --requests 500 --review-requests 4000 --review-proposals 500
    python -m benchmarks.bench_web --offers 0 --databases postgresql    # the round review alone
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import tempfile
import time
from datetime import date, timedelta

from sqlalchemy import select, text

from benchmarks.bench_review import load_review_round, review_scenarios
from benchmarks.synthetic import PASSWORD, WORDS, load_network, migrate_to_head, reset_postgres
from mobilite import create_app, freeze_start_up
from mobilite.extensions import db
from mobilite.models import Organisation, Skill, Theme, User


def sign_in(client, email: str) -> None:
    import re

    page = client.get("/connexion").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/connexion", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, f"sign-in failed for {email}"


def time_requests(client, urls: list[str], repeat: int) -> tuple[float, float]:
    for url in urls[:3]:  # warm caches and the template compiler
        client.get(url)
    timings = []
    for n in range(repeat):
        url = urls[n % len(urls)]
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    timings.sort()
    return statistics.median(timings), timings[max(int(len(timings) * 0.95) - 1, 0)]


def scenarios(app) -> dict[str, tuple[str, list[str]]]:
    with app.app_context():
        theme_ids = list(db.session.scalars(select(Theme.id).order_by(Theme.id)))
        skill_ids = list(db.session.scalars(select(Skill.id).order_by(Skill.id)))
        org_ids = list(db.session.scalars(select(Organisation.id).order_by(Organisation.id)))
        agent = db.session.scalar(select(User.email).where(User.email == "agent0@bench.example"))
        busiest = db.session.execute(
            text("SELECT organisation_id FROM offers GROUP BY organisation_id ORDER BY count(*) DESC LIMIT 1")
        ).scalar()
    soon = (date.today() + timedelta(weeks=3)).isoformat()
    later = (date.today() + timedelta(weeks=8)).isoformat()
    rng = random.Random(3)
    return {
        "search: no filter": (agent, ["/agent/offres", "/agent/offres?page=5", "/agent/offres?tri=newest"]),
        "search: theme + dates": (
            agent,
            [f"/agent/offres?theme={rng.choice(theme_ids)}&du={soon}&au={later}" for _ in range(20)],
        ),
        "search: skill + remote": (
            agent,
            [f"/agent/offres?skill={rng.choice(skill_ids)}&distanciel=1" for _ in range(20)],
        ),
        "search: distance, closest": (agent, [f"/agent/offres?distance={d}&tri=closest" for d in (50, 150, 400)]),
        "search: free text": (agent, [f"/agent/offres?q={w}" for w in WORDS]),
        "search: organisation + text": (
            agent,
            [f"/agent/offres?organisation={rng.choice(org_ids)}&q=immersion" for _ in range(20)],
        ),
        "HR home (largest organisation)": (f"rh{busiest}@bench.example", ["/rh/"]),
        "HR offers list (largest organisation)": (f"rh{busiest}@bench.example", ["/rh/offres", "/rh/offres?page=3"]),
    }


SEARCH_TARGET_MS, REVIEW_TARGET_MS = 100, 200
SLOW_PAGES = ("review: one proposal, its replacements",)  # reported, no target: the engine checks 4,000 sessions


def _time(label: str, app, email: str, name: str, urls: list[str], repeat: int, target: float | None):
    client = app.test_client()
    sign_in(client, email)
    median, p95 = time_requests(client, urls, repeat)
    print(f"[{label}] {name}: median {median:.1f} ms, p95 {p95:.1f} ms", flush=True)
    return (label, name, median, p95, target)


def run(label: str, url: str, args) -> list[tuple[str, str, float, float, float | None]]:
    migrate_to_head(url)
    app = create_app("testing", {"DATABASE_URL": url})
    freeze_start_up()  # as wsgi.py does in production
    rows = []
    if args.offers:  # --offers 0: the round review alone
        started = time.perf_counter()
        with app.test_request_context():
            load_network(args.offers, args.requests, args.organisations)
        print(f"[{label}] loaded in {time.perf_counter() - started:.1f} s", flush=True)
        for name, (email, urls) in scenarios(app).items():
            rows.append(_time(label, app, email, name, urls, args.repeat, SEARCH_TARGET_MS))
    if args.review_proposals:
        started = time.perf_counter()
        with app.test_request_context():
            round_id = load_review_round(
                args.review_requests, args.review_offers, args.review_organisations, args.review_proposals
            )
        print(f"[{label}] review round loaded in {time.perf_counter() - started:.1f} s", flush=True)
        with app.app_context():
            review = review_scenarios(round_id)
        for name, (email, urls) in review.items():
            slow = name in SLOW_PAGES
            repeat = max(args.repeat // 20, 5) if slow else args.repeat
            rows.append(_time(label, app, email, name, urls, repeat, None if slow else REVIEW_TARGET_MS))
    db.engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--offers", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--organisations", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--databases", default="sqlite,postgresql", help="which of them, comma-separated")
    parser.add_argument("--review-proposals", type=int, default=2_000, help="0: no round review scenarios")
    parser.add_argument("--review-requests", type=int, default=20_000)
    parser.add_argument("--review-offers", type=int, default=2_000, help="two sessions each")
    parser.add_argument("--review-organisations", type=int, default=300)
    args = parser.parse_args()
    os.environ.setdefault("MOBILITE_ENV", "testing")

    rows = []
    if "sqlite" in args.databases:
        with tempfile.TemporaryDirectory() as folder:
            rows += run("SQLite", f"sqlite:///{folder}/bench.db", args)
    pg_url = os.environ.get("MOBILITE_BENCH_POSTGRES_URL") if "postgresql" in args.databases else None
    if pg_url and reset_postgres(pg_url):
        rows += run("PostgreSQL", pg_url, args)
    elif not pg_url and "postgresql" in args.databases:
        print("PostgreSQL skipped: set MOBILITE_BENCH_POSTGRES_URL (its tables are dropped and recreated).")

    print()
    searched = (
        f"{args.offers} published offers, {args.requests} requests, {args.organisations} organisations; "
        if args.offers
        else ""
    )
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, load average "
        f"{os.getloadavg()[0]:.1f}; {searched}{args.repeat} requests per scenario."
    )
    if args.review_proposals:
        print(
            f"Round review: {args.review_proposals} proposals of a round in review on {args.review_requests} "
            f"approved requests × {2 * args.review_offers} sessions, {args.review_organisations} organisations."
        )
    print(f"{'database':<11} {'scenario':<40} {'median ms':>10} {'p95 ms':>8}  target p95")
    for label, name, median, p95, target in rows:
        verdict = "—" if target is None else f"< {target} ms: {'ok' if p95 < target else 'SLOW'}"
        print(f"{label:<11} {name:<40} {median:>10.1f} {p95:>8.1f}  {verdict}")


if __name__ == "__main__":
    main()
