"""Geography that does not care where France is; the engine's contract (check_placements)."""

from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appariement import (
    Organisation,
    Problem,
    ProblemError,
    Request,
    RuleName,
    Session,
    check_placements,
    problem_from_dict,
    problem_to_dict,
    rules,
    solve,
)
from appariement.arrays import build_arrays
from appariement.eligibility import eligible_pairs
from appariement.generator import carry, generate, overseas_mix

LYON = (45.764, 4.836)
SAINT_DENIS_REUNION = (-20.882, 55.451)
POINTE_A_PITRE = (16.241, -61.533)
NOUMEA = (-22.276, 166.458)
MATA_UTU = (-13.282, -176.174)  # Wallis-et-Futuna, across the antimeridian from Nouméa
PAPEETE = (-17.535, -149.570)
OVERSEAS = (SAINT_DENIS_REUNION, POINTE_A_PITRE, NOUMEA, MATA_UTU, PAPEETE)
WINDOW = ((date(2025, 3, 3), date(2025, 3, 28)),)


def brute_force_pairs(a):
    r, s = np.meshgrid(np.arange(a.n_req), np.arange(a.n_ses), indexing="ij")
    r, s = r.ravel(), s.ravel()
    ok = np.ones(len(r), dtype=bool)
    for _, rule in rules.PAIR_RULES:
        ok &= rule(a, r, s)
    return list(zip(r[ok].tolist(), s[ok].tolist(), strict=True))


def index_pairs(problem):
    pairs = eligible_pairs(build_arrays(problem))
    return list(zip(pairs.r.tolist(), pairs.s.tolist(), strict=True))


def reunion_problem(max_distance_km):
    orgs = (Organisation("lyon", "Ville de Lyon", *LYON), Organisation("run", "Région Réunion", *SAINT_DENIS_REUNION))
    request = Request(
        id="r1",
        agent_id="a1",
        org_id="lyon",
        windows=WINDOW,
        lat=LYON[0],
        lon=LYON[1],
        max_distance_km=max_distance_km,
    )
    session = Session(
        id="s1",
        offer_id="f1",
        org_id="run",
        start=date(2025, 3, 10),
        end=date(2025, 3, 12),
        working_days=3,
        capacity=1,
        lat=SAINT_DENIS_REUNION[0],
        lon=SAINT_DENIS_REUNION[1],
    )
    return Problem(orgs, (request,), (session,))


def test_an_overseas_session_is_reachable_with_no_limit():
    solution = solve(reunion_problem(None))
    assert [(x.request_id, x.session_id) for x in solution.assignments] == [("r1", "s1")]
    assert solution.assignments[0].breakdown["distance"] > 0  # far, but not the antipode
    # With a limit, the 9,300 km trip is excluded by the distance rule.
    limited = solve(reunion_problem(5000.0))
    assert limited.unmatched[0].excluded == {"distance": 1}


def test_a_bad_coordinate_is_refused():
    problem = reunion_problem(None)
    bad = replace(problem, sessions=(replace(problem.sessions[0], lat=1e6),))
    with pytest.raises(ProblemError, match="session 's1': lat: must lie in -90..90"):
        solve(bad)
    d = problem_to_dict(problem)
    d["requests"][0]["lon"] = 200.0
    with pytest.raises(ProblemError, match="request 'r1': lon"):
        problem_from_dict(d)


@pytest.mark.parametrize("scattered", [False, True])
def test_mixed_metropolitan_and_overseas_instance_matches_the_full_product(scattered):
    problem = overseas_mix(generate("S", 3), scattered=scattered)
    pairs = index_pairs(problem)
    assert pairs == brute_force_pairs(build_arrays(problem))
    a = build_arrays(problem)
    far = [(r, s) for r, s in pairs if a.s_lat[s] < 30 or a.s_lon[s] < -20 or a.s_lon[s] > 40]
    assert far, "some overseas sessions must be eligible"
    solution = solve(problem)
    assert solution.metrics["eligible_pairs"] == len(pairs)


def test_the_overseas_mix_carries_whole_areas_keeping_every_distance():
    metro = generate("M", 1)
    mixed = overseas_mix(metro, unlimited_every=None)
    assert mixed == overseas_mix(metro, unlimited_every=None)  # deterministic
    before, after = build_arrays(metro), build_arrays(mixed)
    moved = [s for s in range(before.n_ses) if (before.s_lat[s], before.s_lon[s]) != (after.s_lat[s], after.s_lon[s])]
    # About a fifth of the organisations, each territory's area centred on its point.
    assert 0.15 < len({metro.sessions[s].org_id for s in moved}) / len(metro.organisations) < 0.3
    assert all(-180 <= x.lon <= 180 and -90 <= x.lat <= 90 for x in (*mixed.requests, *mixed.sessions))
    assert {(x.lat, x.lon) for x in mixed.organisations} >= set(OVERSEAS)
    # Within an area (same territory), every distance is kept to the rounding of the coordinates.
    r, s = np.meshgrid(np.arange(before.n_req), moved, indexing="ij")
    r, s = r.ravel(), s.ravel()
    same = rules.pair_km(after, r, s) < 1000
    assert same.any()
    km_before, km_after = rules.pair_km(before, r[same], s[same]), rules.pair_km(after, r[same], s[same])
    assert np.abs(km_after - km_before).max() < 0.01
    # So the round keeps about as many eligible pairs: only those crossing an area's edge go.
    n_before, n_after = len(index_pairs(metro)), len(index_pairs(mixed))
    assert 0.97 * n_before < n_after <= n_before


def test_carrying_an_area_across_the_antimeridian_keeps_its_distances():
    rng = np.random.default_rng(0)
    points = np.stack([LYON[0] + rng.uniform(-3, 3, 200), LYON[1] + rng.uniform(-8, 8, 200)], axis=-1)
    carried = carry(points, LYON, MATA_UTU)
    assert (carried[:, 1] > 170).any() and (carried[:, 1] < -170).any()  # both sides of it
    assert (np.abs(carried[:, 1]) <= 180).all()
    i, j = np.triu_indices(len(points), 1)
    km = rules.haversine_km(*points[i].T, *points[j].T)
    km_carried = rules.haversine_km(*carried[i].T, *carried[j].T)
    assert np.abs(km_carried - km).max() < 1e-6
    assert carry(np.array([LYON]), LYON, MATA_UTU) == pytest.approx(np.array([MATA_UTU]))


POINTS = st.tuples(st.floats(-90, 90), st.floats(-180, 180))


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(
    requests=st.lists(
        st.tuples(POINTS, st.sampled_from([None, 0.0, 10.0, 500.0, 3000.0, 15000.0, 30000.0])), min_size=1, max_size=8
    ),
    sessions=st.lists(st.tuples(POINTS, st.booleans()), min_size=1, max_size=8),
)
def test_the_place_index_never_loses_a_pair_anywhere_on_earth(requests, sessions):
    # Poles, the antimeridian, no limit, limits beyond half the Earth: the index equals the product.
    orgs = (Organisation("home", "", 0.0, 0.0), Organisation("host", "", 0.0, 0.0))
    reqs = tuple(
        Request(id=f"r{i}", agent_id=f"a{i}", org_id="home", windows=WINDOW, lat=lat, lon=lon, max_distance_km=km)
        for i, ((lat, lon), km) in enumerate(requests)
    )
    sess = tuple(
        Session(
            id=f"s{j}",
            offer_id="f",
            org_id="host",
            start=date(2025, 3, 10),
            end=date(2025, 3, 12),
            working_days=3,
            capacity=1,
            lat=lat,
            lon=lon,
            remote=remote,
        )
        for j, ((lat, lon), remote) in enumerate(sessions)
    )
    problem = Problem(orgs, reqs, sess)
    problem.validate()
    assert index_pairs(problem) == brute_force_pairs(build_arrays(problem))


def test_check_placements_names_each_broken_rule():
    problem = reunion_problem(50.0)
    check = check_placements(problem, [("r1", "s1")])
    assert check.by_pair[("r1", "s1")] == (RuleName.DISTANCE,)
    assert check.broken == (RuleName.DISTANCE,)
    assert not check.ok
    check = check_placements(reunion_problem(None), [("r1", "s1")])
    assert check.ok and check.by_pair[("r1", "s1")] == ()
    # A request or session not in the round: closed.
    check = check_placements(reunion_problem(None), [("r1", "s1"), ("r9", "s1")])
    assert check.by_pair[("r9", "s1")] == (RuleName.CLOSED,)
    assert check.broken == (RuleName.CLOSED,)


def test_check_placements_sees_assignment_rules():
    problem = generate("S", 2)
    solution = solve(problem)
    placed = [(x.request_id, x.session_id) for x in solution.assignments]
    assert check_placements(problem, placed).ok
    full = next(
        x
        for x in solution.assignments
        if sum(y.session_id == x.session_id for y in solution.assignments)
        == next(s.capacity for s in problem.sessions if s.id == x.session_id)
    )
    other = next(u.request_id for u in solution.unmatched if any(b.session_id == full.session_id for b in u.sessions))
    check = check_placements(problem, [*placed, (other, full.session_id)])
    assert RuleName.CAPACITY in check.broken
    twice = check_placements(problem, [*placed, (placed[0][0], placed[1][1])])
    assert RuleName.ONE_PLACEMENT_PER_REQUEST in twice.broken


def test_every_rule_name_is_a_rule_the_engine_reports():
    assert {name for name, _ in rules.PAIR_RULES} <= set(RuleName)
    assert RuleName("closed") is RuleName.CLOSED
    assert all(isinstance(name, str) for name in RuleName)
