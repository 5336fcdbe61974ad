"""Incremental feasibility of an assignment: seats, diversity, service continuity.

Used to repair a flow solution that breaks continuity, to fill free seats greedily, by the
greedy baseline, and to tell why an unmatched request could not take an eligible session.
"""

from __future__ import annotations

from collections import defaultdict
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from .context import Context

Mask = npt.NDArray[np.bool_]


class Blocker(StrEnum):
    """Why an eligible pair cannot be added to an assignment as it stands."""

    PLACED = "placed"  # the request already has a placement
    FULL = "full"  # no seat left in the session
    DIVERSITY = "diversity"  # N agents of the same home organisation already there
    CONTINUITY = "continuity"  # K + 1 agents of the group would be away on a day
    NOT_CHOSEN = "not_chosen"  # nothing blocks it: the optimum did without it


class Tracker:
    """Seats, diversity and continuity loads of an assignment, updated pair by pair."""

    def __init__(self, ctx: Context, x: Mask):
        self.ctx = ctx
        a, st = ctx.a, ctx.settings
        self.x = x.copy()
        self.capacity = a.s_cap
        self.diversity_limit = st.diversity
        self.continuity_limit = st.continuity
        self.pair_request, self.pair_session = ctx.pairs.r, ctx.pairs.s
        self.home_org = a.r_org
        self.group = a.r_group
        self.start, self.end = a.s_start, a.s_end
        self.seats_used = np.zeros(a.n_ses, dtype=np.int64)
        self.placed = np.zeros(a.n_req, dtype=bool)
        self.same_org: dict[tuple[int, int], int] = defaultdict(int)  # (session, home org) -> agents
        # group -> agents away on each day (from the first session's start): a slice's max is the
        # peak over a session's days, where scanning the group's intervals cost a Python loop.
        self.first_day = int(a.s_start.min()) if a.n_ses else 0
        self.n_days = int(a.s_end.max()) - self.first_day + 1 if a.n_ses else 0
        self.away: dict[int, npt.NDArray[np.int64]] = {}
        for p in np.flatnonzero(x).tolist():
            self._count(p, +1)

    def _count(self, p: int, sign: int) -> None:
        r, s = int(self.pair_request[p]), int(self.pair_session[p])
        self.seats_used[s] += sign
        self.placed[r] = sign > 0
        self.same_org[(s, int(self.home_org[r]))] += sign
        if self.continuity_limit is not None:
            g = int(self.group[r])
            if g not in self.away:
                self.away[g] = np.zeros(self.n_days, dtype=np.int64)
            self.away[g][self.start[s] - self.first_day : self.end[s] - self.first_day + 1] += sign

    def blocker(self, p: int) -> Blocker | None:
        """Why pair p cannot be added now (None: it can)."""
        r, s = int(self.pair_request[p]), int(self.pair_session[p])
        if self.placed[r]:
            return Blocker.PLACED
        if self.seats_used[s] >= self.capacity[s]:
            return Blocker.FULL
        if self.diversity_limit is not None and self.same_org[(s, int(self.home_org[r]))] >= self.diversity_limit:
            return Blocker.DIVERSITY
        k = self.continuity_limit
        if k is not None and self._peak_with(int(self.group[r]), s) > k:
            return Blocker.CONTINUITY
        return None

    def _peak_with(self, group: int, s: int) -> int:
        """Agents of the group away on the busiest day of session s, s included."""
        away = self.away.get(group)
        if away is None:
            return 1
        return 1 + int(away[self.start[s] - self.first_day : self.end[s] - self.first_day + 1].max())

    def add(self, p: int) -> None:
        self.x[p] = True
        self._count(p, +1)

    def remove(self, p: int) -> None:
        self.x[p] = False
        self._count(p, -1)


def fill(ctx: Context, x: Mask) -> Mask:
    """Greedily add the best-scoring feasible pairs of unplaced requests (never removes)."""
    t = Tracker(ctx, x)
    # Seats are only added: a session full now stays full (congested rounds: most pairs).
    has_seat = t.seats_used[ctx.pairs.s] < t.capacity[ctx.pairs.s]
    cand = np.flatnonzero(~t.placed[ctx.pairs.r] & ctx.free_mask() & has_seat)
    order = cand[np.lexsort((cand, -ctx.scores.total[cand]))]
    for p in order.tolist():
        if t.blocker(p) is None:
            t.add(p)
    return t.x


def repair_continuity(ctx: Context, x: Mask) -> Mask:
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
