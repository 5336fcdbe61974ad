"""The full model in CP-SAT: network rules plus service continuity and reciprocity.

One Boolean per eligible pair (pins fixed to 1).  The engine calls it with a feasible hint
built from the flow solution; the benchmark also runs it alone (no hint) as a baseline.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from .context import Context


@dataclass
class CpResult:
    x: np.ndarray | None
    status: str
    objective: int | None
    best_bound: int | None
    seconds: float


def _groups(keys: np.ndarray, idx: np.ndarray):
    """Split idx by equal keys (keys sorted along idx): yields (key, members)."""
    if len(idx) == 0:
        return
    order = np.argsort(keys, kind="stable")
    k, m = keys[order], idx[order]
    cuts = np.flatnonzero(np.diff(k)) + 1
    for part_k, part in zip(np.split(k, cuts), np.split(m, cuts), strict=True):
        yield int(part_k[0]), part


def continuity_sets(ctx: Context, idx: np.ndarray):
    """(group, day, member pairs) for every day where the group could exceed K."""
    a = ctx.a
    pr, ps = ctx.pairs.r, ctx.pairs.s
    for g, members in _groups(a.r_group[pr[idx]], idx):
        starts, ends = a.s_start[ps[members]], a.s_end[ps[members]]
        for d in np.unique(starts).tolist():
            on = members[(starts <= d) & (d <= ends)]
            if len(np.unique(pr[on])) > ctx.settings.continuity:
                yield g, d, on


def solve_cpsat(
    ctx: Context,
    hint: np.ndarray | None,
    time_limit: float,
    free_requests: np.ndarray | None = None,
) -> CpResult:
    """Maximise the full objective.  With ``free_requests`` (bool per request), only their
    pairs get variables and every other pair keeps its value in ``hint`` (a neighbourhood
    search around the hint); by default every pair not pinned is free."""
    t0 = time.perf_counter()
    a, st = ctx.a, ctx.settings
    pr, ps = ctx.pairs.r, ctx.pairs.s
    n = len(pr)
    model = cp_model.CpModel()
    free_mask = ctx.free_mask()
    if free_requests is not None:
        free_mask &= free_requests[pr]
    fixed = ~free_mask & (hint if hint is not None else ctx.pins_only())
    fixed[ctx.pinned] = True
    free = np.flatnonzero(free_mask)
    xs: list = [None] * n
    for p in free.tolist():
        xs[p] = model.new_bool_var("")
    fx = fixed.astype(np.int64)

    def at_most(members: np.ndarray, limit: int) -> None:
        var = [xs[p] for p in members[free_mask[members]].tolist()]
        room = limit - int(fx[members].sum())
        if len(var) > room:
            model.add(cp_model.LinearExpr.sum(var) <= max(room, 0))

    both = np.flatnonzero(free_mask | fixed)
    for _, members in _groups(pr[free], free):
        if len(members) > 1:
            model.add_at_most_one([xs[p] for p in members.tolist()])
    for s, members in _groups(ps[both], both):
        at_most(members, int(a.s_cap[s]))
    if st.diversity is not None:
        so = ps[both].astype(np.int64) * a.n_org + a.r_org[pr[both]]
        for _, members in _groups(so, both):
            at_most(members, st.diversity)
    if st.continuity is not None:
        for _, _, on in continuity_sets(ctx, both):
            at_most(on, st.continuity)

    big = 0
    if st.objective == "placements_first":
        # Lexicographic: one more placement is worth more than any possible score.
        big = int(ctx.scores.total.sum()) + int(ctx.floors.sum()) * st.weights.fairness * 100 + 1
        big += _reciprocity_cap(ctx)
    terms = [xs[p] for p in free.tolist()]
    coeffs = (ctx.scores.total[free] + big).tolist()
    constant = int(ctx.scores.total[fixed].sum()) + big * int(fixed.sum())

    def org_sum(members: np.ndarray):
        var = [xs[p] for p in members[free_mask[members]].tolist()]
        return cp_model.LinearExpr.sum(var) + int(fx[members].sum()), len(var) + int(fx[members].sum())

    sent_by_org = dict(_groups(a.r_org[pr[both]], both))
    bonus = st.weights.fairness * 100
    for o, members in sent_by_org.items():
        if ctx.floors[o] > 0 and bonus > 0:
            f = model.new_int_var(0, int(ctx.floors[o]), "")
            model.add(f <= org_sum(members)[0])
            terms.append(f)
            coeffs.append(bonus)
    if st.reciprocity and st.weights.reciprocity > 0:
        hosted_by_org = dict(_groups(a.s_org[ps[both]], both))
        for o in sorted(set(sent_by_org) & set(hosted_by_org)):
            sent, n_sent = org_sum(sent_by_org[o])
            hosted, n_hosted = org_sum(hosted_by_org[o])
            z = model.new_int_var(0, min(n_sent, n_hosted), "")
            model.add(z <= sent)
            model.add(z <= hosted)
            terms.append(z)
            coeffs.append(st.weights.reciprocity * 100)
    model.maximize(cp_model.LinearExpr.weighted_sum(terms, coeffs) + constant)
    if hint is not None:
        for p in free.tolist():
            model.add_hint(xs[p], bool(hint[p]))

    solver = cp_model.CpSolver()
    prm = solver.parameters
    prm.num_workers = st.workers or os.cpu_count() or 1
    remaining = max(0.1, time_limit - (time.perf_counter() - t0))
    prm.max_time_in_seconds = remaining
    prm.random_seed = 0
    if st.deterministic:
        # Reproducible search: workers interleaved in deterministic batches, and stopped by
        # deterministic time (an effort count), not by the wall clock, when it comes first.
        prm.interleave_search = True
        prm.max_deterministic_time = remaining
    status = solver.solve(model)
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return CpResult(None, name, None, None, time.perf_counter() - t0)
    values = fixed.copy()
    values[free] = [solver.boolean_value(xs[p]) for p in free.tolist()]
    extra = big * (int(values.sum()) - 0)
    obj = int(round(solver.objective_value)) - extra
    bound = int(round(solver.best_objective_bound)) - extra
    return CpResult(values, name, obj, bound, time.perf_counter() - t0)


def _reciprocity_cap(ctx: Context) -> int:
    if not ctx.settings.reciprocity:
        return 0
    return ctx.settings.weights.reciprocity * 100 * ctx.a.n_req
