"""The engine: problem -> eligible pairs -> scores -> flow (-> CP-SAT) -> explained solution.

Optimal mode: min-cost flow solves the network-shaped rules exactly.  If service continuity
or reciprocity is on, the flow solution is repaired into a feasible one (drop the lowest
scores on over-loaded days, then refill free seats) and handed to CP-SAT as its hint; the
best of the two is kept.  Stable mode: deferred acceptance (see stable.py).
"""

from __future__ import annotations

import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from .arrays import build_arrays
from .context import Context, make_context, objective_key, objective_parts, reciprocity_upper_bound
from .eligibility import eligible_pairs
from .explain import build_solution
from .flow import solve_flow
from .model import Problem
from .outlook import Outlook, outlooks
from .scoring import score_pairs
from .solution import Solution
from .stable import deferred_acceptance
from .tracker import fill, repair_continuity

if TYPE_CHECKING:
    from .cpsat import ContinuityRows

# CP-SAT and the neighbourhood search (cpsat.py, lns.py) are imported only by the rounds that
# need them: importing ortools.sat brings pandas and scipy, half a second of a command-line run.

EXPLAIN_SHARE = 0.05  # of the time limit, kept for explanations and metrics
# The work is counted, never timed, and sized to end within the time limit on an idle machine; the wall clock
# stops it only past twice that (a machine loaded by other processes takes longer for the same work).
SAFETY_NET = 2.0
# CP-SAT's effort for reciprocity alone: deterministic seconds per second of the time limit —
# a function of the input only, so that a loaded machine gets the same answer, later.
RECIPROCITY_EFFORT = 0.5


@contextmanager
def _timed(timings: dict[str, float], phase: str) -> Iterator[None]:
    t0 = time.perf_counter()
    yield
    timings[phase] = timings.get(phase, 0.0) + time.perf_counter() - t0


def peak_memory_mb() -> float:
    """Peak resident memory of this process so far (MiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prepare(problem: Problem, validated: bool = False) -> Context:
    """Validate, index, compute eligibility and scores; check the pins.  ``validated``: the
    problem comes straight from the JSON door (jsonio.loads_problem), which has checked every
    field and link against the same schema; checking its dataclasses again would only repeat
    that work (XL: a quarter of a second)."""
    timings: dict[str, float] = {}
    with _timed(timings, "eligibility"):
        if not validated:
            problem.validate()
        a = build_arrays(problem)
        pairs = eligible_pairs(a)
    with _timed(timings, "build"):
        ctx = make_context(a, pairs, score_pairs(a, pairs))
    ctx.timings.update(timings)
    return ctx


def needs_reciprocity(ctx: Context) -> bool:
    """Whether the reciprocity bonus counts (the flow does not see it)."""
    st = ctx.settings
    return st.reciprocity and st.weights.reciprocity > 0


def needs_cpsat(ctx: Context) -> bool:
    return ctx.settings.continuity is not None or needs_reciprocity(ctx)


def flow_bound(ctx: Context, x_flow: np.ndarray) -> int:
    """Upper bound of the objective: the flow optimum plus the most reciprocity can add."""
    parts = objective_parts(ctx, x_flow)
    return parts["pairs"] + parts["fairness"] + reciprocity_upper_bound(ctx)


def optimise(ctx: Context, t0: float | None = None) -> tuple[np.ndarray, int, dict[str, Any]]:
    """Optimal mode on a prepared context: (x, bound, solver report).

    The time limit counts from t0 (the start of solve), keeping a share for the explanations.
    """
    st = ctx.settings
    t0 = time.perf_counter() if t0 is None else t0
    budget = SAFETY_NET * st.time_limit * (1 - EXPLAIN_SHARE)  # the safety net's, not the work's
    with _timed(ctx.timings, "solve_flow"):
        x = solve_flow(ctx)
    bound = flow_bound(ctx, x)
    report: dict[str, Any] = {"method": "min_cost_flow", "status": "OPTIMAL"}
    rows = None
    if st.continuity is not None:
        from .cpsat import ContinuityRows

        with _timed(ctx.timings, "solve_bound"):
            rows = ContinuityRows.build(ctx)  # (group, day) rows where K could be exceeded
    if rows is not None and rows.count > 0:
        x, bound = _continuity(ctx, x, bound, rows, t0, budget, report)
    elif needs_reciprocity(ctx):  # reciprocity, with continuity that can never bind or none
        x = _beyond_network(ctx, x, t0, budget, report)
    score = objective_parts(ctx, x)["total"]
    report["gap"] = round((bound - score) / bound, 6) if bound > 0 else 0.0
    return x, bound, report


def _beyond_network(ctx: Context, x_flow: np.ndarray, t0: float, budget: float, report: dict[str, Any]) -> np.ndarray:
    """Reciprocity alone: CP-SAT on the full model, hinted with the flow optimum."""
    from .cpsat import solve_cpsat

    start = objective_parts(ctx, x_flow)["total"]
    report["method"] = "min_cost_flow+cp_sat"
    with _timed(ctx.timings, "solve_cpsat"):
        wall = max(1.0, budget - (time.perf_counter() - t0))  # the safety net only
        res = solve_cpsat(ctx, x_flow, ctx.settings.time_limit * RECIPROCITY_EFFORT, wall_seconds=wall)
    x = res.x if res.x is not None and objective_key(ctx, res.x) > objective_key(ctx, x_flow) else x_flow
    with _timed(ctx.timings, "repair"):
        x = fill(ctx, x)  # never leave a free seat an unmatched agent could take
    report.update(
        status="OPTIMAL" if res.status == "OPTIMAL" else "FEASIBLE",
        cp_sat_status=res.status,
        cp_sat_bound=res.best_bound,
        hint_score=start,
    )
    return x


def _continuity(
    ctx: Context,
    x_flow: np.ndarray,
    bound: int,
    rows: ContinuityRows,
    t0: float,
    budget: float,
    report: dict[str, Any],
) -> tuple[np.ndarray, int]:
    """Service continuity: LP-priced flow (bound and start), then neighbourhood search (lns.py).

    Every step is limited by deterministic effort; the deadline is only a safety net."""
    from . import lns

    effort = lns.effort_for(ctx)
    flow_bound_value = bound
    if not needs_reciprocity(ctx) and not rows.overloaded(x_flow, ctx.settings.continuity or 0):
        # The flow optimum keeps continuity, so it is optimal — unless reciprocity's bonus,
        # which the flow does not see, asks for other placements (then search as below).
        report.update(method="min_cost_flow", status="OPTIMAL")
        return x_flow, bound
    with _timed(ctx.timings, "solve_bound"):
        # The Lagrangian bound holds for the score objective. With placements first, the flow's score
        # is the best among the most placements, and continuity may place fewer with a higher score:
        # the bound is then the flow's optimum by score.
        scored = ctx.settings.objective == "score"
        found = lns.continuity_bound(ctx, rows, bound, effort if scored else replace(effort, lp_iterations=0))
        bound = found.bound if scored else max(bound, flow_bound(ctx, solve_flow(ctx, objective="score")))
    with _timed(ctx.timings, "solve_start"):
        x0 = lns.start_solution(ctx, found)
        start = objective_parts(ctx, x0)["total"]
    with _timed(ctx.timings, "solve_lns"):
        target = bound if scored else None
        core = lns.lp_core_of(found, effort)
        res = lns.search(ctx, x0, rows, effort, deadline=t0 + budget, target=target, core=core)
    with _timed(ctx.timings, "repair"):
        x = fill(ctx, res.x)  # never leave a free seat an unmatched agent could take
    score = objective_parts(ctx, x)["total"]
    if res.proven and scored:
        bound = min(bound, score)  # CP-SAT proved the whole model optimal
    report.update(
        method="min_cost_flow+lns",
        status="OPTIMAL" if res.proven or (scored and score >= bound) else "FEASIBLE",
        bounds={"flow": flow_bound_value, "lagrangian": found.bound if scored else None},
        start_score=start,
        lns={
            "rounds": res.rounds,
            "improvements": res.improved,
            "lp_iterations": effort.lp_iterations,
            "round_effort": effort.round_effort,
            "max_free_pairs": effort.max_free_pairs,
            "stopped_by": res.stopped_by,
        },
    )
    if res.sweeps:
        report["lns"]["sweeps"] = res.sweeps  # passes re-optimising each group whole
    if res.core_rounds:
        report["lns"]["core_rounds"] = res.core_rounds  # LP-core neighbourhoods (lpcore.py)
    return x, bound


def stabilise(ctx: Context) -> tuple[np.ndarray, int, dict[str, Any]]:
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


def solve(problem: Problem, validated: bool = False, with_outlooks: bool = True) -> Solution:
    """Solve one round: the public entry point (``validated``: see prepare).  ``with_outlooks``:
    False leaves each unmatched request's outlook out (None), for callers that do not show it."""
    t0 = time.perf_counter()
    ctx = prepare(problem, validated)
    x, bound, report = stabilise(ctx) if ctx.settings.mode == "stable" else optimise(ctx, t0)
    report["mode"] = ctx.settings.mode
    report["objective"] = ctx.settings.objective
    told: dict[int, Outlook] = {}
    if with_outlooks:
        with _timed(ctx.timings, "outlook"):
            told = outlooks(ctx, x)  # what each unplaced agent could change
    with _timed(ctx.timings, "explain"):
        solution = build_solution(ctx, x, bound, report, {}, told)
    seconds = {k: round(v, 4) for k, v in sorted(ctx.timings.items())}
    seconds["total"] = round(time.perf_counter() - t0, 4)
    stats = {"seconds": seconds, "peak_memory_mb": round(peak_memory_mb(), 1)}
    return Solution(solution.assignments, solution.unmatched, solution.metrics, report, stats)
