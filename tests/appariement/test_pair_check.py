"""check_pairs: each pair rule, once holding and once broken with the right figures; closed pairs;
agreement with the engine's eligibility."""

from dataclasses import replace
from datetime import date

import pytest

from appariement import (
    Closed,
    DurationOutside,
    Forbidden,
    MissingSkill,
    Organisation,
    OutsideWindows,
    OverQuota,
    OwnOrganisation,
    PrerequisitesMissing,
    Problem,
    ProblemError,
    Request,
    RuleName,
    Session,
    TooFar,
    check_pairs,
    rules,
)
from appariement.arrays import build_arrays
from appariement.eligibility import eligible_pairs
from appariement.generator import generate

LYON = (45.764, 4.836)
GRENOBLE = (45.188, 5.724)  # about 95 km from Lyon
CALUIRE = (45.795, 4.846)  # about 3.5 km from Lyon

ORGS = (
    Organisation("home", "Ville de Lyon", *LYON),
    Organisation("near", "Ville de Caluire-et-Cuire", *CALUIRE),
    Organisation("far", "Grenoble-Alpes Métropole", *GRENOBLE),
)
WINDOW = (date(2027, 3, 1), date(2027, 3, 26))
REQ = Request(
    id="r1",
    agent_id="a1",
    org_id="home",
    windows=(WINDOW,),
    lat=LYON[0],
    lon=LYON[1],
    current_skills={"sig": 2},
    min_days=2,
    max_days=5,
    max_distance_km=50,
    quota_days=20,
)
SES = Session(
    id="s1",
    offer_id="f1",
    org_id="near",
    start=date(2027, 3, 8),
    end=date(2027, 3, 10),
    working_days=3,
    capacity=2,
    lat=CALUIRE[0],
    lon=CALUIRE[1],
)


def check(req=REQ, ses=SES, **problem):
    (result,) = check_pairs(Problem(ORGS, (req,), (ses,), **problem), [(req.id, ses.id)])
    return result


def test_an_eligible_pair_breaks_nothing_and_carries_its_distance():
    result = check()
    assert result.ok and result.failures == () and result.broken == ()
    assert result.distance_km == pytest.approx(3.5, abs=0.2)


def test_own_organisation():
    assert check(ses=replace(SES, org_id="near")).ok
    result = check(ses=replace(SES, org_id="home"))
    assert result.failures == (OwnOrganisation("home"),)
    assert result.broken == (RuleName.OWN_ORGANISATION,)


def test_dates_name_the_session_and_the_windows():
    assert check(ses=replace(SES, start=date(2027, 3, 24), end=date(2027, 3, 26))).ok  # ends on the last day
    late = replace(SES, start=date(2027, 3, 25), end=date(2027, 3, 29))
    assert check(ses=late).failures == (OutsideWindows(date(2027, 3, 25), date(2027, 3, 29), (WINDOW,)),)


def test_duration_gives_the_days_and_the_range():
    assert check(ses=replace(SES, working_days=5, end=date(2027, 3, 12))).ok
    long = replace(SES, working_days=10, end=date(2027, 3, 19))
    assert check(ses=long).failures == (DurationOutside(10, 2, 5),)


def test_quota_gives_the_days_left():
    assert check(req=replace(REQ, quota_days=3)).ok
    assert check(req=replace(REQ, quota_days=2)).failures == (OverQuota(3, 2),)


def test_distance_gives_the_kilometres_and_the_limit():
    at_grenoble = replace(SES, org_id="far", lat=GRENOBLE[0], lon=GRENOBLE[1])
    assert check(req=replace(REQ, max_distance_km=100), ses=at_grenoble).ok
    (too_far,) = check(ses=at_grenoble).failures
    assert isinstance(too_far, TooFar)
    assert too_far.max_distance_km == 50 and too_far.distance_km == pytest.approx(95, abs=3)
    # Same figure as the engine's rule measures.
    arrays = build_arrays(Problem(ORGS, (REQ,), (at_grenoble,)))
    expected = rules.haversine_km(arrays.r_lat, arrays.r_lon, arrays.s_lat, arrays.s_lon)[0]
    assert too_far.distance_km == pytest.approx(expected)
    # A remote session is never too far, and no limit is no limit.
    assert check(ses=replace(at_grenoble, remote=True)).ok
    assert check(req=replace(REQ, max_distance_km=None), ses=at_grenoble).ok


def test_prerequisites_name_each_missing_skill_with_both_levels():
    assert check(ses=replace(SES, prerequisites={"sig": 2})).ok
    held = replace(REQ, current_skills={"sig": 2, "accueil": 1})
    result = check(req=held, ses=replace(SES, prerequisites={"sig": 3, "urbanisme": 1, "accueil": 1}))
    assert result.failures == (PrerequisitesMissing((MissingSkill("sig", 3, 2), MissingSkill("urbanisme", 1, 0))),)


def test_forbidden():
    assert check().ok
    result = check(forbidden=(("r1", "s1"),))
    assert result.failures == (Forbidden(),) and result.broken == (RuleName.FORBIDDEN,)


def test_a_pair_outside_the_problem_is_closed():
    problem = Problem(ORGS, (REQ,), (SES,))
    open_, gone, stranger = check_pairs(problem, [("r1", "s1"), ("r1", "s-gone"), ("r-x", "s1")])
    assert open_.ok
    assert gone.failures == (Closed(request_known=True, session_known=False),) and gone.distance_km is None
    assert stranger.broken == (RuleName.CLOSED,)


def test_every_broken_rule_is_reported_in_the_rules_order():
    bad = replace(
        SES,
        org_id="home",
        start=date(2027, 4, 5),
        end=date(2027, 4, 16),
        working_days=10,
        lat=GRENOBLE[0],
        lon=GRENOBLE[1],
        prerequisites={"sig": 4},
    )
    result = check(req=replace(REQ, quota_days=4), ses=bad, forbidden=(("r1", "s1"),))
    assert result.broken == tuple(name for name, _ in rules.PAIR_RULES)


def test_checks_come_back_in_the_order_given():
    second = replace(SES, id="s0", org_id="home")
    problem = Problem(ORGS, (REQ,), (SES, second))
    results = check_pairs(problem, [("r1", "s1"), ("r1", "s0"), ("r1", "s1")])
    assert [(c.session_id, c.ok) for c in results] == [("s1", True), ("s0", False), ("s1", True)]


def test_bad_input_is_refused_like_the_engine_does():
    with pytest.raises(ProblemError) as caught:
        check_pairs(Problem(ORGS, (replace(REQ, windows=()),), (SES,)), [("r1", "s1")])
    assert "request 'r1'" in str(caught.value) and "window" in str(caught.value)


def test_the_verdicts_agree_with_the_engine_eligibility_on_a_generated_round():
    problem = generate("S", seed=3)
    pairs = [(r.id, s.id) for r in problem.requests[:40] for s in problem.sessions]
    verdicts = {(c.request_id, c.session_id): c.ok for c in check_pairs(problem, pairs)}
    a = build_arrays(problem)
    found = eligible_pairs(a)
    eligible = {(a.req_ids[r], a.ses_ids[s]) for r, s in zip(found.r.tolist(), found.s.tolist(), strict=True)}
    assert {pair for pair, ok in verdicts.items() if ok} == {pair for pair in eligible if pair in verdicts}
    assert any(verdicts.values()) and not all(verdicts.values())
