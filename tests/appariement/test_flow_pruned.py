"""Dense networks: the pruned flow with its optimality proof gives the flow optimum."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from appariement import flow, rules
from appariement.context import objective_parts
from appariement.engine import prepare
from appariement.generator import generate


def value(ctx, x, extra=None) -> int:
    """What the flow maximises: the objective, less the extra costs of the chosen pairs."""
    return objective_parts(ctx, x)["total"] - (int(extra[x].sum()) if extra is not None else 0)


def with_pins_or_forbidden(problem, which: str, seed: int):
    """A fifth of the flow optimum's placements pinned (or forbidden)."""
    ctx = prepare(problem)
    placed = np.flatnonzero(flow.solve_flow(ctx))
    pick = np.random.default_rng(seed).choice(placed, size=max(1, len(placed) // 5), replace=False)
    pairs = tuple((problem.requests[ctx.pairs.r[p]].id, problem.sessions[ctx.pairs.s[p]].id) for p in pick)
    return replace(problem, **{which: pairs})


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize(
    "variant", ["plain", "diversity_1", "no_diversity", "floor", "pins", "forbidden", "extra_cost"]
)
def test_pruned_flow_is_the_flow_optimum(monkeypatch, seed, variant):
    settings = {"diversity_1": {"diversity": 1}, "no_diversity": {"diversity": None}, "floor": {"fairness_floor": 0.6}}
    problem = generate("S", seed, **settings.get(variant, {}))
    if variant in ("pins", "forbidden"):
        problem = with_pins_or_forbidden(problem, variant, seed)
    ctx = prepare(problem)
    extra = None
    if variant == "extra_cost":
        extra = np.random.default_rng(seed).integers(0, 400, size=len(ctx.pairs)).astype(np.int64)
    monkeypatch.setattr(flow, "PRUNE_RATIO", 0)  # every network is dense
    whole = flow.solve_flow(ctx, extra, prune=False)
    for keep in (1, 3, 10):
        monkeypatch.setattr(flow, "PRUNE_KEEP", keep)
        x = flow.solve_flow(ctx, extra)
        assert value(ctx, x, extra) == value(ctx, whole, extra)
        assert not rules.broken_rules(ctx.a, ctx.pairs.r[x], ctx.pairs.s[x])
        assert x[ctx.pinned].all()


def test_the_proof_rejects_a_flow_that_is_not_optimal(monkeypatch):
    """Each session's best pair alone is not enough on S: the proof must say so."""
    monkeypatch.setattr(flow, "PRUNE_KEEP", 1)
    ctx = prepare(generate("S", 1))
    free = np.flatnonzero(ctx.free_mask())
    net = flow.build_network(ctx, free, None, bypass=True, dense=True)
    kept = np.ones(len(net.tails), dtype=bool)
    kept[net.first_pair_arc : net.first_pair_arc + net.pairs] = flow._cheapest_per_session(net)
    arcs = np.flatnonzero(kept)
    flows = np.zeros(len(net.tails), dtype=np.int64)
    flows[arcs] = flow._solve_subset(net, arcs, placements_first=False)
    whole = flow._solve_subset(net, np.arange(len(net.tails)), placements_first=False)
    assert int(net.costs @ flows) > int(net.costs @ whole)  # worse than the optimum
    violated = flow._violated_dropped_arcs(net, kept, flows)
    assert violated is not None and len(violated) > 0
    # The optimum itself is proved (all arcs kept but the unused pair arcs), given enough
    # rounds of violated arcs added to the shortest-path search.
    monkeypatch.setattr(flow, "PRUNE_EXTENSIONS", 100)
    pair = slice(net.first_pair_arc, net.first_pair_arc + net.pairs)
    kept = np.ones(len(net.tails), dtype=bool)
    kept[pair] = whole[pair] > 0
    assert flow._violated_dropped_arcs(net, kept, whole) is None
