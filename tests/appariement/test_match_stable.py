"""Stable mode held against the `matching` library on the same preferences."""

from dataclasses import replace

import numpy as np
import pytest
from matching.games import HospitalResident

from appariement.engine import prepare
from appariement.generator import generate, small_problem
from appariement.stable import blocking_pairs, deferred_acceptance


def preferences(ctx):
    """The engine's strict preferences, in the matching library's dictionary form."""
    a, pr, ps = ctx.a, ctx.pairs.r, ctx.pairs.s
    residents, hospitals = {}, {}
    for r in np.unique(pr).tolist():
        mine = np.flatnonzero(pr == r)
        mine = mine[np.argsort(-ctx.scores.agent_key[mine], kind="stable")]
        residents[a.req_ids[r]] = [a.ses_ids[s] for s in ps[mine].tolist()]
    for s in np.unique(ps).tolist():
        mine = np.flatnonzero(ps == s)
        mine = mine[np.argsort(-ctx.scores.host_key[mine], kind="stable")]
        hospitals[a.ses_ids[s]] = [a.req_ids[r] for r in pr[mine].tolist()]
    capacities = {h: int(a.s_cap[a.ses_ids.index(h)]) for h in hospitals}
    return residents, hospitals, capacities


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_deferred_acceptance_equals_matching_library(seed):
    # The library knows no diversity quota: compare on capacities alone.
    problem = generate("XS", seed, diversity=None, mode="stable")
    ctx = prepare(problem)
    ours = deferred_acceptance(ctx)
    residents, hospitals, capacities = preferences(ctx)
    game = HospitalResident.create_from_dictionaries(residents, hospitals, capacities)
    theirs = game.solve(optimal="resident")
    assert game.check_validity()
    assert game.check_stability()
    pairs = zip(ctx.pairs.r, ctx.pairs.s, strict=True)
    index = {(ctx.a.req_ids[r], ctx.a.ses_ids[s]): p for p, (r, s) in enumerate(pairs)}
    x_lib = np.zeros(len(ctx.pairs), dtype=bool)
    for hospital, matched in theirs.items():
        for resident in matched:
            x_lib[index[(resident.name, hospital.name)]] = True
    assert blocking_pairs(ctx, ours) == 0
    assert blocking_pairs(ctx, x_lib) == 0
    # The resident-optimal stable matching is unique: both must find the same one.
    assert (ours == x_lib).all()
    assert ours.sum() > 0


def test_stable_mode_with_diversity_has_no_blocking_pair():
    problem = generate("S", 3, mode="stable", diversity=1)
    ctx = prepare(problem)
    x = deferred_acceptance(ctx)
    assert blocking_pairs(ctx, x) == 0
    # ...while the score-optimal flow solution has some on this instance.
    from appariement.flow import solve_flow

    assert blocking_pairs(ctx, solve_flow(ctx)) > 0


def test_blocking_pairs_counts_a_real_blocking_pair():
    problem = small_problem(7, n_req=4, n_ses=2, n_org=3, diversity=None, mode="stable")
    ctx = prepare(problem)
    x = deferred_acceptance(ctx)
    if not x.any():
        pytest.skip("no placement in this instance")
    # Unplace one agent: the seat is free and the agent prefers it to nothing.
    p = int(np.flatnonzero(x)[0])
    x2 = x.copy()
    x2[p] = False
    assert blocking_pairs(ctx, x2) >= 1


def test_stable_solution_reports_zero_blocking_pairs():
    from appariement import solve

    problem = replace(generate("S", 2), settings=replace(generate("S", 2).settings, mode="stable"))
    solution = solve(problem)
    assert solution.metrics["blocking_pairs"] == 0
    assert solution.solver["method"] == "deferred_acceptance"
