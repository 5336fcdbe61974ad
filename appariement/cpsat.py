"""The full model in CP-SAT: network rules plus service continuity and reciprocity.

One Boolean per free eligible pair; pins and, in a neighbourhood search, the pairs outside the
neighbourhood keep fixed values and only reduce the room of the constraints they share.  Each
constraint family has its own helper below, in the style of the OR-Tools samples.  The engine
calls it on neighbourhoods (``lns.py``); the benchmark also runs it alone on everything.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.sat.python import cp_model

from .context import Context, objective_parts
from .scoring import POINTS_PER_TERM

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
# CP-SAT workers when Settings.workers is None and deterministic.  One: measured on S with
# reciprocity, one worker proves the optimum in 0.3 deterministic seconds, two interleaved
# workers (deterministic too, but a different search) need 3.6 — and the cores are shared.
DETERMINISTIC_WORKERS = 1


@dataclass
class CpResult:
    x: BoolArray | None
    status: str
    objective: int | None
    best_bound: int | None
    seconds: float


@dataclass
class Limits:
    """How much CP-SAT may work: deterministic time first; wall-clock only as a safety net."""

    deterministic_time: float
    wall_seconds: float
    workers: int = 1
    seed: int = 0
    deterministic: bool = True
    neighbourhood: bool = False  # a small model around a hint: no presolve, stronger LP
    cuts: bool = True  # False: no cutting planes (LP-core rounds: faster, and better, measured)


def group_runs(keys: npt.NDArray[np.integer], idx: IntArray) -> Iterator[tuple[int, IntArray]]:
    """Split idx by equal keys (keys given along idx): yields (key, members) in key order."""
    if len(idx) == 0:
        return
    order = np.argsort(keys, kind="stable")
    k, m = keys[order], idx[order]
    cuts = np.flatnonzero(np.diff(k)) + 1
    for part_k, part in zip(np.split(k, cuts), np.split(m, cuts), strict=True):
        yield int(part_k[0]), part


def continuity_sets(ctx: Context, idx: IntArray) -> Iterator[tuple[int, int, IntArray]]:
    """(group, day, member pairs) for every day where the group could exceed K."""
    a = ctx.a
    pr, ps = ctx.pairs.r, ctx.pairs.s
    k = ctx.settings.continuity
    for g, members in group_runs(a.r_group[pr[idx]], idx):
        starts, ends = a.s_start[ps[members]], a.s_end[ps[members]]
        for d in np.unique(starts).tolist():
            on = members[(starts <= d) & (d <= ends)]
            if k is not None and len(np.unique(pr[on])) > k:
                yield g, d, on


@dataclass
class ContinuityRows:
    """Every continuity constraint once: ``members[start[i]:start[i+1]]`` are row i's pairs."""

    members: IntArray
    row: IntArray  # row of each member
    count: int

    @classmethod
    def build(cls, ctx: Context) -> ContinuityRows:
        parts = [on for _, _, on in continuity_sets(ctx, np.arange(len(ctx.pairs), dtype=np.int64))]
        if not parts:
            return cls(np.zeros(0, np.int64), np.zeros(0, np.int64), 0)
        rows = np.repeat(np.arange(len(parts), dtype=np.int64), [len(p) for p in parts])
        return cls(np.concatenate(parts).astype(np.int64), rows, len(parts))

    def overloaded(self, x: BoolArray, k: int) -> bool:
        """Whether x puts more than k agents of a group away on some day."""
        load = np.bincount(self.row, weights=x[self.members], minlength=self.count)
        return bool((load > k).any())


class SubModel:
    """A CP-SAT model over the free pairs; every other pair keeps its value in ``values``."""

    def __init__(self, ctx: Context, free: IntArray, values: BoolArray) -> None:
        self.ctx = ctx
        self.model = cp_model.CpModel()
        self.free = free
        self.values = values.copy()
        self.values[free] = False  # fixed part only: the load the free pairs must fit beside
        self.is_free = np.zeros(len(values), dtype=bool)
        self.is_free[free] = True
        self.var: dict[int, cp_model.IntVar] = {p: self.model.new_bool_var("") for p in free.tolist()}
        self.terms: list[cp_model.IntVar] = []
        self.coeffs: list[int] = []
        self.floors: dict[int, cp_model.IntVar] = {}  # home organisation -> its floor bonus variable

    def at_most_each(self, keys: npt.NDArray[np.integer], idx: IntArray, limit: Callable[[IntArray], IntArray]) -> None:
        """For each run of equal keys (keys given along idx), in key order: its free members ≤
        ``limit(key)`` minus its fixed members placed.  The rows that cannot bind (free members
        within that room) are found vectorised and never built — most of them, in a round."""
        if len(idx) == 0:
            return
        order = np.argsort(keys, kind="stable")
        k, m = keys[order], idx[order]
        starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
        ends = np.r_[starts[1:], len(m)]
        n_free = np.add.reduceat(self.is_free[m].astype(np.int64), starts)
        room = limit(k[starts].astype(np.int64)) - np.add.reduceat(self.values[m].astype(np.int64), starts)
        for i in np.flatnonzero(n_free > room).tolist():
            members = m[starts[i] : ends[i]]
            free = members[self.is_free[members]]
            self.model.add(cp_model.LinearExpr.sum([self.var[p] for p in free.tolist()]) <= max(int(room[i]), 0))

    def count(self, members: IntArray) -> tuple[cp_model.LinearExprT, int]:
        """Placements among members (a linear expression) and its largest possible value."""
        free = members[self.is_free[members]]
        fixed = int(self.values[members].sum())
        return cp_model.LinearExpr.sum([self.var[p] for p in free.tolist()]) + fixed, len(free) + fixed


def touched(keys: npt.NDArray[np.integer], sub: SubModel) -> IntArray:
    """Pairs whose key is shared with a free pair (the rows the free pairs take part in)."""
    hot = np.unique(keys[sub.free])
    both = np.flatnonzero(sub.is_free | sub.values)
    return both[np.isin(keys[both], hot)]


def add_one_placement_per_request(sub: SubModel) -> None:
    """Each free request takes at most one of its sessions."""
    for _, members in group_runs(sub.ctx.pairs.r[sub.free], sub.free):
        if len(members) > 1:
            sub.model.add_at_most_one(sub.var[p] for p in members.tolist())


def add_capacity(sub: SubModel) -> None:
    """A session takes at most its capacity."""
    ps = sub.ctx.pairs.s
    hot = touched(ps, sub)
    sub.at_most_each(ps[hot], hot, lambda s: sub.ctx.a.s_cap[s].astype(np.int64))


def add_diversity(sub: SubModel) -> None:
    """At most N agents of one home organisation in a session."""
    n = sub.ctx.settings.diversity
    if n is None:
        return
    a, pairs = sub.ctx.a, sub.ctx.pairs
    so = pairs.s.astype(np.int64) * a.n_org + a.r_org[pairs.r]
    hot = touched(so, sub)
    sub.at_most_each(so[hot], hot, lambda keys: np.full(len(keys), n, dtype=np.int64))


def add_continuity(sub: SubModel, rows: ContinuityRows) -> None:
    """At most K agents of a group away on any day (rows where the free pairs take part)."""
    k = sub.ctx.settings.continuity
    if k is None or rows.count == 0:
        return
    hot = np.zeros(rows.count, dtype=bool)
    hot[rows.row[sub.is_free[rows.members]]] = True
    take = hot[rows.row]
    sub.at_most_each(rows.row[take], rows.members[take], lambda keys: np.full(len(keys), k, dtype=np.int64))


def add_fairness(sub: SubModel) -> None:
    """The floor bonus: each placement of a home organisation up to its floor earns it."""
    ctx = sub.ctx
    bonus = ctx.settings.weights.fairness * POINTS_PER_TERM
    if bonus <= 0:
        return
    org = ctx.a.r_org[ctx.pairs.r]
    hot = touched(org, sub)
    for o, members in group_runs(org[hot], hot):
        if ctx.floors[o] > 0:
            f = sub.model.new_int_var(0, int(ctx.floors[o]), f"floor{o}")
            sub.model.add(f <= sub.count(members)[0])
            sub.floors[o] = f
            sub.terms.append(f)
            sub.coeffs.append(bonus)


def add_reciprocity(sub: SubModel) -> None:
    """The reciprocity bonus: min(agents sent, agents hosted) per organisation."""
    ctx = sub.ctx
    st = ctx.settings
    if not (st.reciprocity and st.weights.reciprocity > 0):
        return
    a, pairs = ctx.a, ctx.pairs
    sent_org, host_org = a.r_org[pairs.r], a.s_org[pairs.s]
    hot = np.union1d(sent_org[sub.free], host_org[sub.free])
    both = np.flatnonzero(sub.is_free | sub.values)
    sent_by = dict(group_runs(sent_org[both], both))
    hosted_by = dict(group_runs(host_org[both], both))
    for o in hot.tolist():
        if o not in sent_by or o not in hosted_by:
            continue
        sent, n_sent = sub.count(sent_by[o])
        hosted, n_hosted = sub.count(hosted_by[o])
        z = sub.model.new_int_var(0, min(n_sent, n_hosted), f"recip{o}")
        sub.model.add(z <= sent)
        sub.model.add(z <= hosted)
        sub.terms.append(z)
        sub.coeffs.append(st.weights.reciprocity * POINTS_PER_TERM)


def placement_weight(ctx: Context) -> int:
    """With ``placements_first``: one more placement outweighs any possible score."""
    if ctx.settings.objective != "placements_first":
        return 0
    st = ctx.settings
    big = int(ctx.scores.total.sum()) + int(ctx.floors.sum()) * st.weights.fairness * POINTS_PER_TERM + 1
    if st.reciprocity:
        big += st.weights.reciprocity * POINTS_PER_TERM * ctx.a.n_req
    return int(big)


def set_objective(sub: SubModel) -> None:
    """Maximise the pair scores plus the organisation bonuses (free part only)."""
    big = placement_weight(sub.ctx)
    pair_vars = [sub.var[p] for p in sub.free.tolist()]
    pair_coeffs = (sub.ctx.scores.total[sub.free] + big).tolist()
    sub.model.maximize(cp_model.LinearExpr.weighted_sum(pair_vars + sub.terms, pair_coeffs + sub.coeffs))


def add_hint(sub: SubModel, hint: BoolArray) -> None:
    """Start from a known solution."""
    for p in sub.free.tolist():
        sub.model.add_hint(sub.var[p], bool(hint[p]))


def add_floor_hint(sub: SubModel, hint: BoolArray) -> None:
    """Hint the floor bonuses too: a complete hint is a solution CP-SAT takes at once (measured
    on congested L: with thousands of free pairs and the bonuses left open it often found none)."""
    ctx = sub.ctx
    sent = np.bincount(ctx.a.r_org[ctx.pairs.r[hint]], minlength=ctx.a.n_org)
    for o, f in sub.floors.items():
        sub.model.add_hint(f, int(min(sent[o], ctx.floors[o])))


def run(sub: SubModel, limits: Limits) -> tuple[cp_model.CpSolver, cp_model.CpSolverStatus]:
    """Solve with reproducible parameters: fixed seed and workers, deterministic time."""
    solver = cp_model.CpSolver()
    prm = solver.parameters
    prm.num_workers = limits.workers
    prm.random_seed = limits.seed
    prm.max_time_in_seconds = limits.wall_seconds  # safety net only
    if limits.neighbourhood:
        # Measured on congested rounds: presolve costs more than it saves on a few thousand
        # Booleans, and the full linear relaxation proves most neighbourhoods optimal fast.
        prm.cp_model_presolve = False
        prm.linearization_level = 2
    if not limits.cuts:
        prm.cut_level = 0
    if limits.deterministic:
        # Workers interleaved in deterministic batches, stopped by an effort count.
        prm.interleave_search = limits.workers > 1
        prm.max_deterministic_time = limits.deterministic_time
    return solver, solver.solve(sub.model)


def build(ctx: Context, free: IntArray, values: BoolArray, rows: ContinuityRows | None = None) -> SubModel:
    """The model of the free pairs beside the fixed ones, every constraint family."""
    sub = SubModel(ctx, free, values)
    add_one_placement_per_request(sub)
    add_capacity(sub)
    add_diversity(sub)
    add_continuity(sub, rows if rows is not None else ContinuityRows.build(ctx))
    add_fairness(sub)
    add_reciprocity(sub)
    set_objective(sub)
    return sub


def solve_cpsat(ctx: Context, hint: BoolArray | None, time_limit: float, wall_seconds: float | None = None) -> CpResult:
    """Maximise the full objective over every pair not pinned (the benchmark's baseline).

    In deterministic mode ``time_limit`` is CP-SAT's deterministic time and ``wall_seconds``
    (default: the same) only a safety net; otherwise ``time_limit`` is wall-clock seconds."""
    t0 = time.perf_counter()
    st = ctx.settings
    free = np.flatnonzero(ctx.free_mask()).astype(np.int64)
    sub = build(ctx, free, ctx.pins_only())
    if hint is not None:
        add_hint(sub, hint)
    # Deterministic mode needs a worker count that does not depend on the machine.
    workers = st.workers or (DETERMINISTIC_WORKERS if st.deterministic else os.cpu_count() or 1)
    wall = time_limit if wall_seconds is None or not st.deterministic else wall_seconds
    limits = Limits(time_limit, wall, workers, 0, st.deterministic)
    solver, status = run(sub, limits)
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return CpResult(None, name, None, None, time.perf_counter() - t0)
    values = read_values(sub, solver)
    obj = objective_parts(ctx, values)["total"]
    # The model leaves out constants (fixed placements); its bound is relative to its objective.
    bound = obj + int(round(solver.best_objective_bound - solver.objective_value))
    return CpResult(values, name, obj, bound, time.perf_counter() - t0)


def read_values(sub: SubModel, solver: cp_model.CpSolver) -> BoolArray:
    """The whole solution: fixed values plus the solver's free ones."""
    values = sub.values.copy()
    values[sub.free] = [solver.boolean_value(sub.var[p]) for p in sub.free.tolist()]
    return values
