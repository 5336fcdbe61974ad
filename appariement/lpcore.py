"""The LP relaxation (PDLP), and the LP-core rounds that use it.

**LP-core rounds.**  Each continuity group in turn with its closest rivals for seats (the
groups whose LP values meet its own most in the same sessions) is re-optimised over the whole
horizon, on the pairs the LP relaxation finds worth taking; they replace the sweep.
After a sweep (each group optimal *given the others*; congested L: 98.65 % of the bound) what
is left is mostly how the seats of full sessions are shared between groups.  A neighbourhood
of a group and its rivals over the whole horizon reaches that (measured on L: ten groups sit
0.66 % below their own LP value, and CP-SAT recovers two thirds of it), but with every pair of
those groups it is a model of ~60,000 Booleans that CP-SAT cannot use in a round's effort.
The **LP core** keeps the pairs the relaxation takes (x > 0.01) or nearly would (reduced
cost ≥ −slack; L: 3 % of the pairs), plus those placed (the hint is a solution of each
model), so a neighbourhood of five groups is ~1,200 Booleans that CP-SAT mostly proves
optimal in a fraction of a deterministic second (without cutting planes: faster here).  The
hint includes the floor bonuses: without them CP-SAT often found no solution of the larger
models in their effort.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.linear_solver.python import model_builder_helper as mbh
from scipy import sparse  # type: ignore[import-untyped]

from .context import Context
from .cpsat import BoolArray, ContinuityRows, IntArray
from .scoring import POINTS_PER_TERM

FloatArray = npt.NDArray[np.float64]
LP_VALUE = 0.01  # PDLP's values are approximate: below this a pair is out of the LP solution
EVERY_PAIR = 1e-3  # rivals: the weight of a pair outside the LP solution


def _rows_by_key(keys: npt.NDArray[np.integer]) -> tuple[IntArray, IntArray]:
    """Row number of each pair (one row per distinct key), and the distinct keys."""
    uniq, inv = np.unique(keys, return_inverse=True)
    return inv.astype(np.int64), uniq.astype(np.int64)


def lp_relaxation(
    ctx: Context, rows: ContinuityRows, iterations: int
) -> tuple[FloatArray, FloatArray, FloatArray, float | None]:
    """The LP relaxation by PDLP (one thread, fixed iterations): (duals of the continuity
    rows, approximate x per pair, reduced cost per pair, objective)."""
    a, st = ctx.a, ctx.settings
    pr, ps = ctx.pairs.r, ctx.pairs.s
    n = len(pr)
    if rows.count == 0 or iterations <= 0:
        return np.zeros(rows.count), np.zeros(n), np.full(n, -np.inf), None
    pair_ids = np.arange(n, dtype=np.int64)
    blocks_r, blocks_c, blocks_v, rhs = [], [], [], []
    n_rows = 0

    def add(row_of: IntArray, cols: IntArray, vals: FloatArray, limits: FloatArray) -> None:
        nonlocal n_rows
        blocks_r.append(row_of + n_rows)
        blocks_c.append(cols)
        blocks_v.append(vals)
        rhs.append(limits)
        n_rows += len(limits)

    ones = np.ones(n)
    req_row, _ = _rows_by_key(pr)
    add(req_row, pair_ids, ones, np.ones(int(req_row.max()) + 1))
    ses_row, ses = _rows_by_key(ps)
    add(ses_row, pair_ids, ones, a.s_cap[ses].astype(float))
    if st.diversity is not None:
        div_row, div = _rows_by_key(ps.astype(np.int64) * a.n_org + a.r_org[pr])
        add(div_row, pair_ids, ones, np.full(len(div), float(st.diversity)))
    first_continuity = n_rows
    add(rows.row, rows.members, np.ones(len(rows.members)), np.full(rows.count, float(st.continuity or 0)))
    # Fairness floor: f_o ≤ placements of o, f_o ≤ floor (a bound of the variable).
    orgs = np.arange(a.n_org, dtype=np.int64)
    blocks_r.append(n_rows + a.r_org[pr])
    blocks_c.append(pair_ids)
    blocks_v.append(-ones)
    add(orgs, n + orgs, np.ones(a.n_org), np.zeros(a.n_org))
    matrix = sparse.csr_matrix(
        (np.concatenate(blocks_v), (np.concatenate(blocks_r), np.concatenate(blocks_c))),
        shape=(n_rows, n + a.n_org),
    )
    upper = np.concatenate([np.ones(n), ctx.floors.astype(float)])
    lower = np.zeros(n + a.n_org)
    pinned_req = ~ctx.free_mask()
    upper[:n][pinned_req] = 0.0
    lower[ctx.pinned] = upper[ctx.pinned] = 1.0
    fairness_bonus = float(st.weights.fairness * POINTS_PER_TERM)
    gain = np.concatenate([ctx.scores.total.astype(float), np.full(a.n_org, fairness_bonus)])
    model = mbh.ModelBuilderHelper()
    # The binding's stub spells the array type wrongly ("ndarray[float64, ...]").
    fill = model.fill_model_from_sparse_data
    fill(lower, upper, gain, np.full(n_rows, -np.inf), np.concatenate(rhs), matrix)  # type: ignore[arg-type]
    model.set_maximize(True)
    solver = mbh.ModelSolverHelper("pdlp")
    # One thread and an iteration count: the same duals on any machine and under any load.
    solver.set_solver_specific_parameters(
        f"num_threads: 1 termination_criteria {{ iteration_limit: {int(iterations)} }}"
    )
    solver.solve(model)
    if not solver.has_response():
        return np.zeros(rows.count), np.zeros(n), np.full(n, -np.inf), None
    primal = np.nan_to_num(np.asarray(solver.variable_values(), dtype=float)[:n], nan=0.0)
    duals = np.asarray(solver.dual_values(), dtype=float)
    lam = np.maximum(duals[first_continuity : first_continuity + rows.count], 0.0)
    reduced = np.nan_to_num(np.asarray(solver.reduced_costs(), dtype=float)[:n], nan=-np.inf)
    value = float(solver.objective_value()) if solver.has_solution() else None
    return np.nan_to_num(lam, nan=0.0, posinf=0.0), primal, reduced, value


@dataclass(frozen=True)
class LpCore:
    """The pairs of the LP-core rounds, and what ranks a group's rivals."""

    pairs: BoolArray  # in the LP solution (x > 0.01) or nearly (reduced cost ≥ −slack)
    weight: FloatArray  # per pair: its LP value, plus a little so that every pair counts


def lp_core(x_lp: FloatArray, reduced: FloatArray, slack: float) -> LpCore:
    """The LP core: pairs the LP relaxation takes or nearly would, weighted by their LP value."""
    pairs: BoolArray = (x_lp > LP_VALUE) | (reduced >= -slack)
    return LpCore(pairs, np.clip(x_lp, 0.0, 1.0) + EVERY_PAIR)


def core_pairs(ctx: Context, x: BoolArray, core: LpCore, chosen: IntArray) -> IntArray:
    """Free pairs: of the chosen groups' requests, in the LP core or placed, in a session not
    full of other groups' agents (those seats could not be taken)."""
    a, pr, ps = ctx.a, ctx.pairs.r, ctx.pairs.s
    cand = np.isin(a.r_group[pr], chosen) & ctx.free_mask()
    seats = np.bincount(ps[x & ~cand], minlength=a.n_ses)
    free = np.flatnonzero(cand & (core.pairs | x) & (seats[ps] < a.s_cap[ps]))
    return free.astype(np.int64)


def core_rounds(
    groups: IntArray,
    rivals: list[IntArray],
    rounds: int,
    k: int,
    improve: Callable[[IntArray, int], bool],
    stop: Callable[[], bool],
    free_of: Callable[[IntArray], IntArray],
) -> None:
    """Each group in index order (cycling) with its k closest rivals: ``improve(free, i)``
    re-optimises the free pairs of ``free_of(chosen)``; ``stop()`` ends the rounds early."""
    for i in range(rounds):
        if stop():
            return
        g = int(groups[i % len(groups)])
        chosen = np.concatenate(([g], rivals[g][:k])).astype(np.int64)
        free = free_of(chosen)
        if len(free):
            improve(free, i)
