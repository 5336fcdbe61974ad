"""Service continuity by Lagrangian relaxation around the min-cost flow.

Continuity (at most K agents of a group away on one day) is the rule that breaks the network
shape.  We price it: each (group, day) row gets a multiplier λ ≥ 0 added to the cost of every
pair that would take an agent of that group away that day, and the flow is solved again.  For
any λ ≥ 0 the priced flow gives an upper bound (flow optimum + Σ λ·K), exact in integers.

``priced_flow`` evaluates one λ (the engine takes λ from the LP relaxation, see ``lns.py``);
``relax_continuity`` improves λ by subgradient steps (the classic Polyak step) for a fixed
number of iterations — never a wall-clock limit, so that the result does not depend on load.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .context import Context, objective_key, objective_parts, reciprocity_upper_bound
from .cpsat import BoolArray, ContinuityRows
from .flow import solve_flow
from .tracker import fill, repair_continuity

FloatArray = npt.NDArray[np.float64]


@dataclass
class LagrangeResult:
    x: BoolArray  # the best repaired (feasible) solution met
    score: int
    dual_bound: int  # an upper bound of the optimum with continuity
    iterations: int
    multipliers: FloatArray


def priced_flow(ctx: Context, rows: ContinuityRows, lam: FloatArray) -> tuple[BoolArray, int]:
    """The flow with continuity priced at λ (rounded to whole points): (x, its proven bound)."""
    k = ctx.settings.continuity or 0
    lam_int = np.maximum(np.round(lam), 0).astype(np.int64)
    penalty = np.bincount(rows.members, weights=lam_int[rows.row], minlength=len(ctx.pairs)).astype(np.int64)
    x = solve_flow(ctx, extra_cost=penalty)
    parts = objective_parts(ctx, x)
    dual = parts["pairs"] + parts["fairness"] - int(penalty[x].sum()) + int(lam_int.sum()) * k
    return x, dual + reciprocity_upper_bound(ctx)


def relax_continuity(
    ctx: Context, rows: ContinuityRows, x_flow: BoolArray, iterations: int, lam0: FloatArray | None = None
) -> LagrangeResult:
    """Subgradient steps on λ from lam0 (zero: the plain flow), each priced flow repaired."""
    k = ctx.settings.continuity or 0
    lam = np.zeros(rows.count) if lam0 is None else lam0.astype(float).copy()
    best_x = fill(ctx, repair_continuity(ctx, x_flow))
    best_key = objective_key(ctx, best_x)
    ub = objective_parts(ctx, x_flow)["total"] + reciprocity_upper_bound(ctx)
    theta, stall, it = 1.0, 0, 0
    while it < iterations:
        it += 1
        x, dual = priced_flow(ctx, rows, lam)
        if dual < ub:
            ub, stall = dual, 0
        else:
            stall += 1
            if stall >= 3:
                theta, stall = theta / 2, 0
        cand = fill(ctx, repair_continuity(ctx, x))
        if objective_key(ctx, cand) > best_key:
            best_x, best_key = cand, objective_key(ctx, cand)
        over = np.bincount(rows.row, weights=x[rows.members], minlength=rows.count) - k
        step = np.where((lam <= 0) & (over < 0), 0.0, over)
        norm = float((step * step).sum())
        gap = ub - best_key[1]
        if norm == 0 or gap <= 0:
            break  # feasible and complementary, or the bound is met: optimal
        lam = np.maximum(0.0, lam + theta * gap / norm * step)
    return LagrangeResult(best_x, best_key[1], int(ub), it, lam)
