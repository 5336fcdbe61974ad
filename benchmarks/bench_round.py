"""Round benchmark: a whole weekly round (load, solve, save) on a national network in PostgreSQL.

Loads 20,000 approved requests and 4,000 sessions (2,000 offers × 2) of 300 organisations into a fresh
PostgreSQL database (MOBILITE_BENCH_POSTGRES_URL; SQLite with --sqlite), runs the round exactly as the
scheduler does, and prints the phases, the engine's own timings and the peak memory of the process.
Target on a 2-core machine: under 60 s in all, under 2 GB.

    make bench-round
    python -m benchmarks.bench_round --requests 2000 --offers 200
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import tempfile
import time
from datetime import date

from benchmarks.synthetic import load_network, migrate_to_head, reset_postgres
from mobilite import create_app
from mobilite.extensions import db
from mobilite.models import Network, Proposal
from mobilite.services import rounds


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench(url: str, label: str, args) -> None:
    migrate_to_head(url)
    app = create_app("testing", {"DATABASE_URL": url})
    with app.test_request_context():
        started = time.perf_counter()
        network_id = load_network(
            args.offers, args.requests, args.organisations, sessions_per_offer=2, all_approved=True
        )
        print(f"[{label}] synthetic network loaded in {time.perf_counter() - started:.1f} s", flush=True)
        db.session.remove()

    with app.app_context():
        network = db.session.get(Network, network_id)
        started = time.perf_counter()
        round_ = rounds.request_round(network, rounds.week_of(date.today()), trigger="manual")
        round_id = round_.id
        done = rounds.run_round(round_id)
        total = time.perf_counter() - started
        assert done.status.value == "proposed", done.error
        proposals = db.session.query(Proposal).filter(Proposal.round_id == round_id).count()
        timings, metrics = dict(done.timings), dict(done.metrics)
        db.session.remove()

    engine = timings.get("engine", {})
    print()
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; database: "
        f"{label}; {args.requests} approved requests, {2 * args.offers} sessions, {args.organisations} "
        f"organisations; eligible pairs: {metrics.get('eligible_pairs')}"
    )
    print(f"{'phase':<32} {'seconds':>8}")
    for name in ("load", "solve", "save"):
        print(f"{name:<32} {timings.get(name, 0):>8.2f}")
    for name, seconds in sorted(engine.items()):
        print(f"{'  engine: ' + name:<32} {seconds:>8.2f}")
    print(f"{'whole round (claim to saved)':<32} {total:>8.2f}   target < 60 s: {'ok' if total < 60 else 'MISSED'}")
    print(
        f"{'peak memory of the process (MB)':<32} {peak_rss_mb():>8.0f}   target < 2048 MB: "
        f"{'ok' if peak_rss_mb() < 2048 else 'MISSED'}"
    )
    print(
        f"proposals saved: {proposals}; placed: {metrics.get('placed')}; share of bound: "
        f"{metrics.get('share_of_bound')}; solver: {done.solver_status}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--offers", type=int, default=2_000, help="each offer has two sessions")
    parser.add_argument("--organisations", type=int, default=300)
    parser.add_argument("--sqlite", action="store_true", help="use a temporary SQLite file instead")
    args = parser.parse_args()
    if args.sqlite:
        with tempfile.TemporaryDirectory() as folder:
            bench(f"sqlite:///{folder}/round.db", "SQLite", args)
        return
    url = os.environ.get("MOBILITE_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/mobilite_bench")
    if not reset_postgres(url):
        raise SystemExit("PostgreSQL is needed (MOBILITE_BENCH_POSTGRES_URL), or pass --sqlite")
    bench(url, "PostgreSQL", args)


if __name__ == "__main__":
    main()
