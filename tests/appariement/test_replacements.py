"""replacement_options: the sessions one placement could move to, as check_placements would judge them."""

from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appariement import RuleName, check_placements, replacement_options, solve
from appariement.arrays import build_arrays
from appariement.generator import small_problem
from appariement.scoring import PAIR_TERMS, pair_points

SETTINGS = dict(max_examples=80, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def problems(draw):
    return small_problem(
        draw(st.integers(0, 10_000)),
        n_req=draw(st.integers(2, 7)),
        n_ses=draw(st.integers(1, 5)),
        n_org=draw(st.integers(2, 4)),
        diversity=draw(st.sampled_from([None, 1, 2])),
        continuity=draw(st.sampled_from([None, 1, 2])),
        continuity_scope=draw(st.sampled_from(["organisation", "team"])),
        time_limit=5.0,
    )


@settings(**SETTINGS)
@given(problems(), st.data())
def test_each_option_is_what_check_placements_says(problem, data):
    """Whatever the other placements (even ones that break rules on their own), an option is valid exactly
    when check_placements accepts the whole set, and names the same rules."""
    requests = [r.id for r in problem.requests]
    sessions = [s.id for s in problem.sessions]
    moving = data.draw(st.sampled_from(requests))
    others = data.draw(
        st.lists(st.tuples(st.sampled_from(requests), st.sampled_from(sessions)), max_size=6, unique_by=lambda p: p[0])
    )
    if data.draw(st.booleans()):  # the round's own placements: the rules the move adds are what counts
        others = [(x.request_id, x.session_id) for x in solve(problem).assignments]
    others = [(r, s) for r, s in others if r != moving]
    options = replacement_options(problem, moving, others)
    assert sorted(o.session_id for o in options) == sorted(sessions)
    for option in options:
        check = check_placements(problem, [*others, (moving, option.session_id)])
        assert option.broken == tuple(b for b in check.broken if b != RuleName.PINS), option
    # Valid ones first, each group best score first.
    keys = [(not o.ok, -o.score) for o in options]
    assert keys == sorted(keys)


def test_scores_are_the_engines_own():
    """The score of an option is what the round gives the same pair (its assignments' breakdowns)."""
    problem = small_problem(11, n_req=6, n_ses=4, n_org=3)
    solution = solve(problem)
    assert solution.assignments
    placed = [(x.request_id, x.session_id) for x in solution.assignments]
    for assignment in solution.assignments:
        others = [p for p in placed if p[0] != assignment.request_id]
        (option,) = replacement_options(problem, assignment.request_id, others, [assignment.session_id])
        assert option.ok
        assert option.score == assignment.score
        assert dict(option.breakdown) == dict(assignment.breakdown)
        assert sum(option.breakdown.values()) == option.score


def test_score_of_an_ineligible_pair_is_still_computed():
    problem = small_problem(3, n_req=3, n_ses=3, n_org=2)
    a = build_arrays(problem)
    options = {o.session_id: o for o in replacement_options(problem, a.req_ids[0], [])}
    points = pair_points(a, np.zeros(a.n_ses, dtype=np.int64), np.arange(a.n_ses))
    weights = problem.settings.weights
    for j, sid in enumerate(a.ses_ids):
        expected = sum(getattr(weights, t) * int(points[t][j]) for t in PAIR_TERMS)
        assert options[sid].score == expected


def test_a_full_session_is_refused_by_capacity_and_unknown_ids_are_closed():
    problem = small_problem(5, n_req=4, n_ses=2, n_org=3, diversity=None)
    problem = replace(problem, sessions=tuple(replace(s, capacity=1) for s in problem.sessions))
    r0, r1 = problem.requests[0].id, problem.requests[1].id
    s0 = problem.sessions[0].id
    (option,) = replacement_options(problem, r0, [(r1, s0)], [s0])
    assert RuleName.CAPACITY in option.broken and not option.ok
    (closed,) = replacement_options(problem, r0, [], ["nowhere"])
    assert closed.broken == (RuleName.CLOSED,) and closed.score == 0
    assert all(o.broken == (RuleName.CLOSED,) for o in replacement_options(problem, "nobody", []))


def test_its_own_current_placement_does_not_count_against_it():
    problem = small_problem(7, n_req=3, n_ses=2, n_org=3, diversity=None)
    problem = replace(problem, sessions=tuple(replace(s, capacity=1) for s in problem.sessions))
    r0, s0 = problem.requests[0].id, problem.sessions[0].id
    (option,) = replacement_options(problem, r0, [(r0, s0)], [s0])
    assert RuleName.CAPACITY not in option.broken
