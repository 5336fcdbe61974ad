"""Stable mode: agent-proposing deferred acceptance, and the blocking-pair count.

Agents rank their eligible sessions by their wishes first (rank 1 to 5), then by the
agent-side score (interest, distance);
sessions rank applicants by the offer-side score (interest, skill fit, waiting); ties go to
the lower id, so preferences are strict.  A session keeps its best applicants within its
capacity and at most N per home organisation (a substitutable choice), so the result is
stable: no eligible pair (r, s) where r prefers s and s would take r.  Pinned agents hold
their seat and never move.
"""

from __future__ import annotations

import numpy as np

from .context import Context

PINNED_KEY = np.iinfo(np.int64).max  # a pin is never displaced


def deferred_acceptance(ctx: Context) -> np.ndarray:
    a, st = ctx.a, ctx.settings
    pr, ps = ctx.pairs.r, ctx.pairs.s
    org = a.r_org
    hkey = ctx.scores.host_key.copy()
    hkey[ctx.pinned] = PINNED_KEY
    # Each request's proposals, best first.
    order = np.lexsort((-ctx.scores.agent_key, pr))
    bounds = np.searchsorted(pr[order], np.arange(a.n_req + 1))
    nxt = bounds[:-1].copy()
    end = bounds[1:]
    held: list[list[int]] = [[] for _ in range(a.n_ses)]
    for p in ctx.pinned.tolist():
        held[int(ps[p])].append(p)
    pinned_req = set(pr[ctx.pinned].tolist())
    free = [r for r in range(a.n_req) if r not in pinned_req]
    stack = free[::-1]
    order_l, ps_l, pr_l, hkey_l = order.tolist(), ps.tolist(), pr.tolist(), hkey.tolist()
    org_l, cap_l, n = org.tolist(), a.s_cap.tolist(), st.diversity
    while stack:
        r = stack.pop()
        if nxt[r] >= end[r]:
            continue  # exhausted its list: stays unmatched
        p = order_l[nxt[r]]
        nxt[r] += 1
        s = ps_l[p]
        h = held[s]
        h.append(p)
        out = None
        if n is not None:
            same = [q for q in h if org_l[pr_l[q]] == org_l[r]]
            if len(same) > n:
                out = min(same, key=hkey_l.__getitem__)
        if out is None and len(h) > cap_l[s]:
            out = min(h, key=hkey_l.__getitem__)
        if out is not None:
            h.remove(out)
            stack.append(pr_l[out])
    x = np.zeros(len(pr), dtype=bool)
    for h in held:
        x[h] = True
    return x


def blocking_pairs(ctx: Context, x: np.ndarray) -> int:
    """Eligible pairs (r, s), r not pinned, where r prefers s and s would take r."""
    a, st = ctx.a, ctx.settings
    pr, ps = ctx.pairs.r, ctx.pairs.s
    akey, hkey = ctx.scores.agent_key, ctx.scores.host_key
    placed = np.flatnonzero(x)
    h_placed = hkey[placed]
    h_placed[np.isin(placed, ctx.pinned)] = PINNED_KEY
    cur = np.full(a.n_req, np.iinfo(np.int64).min, dtype=np.int64)
    cur[pr[placed]] = akey[placed]
    pinned_req = np.zeros(a.n_req, dtype=bool)
    pinned_req[pr[ctx.pinned]] = True
    big = np.iinfo(np.int64).max
    size = np.bincount(ps[placed], minlength=a.n_ses)
    worst = np.full(a.n_ses, big, dtype=np.int64)
    np.minimum.at(worst, ps[placed], h_placed)
    # s takes r if it has a free seat or r beats its worst agent: a key above this threshold
    # (host keys are >= 0).  Tested on every pair at once, so that the diversity test below
    # only sees the few pairs left (it can only refuse more: an organisation's worst agent is
    # never below the session's).
    threshold = np.where(size < a.s_cap, np.iinfo(np.int64).min, worst)
    cand = np.flatnonzero(~x & (akey > cur[pr]) & ~pinned_req[pr] & (hkey > threshold[ps]))
    if len(cand) == 0:
        return 0
    if st.diversity is not None and len(placed):
        s, k = ps[cand], hkey[cand]
        so_x = ps[placed].astype(np.int64) * a.n_org + a.r_org[pr[placed]]
        uniq, inv, cnt = np.unique(so_x, return_inverse=True, return_counts=True)
        worst_so = np.full(len(uniq), big, dtype=np.int64)
        np.minimum.at(worst_so, inv, h_placed)
        key = s.astype(np.int64) * a.n_org + a.r_org[pr[cand]]
        ix = np.minimum(np.searchsorted(uniq, key), len(uniq) - 1)
        hit = uniq[ix] == key
        at_n = hit & (cnt[ix] >= st.diversity)
        # At N from its organisation, r can only replace the worst agent of that organisation.
        refused = at_n & ~(k > np.where(hit, worst_so[ix], big))
        return len(cand) - int(refused.sum())
    return len(cand)
