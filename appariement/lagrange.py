"""Service continuity by Lagrangian relaxation around the min-cost flow.

Continuity (at most K agents of a group away on one day) is the rule that breaks the network
shape.  We price it: each (group, day) constraint gets a multiplier λ ≥ 0 added to the cost of
every pair that would take an agent of that group away that day, and the flow is solved
again.  Each priced flow gives an upper bound (flow optimum + Σ λ·K); each is repaired into a
feasible solution (drop the lowest scores on over-loaded days, refill free seats).  The
multipliers follow the subgradient (the overload), with the classic Polyak step.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .context import Context, objective_key, objective_parts
from .cpsat import continuity_sets
from .flow import solve_flow
from .tracker import fill, repair_continuity


@dataclass
class LagrangeResult:
    x: np.ndarray
    score: int
    dual_bound: int  # an upper bound of the optimum with continuity (network score part)
    iterations: int
    violated_groups: np.ndarray  # groups over-loaded by the plain flow


def _constraints(ctx: Context):
    members, cid, groups = [], [], []
    everything = np.arange(len(ctx.pairs))
    for i, (g, _, on) in enumerate(continuity_sets(ctx, everything)):
        members.append(on)
        cid.append(np.full(len(on), i))
        groups.append(g)
    if not members:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(members), np.concatenate(cid), np.array(groups)


def relax_continuity(
    ctx: Context, x_flow: np.ndarray, max_iter: int = 25, deadline: float | None = None
) -> LagrangeResult:
    k = ctx.settings.continuity
    mem, cid, groups = _constraints(ctx)
    m = len(groups)
    net = objective_parts(ctx, x_flow)
    flow_opt = net["pairs"] + net["fairness"]
    if m == 0 or k is None:
        return LagrangeResult(x_flow, net["total"], flow_opt, 0, np.zeros(0, np.int64))
    lam = np.zeros(m)
    best_x, best_key, best_net = x_flow, None, 0
    ub, theta, stall = flow_opt, 1.0, 0
    violated = np.zeros(0, np.int64)
    it = 0
    for it in range(max_iter):
        lam_i = np.round(lam).astype(np.int64)
        pen = np.bincount(mem, weights=lam_i[cid], minlength=len(ctx.pairs)).astype(np.int64)
        x = x_flow if it == 0 else solve_flow(ctx, extra_cost=pen)
        load = np.bincount(cid, weights=x[mem], minlength=m)
        over = load - k
        if it == 0:
            violated = np.unique(groups[over > 0])
        parts = objective_parts(ctx, x)
        dual = parts["pairs"] + parts["fairness"] - int(pen[x].sum()) + int(lam_i.sum()) * k
        if dual < ub:
            ub, stall = dual, 0
        else:
            stall += 1
            if stall >= 3:
                theta, stall = theta / 2, 0
        cand = fill(ctx, repair_continuity(ctx, x))
        cp = objective_parts(ctx, cand)
        if best_key is None or objective_key(ctx, cand) > best_key:
            best_x, best_key, best_net = cand, objective_key(ctx, cand), cp["pairs"] + cp["fairness"]
        g = np.where((lam <= 0) & (over < 0), 0.0, over)
        if not (over > 0).any() and float((lam_i * over).sum()) == 0:
            break  # feasible and complementary: optimal for the network part
        norm = float((g * g).sum())
        if norm == 0 or ub - best_net <= 0:
            break
        lam = np.maximum(0.0, lam + theta * (ub - best_net) / norm * g)
        if deadline is not None and time.perf_counter() > deadline:
            break
    return LagrangeResult(best_x, objective_parts(ctx, best_x)["total"], int(ub), it + 1, violated)
