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
Dense networks (objective "score", more than PRUNE_RATIO × PRUNE_KEEP pairs per session: XL)
are solved on each session's cheapest pair arcs, then proved optimal on every arc by a node
potential (``_solve_pruned``); the result is the same optimum score, maybe another of the
equal-score optima.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from .context import Context
from .scoring import POINTS_PER_TERM

IntArray = npt.NDArray[np.int64]
# Node ids and capacities: 32 bits, as OR-Tools stores them (a network past 2^31 nodes would
# not fit in memory anyway); half the memory of the 7 M pair arcs' columns (XL).
NodeArray = npt.NDArray[np.int32]


class FlowError(RuntimeError):
    pass


@dataclass
class Network:
    """The arcs of the flow network; pair arcs are the block [first_pair_arc, + pairs)."""

    tails: NodeArray
    heads: NodeArray
    capacities: NodeArray
    costs: IntArray
    first_pair_arc: int
    pairs: int
    source: int
    sink: int
    supply: int
    n_nodes: int
    first_session_node: int
    session_of: IntArray  # each node's session node: a diversity node's session, else itself


def solve_flow(
    ctx: Context,
    extra_cost: npt.NDArray[np.int64] | None = None,
    prune: bool = True,
    objective: str | None = None,
) -> npt.NDArray[np.bool_]:
    """Optimal x over the eligible pairs for the network-shaped rules (pins included).
    ``prune=False``: SimpleMinCostFlow on the whole network, even a dense one (the reference).
    ``objective``: instead of the settings' ("score" or "placements_first")."""
    x = ctx.pins_only()
    # Without pins every pair is free (int32: half the memory at 7 M pairs).
    free = np.flatnonzero(ctx.free_mask()) if len(ctx.pinned) else np.arange(len(ctx.pairs), dtype=np.int32)
    if len(free) == 0:
        return x
    placements_first = (objective or ctx.settings.objective) == "placements_first"
    # Dense networks (XL) are solved pruned, then proved optimal (see _solve_pruned); smaller
    # ones exactly as before, so that their choice among equal-score optima does not move.
    dense = prune and not placements_first and len(free) > PRUNE_RATIO * PRUNE_KEEP * ctx.a.n_ses
    net = build_network(ctx, free, extra_cost, bypass=not placements_first, dense=dense)
    flows = _solve_pruned(net) if dense else None
    if flows is None:
        flows = _solve_subset(net, np.arange(len(net.tails)), placements_first)
    x[free[flows[net.first_pair_arc : net.first_pair_arc + net.pairs] > 0]] = True
    return x


def build_network(
    ctx: Context,
    free: npt.NDArray[np.integer],
    extra_cost: npt.NDArray[np.int64] | None,
    bypass: bool,
    dense: bool = False,
) -> Network:
    """Nodes: source, sink, home organisations, requests, (session, home org) diversity
    nodes where N can bind, sessions.  Pair arcs in the order of ``free``.  ``dense``: no
    diversity node where the session has no more than N seats left."""
    a, st = ctx.a, ctx.settings
    pair_req, pair_ses = ctx.pairs.r, ctx.pairs.s
    pin_req, pin_ses = pair_req[ctx.pinned], pair_ses[ctx.pinned]
    seats_left = a.s_cap.astype(np.int64) - np.bincount(pin_ses, minlength=a.n_ses)
    floors_left = np.maximum(ctx.floors - np.bincount(a.r_org[pin_req], minlength=a.n_org), 0)

    every = len(free) == len(ctx.pairs)  # no pin: free is 0..n-1, views instead of copies
    free_req, free_ses = (pair_req, pair_ses) if every else (pair_req[free], pair_ses[free])
    requests = _distinct(free_req, a.n_req)
    n_requests = len(requests)
    source, sink, org_node0 = 0, 1, 2
    request_node0 = org_node0 + a.n_org
    request_node = np.full(a.n_req, -1, dtype=np.int32)
    request_node[requests] = request_node0 + np.arange(n_requests)
    # Diversity nodes only where a home organisation could exceed N in a session.
    key_of_pair: npt.NDArray[np.integer] | None = None
    tight_keys = np.zeros(0, dtype=np.int64)
    room = np.zeros(0, dtype=np.int64)
    if st.diversity is not None:
        ses_org = free_ses.astype(np.int64)  # key (session, home org), built in place
        ses_org *= a.n_org
        ses_org += a.r_org[free_req]
        keys, key_of_pair, counts = _group(ses_org, a.n_ses * a.n_org)
        del ses_org  # memory: the peak of the whole solve is in this function (XL)
        pinned_here = np.zeros(len(keys), dtype=np.int64)
        if len(pin_ses):
            pin_keys = pin_ses.astype(np.int64) * a.n_org + a.r_org[pin_req]
            hit = np.minimum(np.searchsorted(keys, pin_keys), len(keys) - 1)
            np.add.at(pinned_here, hit[keys[hit] == pin_keys], 1)
        room = np.maximum(st.diversity - pinned_here, 0)
        tight = counts > room
        if dense:  # N cannot bind either with at most N seats left (XL: 778k → 183k nodes)
            tight &= seats_left[keys // a.n_org] > room
        tight_keys, room = keys[tight], room[tight]
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
    first_pair_arc, first_block = sum(len(t) for t in tails), len(tails)
    arcs([], [], [], [])  # the pair arcs: written in place below (7 M on XL, no copies)
    if len(tight_keys):
        arcs(
            diversity_node0 + np.arange(len(tight_keys)),
            session_node0 + tight_keys // a.n_org,
            room,
            np.zeros(len(tight_keys)),
        )
    sessions = _distinct(free_ses, a.n_ses)
    arcs(
        session_node0 + sessions,
        np.full(len(sessions), sink),
        np.maximum(seats_left[sessions], 0),
        np.zeros(len(sessions)),
    )
    session_of = np.arange(session_node0 + a.n_ses, dtype=np.int64)
    session_of[diversity_node0 : diversity_node0 + len(tight_keys)] = session_node0 + tight_keys // a.n_org
    if bypass:  # a request may stay unplaced
        arcs([source], [sink], [n_requests], [0])
    head_of_key = np.zeros(0, dtype=np.int32)
    if key_of_pair is not None:  # each (session, home organisation) key's node
        head_of_key = (session_node0 + keys // a.n_org).astype(np.int32)
        head_of_key[tight] = diversity_node0 + np.arange(len(tight_keys))
    n_arcs = sum(len(t) for t in tails) + len(free)
    pair = slice(first_pair_arc, first_pair_arc + len(free))
    t, h, c = (np.empty(n_arcs, dtype=np.int32) for _ in range(3))
    w = np.empty(n_arcs, dtype=np.int64)
    out: npt.NDArray[np.integer]
    for out, blocks in ((t, tails), (h, heads), (c, capacities), (w, costs)):
        out[: pair.start] = np.concatenate(blocks[:first_block])
        out[pair.stop :] = np.concatenate(blocks[first_block + 1 :])
    # In place (mode="clip" is unbuffered; every index is in range).
    _take(request_node, free_req, t[pair])
    del free_req
    if key_of_pair is None:
        h[pair] = free_ses
        h[pair] += session_node0
    else:  # its diversity node, else the session
        _take(head_of_key, key_of_pair, h[pair])
        del key_of_pair
    c[pair] = 1
    if every:
        np.negative(ctx.scores.total, out=w[pair])
    else:
        np.take(ctx.scores.total, free, out=w[pair], mode="clip")
        np.negative(w[pair], out=w[pair])
    if extra_cost is not None:
        w[pair] += extra_cost if every else extra_cost[free]
    return Network(
        tails=t,
        heads=h,
        capacities=c,
        costs=w,
        first_pair_arc=first_pair_arc,
        pairs=len(free),
        source=source,
        sink=sink,
        supply=n_requests,
        n_nodes=session_node0 + a.n_ses,
        first_session_node=session_node0,
        session_of=session_of,
    )


CHUNK = 1 << 20  # elements per step of the chunked passes over pair arcs (small temporaries)


def _take(values: NodeArray, index: npt.NDArray[np.integer], out: NodeArray) -> None:
    """out[:] = values[index], in chunks (mode="clip" is unbuffered; every index is in range):
    np.take turns int32 indices into a full int64 copy."""
    for lo in range(0, len(index), CHUNK):
        np.take(values, index[lo : lo + CHUNK], out=out[lo : lo + CHUNK], mode="clip")


def _chunks(n: int) -> Iterator[slice]:
    return (slice(lo, min(lo + CHUNK, n)) for lo in range(0, n, CHUNK))


def _distinct(values: npt.NDArray[np.integer], n: int) -> IntArray:
    """The distinct values among 0..n-1, sorted (without sorting)."""
    seen = np.zeros(n, dtype=bool)
    seen[values] = True
    return np.flatnonzero(seen)


def _group(keys: IntArray, n_keys: int) -> tuple[IntArray, npt.NDArray[np.integer], IntArray]:
    """The distinct keys (sorted), each key's index among them, their counts: by counting
    when the key range is small (XL: 1.6 M (session, organisation) keys, 7 M pairs), else
    by sorting."""
    if n_keys <= 4 * len(keys) + (1 << 20):
        counts = np.bincount(keys, minlength=n_keys)
        distinct = np.flatnonzero(counts)
        index = (np.cumsum(counts > 0) - 1).astype(np.int32)  # int32: half of a 7 M-pair column
        return distinct, index[keys], counts[distinct]
    distinct, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    return distinct, inverse, counts


# Dense networks (XL: 1,742 eligible pairs per session, 7 M pair arcs) are solved on the
# PRUNE_KEEP cheapest pair arcs of each session, then proved optimal on the whole network: a
# flow is a minimum-cost flow iff some node potential leaves no residual arc with a negative
# reduced cost.  The potential is the shortest distances from the source in the residual
# network (kept arcs, then the dropped arcs it finds violated, Bellman–Ford); dropped arcs still
# violated are added and the pruned network solved again; after PRUNE_SOLVES solves, the whole
# network.  Only the "score" objective (with the bypass, every node is reachable from the source).
PRUNE_KEEP = 150
PRUNE_RATIO = 4  # dense: more than PRUNE_RATIO × PRUNE_KEEP pairs per session
PRUNE_SOLVES = 3
PRUNE_EXTENSIONS = 4  # rounds of violated dropped arcs added to the shortest-path search
BF_ROUNDS = 200  # Bellman–Ford passes before giving up (a negative cycle: not optimal yet)
_FAR = np.iinfo(np.int64).max // 4


def _solve_subset(net: Network, arcs: IntArray, placements_first: bool) -> IntArray:
    """Optimal flow on the network restricted to ``arcs`` (flows in the order of ``arcs``)."""
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(net.tails[arcs], net.heads[arcs], net.capacities[arcs], net.costs[arcs])
    smcf.set_nodes_supplies(np.array([net.source, net.sink]), np.array([net.supply, -net.supply]))
    status = smcf.solve_max_flow_with_min_cost() if placements_first else smcf.solve()
    if status != smcf.OPTIMAL:
        raise FlowError(f"min-cost flow failed with status {status}")
    flows: IntArray = smcf.flows(np.arange(len(arcs)))
    return flows


def _cheapest_per_session(net: Network) -> npt.NDArray[np.bool_]:
    """Mask over the pair arcs: at least the PRUNE_KEEP cheapest of each session (costs in
    at most 1,024 buckets per session, a whole bucket kept)."""
    pair = slice(net.first_pair_arc, net.first_pair_arc + net.pairs)
    cost, heads = net.costs[pair], net.heads[pair]
    n_ses = net.n_nodes - net.first_session_node
    lo, span = int(cost.min()), int(cost.max()) - int(cost.min()) + 1
    buckets = min(span, 1024)
    slot = np.empty(net.pairs, dtype=np.int64)  # session × buckets + cost bucket
    for part in _chunks(net.pairs):
        slot[part] = (net.session_of[heads[part]] - net.first_session_node) * buckets
        slot[part] += (cost[part] - lo) * buckets // span
    counts = np.bincount(slot, minlength=n_ses * buckets).reshape(n_ses, buckets)
    enough = np.cumsum(counts, axis=1) >= PRUNE_KEEP
    last = np.where(enough.any(axis=1), np.argmax(enough, axis=1), buckets - 1)
    keep = np.empty(net.pairs, dtype=bool)
    for part in _chunks(net.pairs):
        keep[part] = slot[part] % buckets <= last[slot[part] // buckets]
    return keep


def _solve_pruned(net: Network) -> npt.NDArray[np.integer] | None:
    """An optimal flow of the whole network with its proof, or None (not proved)."""
    kept = np.ones(len(net.tails), dtype=bool)
    kept[net.first_pair_arc : net.first_pair_arc + net.pairs] = _cheapest_per_session(net)
    for _ in range(PRUNE_SOLVES):
        arcs = np.flatnonzero(kept)
        flows = np.zeros(len(net.tails), dtype=np.int32)  # at most the capacities
        flows[arcs] = _solve_subset(net, arcs, placements_first=False)
        violated = _violated_dropped_arcs(net, kept, flows)
        if violated is None:
            return flows
        if len(violated) == 0:
            return None
        kept[violated] = True
    return None


def _violated_dropped_arcs(
    net: Network, kept: npt.NDArray[np.bool_], flows: npt.NDArray[np.integer]
) -> IntArray | None:
    """None if a potential proves ``flows`` optimal on the whole network (every residual arc,
    dropped arcs included, has a reduced cost ≥ 0); else the dropped arcs to add."""
    t, h, w = net.tails, net.heads, net.costs
    forward, backward = kept & (flows < net.capacities), flows > 0
    res_t = np.concatenate((t[forward], h[backward]))
    res_h = np.concatenate((h[forward], t[backward]))
    res_w = np.concatenate((w[forward], -w[backward]))
    pair = slice(net.first_pair_arc, net.first_pair_arc + net.pairs)
    p_t, p_h, p_w, dropped = t[pair], h[pair], w[pair], ~kept[pair]
    dist = np.full(net.n_nodes, _FAR, dtype=np.int64)
    dist[net.source] = 0
    added = np.zeros(net.pairs, dtype=bool)
    violated = np.zeros(net.pairs, dtype=bool)
    for _ in range(PRUNE_EXTENSIONS):
        more = np.flatnonzero(added)
        converged = _shortest_distances(
            dist,
            np.concatenate((res_t, p_t[more])),
            np.concatenate((res_h, p_h[more])),
            np.concatenate((res_w, p_w[more])),
        )
        if not converged:  # a negative cycle (the flow is not optimal) or a slow search
            break
        # A diversity node the search did not reach takes its session's potential.
        pot = dist.copy()
        far = pot >= _FAR
        pot[far] = pot[net.session_of[far]]
        for part in _chunks(net.pairs):
            violated[part] = dropped[part] & (p_w[part] + pot[p_t[part]] - pot[p_h[part]] < 0)
        if not violated.any() and bool((res_w + pot[res_t] - pot[res_h] >= 0).all()):
            return None
        if not (violated & ~added).any():
            break
        added |= violated
    return net.first_pair_arc + np.flatnonzero(violated)


def _shortest_distances(dist: IntArray, t: NodeArray, h: NodeArray, w: IntArray) -> bool:
    """Bellman–Ford (vectorised passes) from the current ``dist``, in place; False if not
    settled within BF_ROUNDS passes."""
    order = np.argsort(h, kind="stable")
    t, h, w = t[order], h[order], w[order]
    starts = np.flatnonzero(np.concatenate(([True], h[1:] != h[:-1])))
    heads = h[starts]
    for _ in range(BF_ROUNDS):
        best = np.minimum.reduceat(dist[t] + w, starts)
        better = best < dist[heads]
        if not better.any():
            return True
        dist[heads[better]] = best[better]
    return False
