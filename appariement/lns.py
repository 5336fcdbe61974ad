"""Service continuity near a proven bound: an LP-priced flow bound, then a neighbourhood search.

1. **Bound.**  The linear relaxation of the full model (network rules + continuity) is solved
   approximately by PDLP, for a fixed number of iterations on one thread (deterministic).  Its
   duals of the continuity rows are multipliers λ ≥ 0 of the Lagrangian relaxation around the
   min-cost flow: the flow with every pair's cost raised by the λ of the rows it takes part in,
   plus Σ λ·K, is an upper bound of the optimum for *any* λ ≥ 0, computed exactly in integers.
   With near-optimal duals it is within a hair of the LP optimum (the Lagrangian dual and the LP
   relaxation have the same optimum: the flow polytope is integral).
2. **Start.**  LP rounding: pairs taken greedily in the order of PDLP's (approximate) values
   while every rule holds — or the priced flow, repaired and refilled, if that is better.
3. **Large-neighbourhood search.**  Round after round, CP-SAT re-optimises the pairs of
   continuity groups that compete for the same sessions — alternately a group and 1–3 rivals
   over 10–30 days, and a group and its 30 closest rivals over 2–7 days (seats change hands
   between groups) — the rest of the solution fixed; it starts from the current solution
   (hint) and the result is kept when it is better.  A round small enough is one model.
   Rounds, neighbourhoods (seeded generator), CP-SAT's seed, workers (1) and effort
   (deterministic time) are fixed: the same input gives the same solution on any machine and
   under any load.  The wall clock only stops a round as a safety net.
   With few groups (≤ 100: congested) and no LP (``placements_first``) the rounds are
   preceded by a **sweep**: each group in turn re-optimised over the whole horizon, every
   other group fixed (a small model that CP-SAT mostly proves optimal; its pairs to sessions
   full of other groups' agents left out).
4. **LP-core rounds** (``lpcore.py``), when the score objective gives an LP and there are few
   groups (congested): each group with the 4 rivals it shares most LP value with, over the
   whole horizon, on the pairs the LP takes or nearly would; they replace the sweep and the
   rounds.  Measured 2026-11-30 on one core of this 2-core machine shared with other sessions
   (load 1–7), CPU seconds: M 99.61 % → 99.89 % of the bound (15 → 12 s), L 98.65 % → 99.41 %
   (37 → 44 s).  The LP bound converged (2,500 PDLP iterations) is only 0.08 % lower.
   Then, on L, PDLP on two threads for 700 iterations and the rounds two at a time on
   independent models (``lpcore.pair_rounds``, ``lpcore.apart``): 99.55 %.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from ortools.sat.python import cp_model
from scipy import sparse  # type: ignore[import-untyped]

from .context import Context, objective_key
from .cpsat import BoolArray, ContinuityRows, IntArray, Limits, add_floor_hint, add_hint, build, read_values, run
from .lagrange import priced_flow
from .lpcore import LpCore, apart, core_pairs, core_rounds, lp_core, lp_relaxation, neighbourhoods, pair_rounds
from .tracker import Tracker, fill, repair_continuity

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Effort:
    """Deterministic work limits of the continuity method (no wall-clock in here)."""

    lp_iterations: int = 500  # PDLP iterations for the multipliers and the LP rounding
    rounds: int = 30  # neighbourhoods searched
    round_effort: float = 0.2  # CP-SAT deterministic time per neighbourhood
    max_free_pairs: int = 5_000  # size of a neighbourhood (free pairs)
    wide_groups: int = 30  # rival groups in a few-days neighbourhood
    stall_rounds: int = 15  # stop after this many rounds without a better solution
    seed: int = 0
    sweeps: int = 0  # passes over every group, each re-optimised whole (before the rounds)
    sweep_effort: float = 0.3  # CP-SAT deterministic time per group of a sweep
    core_rounds: int = 0  # LP-core neighbourhoods after the sweeps (lpcore.py)
    core_rivals: int = 4  # rival groups beside the group of an LP-core neighbourhood
    core_effort: float = 0.5  # CP-SAT deterministic time per LP-core neighbourhood
    core_slack: float = 60.0  # reduced cost (points) down to which a pair is in the LP core
    core_at_once: int = 1  # LP-core rounds solved side by side (1 or 2; the same result on any machine)
    whole_effort: float | None = None  # CP-SAT's time when all fits one model (None: the rounds')


@dataclass
class BoundResult:
    bound: int  # a proven upper bound of the objective with continuity
    multipliers: FloatArray  # λ per continuity row
    x_priced: BoolArray  # the priced flow (breaks continuity in general)
    x_lp: FloatArray  # PDLP's (approximate) LP solution per pair
    reduced: FloatArray  # PDLP's (approximate) reduced cost per pair (−inf without LP)
    lp_value: float | None  # PDLP's objective (not proven; for the report)


@dataclass
class SearchResult:
    x: BoolArray
    rounds: int
    improved: int
    stopped_by: str = "rounds"  # rounds, stall, bound (proven optimal), all (one full model), deadline
    proven: bool = False  # CP-SAT proved the one full model optimal
    history: list[tuple[int, int]] = field(default_factory=list)  # (round, score) on improvement
    sweeps: int = 0  # sweeps begun (each of their groups counts as a round)
    core_rounds: int = 0  # LP-core neighbourhoods searched (each counts as a round)


def continuity_bound(ctx: Context, rows: ContinuityRows, flow_bound: int, effort: Effort) -> BoundResult:
    """The best proven upper bound we can afford: min(flow optimum, LP-priced flow)."""
    lam, x_lp, reduced, lp_value = lp_relaxation(ctx, rows, effort.lp_iterations)
    x, dual = priced_flow(ctx, rows, lam)
    return BoundResult(min(flow_bound, dual), lam, x, x_lp, reduced, lp_value)


LARGE_ROUND = 200_000  # eligible pairs: above this, more neighbourhoods (each covers less)
SWEEP_GROUPS = 100  # continuity groups: up to this many, each is re-optimised whole in turn


def effort_for(ctx: Context) -> Effort:
    """The effort for this problem: a function of its size only (never of the machine).

    Calibrated on the congested benchmark (M: 94,000 pairs; L: 630,000 pairs) to fit the
    time limits (30 s, 60 s) on a 2-core machine with room to spare for a loaded one."""
    n_groups = len(np.unique(ctx.a.r_group[ctx.pairs.r]))
    large = len(ctx.pairs) > LARGE_ROUND
    if n_groups <= SWEEP_GROUPS and ctx.settings.objective == "score":
        # Few groups (congested): LP-core rounds from the LP rounding, instead of the sweep and
        # the rounds.  M: two passes, one round at a time (two at a time: 1.45 times the CPU for
        # 20 % less wall time; not needed).  L: 700 PDLP iterations on two threads (bound
        # 3,332,495; 550: 3,334,678), one pass, two rounds at a time (same score as one at a
        # time, 13-18 s of wall time for 31 s of CPU): 99.55 %.
        passes = 1 if large else 2
        iterations = 700 if large else 500
        # One model when small enough (S): the rounds' former 30 × 0.2 deterministic seconds.
        return Effort(
            lp_iterations=iterations,
            rounds=0,
            core_rounds=passes * n_groups,
            whole_effort=6.0,
            core_at_once=2 if large else 1,
        )
    if n_groups <= SWEEP_GROUPS:
        # placements_first has no LP (its bound is the flow's): no LP core, the sweep instead.
        if large:
            return Effort(lp_iterations=550, rounds=0, round_effort=0.15, sweeps=1, sweep_effort=0.15)
        return Effort(sweeps=1)
    if large:
        return Effort(lp_iterations=300, rounds=15, round_effort=0.15, stall_rounds=15)
    return Effort()


def _neighbourhood_pairs(
    ctx: Context, x: BoolArray, groups: IntArray, days: tuple[int, int], max_pairs: int
) -> IntArray:
    """Free pairs: of requests in the groups, sessions meeting the days, not placed elsewhere."""
    a, pr, ps = ctx.a, ctx.pairs.r, ctx.pairs.s
    in_groups = np.isin(a.r_group[pr], groups) & ctx.free_mask()
    meets = (a.s_start[ps] <= days[1]) & (a.s_end[ps] >= days[0])
    cand = in_groups & meets
    placed_outside = np.zeros(a.n_req, dtype=bool)
    placed_outside[pr[x & ~cand]] = True
    free = np.flatnonzero(cand & ~placed_outside[pr])
    if len(free) > max_pairs:
        # Keep the requests whose pairs start earliest in the window, whole requests only.
        first = free[np.argsort(a.s_start[ps[free]], kind="stable")]
        reqs = np.unique(pr[first[:max_pairs]])
        free = free[np.isin(pr[free], reqs)]
    return free.astype(np.int64)


def _competitors(ctx: Context, weight: FloatArray | None = None) -> list[IntArray]:
    """For each continuity group, the other groups that want some of its sessions, the ones
    sharing most first (sparse: memory grows with the shared pairs, not groups²).  Without
    weights a session counts once per group; with them (per pair), Σ over sessions of the
    products of the two groups' weights there."""
    a, pr, ps = ctx.a, ctx.pairs.r, ctx.pairs.s
    n_groups = int(a.r_group.max()) + 1 if a.n_req else 0
    w = np.ones(len(pr)) if weight is None else weight
    wants = sparse.csr_matrix((w, (a.r_group[pr], ps)), shape=(n_groups, a.n_ses))
    if weight is None:
        wants.data[:] = 1.0  # a session counts once per group
    shared = (wants @ wants.T).tocsr()
    rivals = []
    for g in range(n_groups):
        cols = shared.indices[shared.indptr[g] : shared.indptr[g + 1]]
        vals = shared.data[shared.indptr[g] : shared.indptr[g + 1]]
        keep = cols != g
        cols, vals = cols[keep].astype(np.int64), vals[keep]
        rivals.append(cols[np.lexsort((cols, -vals))])
    return rivals


def _with_rivals(g: int, rivals: IntArray, k: int, groups: IntArray) -> IntArray:
    """g and its k first rivals; when it has fewer, other groups in index order."""
    chosen = np.concatenate(([g], rivals[:k])).astype(np.int64)
    if len(chosen) <= k:
        others = np.setdiff1d(groups, chosen)[: k + 1 - len(chosen)]
        chosen = np.concatenate((chosen, others)).astype(np.int64)
    return chosen


def search(
    ctx: Context,
    x: BoolArray,
    rows: ContinuityRows,
    effort: Effort,
    deadline: float | None = None,
    target: int | None = None,
    core: LpCore | None = None,
) -> SearchResult:
    """Large-neighbourhood search with CP-SAT from a feasible x (see the module docstring);
    ``core``: the pairs of the LP-core rounds (none without it)."""
    a = ctx.a
    rng = np.random.default_rng(effort.seed)
    groups = np.unique(a.r_group[ctx.pairs.r])
    result = SearchResult(x.copy(), 0, 0)
    if len(groups) == 0 or len(ctx.pairs) == 0:
        return result
    if target is not None and objective_key(ctx, result.x)[1] >= target:
        result.stopped_by = "bound"  # the start meets the bound: proven optimal
        return result
    everything = np.flatnonzero(ctx.free_mask()).astype(np.int64)
    if len(everything) <= effort.max_free_pairs:
        # Small enough for one model of every free pair: no neighbourhoods needed.
        whole = effort.round_effort * effort.rounds if effort.whole_effort is None else effort.whole_effort
        limits = Limits(whole, _wall(deadline, 60.0), 1, effort.seed)
        _, proven = _improve(ctx, result, everything, rows, limits)
        result.rounds, result.stopped_by, result.proven = 1, "all", proven
        return result
    _sweep(ctx, result, groups, rows, effort, deadline, target)
    if result.stopped_by != "rounds":
        return result
    if core is not None and effort.core_rounds:
        _core(ctx, result, core, groups, rows, effort, deadline, target)
        if result.stopped_by != "rounds":
            return result
    rivals = _competitors(ctx)
    days = (int(a.s_start.min()), int(a.s_end.max()))
    order = rng.permutation(groups)
    best_key = objective_key(ctx, result.x)
    last_gain = 0
    swept = result.rounds
    for i in range(effort.rounds):
        stop = _stop_reason(i - last_gain, best_key[1], effort, deadline, target)
        if stop is not None:
            result.stopped_by = stop
            break
        g = int(order[i % len(order)])
        if i % 2 == 0:
            # A group and its closest rivals for seats, over a few weeks.
            chosen, span = _with_rivals(g, rivals[g], int(rng.integers(1, 4)), groups), int(rng.integers(10, 31))
        else:
            # Many rival groups over a few days: seats change hands between groups.
            chosen, span = _with_rivals(g, rivals[g], effort.wide_groups, groups), int(rng.integers(2, 8))
        lo = int(rng.integers(days[0], max(days[0] + 1, days[1] - span + 1)))
        free = _neighbourhood_pairs(ctx, result.x, chosen, (lo, lo + span), effort.max_free_pairs)
        result.rounds = swept + i + 1
        limits = Limits(effort.round_effort, _wall(deadline, 10.0), 1, effort.seed + i, neighbourhood=True)
        if len(free) and _improve(ctx, result, free, rows, limits)[0]:
            best_key = objective_key(ctx, result.x)
            last_gain = i + 1
            result.history.append((result.rounds, best_key[1]))
    return result


def _sweep(
    ctx: Context,
    result: SearchResult,
    groups: IntArray,
    rows: ContinuityRows,
    effort: Effort,
    deadline: float | None,
    target: int | None,
) -> None:
    """Sweeps: each group in turn re-optimised over the whole horizon, every other group
    fixed (each such model is small and CP-SAT mostly proves it optimal).  Its pairs whose
    session is full with other groups' agents are left out (they could not be taken)."""
    a, pr, ps = ctx.a, ctx.pairs.r, ctx.pairs.s
    pair_group = a.r_group[pr]
    free_mask = ctx.free_mask()
    for _ in range(effort.sweeps):
        result.sweeps += 1
        gained = False
        for g in groups.tolist():
            stop = _stop_reason(0, objective_key(ctx, result.x)[1], effort, deadline, target)
            if stop is not None:
                result.stopped_by = stop
                return
            cand = (pair_group == g) & free_mask
            seats = np.bincount(ps[result.x & ~cand], minlength=a.n_ses)
            free = np.flatnonzero(cand & (seats[ps] < a.s_cap[ps])).astype(np.int64)
            result.rounds += 1
            limits = Limits(
                effort.sweep_effort, _wall(deadline, 10.0), 1, effort.seed + result.rounds, neighbourhood=True
            )
            if len(free) and _improve(ctx, result, free, rows, limits)[0]:
                gained = True
                result.history.append((result.rounds, objective_key(ctx, result.x)[1]))
        if not gained:
            return  # a sweep changed nothing: another would not either; on to the rounds


def _core(
    ctx: Context,
    result: SearchResult,
    core: LpCore,
    groups: IntArray,
    rows: ContinuityRows,
    effort: Effort,
    deadline: float | None,
    target: int | None,
) -> None:
    """LP-core rounds (lpcore.py): each group with its closest rivals over the whole horizon,
    two independent rounds at a time (CP-SAT releases the GIL: both cores work)."""

    def improve(frees: list[IntArray]) -> None:
        tasks = []
        for free in frees:
            result.rounds += 1
            result.core_rounds += 1
            seed = effort.seed + result.rounds
            # No cuts: measured on L, the rounds take 22 % less CPU and gain a little more.
            limits = Limits(effort.core_effort, _wall(deadline, 10.0), 1, seed, neighbourhood=True, cuts=False)
            tasks.append(pool.submit(_solve_part, ctx, result.x, free, rows, limits, True))
        # The models share no rule: each outcome that gains is kept, merged in plan order.
        merged, before = result.x.copy(), objective_key(ctx, result.x)
        for free, task in zip(frees, tasks, strict=True):
            cand, _ = task.result()
            if cand is not None and objective_key(ctx, cand) > before:
                merged[free] = cand[free]
                result.improved += 1
        if objective_key(ctx, merged) > before:
            result.x = merged
            result.history.append((result.rounds, objective_key(ctx, result.x)[1]))

    def stop() -> bool:
        result.stopped_by = _stop_reason(0, objective_key(ctx, result.x)[1], effort, deadline, target) or "rounds"
        return result.stopped_by != "rounds"

    def free_of(chosen: IntArray) -> IntArray:
        return core_pairs(ctx, result.x, core, chosen)

    def separate(first: IntArray, second: IntArray) -> IntArray:
        return apart(ctx, result.x, first, second)

    # Rivals by the LP: measured on L, 3 of them so chosen gain 0.13 % more than by sessions.
    rivals = _competitors(ctx, core.weight)
    hoods = neighbourhoods(groups, rivals, effort.core_rounds, effort.core_rivals)
    plan = pair_rounds(ctx, core, hoods, len(groups), effort.core_at_once)
    with ThreadPoolExecutor(max_workers=effort.core_at_once) as pool:
        core_rounds(plan, hoods, improve, stop, free_of, separate)


def _wall(deadline: float | None, default: float) -> float:
    """CP-SAT's wall-clock safety net: what is left before the deadline."""
    return default if deadline is None else max(0.1, deadline - time.perf_counter())


def _stop_reason(
    rounds_without_gain: int, score: int, effort: Effort, deadline: float | None, target: int | None
) -> str | None:
    """Why the search stops before the next round, if it does."""
    if deadline is not None and time.perf_counter() > deadline:
        return "deadline"  # safety net only: the benchmark instances never reach it
    if target is not None and score >= target:
        return "bound"
    if rounds_without_gain >= effort.stall_rounds:
        return "stall"
    return None


def _solve_part(
    ctx: Context, x: BoolArray, free: IntArray, rows: ContinuityRows, limits: Limits, floor_hint: bool = False
) -> tuple[BoolArray | None, bool]:
    """Re-optimise the free pairs with CP-SAT from x (``floor_hint``: hint the floor bonuses
    too): (the whole solution found, or None; proven optimal for this model)."""
    sub = build(ctx, free, x, rows)
    add_hint(sub, x)
    if floor_hint:
        add_floor_hint(sub, x)
    solver, status = run(sub, limits)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, False
    return read_values(sub, solver), status == cp_model.OPTIMAL


def _improve(
    ctx: Context,
    result: SearchResult,
    free: IntArray,
    rows: ContinuityRows,
    limits: Limits,
) -> tuple[bool, bool]:
    """Re-optimise the free pairs with CP-SAT from result.x; keep the outcome if better.

    Returns (improved, proven optimal for this model)."""
    cand, proven = _solve_part(ctx, result.x, free, rows, limits)
    if cand is None or objective_key(ctx, cand) <= objective_key(ctx, result.x):
        return False, proven
    result.x = cand
    result.improved += 1
    return True, proven


def lp_core_of(found: BoundResult, effort: Effort) -> LpCore | None:
    """The LP core of the LP-core rounds (None without rounds; empty without LP)."""
    if not effort.core_rounds:
        return None
    return lp_core(found.x_lp, found.reduced, effort.core_slack)


def start_solution(ctx: Context, found: BoundResult) -> BoolArray:
    """A feasible start by LP rounding: pairs taken greedily in the order of their LP value
    (then score, then index) while every rule holds; the priced flow, repaired, if better."""
    t = Tracker(ctx, ctx.pins_only())
    cand = np.flatnonzero(ctx.free_mask())
    lp_value = np.round(found.x_lp[cand], 2)  # coarse: PDLP's values are approximate
    for p in cand[np.lexsort((cand, -ctx.scores.total[cand], -lp_value))].tolist():
        if t.blocker(p) is None:
            t.add(p)
    repaired = fill(ctx, repair_continuity(ctx, found.x_priced))
    return t.x if objective_key(ctx, t.x) >= objective_key(ctx, repaired) else repaired
