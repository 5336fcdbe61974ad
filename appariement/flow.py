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

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from .context import Context
from .scoring import POINTS_PER_TERM

IntArray = npt.NDArray[np.int64]


class FlowError(RuntimeError):
    pass


@dataclass
class Network:
    """The arcs of the flow network; pair arcs are the block [first_pair_arc, + pairs)."""

    tails: IntArray
    heads: IntArray
    capacities: IntArray
    costs: IntArray
    first_pair_arc: int
    pairs: int
    source: int
    sink: int
    supply: int
    n_nodes: int


def solve_flow(ctx: Context, extra_cost: npt.NDArray[np.int64] | None = None) -> npt.NDArray[np.bool_]:
    """Optimal x over the eligible pairs for the network-shaped rules (pins included)."""
    x = ctx.pins_only()
    free = np.flatnonzero(ctx.free_mask())
    if len(free) == 0:
        return x
    placements_first = ctx.settings.objective == "placements_first"
    net = build_network(ctx, free, extra_cost, bypass=not placements_first)
    flows = _solve_arcs(net, placements_first)
    x[free[flows[net.first_pair_arc : net.first_pair_arc + net.pairs] > 0]] = True
    return x


def build_network(ctx: Context, free: IntArray, extra_cost: npt.NDArray[np.int64] | None, bypass: bool) -> Network:
    """Nodes: source, sink, home organisations, requests, (session, home org) diversity
    nodes where N can bind, sessions.  Pair arcs in the order of ``free``."""
    a, st = ctx.a, ctx.settings
    pair_req, pair_ses = ctx.pairs.r, ctx.pairs.s
    pin_req, pin_ses = pair_req[ctx.pinned], pair_ses[ctx.pinned]
    seats_left = a.s_cap.astype(np.int64) - np.bincount(pin_ses, minlength=a.n_ses)
    floors_left = np.maximum(ctx.floors - np.bincount(a.r_org[pin_req], minlength=a.n_org), 0)

    free_req, free_ses = pair_req[free], pair_ses[free]
    free_org = a.r_org[free_req]
    requests = np.unique(free_req)
    n_requests = len(requests)
    source, sink, org_node0 = 0, 1, 2
    request_node0 = org_node0 + a.n_org
    request_node = np.full(a.n_req, -1, dtype=np.int64)
    request_node[requests] = request_node0 + np.arange(n_requests)
    # Diversity nodes only where a home organisation could exceed N in a session.
    through_diversity = np.zeros(len(free), dtype=bool)
    diversity_slot = np.zeros(len(free), dtype=np.int64)
    tight_keys = np.zeros(0, dtype=np.int64)
    room = np.zeros(0, dtype=np.int64)
    if st.diversity is not None:
        ses_org = free_ses.astype(np.int64) * a.n_org + free_org
        order = np.argsort(ses_org, kind="stable")
        sorted_keys = ses_org[order]
        starts = np.flatnonzero(np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1])))
        counts = np.diff(np.append(starts, len(sorted_keys)))
        keys = sorted_keys[starts]
        pinned_here = np.zeros(len(keys), dtype=np.int64)
        if len(pin_ses):
            pin_keys = pin_ses.astype(np.int64) * a.n_org + a.r_org[pin_req]
            hit = np.minimum(np.searchsorted(keys, pin_keys), len(keys) - 1)
            np.add.at(pinned_here, hit[keys[hit] == pin_keys], 1)
        room = np.maximum(st.diversity - pinned_here, 0)
        tight = counts > room
        tight_keys, room = keys[tight], room[tight]
        in_tight = np.repeat(tight, counts)
        slot = np.repeat(np.cumsum(tight) - 1, counts)
        through_diversity[order[in_tight]] = True
        diversity_slot[order[in_tight]] = slot[in_tight]
    diversity_node0 = request_node0 + n_requests
    session_node0 = diversity_node0 + len(tight_keys)

    tails: list[IntArray] = []
    heads: list[IntArray] = []
    capacities: list[IntArray] = []
    costs: list[IntArray] = []

    def arcs(t: object, h: object, c: object, w: object) -> None:
        tails.append(np.asarray(t, dtype=np.int64))
        heads.append(np.asarray(h, dtype=np.int64))
        capacities.append(np.asarray(c, dtype=np.int64))
        costs.append(np.asarray(w, dtype=np.int64))

    requests_per_org = np.bincount(a.r_org[requests], minlength=a.n_org)
    orgs = np.flatnonzero(requests_per_org)
    fairness_bonus = st.weights.fairness * POINTS_PER_TERM
    with_floor = orgs[floors_left[orgs] > 0]
    arcs(
        np.zeros(len(with_floor)),
        org_node0 + with_floor,
        floors_left[with_floor],
        np.full(len(with_floor), -fairness_bonus),
    )
    arcs(np.zeros(len(orgs)), org_node0 + orgs, requests_per_org[orgs], np.zeros(len(orgs)))
    arcs(org_node0 + a.r_org[requests], request_node[requests], np.ones(n_requests), np.zeros(n_requests))
    cost = -ctx.scores.total[free]
    if extra_cost is not None:
        cost = cost + extra_cost[free]
    first_pair_arc = sum(len(t) for t in tails)
    head = np.where(through_diversity, diversity_node0 + diversity_slot, session_node0 + free_ses)
    arcs(request_node[free_req], head, np.ones(len(free)), cost)
    if len(tight_keys):
        arcs(
            diversity_node0 + np.arange(len(tight_keys)),
            session_node0 + tight_keys // a.n_org,
            room,
            np.zeros(len(tight_keys)),
        )
    sessions = np.unique(free_ses)
    arcs(
        session_node0 + sessions,
        np.full(len(sessions), sink),
        np.maximum(seats_left[sessions], 0),
        np.zeros(len(sessions)),
    )
    if bypass:  # a request may stay unplaced
        arcs([source], [sink], [n_requests], [0])
    return Network(
        tails=np.concatenate(tails),
        heads=np.concatenate(heads),
        capacities=np.concatenate(capacities),
        costs=np.concatenate(costs),
        first_pair_arc=first_pair_arc,
        pairs=len(free),
        source=source,
        sink=sink,
        supply=n_requests,
        n_nodes=session_node0 + a.n_ses,
    )


def _solve_arcs(net: Network, placements_first: bool) -> IntArray:
    """Flow on every arc of the network."""
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(net.tails, net.heads, net.capacities, net.costs)
    smcf.set_nodes_supplies(np.array([net.source, net.sink]), np.array([net.supply, -net.supply]))
    status = smcf.solve_max_flow_with_min_cost() if placements_first else smcf.solve()
    if status != smcf.OPTIMAL:
        raise FlowError(f"min-cost flow failed with status {status}")
    flows: IntArray = smcf.flows(np.arange(len(net.tails)))
    return flows
