"""What every solver shares: eligible pairs, scores, pins, floors, and the objective.

A candidate solution is a boolean vector ``x`` over the eligible pairs (pins included).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import rules
from .arrays import ProblemArrays
from .eligibility import Pairs
from .model import InfeasiblePinsError, Settings
from .scoring import POINTS_PER_TERM, Scores


@dataclass
class Context:
    a: ProblemArrays
    pairs: Pairs
    scores: Scores
    pinned: np.ndarray  # pair indices of the pins
    floors: np.ndarray  # per organisation: placements that earn the fairness bonus
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        return self.a.problem.settings

    @property
    def pair_org(self) -> np.ndarray:
        return self.a.r_org[self.pairs.r]

    def free_mask(self) -> np.ndarray:
        """Pairs the solvers may choose: requests not pinned."""
        pinned_req = np.zeros(self.a.n_req, dtype=bool)
        pinned_req[self.pairs.r[self.pinned]] = True
        free: np.ndarray = ~pinned_req[self.pairs.r]
        return free

    def pins_only(self) -> np.ndarray:
        x = np.zeros(len(self.pairs), dtype=bool)
        x[self.pinned] = True
        return x


def make_context(a: ProblemArrays, pairs: Pairs, scores: Scores) -> Context:
    st = a.problem.settings
    n_per_org = np.bincount(a.r_org, minlength=a.n_org)
    floors = np.array([math.ceil(st.fairness_floor * n - 1e-9) for n in n_per_org], dtype=np.int64)
    if st.weights.fairness == 0:
        floors[:] = 0
    pinned = locate_pins(a, pairs)
    return Context(a=a, pairs=pairs, scores=scores, pinned=pinned, floors=floors)


def locate_pins(a: ProblemArrays, pairs: Pairs) -> np.ndarray:
    """Pair indices of the pins; InfeasiblePinsError naming every pin that cannot hold."""
    if len(a.pin_r) == 0:
        return np.zeros(0, dtype=np.int64)
    st = a.problem.settings
    rid, sid = a.req_ids, a.ses_ids
    problems: list[tuple[str, str, str]] = []
    keys = pairs.r.astype(np.int64) * a.n_ses + pairs.s
    want = a.pin_r.astype(np.int64) * a.n_ses + a.pin_s
    ix = np.minimum(np.searchsorted(keys, want), max(len(keys) - 1, 0))
    found = (keys[ix] == want) if len(keys) else np.zeros(len(want), dtype=bool)
    for r, s, ok in zip(a.pin_r.tolist(), a.pin_s.tolist(), found.tolist(), strict=True):
        if not ok:
            why = ", ".join(rules.failing_pair_rules(a, r, s))
            problems.append((rid[r], sid[s], f"breaks the rule(s): {why}"))
    pr, ps = a.pin_r, a.pin_s
    for r in np.unique(pr[np.bincount(pr, minlength=a.n_req)[pr] > 1]).tolist():
        for s in ps[pr == r].tolist():
            problems.append((rid[r], sid[s], "request pinned to several sessions"))
    for s in np.unique(ps).tolist():
        mine = pr[ps == s]
        if len(mine) > a.s_cap[s]:
            for r in mine.tolist():
                problems.append((rid[r], sid[s], f"session capacity {a.s_cap[s]} exceeded"))
        if st.diversity is not None:
            for o in np.unique(a.r_org[mine]).tolist():
                same = mine[a.r_org[mine] == o]
                if len(same) > st.diversity:
                    for r in same.tolist():
                        problems.append((rid[r], sid[s], f"diversity {st.diversity} exceeded"))
    if st.continuity is not None:
        load = rules.continuity_load(a, pr, ps)
        for (g, d), n in load.items():
            if n > st.continuity:
                on = (a.r_group[pr] == g) & (a.s_start[ps] <= d) & (d <= a.s_end[ps])
                for r, s in zip(pr[on].tolist(), ps[on].tolist(), strict=True):
                    problems.append((rid[r], sid[s], f"continuity {st.continuity} exceeded"))
    if problems:
        raise InfeasiblePinsError(sorted(set(problems)))
    pins: np.ndarray = ix.astype(np.int64)
    return pins


def objective_parts(ctx: Context, x: np.ndarray) -> dict[str, int]:
    """Score of a solution: pair terms, fairness floor bonus, reciprocity bonus."""
    a, st = ctx.a, ctx.settings
    placed_r, placed_s = ctx.pairs.r[x], ctx.pairs.s[x]
    sent = np.bincount(a.r_org[placed_r], minlength=a.n_org)
    fairness = int(st.weights.fairness * POINTS_PER_TERM * np.minimum(sent, ctx.floors).sum())
    reciprocity = 0
    if st.reciprocity:
        hosted = np.bincount(a.s_org[placed_s], minlength=a.n_org)
        reciprocity = int(st.weights.reciprocity * POINTS_PER_TERM * np.minimum(sent, hosted).sum())
    pair_total = int(ctx.scores.total[x].sum())
    return {
        "pairs": pair_total,
        "fairness": fairness,
        "reciprocity": reciprocity,
        "total": pair_total + fairness + reciprocity,
    }


def objective_key(ctx: Context, x: np.ndarray) -> tuple[int, int]:
    """Comparable value of a solution: (placements, score) lexicographic, or (0, score)."""
    placed = int(x.sum()) if ctx.settings.objective == "placements_first" else 0
    return placed, objective_parts(ctx, x)["total"]


def reciprocity_upper_bound(ctx: Context) -> int:
    """An upper bound of the reciprocity bonus: min(requests able to go, seats hosted)."""
    a, st = ctx.a, ctx.settings
    if not st.reciprocity:
        return 0
    can_go = np.zeros(a.n_req, dtype=bool)
    can_go[ctx.pairs.r] = True
    sent = np.bincount(a.r_org[can_go.nonzero()[0]], minlength=a.n_org)
    hosted = np.bincount(a.s_org, weights=a.s_cap, minlength=a.n_org).astype(np.int64)
    return int(st.weights.reciprocity * POINTS_PER_TERM * np.minimum(sent, hosted).sum())
