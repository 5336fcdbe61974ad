"""Incremental feasibility of an assignment: seats, diversity, service continuity.

Used to repair a flow solution that breaks continuity, to fill free seats greedily, by the
greedy baseline, and to tell why an unmatched request could not take an eligible session.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from .context import Context


class Tracker:
    def __init__(self, ctx: Context, x: np.ndarray):
        self.ctx = ctx
        a, st = ctx.a, ctx.settings
        self.x = x.copy()
        self.cap = a.s_cap
        self.n = st.diversity
        self.k = st.continuity
        self.pr, self.ps = ctx.pairs.r, ctx.pairs.s
        self.org = a.r_org
        self.group = a.r_group
        self.start, self.end = a.s_start, a.s_end
        self.used = np.zeros(a.n_ses, dtype=np.int64)
        self.placed = np.zeros(a.n_req, dtype=bool)
        self.div: dict[tuple[int, int], int] = defaultdict(int)
        self.away: dict[int, list[tuple[int, int]]] = defaultdict(list)  # group -> intervals
        for p in np.flatnonzero(x).tolist():
            self._count(p, +1)

    def _count(self, p: int, sign: int) -> None:
        r, s = int(self.pr[p]), int(self.ps[p])
        self.used[s] += sign
        self.placed[r] = sign > 0
        self.div[(s, int(self.org[r]))] += sign
        if self.k is not None:
            iv = (int(self.start[s]), int(self.end[s]))
            away = self.away[int(self.group[r])]
            if sign > 0:
                away.append(iv)
            else:
                away.remove(iv)

    def blocker(self, p: int) -> str | None:
        """Why pair p cannot be added now ('placed', 'full', 'diversity', 'continuity')."""
        r, s = int(self.pr[p]), int(self.ps[p])
        if self.placed[r]:
            return "placed"
        if self.used[s] >= self.cap[s]:
            return "full"
        if self.n is not None and self.div[(s, int(self.org[r]))] >= self.n:
            return "diversity"
        if self.k is not None and self._peak_with(int(self.group[r]), s) > self.k:
            return "continuity"
        return None

    def _peak_with(self, g: int, s: int) -> int:
        a, b = int(self.start[s]), int(self.end[s])
        ivs = [iv for iv in self.away.get(g, ()) if iv[0] <= b and a <= iv[1]]
        days = {a} | {lo for lo, _ in ivs if lo >= a}
        return 1 + max((sum(lo <= d <= hi for lo, hi in ivs) for d in days), default=0)

    def add(self, p: int) -> None:
        self.x[p] = True
        self._count(p, +1)

    def remove(self, p: int) -> None:
        self.x[p] = False
        self._count(p, -1)


def fill(ctx: Context, x: np.ndarray) -> np.ndarray:
    """Greedily add the best-scoring feasible pairs of unplaced requests (never removes)."""
    t = Tracker(ctx, x)
    cand = np.flatnonzero(~t.placed[ctx.pairs.r] & ctx.free_mask())
    order = cand[np.lexsort((cand, -ctx.scores.total[cand]))]
    for p in order.tolist():
        if t.blocker(p) is None:
            t.add(p)
    return t.x


def repair_continuity(ctx: Context, x: np.ndarray) -> np.ndarray:
    """Drop the lowest-scoring placements on each over-loaded day until continuity holds."""
    k = ctx.settings.continuity
    if k is None:
        return x
    a, pr, ps = ctx.a, ctx.pairs.r, ctx.pairs.s
    x = x.copy()
    pinned = np.zeros(len(x), dtype=bool)
    pinned[ctx.pinned] = True
    placed = np.flatnonzero(x)
    groups = a.r_group[pr[placed]]
    for g in np.unique(groups).tolist():
        mine = placed[groups == g].tolist()
        while True:
            worst_day, worst = None, k
            for d in sorted({int(a.s_start[ps[p]]) for p in mine}):
                n = sum(a.s_start[ps[p]] <= d <= a.s_end[ps[p]] for p in mine)
                if n > worst:
                    worst_day, worst = d, n
            if worst_day is None:
                break
            on = [p for p in mine if a.s_start[ps[p]] <= worst_day <= a.s_end[ps[p]] and not pinned[p]]
            drop = min(on, key=lambda p: (ctx.scores.total[p], -p))
            x[drop] = False
            mine.remove(drop)
    return x
