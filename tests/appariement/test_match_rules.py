"""Each hard rule, tested as a pair: one case where it holds, one where it is broken."""

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from appariement import Organisation, Problem, Request, Session, Settings, rules
from appariement.arrays import build_arrays

LYON = (45.764, 4.836)
GRENOBLE = (45.188, 5.724)  # about 95 km from Lyon

ORGS = (
    Organisation("home", "Ville de Lyon", *LYON),
    Organisation("host", "Grenoble-Alpes Métropole", *GRENOBLE),
    Organisation("near", "Ville de Caluire-et-Cuire", 45.795, 4.846),
)

REQ = Request(
    id="r1",
    agent_id="a1",
    org_id="home",
    windows=((date(2025, 3, 3), date(2025, 3, 28)),),
    lat=LYON[0],
    lon=LYON[1],
    current_skills={"sig": 3},
    min_days=2,
    max_days=5,
    max_distance_km=20,
    quota_days=20,
)
SES = Session(
    id="s1",
    offer_id="f1",
    org_id="near",
    start=date(2025, 3, 10),
    end=date(2025, 3, 12),
    working_days=3,
    capacity=2,
    lat=45.795,
    lon=4.846,
)


def pair_holds(rule, req=REQ, ses=SES, **problem) -> bool:
    p = Problem(ORGS, (req,), (ses,), **problem)
    p.validate()
    a = build_arrays(p)
    return bool(rule(a, np.array([0]), np.array([0]))[0])


def test_own_organisation():
    assert pair_holds(rules.own_organisation)
    assert not pair_holds(rules.own_organisation, ses=replace(SES, org_id="home"))


def test_dates():
    assert pair_holds(rules.dates)
    late = replace(SES, start=date(2025, 3, 27), end=date(2025, 3, 31))  # ends after the window
    assert not pair_holds(rules.dates, ses=late)


def test_dates_any_window():
    two = replace(REQ, windows=((date(2025, 1, 6), date(2025, 1, 10)), (date(2025, 3, 10), date(2025, 3, 12))))
    assert pair_holds(rules.dates, req=two)
    assert not pair_holds(rules.dates, req=replace(two, windows=two.windows[:1]))


def test_duration():
    assert pair_holds(rules.duration)
    assert not pair_holds(rules.duration, ses=replace(SES, working_days=6, end=date(2025, 3, 17)))
    assert not pair_holds(rules.duration, req=replace(REQ, min_days=4))


def test_quota():
    assert pair_holds(rules.quota)
    assert not pair_holds(rules.quota, req=replace(REQ, quota_days=2))


def test_distance():
    assert pair_holds(rules.distance)
    far = replace(SES, org_id="host", lat=GRENOBLE[0], lon=GRENOBLE[1])
    assert not pair_holds(rules.distance, ses=far)
    assert pair_holds(rules.distance, ses=replace(far, remote=True))  # remote: no distance limit


def test_prerequisites():
    assert pair_holds(rules.prerequisites, ses=replace(SES, prerequisites={"sig": 3}))
    assert not pair_holds(rules.prerequisites, ses=replace(SES, prerequisites={"sig": 4}))
    assert not pair_holds(rules.prerequisites, ses=replace(SES, prerequisites={"paie": 1}))


def test_forbidden():
    assert pair_holds(rules.not_forbidden)
    assert not pair_holds(rules.not_forbidden, forbidden=(("r1", "s1"),))


# ---- assignment rules: the assignment is given as (request indices, session indices) ----


def arrays_for(n_req=3, n_ses=2, **settings):
    reqs = tuple(replace(REQ, id=f"r{i}", agent_id=f"a{i}") for i in range(n_req))
    sess = tuple(replace(SES, id=f"s{j}") for j in range(n_ses))
    return build_arrays(Problem(ORGS, reqs, sess, Settings(**settings)))


def test_one_placement_per_request():
    a = arrays_for()
    assert rules.one_placement_per_request(a, np.array([0, 1]), np.array([0, 0]))
    assert not rules.one_placement_per_request(a, np.array([0, 0]), np.array([0, 1]))


def test_capacity():
    a = arrays_for()  # capacity 2
    assert rules.capacity(a, np.array([0, 1]), np.array([0, 0]))
    assert not rules.capacity(a, np.array([0, 1, 2]), np.array([0, 0, 0]))


def test_diversity():
    a = arrays_for()  # all three requests come from "home"
    assert rules.diversity(a, np.array([0, 1]), np.array([0, 1]), 1)
    assert not rules.diversity(a, np.array([0, 1]), np.array([0, 0]), 1)
    assert rules.diversity(a, np.array([0, 1]), np.array([0, 0]), None)


def test_continuity():
    a = arrays_for(n_ses=2, continuity=1)  # both sessions on the same days
    assert rules.continuity(a, np.array([0]), np.array([0]), 1)
    assert not rules.continuity(a, np.array([0, 1]), np.array([0, 1]), 1)
    assert rules.continuity(a, np.array([0, 1]), np.array([0, 1]), 2)


def test_continuity_disjoint_days():
    reqs = tuple(replace(REQ, id=f"r{i}", agent_id=f"a{i}") for i in range(2))
    later = replace(SES, id="s1", start=date(2025, 3, 13), end=date(2025, 3, 14), working_days=2)
    a = build_arrays(Problem(ORGS, reqs, (replace(SES, id="s0"), later)))
    assert rules.continuity(a, np.array([0, 1]), np.array([0, 1]), 1)


def test_continuity_by_team():
    reqs = (replace(REQ, id="r0", team="t1"), replace(REQ, id="r1", agent_id="a2", team="t2"))
    sess = (replace(SES, id="s0"), replace(SES, id="s1"))
    by_team = build_arrays(Problem(ORGS, reqs, sess, Settings(continuity=1, continuity_scope="team")))
    by_org = build_arrays(Problem(ORGS, reqs, sess, Settings(continuity=1)))
    assert rules.continuity(by_team, np.array([0, 1]), np.array([0, 1]), 1)
    assert not rules.continuity(by_org, np.array([0, 1]), np.array([0, 1]), 1)


def test_pins_held():
    reqs = tuple(replace(REQ, id=f"r{i}", agent_id=f"a{i}") for i in range(2))
    a = build_arrays(Problem(ORGS, reqs, (SES,), pins=(("r1", "s1"),)))
    assert rules.pins_held(a, np.array([1]), np.array([0]))
    assert not rules.pins_held(a, np.array([0]), np.array([0]))


@pytest.mark.parametrize("name", [n for n, _ in rules.PAIR_RULES])
def test_every_pair_rule_has_a_one_line_docstring(name):
    rule = dict(rules.PAIR_RULES)[name]
    assert rule.__doc__ and "\n" not in rule.__doc__.strip()
