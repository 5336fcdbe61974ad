"""The engine: problem -> eligible pairs -> scores -> flow (-> CP-SAT) -> explained solution.

Optimal mode: min-cost flow solves the network-shaped rules exactly.  If service continuity
or reciprocity is on, the flow solution is repaired into a feasible one (drop the lowest
scores on over-loaded days, then refill free seats) and handed to CP-SAT as its hint; the
best of the two is kept.  Stable mode: deferred acceptance (see stable.py).
"""

from __future__ import annotations

import resource
import time
from contextlib import contextmanager

import numpy as np

from .arrays import build_arrays
from .context import Context, make_context, objective_key, objective_parts, reciprocity_upper_bound
from .cpsat import solve_cpsat
from .eligibility import eligible_pairs
from .explain import build_solution
from .flow import solve_flow
from .lagrange import relax_continuity
from .model import Problem
from .scoring import score_pairs
from .solution import Solution
from .stable import deferred_acceptance
from .tracker import fill, repair_continuity

LAGRANGE_ITERATIONS = 25  # priced flows at most (deterministic; the time limit also stops)
CP_SAT_MAX_FREE_PAIRS = 150_000  # above this, CP-SAT gets a neighbourhood, not everything
EXPLAIN_SHARE = 0.05  # of the time limit, kept for explanations and metrics


@contextmanager
def _timed(timings: dict, phase: str):
    t0 = time.perf_counter()
    yield
    timings[phase] = timings.get(phase, 0.0) + time.perf_counter() - t0


def peak_memory_mb() -> float:
    """Peak resident memory of this process so far (MiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prepare(problem: Problem) -> Context:
    """Validate, index, compute eligibility and scores; check the pins."""
    timings: dict[str, float] = {}
    with _timed(timings, "eligibility"):
        problem.validate()
        a = build_arrays(problem)
        pairs = eligible_pairs(a)
    with _timed(timings, "build"):
        ctx = make_context(a, pairs, score_pairs(a, pairs))
    ctx.timings.update(timings)
    return ctx


def needs_cpsat(ctx: Context) -> bool:
    st = ctx.settings
    return st.continuity is not None or (st.reciprocity and st.weights.reciprocity > 0)


def flow_bound(ctx: Context, x_flow: np.ndarray) -> int:
    """Upper bound of the objective: the flow optimum plus the most reciprocity can add."""
    parts = objective_parts(ctx, x_flow)
    return parts["pairs"] + parts["fairness"] + reciprocity_upper_bound(ctx)


def optimise(ctx: Context, t0: float | None = None) -> tuple[np.ndarray, int, dict]:
    """Optimal mode on a prepared context: (x, bound, solver report).

    The time limit counts from t0 (the start of solve), keeping a share for the explanations.
    """
    st = ctx.settings
    t0 = time.perf_counter() if t0 is None else t0
    budget = st.time_limit * (1 - EXPLAIN_SHARE)
    with _timed(ctx.timings, "solve_flow"):
        x = solve_flow(ctx)
    bound = flow_bound(ctx, x)
    report: dict = {"method": "min_cost_flow", "status": "OPTIMAL"}
    if needs_cpsat(ctx):
        x = _beyond_network(ctx, x, t0, budget, report)
    score = objective_parts(ctx, x)["total"]
    report["gap"] = round((bound - score) / bound, 6) if bound > 0 else 0.0
    return x, bound, report


def _beyond_network(ctx: Context, x_flow: np.ndarray, t0: float, budget: float, report: dict) -> np.ndarray:
    """Continuity (priced flows, then CP-SAT) and reciprocity (CP-SAT), from the flow optimum."""
    st = ctx.settings
    free = None
    x0 = x_flow
    report["method"] = "min_cost_flow+cp_sat"
    if st.continuity is not None:
        with _timed(ctx.timings, "solve_lagrange"):
            # Half the budget at most for the priced flows, the rest for CP-SAT.
            lr = relax_continuity(ctx, x_flow, LAGRANGE_ITERATIONS, t0 + budget / 2)
        x0 = lr.x
        report["lagrange"] = {"iterations": lr.iterations, "dual_bound": lr.dual_bound, "score": lr.score}
        exact = st.objective == "score" and not (st.reciprocity and st.weights.reciprocity > 0)
        if exact and lr.score >= lr.dual_bound:
            # The repaired solution meets the Lagrangian bound: proven optimal, CP-SAT has nothing to add.
            report.update(method="min_cost_flow+lagrange", status="OPTIMAL")
            return x0
        if int(ctx.free_mask().sum()) > CP_SAT_MAX_FREE_PAIRS:
            # Large round: CP-SAT searches around the requests of over-loaded groups.
            free = np.isin(ctx.a.r_group, lr.violated_groups)
    start = objective_parts(ctx, x0)["total"]
    with _timed(ctx.timings, "solve_cpsat"):
        res = solve_cpsat(ctx, x0, max(1.0, budget - (time.perf_counter() - t0)), free)
    x = res.x if res.x is not None and objective_key(ctx, res.x) > objective_key(ctx, x0) else x0
    with _timed(ctx.timings, "repair"):
        x = fill(ctx, x)  # never leave a free seat an unmatched agent could take
    proven = res.status == "OPTIMAL" and free is None
    report.update(
        status="OPTIMAL" if proven else "FEASIBLE",
        cp_sat_status=res.status,
        cp_sat_scope="all" if free is None else "over-loaded groups",
        cp_sat_bound=res.best_bound,
        hint_score=start,
    )
    return x


def stabilise(ctx: Context) -> tuple[np.ndarray, int, dict]:
    """Stable mode: deferred acceptance; the flow gives the bound for comparison."""
    with _timed(ctx.timings, "solve_flow"):
        bound = flow_bound(ctx, solve_flow(ctx))
    with _timed(ctx.timings, "solve_stable"):
        x = deferred_acceptance(ctx)
    if ctx.settings.continuity is not None:
        # Continuity is not a two-sided preference: enforce it afterwards (may unsettle).
        with _timed(ctx.timings, "repair"):
            x = fill(ctx, repair_continuity(ctx, x))
    score = objective_parts(ctx, x)["total"]
    gap = round((bound - score) / bound, 6) if bound > 0 else 0.0
    return x, bound, {"method": "deferred_acceptance", "status": "STABLE", "gap": gap}


def solve(problem: Problem) -> Solution:
    """Solve one round: the public entry point."""
    t0 = time.perf_counter()
    ctx = prepare(problem)
    x, bound, report = stabilise(ctx) if ctx.settings.mode == "stable" else optimise(ctx, t0)
    report["mode"] = ctx.settings.mode
    report["objective"] = ctx.settings.objective
    with _timed(ctx.timings, "explain"):
        solution = build_solution(ctx, x, bound, report, {})
    seconds = {k: round(v, 4) for k, v in sorted(ctx.timings.items())}
    seconds["total"] = round(time.perf_counter() - t0, 4)
    stats = {"seconds": seconds, "peak_memory_mb": round(peak_memory_mb(), 1)}
    return Solution(solution.assignments, solution.unmatched, solution.metrics, report, stats)
