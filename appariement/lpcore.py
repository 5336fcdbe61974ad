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

**Two at a time** (L): a round and a later one of the same pass that shares no group with it,
the second stripped of the first's sessions and home organisations (``apart``), are two
models with no constraint in common, solved side by side from the same solution; both gains
add up.  The pairing is planned once from the LP (``pair_rounds``), so the result does not
depend on which finishes first.  Measured on L: the same score as one at a time (99.55 % of
the bound), the rounds' wall time from ~31 s to 13-18 s on two cores.
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
PDLP_THREADS = 2  # the machine's 2 cores (measured on L: the same bits as with one thread)
PDLP_SHARDS = 8  # fixed, never derived from the threads: the sums' order, so the bits


def _rows_that_bind(
    keys: npt.NDArray[np.integer], limit_of: Callable[[IntArray], FloatArray]
) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """Rows "Σ x over the pairs of one key ≤ its limit", only for keys with more pairs than
    their limit: the others cannot bind (x ≤ 1), so leaving them out keeps the same polytope in
    a smaller LP (congested L: most diversity rows; PDLP's iterations are that much cheaper).
    Returns (row of each kept pair, kept pairs, ones, limits)."""
    uniq, inv, counts = np.unique(keys, return_inverse=True, return_counts=True)
    limits = limit_of(uniq.astype(np.int64))
    binds = counts > limits
    row_of_key = np.cumsum(binds) - 1
    kept = np.flatnonzero(binds[inv]).astype(np.int64)
    return row_of_key[inv[kept]].astype(np.int64), kept, np.ones(len(kept)), limits[binds]


def lp_relaxation(
    ctx: Context, rows: ContinuityRows, iterations: int
) -> tuple[FloatArray, FloatArray, FloatArray, float | None]:
    """The LP relaxation by PDLP (fixed iterations and shards): (duals of the continuity
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
    add(*_rows_that_bind(pr, lambda r: np.ones(len(r))))
    add(*_rows_that_bind(ps, lambda s: a.s_cap[s].astype(float)))
    if st.diversity is not None:
        diversity = float(st.diversity)
        add(*_rows_that_bind(ps.astype(np.int64) * a.n_org + a.r_org[pr], lambda k: np.full(len(k), diversity)))
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
    # An iteration count and a fixed number of shards (the pieces each sum is split into, added
    # in a fixed order): the same duals with one thread or two, on any machine, under any load.
    solver.set_solver_specific_parameters(
        f"num_threads: {PDLP_THREADS} num_shards: {PDLP_SHARDS} "
        f"termination_criteria {{ iteration_limit: {int(iterations)} }}"
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


def neighbourhoods(groups: IntArray, rivals: list[IntArray], rounds: int, k: int) -> list[IntArray]:
    """The groups of each round: each group in index order (cycling) with its k closest rivals."""
    hoods = []
    for i in range(rounds):
        g = int(groups[i % len(groups)])
        hoods.append(np.concatenate(([g], rivals[g][:k])).astype(np.int64))
    return hoods


def pair_rounds(
    ctx: Context, core: LpCore, hoods: list[IntArray], per_pass: int, at_once: int = 2
) -> list[tuple[int, int | None]]:
    """Rounds two by two, to be solved at once: each pending round (in order) with the later one
    of its pass that shares no group with it and has least of its LP weight in its sessions (the
    part that ``apart`` takes away from it).  A plan of the LP core and the rivals only: the same
    on every machine.  With reciprocity (organisations linked through the sessions they host)
    every round is alone, as with ``at_once`` 1."""
    if not hoods:
        return []
    if ctx.settings.reciprocity or at_once < 2:
        return [(i, None) for i in range(len(hoods))]
    a, pr, ps = ctx.a, ctx.pairs.r, ctx.pairs.s
    n_groups = int(a.r_group.max()) + 1
    on = core.pairs
    weight = sparse.csr_matrix((core.weight[on], (a.r_group[pr[on]], ps[on])), shape=(n_groups, a.n_ses))
    rows = np.repeat(np.arange(len(hoods)), [len(h) for h in hoods])
    member = sparse.csr_matrix((np.ones(len(rows)), (rows, np.concatenate(hoods))), shape=(len(hoods), n_groups))
    hood_weight = (member @ weight).tocsr()  # LP weight of each round per session
    present = hood_weight.copy()
    present.data[:] = 1.0
    lost = (present @ hood_weight.T).toarray()  # lost[i, j]: j's weight in i's sessions
    share = lost / np.maximum(np.asarray(hood_weight.sum(axis=1)).ravel(), 1e-12)[None, :]
    shared_groups = (member @ member.T).toarray() > 0
    plan: list[tuple[int, int | None]] = []
    pending = list(range(len(hoods)))
    while pending:
        i = pending.pop(0)
        mates = [j for j in pending if j // per_pass == i // per_pass and not shared_groups[i, j]]
        if not mates:
            plan.append((i, None))
            continue
        j = mates[int(np.argmin(share[i, mates]))]  # first of equals: the earliest
        pending.remove(j)
        plan.append((i, j))
    return plan


def apart(ctx: Context, x: BoolArray, first: IntArray, second: IntArray) -> IntArray:
    """The pairs of ``second`` that share no rule with ``first``'s: not in its sessions (capacity,
    diversity), nor of its home organisations (floor bonus); a request placed in one of its
    sessions keeps its place (none of its pairs stays).  Continuity rows and requests are
    per group, and the two rounds share no group.  The two models are then independent: each
    may be solved beside the other, and both outcomes kept."""
    a, pr, ps = ctx.a, ctx.pairs.r, ctx.pairs.s
    sessions = np.zeros(a.n_ses, dtype=bool)
    sessions[ps[first]] = True
    orgs = np.zeros(a.n_org, dtype=bool)
    orgs[a.r_org[pr[first]]] = True
    clash = sessions[ps[second]] | orgs[a.r_org[pr[second]]]
    stays = np.zeros(a.n_req, dtype=bool)
    stays[pr[second[clash & x[second]]]] = True
    kept: IntArray = second[~clash & ~stays[pr[second]]]
    return kept


def core_rounds(
    plan: list[tuple[int, int | None]],
    hoods: list[IntArray],
    improve: Callable[[list[IntArray]], None],
    stop: Callable[[], bool],
    free_of: Callable[[IntArray], IntArray],
    separate: Callable[[IntArray, IntArray], IntArray],
) -> None:
    """The rounds of the plan, two at a time: ``improve(frees)`` re-optimises each free set
    (independent models) from the same solution; ``stop()`` ends the rounds early."""
    for i, j in plan:
        if stop():
            return
        first = free_of(hoods[i])
        frees = [first]
        if j is not None:
            frees.append(separate(first, free_of(hoods[j])))
        frees = [f for f in frees if len(f)]
        if frees:
            improve(frees)
