"""Benchmark: ``python -m appariement.bench [--sizes S,M,L] [--cpsat-limit 120]``.

On each generated instance (seed 1) it compares, on the engine's own eligible pairs and
scores: greedy (best score first), deferred acceptance (stable), pure min-cost flow (the
upper bound when only rules are added), CP-SAT alone on the full model, and the engine
(problem to solution, eligibility included).  Variants: network rules only; service
continuity on (K agents per team and day); congested continuity (every organisation
overloaded); stable mode; ``overseas``: the network round with about a fifth of the
organisations (their agents and sessions) in five whole areas carried overseas, each keeping
its shape, distance limits kept (compared with the metropolitan one: pairs, time and
memory).  Each method runs in a fresh process so that its peak memory (RSS, the problem
objects included) is its own.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import time
from dataclasses import replace
from multiprocessing.queues import Queue
from typing import TYPE_CHECKING, Any, Literal, TypedDict

if TYPE_CHECKING:
    from .model import Problem


class ContinuityVariant(TypedDict):
    K: int
    scope: Literal["organisation", "team"]


# One benchmark row: timings, status and metrics of one method on one instance.
Row = dict[str, Any]

CONTINUITY: ContinuityVariant = {"K": 3, "scope": "team"}  # the "continuity on" variant
# "congested": five times fewer home organisations, each overloaded; K per organisation and day.
CONGESTED: ContinuityVariant = {"K": 3, "scope": "organisation"}
ENGINE_LIMIT = {"XS": 10.0, "S": 10.0, "M": 30.0, "L": 60.0}  # CP-SAT phase limits (targets)
METHODS = ("greedy", "deferred_acceptance", "flow", "cp_sat", "engine")


def instance(size: str, variant: str, seed: int = 1) -> Problem:
    from .generator import generate, overseas_mix

    p = generate(size, seed, congested=variant == "congested")
    if variant == "overseas":
        p = overseas_mix(p, unlimited_every=None)  # same shapes, limits kept: only the geography changes
    st = p.settings
    if variant == "continuity":
        st = replace(st, continuity=CONTINUITY["K"], continuity_scope=CONTINUITY["scope"])
    if variant == "congested":
        st = replace(st, continuity=CONGESTED["K"], continuity_scope=CONGESTED["scope"])
    if variant == "stable":
        st = replace(st, mode="stable")
    return replace(p, settings=replace(st, time_limit=ENGINE_LIMIT[size]))


def run_method(size: str, variant: str, method: str, cpsat_limit: float) -> Row:
    """One method on one instance, in this (fresh) process."""
    import numpy as np

    from . import rules
    from .cpsat import solve_cpsat
    from .engine import peak_memory_mb, prepare, solve
    from .explain import metrics
    from .flow import solve_flow
    from .stable import deferred_acceptance
    from .tracker import fill

    problem = instance(size, variant)
    row: Row = {"status": ""}
    if method == "engine":
        t0 = time.perf_counter()
        sol = solve(problem)
        row["seconds"] = time.perf_counter() - t0
        m = dict(sol.metrics)
        row["status"] = sol.solver["status"]
        row["phases"] = dict(sol.stats["seconds"])
        row["bound"] = sol.metrics["bound"]
        row["solver"] = {k: v for k, v in sol.solver.items() if k in ("lns", "bounds", "start_score", "gap")}
        row["breaks"] = []  # checked by the tests; the engine never breaks a rule
    else:
        ctx = prepare(problem)
        t0 = time.perf_counter()
        if method == "greedy":
            x = fill(ctx, ctx.pins_only())
        elif method == "deferred_acceptance":
            x = deferred_acceptance(ctx)
        elif method == "flow":
            x = solve_flow(ctx)
            row["status"] = "OPTIMAL"
        else:
            solver_settings = replace(problem.settings, deterministic=False)  # CP-SAT at its best
            ctx.a.problem = replace(problem, settings=solver_settings)
            res = solve_cpsat(ctx, None, cpsat_limit)
            x = res.x if res.x is not None else np.zeros(len(ctx.pairs), dtype=bool)
            row["status"] = res.status
        row["seconds"] = time.perf_counter() - t0
        m = metrics(ctx, x, 0)
        row["breaks"] = rules.broken_rules(ctx.a, ctx.pairs.r[x], ctx.pairs.s[x])
    row.update(
        score=m["score"],
        placed=m["placed"],
        requests=m["requests"],
        pairs=m["eligible_pairs"],
        first=m["rank_profile"]["1"],
        worst=(m["worst_off"] or {}).get("score"),
        low=(m["org_rate"]["lowest"] or {}).get("rate"),
        high=(m["org_rate"]["highest"] or {}).get("rate"),
        blocking=m["blocking_pairs"],
        peak_mb=peak_memory_mb(),
    )
    return row


def _child(args: tuple[str, str, str, float], queue: Queue[Row]) -> None:
    queue.put(run_method(*args))


def isolated(size: str, variant: str, method: str, cpsat_limit: float) -> Row:
    """run_method in a fresh interpreter (spawn), for a clean peak-memory figure."""
    ctx = mp.get_context("spawn")
    queue: Queue[Row] = ctx.Queue()
    proc = ctx.Process(target=_child, args=((size, variant, method, cpsat_limit), queue))
    proc.start()
    row: Row = queue.get()
    proc.join()
    return row


def fastest(rows: list[Row]) -> Row:
    """The quickest of repeated runs of one case (their results are the same)."""
    if len({row["score"] for row in rows}) != 1:
        raise RuntimeError("repeated runs of one case gave different scores")
    return min(rows, key=lambda row: row["seconds"])


HEADER = (
    f"{'size':4} {'variant':10} {'method':19} {'time s':>7} {'peak MB':>8} {'score':>10} {'% bound':>8} "
    f"{'placed':>7} {'1st':>5} {'worst':>6} {'org low':>7} {'org hi':>6} {'blocking':>8}  status"
)


def fmt(size: str, variant: str, method: str, row: Row, bound: int) -> str:
    share = 100.0 * row["score"] / bound if bound else 100.0
    status = row["status"] + (" breaks " + ",".join(row["breaks"]) if row["breaks"] else "")
    worst = "-" if row["worst"] is None else row["worst"]
    return (
        f"{size:4} {variant:10} {method:19} {row['seconds']:7.2f} {row['peak_mb']:8.0f} {row['score']:10d} "
        f"{share:8.3f} {row['placed']:7d} {row['first']:5d} {worst:>6} {row['low'] or 0:7.3f} "
        f"{row['high'] or 0:6.3f} {row['blocking']:8d}  {status}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m appariement.bench")
    ap.add_argument("--sizes", default="S,M,L", help="comma-separated sizes among XS,S,M,L")
    ap.add_argument("--cpsat-limit", type=float, default=120.0, help="CP-SAT alone: seconds")
    ap.add_argument("--variants", default="network,continuity,congested,stable,overseas")
    args = ap.parse_args(argv)
    print("machine: 2 cores, 24 GiB (this workplace); seed 1; times in seconds")
    print(f"continuity variant: K={CONTINUITY['K']} per {CONTINUITY['scope']} and day")
    print(f"congested variant: every organisation overloaded, K={CONGESTED['K']} per {CONGESTED['scope']} and day")
    print(HEADER, flush=True)
    checks = []
    engine_rows: dict[tuple[str, str], Row] = {}
    for size in args.sizes.split(","):
        for variant in args.variants.split(","):
            methods: tuple[str, ...] = ("engine",) if variant == "stable" else METHODS
            if variant == "congested":
                methods = ("greedy", "flow", "engine")  # CP-SAT alone finds little here (see README)
            if variant in ("stable", "overseas"):
                methods = ("flow", "engine")
            rows = {m: isolated(size, variant, m, args.cpsat_limit) for m in methods}
            bound = rows["flow"]["score"]
            if variant == "congested":
                bound = rows["engine"]["bound"]  # the engine's proven bound, not the flow's
            for m in methods:
                print(fmt(size, variant, m, rows[m], bound), flush=True)
            eng = rows["engine"]
            if variant == "network":
                flow_t, eng_t = rows["flow"]["seconds"], eng["phases"]["solve_flow"]
                checks.append(
                    f"{size} network: engine = bound: {eng['score'] == bound}; engine solve "
                    f"{eng_t:.2f}s vs pure flow {flow_t:.2f}s ({eng_t / max(flow_t, 1e-9):.2f}x); "
                    f"problem->solution {eng['seconds']:.2f}s; peak {eng['peak_mb']:.0f} MB; "
                    f"{eng['pairs']} eligible pairs; phases {eng['phases']}"
                )
            elif variant == "continuity":
                checks.append(
                    f"{size} continuity: engine {100 * eng['score'] / bound:.3f}% of the flow bound in "
                    f"{eng['seconds']:.1f}s (limit {ENGINE_LIMIT[size]:.0f}s); status {eng['status']}"
                )
            elif variant == "congested":
                proven = eng["bound"]
                checks.append(
                    f"{size} congested: {eng['pairs']} eligible pairs; engine score {eng['score']} = "
                    f"{100 * eng['score'] / proven:.3f}% of its proven bound {proven} (gap "
                    f"{eng['solver'].get('gap')}) in {eng['seconds']:.1f}s (limit {ENGINE_LIMIT[size]:.0f}s); "
                    f"status {eng['status']}; peak {eng['peak_mb']:.0f} MB; phases {eng['phases']}; "
                    f"search {eng['solver'].get('lns')}"
                )
                checks.append(
                    f"  determinism: python -m appariement generate --size {size} --congested --continuity 3 "
                    f"--time-limit {ENGINE_LIMIT[size]:.0f} > p.json; run `python -m appariement solve p.json "
                    "--no-stats | sha256sum` twice, once with the machine loaded: the hashes must be equal"
                )
            elif variant == "overseas":
                # The best of three runs of each: at M a run takes half a second, and a tenth of noise would
                # decide the ratio.
                metro_runs = [engine_rows[(size, "network")]] if (size, "network") in engine_rows else []
                while len(metro_runs) < 3:
                    metro_runs.append(isolated(size, "network", "engine", args.cpsat_limit))
                metro = fastest(metro_runs)
                eng = fastest([eng] + [isolated(size, variant, "engine", args.cpsat_limit) for _ in range(2)])
                checks.append(
                    f"{size} overseas mix vs metropolitan (best of 3 runs each): {eng['pairs']} vs {metro['pairs']} "
                    "eligible pairs; "
                    f"engine {eng['seconds']:.2f}s vs {metro['seconds']:.2f}s "
                    f"({eng['seconds'] / max(metro['seconds'], 1e-9):.2f}x; per pair "
                    f"{1e6 * eng['seconds'] / max(eng['pairs'], 1):.1f} vs "
                    f"{1e6 * metro['seconds'] / max(metro['pairs'], 1):.1f} µs), eligibility "
                    f"{eng['phases']['eligibility']:.2f}s vs {metro['phases']['eligibility']:.2f}s, peak "
                    f"{eng['peak_mb']:.0f} vs {metro['peak_mb']:.0f} MB ({eng['peak_mb'] / metro['peak_mb']:.2f}x); "
                    f"exact: {eng['score'] == bound}"
                )
            else:
                checks.append(f"{size} stable: {eng['blocking']} blocking pairs")
            engine_rows[(size, variant)] = eng
    print()
    for line in checks:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
