"""Turn a chosen x into a Solution: breakdowns, unmatched reasons, metrics."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from .context import Context, objective_parts
from .eligibility import exclusion_counts
from .rules import pair_km
from .scoring import PAIR_TERMS
from .solution import Assignment, SessionBlock, Solution, Unmatched
from .stable import blocking_pairs
from .tracker import Blocker, Tracker

if TYPE_CHECKING:
    from .outlook import Outlook

IntArray = npt.NDArray[np.int64]
BLOCKERS = (Blocker.FULL, Blocker.DIVERSITY, Blocker.CONTINUITY, Blocker.NOT_CHOSEN)


def assignments(ctx: Context, x: np.ndarray) -> tuple[Assignment, ...]:
    a, w = ctx.a, ctx.settings.weights
    sessions = {s.id: s for s in a.problem.sessions}
    agents = {r.id: r.agent_id for r in a.problem.requests}
    pinned = set(ctx.pinned.tolist())
    out = []
    for p in np.flatnonzero(x).tolist():
        rid, sid = a.req_ids[ctx.pairs.r[p]], a.ses_ids[ctx.pairs.s[p]]
        breakdown = {t: getattr(w, t) * int(ctx.scores.points[t][p]) for t in PAIR_TERMS}
        out.append(
            Assignment(
                request_id=rid,
                agent_id=agents[rid],
                session_id=sid,
                offer_id=sessions[sid].offer_id,
                host_org_id=sessions[sid].org_id,
                score=int(ctx.scores.total[p]),
                breakdown=breakdown,
                pinned=p in pinned,
            )
        )
    return tuple(sorted(out, key=lambda x: x.request_id))


NEAREST_SHOWN = 3  # eligible sessions shown by name for an outcompeted request


def _placed_keys(ctx: Context, x: npt.NDArray[np.bool_]) -> tuple[IntArray, IntArray]:
    """Seats used per session, and sorted (session, home organisation) keys of the placements."""
    a, placed = ctx.a, np.flatnonzero(x)
    used = np.bincount(ctx.pairs.s[placed], minlength=a.n_ses).astype(np.int64)
    keys = np.sort(ctx.pairs.s[placed].astype(np.int64) * a.n_org + a.r_org[ctx.pairs.r[placed]])
    return used, keys


def blockers(ctx: Context, x: npt.NDArray[np.bool_], p: IntArray) -> npt.NDArray[np.int8]:
    """Why each eligible pair p (of an unplaced request) could not be added: a BLOCKERS index."""
    a, st = ctx.a, ctx.settings
    s = ctx.pairs.s[p]
    used, keys = _placed_keys(ctx, x)
    why = np.full(len(p), BLOCKERS.index(Blocker.NOT_CHOSEN), dtype=np.int8)
    rest = used[s] < a.s_cap[s]
    why[~rest] = BLOCKERS.index(Blocker.FULL)
    if st.diversity is not None:
        free = np.flatnonzero(rest)  # only sessions with a free seat can be blocked by diversity
        key = s[free].astype(np.int64) * a.n_org + a.r_org[ctx.pairs.r[p[free]]]
        same = np.searchsorted(keys, key, side="right") - np.searchsorted(keys, key, side="left")
        at_n = free[same >= st.diversity]
        why[at_n] = BLOCKERS.index(Blocker.DIVERSITY)
        rest[at_n] = False
    if st.continuity is not None and rest.any():
        tracker = Tracker(ctx, x)  # few pairs: free seats are refilled, so most are full
        for i in np.flatnonzero(rest).tolist():
            if tracker.blocker(int(p[i])) == Blocker.CONTINUITY:
                why[i] = BLOCKERS.index(Blocker.CONTINUITY)
    return why


def nearest_per_request(r: npt.NDArray[np.int32], dist: IntArray, k: int) -> IntArray:
    """Positions of the k smallest dist of each request (r sorted), ties to the lower position,
    sorted by (request, dist, position): k passes of a per-request minimum, no sort of all pairs."""
    if len(r) == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate(([True], r[1:] != r[:-1])))
    segment = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(r))))
    left = dist.astype(np.int64, copy=True)
    done = np.iinfo(np.int64).max
    picked = []
    for _ in range(k):
        low = np.minimum.reduceat(left, starts)
        at = np.flatnonzero((left == low[segment]) & (low[segment] != done))
        if len(at) == 0:
            break
        at = at[np.concatenate(([True], segment[at[1:]] != segment[at[:-1]]))]  # first per request
        left[at] = done
        picked.append(at)
    rank = np.concatenate(picked)
    return rank[np.argsort(segment[rank], kind="stable")]


def unmatched(
    ctx: Context, x: npt.NDArray[np.bool_], outlooks: Mapping[int, Outlook] | None = None
) -> tuple[Unmatched, ...]:
    """Each unplaced request: counts per reason, the few nearest eligible sessions, and its outlook
    (outlook.py: what the agent could change), given by request index."""
    a = ctx.a
    agents = {r.id: r.agent_id for r in a.problem.requests}
    placed_req = np.zeros(a.n_req, dtype=bool)
    placed_req[ctx.pairs.r[x]] = True
    lowest = np.full(a.n_ses, -1, dtype=np.int64)
    placed = np.flatnonzero(x)
    order = placed[np.argsort(-ctx.scores.total[placed], kind="stable")]
    lowest[ctx.pairs.s[order]] = ctx.scores.total[order]  # last write = lowest score
    has_pair = np.zeros(a.n_req, dtype=bool)
    has_pair[ctx.pairs.r] = True

    # Outcompeted: every eligible pair of an unplaced request gets a reason (vectorised).
    p = np.flatnonzero(~placed_req[ctx.pairs.r])
    why = blockers(ctx, x, p)
    pr, ps = ctx.pairs.r[p], ctx.pairs.s[p]
    counts = np.bincount(pr.astype(np.int64) * len(BLOCKERS) + why, minlength=a.n_req * len(BLOCKERS))
    counts = counts.reshape(a.n_req, len(BLOCKERS))
    km = np.where(a.s_remote[ps], 0.0, pair_km(a, pr, ps))
    metres = np.minimum(np.round(km * 1000), (1 << 30) - 1).astype(np.int64)
    shown = nearest_per_request(pr, metres, NEAREST_SHOWN)
    blocks: dict[int, list[SessionBlock]] = {}
    names = [str(b) for b in BLOCKERS]
    ses_shown = ps[shown]
    for r, s, k, low in zip(
        pr[shown].tolist(), ses_shown.tolist(), why[shown].tolist(), lowest[ses_shown].tolist(), strict=True
    ):
        blocks.setdefault(r, []).append(SessionBlock(a.ses_ids[s], names[k], None if low < 0 else low))
    by_name = sorted(range(len(BLOCKERS)), key=names.__getitem__)  # the reasons in key order

    no_pair = np.flatnonzero(~has_pair)
    excluded = dict(zip(no_pair.tolist(), exclusion_counts(a, no_pair.astype(np.int64)), strict=True))
    out = []
    told = outlooks or {}
    for r in np.flatnonzero(~placed_req).tolist():
        rid = a.req_ids[r]
        if r in excluded:
            excluded_r = dict(sorted(excluded[r].items()))
            out.append(Unmatched(rid, agents[rid], "no_eligible_session", excluded=excluded_r, outlook=told.get(r)))
            continue
        row = counts[r].tolist()
        blocked = {names[k]: row[k] for k in by_name if row[k]}
        out.append(
            Unmatched(rid, agents[rid], "outcompeted", sessions=tuple(blocks[r]), blocked=blocked, outlook=told.get(r))
        )
    return tuple(out)


def metrics(ctx: Context, x: np.ndarray, bound: int) -> dict[str, Any]:
    a = ctx.a
    parts = objective_parts(ctx, x)
    placed = np.flatnonzero(x)
    wish_pts = ctx.scores.points["wish"][placed]
    profile = {str(k): int((wish_pts == (6 - k) * 20).sum()) for k in range(1, 6)}
    profile["none"] = int((wish_pts == 0).sum())
    worst = None
    if len(placed):
        # Lowest score, then lowest request id (pairs are sorted by request).
        p = placed[np.argmin(ctx.scores.total[placed])]
        worst = {"request": a.req_ids[ctx.pairs.r[p]], "score": int(ctx.scores.total[p])}
    n_req = np.bincount(a.r_org, minlength=a.n_org)
    n_placed = np.bincount(a.r_org[ctx.pairs.r[placed]], minlength=a.n_org)
    rates = [
        (round(n_placed[o] / n_req[o], 4), a.org_ids[o], int(n_placed[o]), int(n_req[o]))
        for o in range(a.n_org)
        if n_req[o] > 0
    ]

    def org(rate: tuple[float, str, int, int] | None) -> dict[str, Any] | None:
        return None if rate is None else dict(zip(("rate", "org", "placed", "requests"), rate, strict=True))

    lowest = min(rates, key=lambda t: (t[0], t[1])) if rates else None
    highest = min(rates, key=lambda t: (-t[0], t[1])) if rates else None
    return {
        "score": parts["total"],
        "score_parts": {k: v for k, v in parts.items() if k != "total"},
        "bound": int(bound),
        "share_of_bound": round(parts["total"] / bound, 6) if bound > 0 else 1.0,
        "requests": a.n_req,
        "sessions": a.n_ses,
        "eligible_pairs": len(ctx.pairs),
        "placed": len(placed),
        "rank_profile": profile,
        "worst_off": worst,
        "org_rate": {"lowest": org(lowest), "highest": org(highest)},
        "blocking_pairs": blocking_pairs(ctx, x),
    }


def build_solution(
    ctx: Context,
    x: np.ndarray,
    bound: int,
    solver: dict[str, Any],
    stats: dict[str, Any],
    outlooks: Mapping[int, Outlook] | None = None,
) -> Solution:
    return Solution(
        assignments=assignments(ctx, x),
        unmatched=unmatched(ctx, x, outlooks),
        metrics=metrics(ctx, x, bound),
        solver=solver,
        stats=stats,
    )
