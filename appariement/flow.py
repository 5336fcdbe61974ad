"""The network-shaped rules, solved exactly by OR-Tools SimpleMinCostFlow.

Network (one unit of flow = one placement; costs are negated scores):

    source ─floor arc (cap F_o, cost −fairness bonus)─┐
    source ─rest arc  (cap n_o, cost 0)───────────────┴→ org o → request r (cap 1)
    request r → (session s, home org o) (cap 1, cost −score(r, s))
    (s, o) → session s (cap N: diversity; only where o has more than N candidates for s,
    elsewhere r → s directly)                      session s → sink (cap: capacity)
    source → sink bypass (cost 0): a request may stay unplaced

Objective "score" (default): minimum cost with the bypass = maximum total score; a placement
is made only when it adds to the score (every pair scores > 0 thanks to the base term, so a
free seat is never left to an eligible agent).
Objective "placements_first": no bypass and ``solve_max_flow_with_min_cost``: the largest
number of placements, and among those the best score (lexicographic, exact).
Pins are placed beforehand: they take their seat, diversity room and floor share.
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow

from .context import Context


class FlowError(RuntimeError):
    pass


def solve_flow(ctx: Context, extra_cost: np.ndarray | None = None) -> np.ndarray:
    """Optimal x over the eligible pairs for the network-shaped rules (pins included)."""
    a, st = ctx.a, ctx.settings
    pr, ps = ctx.pairs.r, ctx.pairs.s
    x = ctx.pins_only()
    free = np.flatnonzero(ctx.free_mask())
    pin_r, pin_s = pr[ctx.pinned], ps[ctx.pinned]
    cap = a.s_cap.astype(np.int64) - np.bincount(pin_s, minlength=a.n_ses)
    floors = np.maximum(ctx.floors - np.bincount(a.r_org[pin_r], minlength=a.n_org), 0)
    if len(free) == 0:
        return x

    fr, fs = pr[free], ps[free]
    fo = a.r_org[fr]
    reqs = np.unique(fr)
    n_free = len(reqs)
    # Node numbering: source, sink, organisations, requests, (session, org), sessions.
    src, sink, org0 = 0, 1, 2
    req0 = org0 + a.n_org
    req_node = np.full(a.n_req, -1, dtype=np.int64)
    req_node[reqs] = req0 + np.arange(n_free)
    # Diversity nodes only where a home organisation could exceed N in a session.
    div_pair = np.zeros(len(free), dtype=bool)
    so_of_pair = np.zeros(len(free), dtype=np.int64)
    uniq = np.zeros(0, dtype=np.int64)
    if st.diversity is not None:
        so_key = fs.astype(np.int64) * a.n_org + fo
        order = np.argsort(so_key, kind="stable")
        sk = so_key[order]
        starts = np.flatnonzero(np.concatenate(([True], sk[1:] != sk[:-1])))
        counts = np.diff(np.append(starts, len(sk)))
        keys = sk[starts]
        pinned_so = np.zeros(len(keys), dtype=np.int64)
        if len(pin_s):
            pk = pin_s.astype(np.int64) * a.n_org + a.r_org[pin_r]
            hit = np.minimum(np.searchsorted(keys, pk), len(keys) - 1)
            np.add.at(pinned_so, hit[keys[hit] == pk], 1)
        room = np.maximum(st.diversity - pinned_so, 0)
        tight = counts > room
        uniq, room = keys[tight], room[tight]
        in_tight = np.repeat(tight, counts)
        slot = np.repeat(np.cumsum(tight) - 1, counts)
        div_pair[order[in_tight]] = True
        so_of_pair[order[in_tight]] = slot[in_tight]
    div0 = req0 + n_free
    ses0 = div0 + len(uniq)

    tails, heads, caps, costs = [], [], [], []

    def arcs(t, h, c, w):
        tails.append(np.asarray(t, dtype=np.int64))
        heads.append(np.asarray(h, dtype=np.int64))
        caps.append(np.asarray(c, dtype=np.int64))
        costs.append(np.asarray(w, dtype=np.int64))

    n_org_free = np.bincount(a.r_org[reqs], minlength=a.n_org)
    orgs = np.flatnonzero(n_org_free)
    bonus = st.weights.fairness * 100
    with_floor = orgs[floors[orgs] > 0]
    arcs(np.zeros(len(with_floor)), org0 + with_floor, floors[with_floor], np.full(len(with_floor), -bonus))
    arcs(np.zeros(len(orgs)), org0 + orgs, n_org_free[orgs], np.zeros(len(orgs)))
    arcs(org0 + a.r_org[reqs], req_node[reqs], np.ones(n_free), np.zeros(n_free))
    cost = -ctx.scores.total[free]
    if extra_cost is not None:
        cost = cost + extra_cost[free]
    first_pair_arc = sum(len(t) for t in tails)
    # Pair arcs in the order of `free`, so that their flows can be read back in one slice.
    head = np.where(div_pair, div0 + so_of_pair, ses0 + fs)
    arcs(req_node[fr], head, np.ones(len(free)), cost)
    if len(uniq):
        arcs(div0 + np.arange(len(uniq)), ses0 + uniq // a.n_org, room, np.zeros(len(uniq)))
    used_s = np.unique(fs)
    arcs(ses0 + used_s, np.full(len(used_s), sink), np.maximum(cap[used_s], 0), np.zeros(len(used_s)))
    placements_first = st.objective == "placements_first"
    if not placements_first:
        arcs([src], [sink], [n_free], [0])

    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(
        np.concatenate(tails), np.concatenate(heads), np.concatenate(caps), np.concatenate(costs)
    )
    smcf.set_nodes_supplies(np.array([src, sink]), np.array([n_free, -n_free]))
    status = smcf.solve_max_flow_with_min_cost() if placements_first else smcf.solve()
    if status != smcf.OPTIMAL:
        raise FlowError(f"min-cost flow failed with status {status}")
    flows = smcf.flows(np.arange(first_pair_arc, first_pair_arc + len(free)))
    x[free[flows > 0]] = True
    return x
