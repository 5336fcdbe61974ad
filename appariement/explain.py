"""Turn a chosen x into a Solution: breakdowns, unmatched reasons, metrics."""

from __future__ import annotations

import numpy as np

from .context import Context, objective_parts
from .eligibility import exclusion_counts
from .scoring import PAIR_TERMS
from .solution import Assignment, SessionBlock, Solution, Unmatched
from .stable import blocking_pairs
from .tracker import Tracker


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


def unmatched(ctx: Context, x: np.ndarray) -> tuple[Unmatched, ...]:
    a = ctx.a
    agents = {r.id: r.agent_id for r in a.problem.requests}
    t = Tracker(ctx, x)
    lowest = np.full(a.n_ses, -1, dtype=np.int64)
    placed = np.flatnonzero(x)
    order = placed[np.argsort(-ctx.scores.total[placed], kind="stable")]
    lowest[ctx.pairs.s[order]] = ctx.scores.total[order]  # last write = lowest score
    starts = np.searchsorted(ctx.pairs.r, np.arange(a.n_req + 1))
    out = []
    for r in np.flatnonzero(~t.placed).tolist():
        rid = a.req_ids[r]
        lo, hi = int(starts[r]), int(starts[r + 1])
        if lo == hi:
            counts = dict(sorted(exclusion_counts(a, r).items()))
            out.append(Unmatched(rid, agents[rid], "no_eligible_session", excluded=counts))
            continue
        blocks = []
        for p in range(lo, hi):
            s = int(ctx.pairs.s[p])
            low = int(lowest[s])
            why = t.blocker(p) or "not_chosen"
            blocks.append(SessionBlock(a.ses_ids[s], why, None if low < 0 else low))
        blocks.sort(key=lambda b: b.session_id)
        out.append(Unmatched(rid, agents[rid], "outcompeted", sessions=tuple(blocks)))
    return tuple(out)


def metrics(ctx: Context, x: np.ndarray, bound: int) -> dict:
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

    def org(rate):
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


def build_solution(ctx: Context, x: np.ndarray, bound: int, solver: dict, stats: dict) -> Solution:
    return Solution(
        assignments=assignments(ctx, x),
        unmatched=unmatched(ctx, x),
        metrics=metrics(ctx, x, bound),
        solver=solver,
        stats=stats,
    )
