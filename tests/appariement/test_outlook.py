"""The outlook of an unplaced request: small instances whose answer is known by construction, then every
change checked against the engine's own eligibility on a generated instance."""

import json
import math
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta

import pytest

from appariement import Organisation, Problem, Request, Session, Settings, solve
from appariement.arrays import build_arrays
from appariement.eligibility import eligible_pairs
from appariement.generator import generate
from appariement.outlook import DATE_SLACK_DAYS
from appariement.rules import EARTH_RADIUS_KM

LYON = (45.764, 4.836)
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180.0
MONDAY = date(2025, 3, 3)


def north_of_lyon(km: float) -> tuple[float, float]:
    """A point `km` due north of Lyon (along a meridian the great-circle distance is exact)."""
    return LYON[0] + km / KM_PER_DEGREE, LYON[1]


def org(org_id: str, km: float = 0.0) -> Organisation:
    return Organisation(org_id, org_id, *north_of_lyon(km))


def request(request_id: str = "r1", **changes) -> Request:
    base = Request(
        id=request_id,
        agent_id=f"a-{request_id}",
        org_id="home",
        windows=((MONDAY, MONDAY + timedelta(days=11)),),  # two working weeks, Monday to Friday
        lat=LYON[0],
        lon=LYON[1],
        min_days=2,
        max_days=5,
        max_distance_km=50,
        quota_days=20,
    )
    return replace(base, **changes)


def session(session_id: str, offer_id: str, km: float, start: date = MONDAY, days: int = 3, **changes) -> Session:
    end = start + timedelta(days=days - 1)
    lat, lon = north_of_lyon(km)
    return replace(Session(session_id, offer_id, f"host-{offer_id}", start, end, days, 1, lat, lon), **changes)


def outlook_of(problem: Problem, request_id: str = "r1"):
    solution = solve(problem)
    [unmatched] = [u for u in solution.unmatched if u.request_id == request_id]
    return unmatched, unmatched.outlook


def problem(requests, sessions, **settings) -> Problem:
    orgs = {"home": org("home")}
    for s in sessions:
        orgs.setdefault(s.org_id, Organisation(s.org_id, s.org_id, s.lat, s.lon))
    return Problem(tuple(orgs.values()), tuple(requests), tuple(sessions), Settings(**settings))


def test_only_session_twenty_km_past_the_limit_names_the_distance_that_opens_it():
    far = session("s1", "o1", km=69.7)  # 19.7 km past the 50 km limit
    farther = session("s2", "o2", km=75.0)  # past the proposed 70 km: not counted
    unmatched, outlook = outlook_of(problem([request(wishes=("o1",))], [far, farther]))
    assert unmatched.reason == "no_eligible_session"
    [change] = outlook.changes
    assert (change.rule, change.max_distance_km, change.offers, change.sessions) == ("distance", 70, 1, 1)
    assert change.offers_with_seats == 1
    [wish] = outlook.wishes
    assert (wish.offer_id, wish.rank, wish.state, wish.rules, wish.distance_km) == (
        "o1",
        1,
        "excluded",
        ("distance",),
        70,
    )
    assert outlook.max_distance_km == 50 and outlook.sessions_open == 2
    assert outlook.offers_with_seats == 1  # o2: o1 is a wish


def test_the_distance_figure_really_opens_the_session():
    p = problem([request()], [session("s1", "o1", km=69.7)])
    _unmatched, outlook = outlook_of(p)
    widened = replace(p, requests=(replace(p.requests[0], max_distance_km=outlook.changes[0].max_distance_km),))
    assert [a.session_id for a in solve(widened).assignments] == ["s1"]
    just_below = replace(p, requests=(replace(p.requests[0], max_distance_km=69),))
    assert solve(just_below).assignments == ()


def test_sessions_starting_the_week_after_the_availability_are_counted_with_the_first_start():
    window_end = MONDAY + timedelta(days=11)  # a Friday
    after = [
        session("s1", "o1", km=10, start=window_end + timedelta(days=3)),  # the Monday after
        session("s2", "o2", km=10, start=window_end + timedelta(days=6)),  # ends a day past the week
        session("s3", "o3", km=10, start=window_end + timedelta(days=DATE_SLACK_DAYS + 3)),  # two weeks on
        session("s4", "o4", km=10, start=window_end - timedelta(days=1), days=4),  # starts inside, ends after
    ]
    unmatched, outlook = outlook_of(problem([request()], after))
    assert unmatched.reason == "no_eligible_session" and unmatched.excluded == {"dates": 4}
    [change] = outlook.changes
    # Windows ending a week later hold s4 (ends on the Monday after) and s1 (ends on the Wednesday).
    assert change.rule == "dates" and change.extra_days == DATE_SLACK_DAYS
    assert (change.sessions, change.offers) == (2, 2)
    assert change.first_start == window_end - timedelta(days=1)


def test_all_wishes_taken_by_better_ranked_agents_and_the_offers_left_with_seats():
    second_week = MONDAY + timedelta(days=7)
    wished = [session("s1", "o1", km=10), session("s2", "o2", km=10, start=second_week)]
    elsewhere = [session("s3", "o3", km=78), session("s4", "o4", km=300)]  # beyond everyone's 50 km
    mine = request(wishes=("o1", "o2"))
    # Each rival is free for one wished session only, wishes it first and has waited longer: both rivals
    # placed (two first wishes, five rounds waited) beat any placement of mine.
    rivals = [
        request("x", wishes=("o1",), rounds_waited=5, windows=((MONDAY, MONDAY + timedelta(days=4)),)),
        request("y", wishes=("o2",), rounds_waited=5, windows=((second_week, second_week + timedelta(days=4)),)),
    ]
    unmatched, outlook = outlook_of(problem([mine, *rivals], [*wished, *elsewhere], diversity=None))
    assert unmatched.reason == "outcompeted" and unmatched.blocked == {"full": 2}
    assert [(w.offer_id, w.state) for w in outlook.wishes] == [("o1", "full"), ("o2", "full")]
    assert outlook.offers_with_seats == 2  # o3 and o4, not wished
    [change] = outlook.changes  # only sessions with a seat left count for an outcompeted request
    assert (change.rule, change.max_distance_km, change.offers) == ("distance", 80, 1)


def test_duration_moves_the_nearest_bound():
    sessions = [
        session("s1", "o1", km=10, days=7),
        session("s2", "o2", km=10, days=6),
        session("s3", "o3", km=10, days=6, start=MONDAY + timedelta(days=1)),
    ]
    _unmatched, outlook = outlook_of(problem([request(max_days=4, min_days=2)], sessions))
    [change] = outlook.changes
    assert (change.rule, change.max_days, change.min_days, change.offers, change.sessions) == (
        "duration",
        6,
        None,
        2,
        2,
    )
    shorter = [session("s1", "o1", km=10, days=1), session("s2", "o2", km=10, days=7)]
    _unmatched, outlook = outlook_of(problem([request(min_days=2, max_days=6)], shorter))
    [change] = outlook.changes
    assert (change.min_days, change.max_days, change.offers) == (1, None, 1)  # a tie: the shorter one


def test_prerequisites_are_told_as_a_profile_change():
    needs = session("s1", "o1", km=10, prerequisites={"sig": 3})
    _unmatched, outlook = outlook_of(problem([request(current_skills={"sig": 1})], [needs]))
    assert [(c.rule, c.offers) for c in outlook.changes] == [("prerequisites", 1)]


def test_no_single_change_when_two_rules_break_and_none_for_rules_the_agent_cannot_change():
    late_and_far = session("s1", "o1", km=90, start=MONDAY + timedelta(days=14))
    own = session("s2", "o2", km=10, org_id="home")
    unmatched, outlook = outlook_of(problem([request(wishes=("o1", "o2", "o9"))], [late_and_far, own]))
    assert unmatched.reason == "no_eligible_session" and outlook.changes == ()
    assert outlook.sessions_open == 1  # the home organisation's own session is not an option
    assert [(w.state, w.rules) for w in outlook.wishes] == [
        ("excluded", ("dates", "distance")),
        ("excluded", ("own_organisation",)),
        ("no_session", ()),
    ]


def test_the_outlook_is_in_the_json_form_and_does_not_depend_on_input_order():
    sessions = [session("s1", "o1", km=69.7), session("s2", "o2", km=10, start=MONDAY + timedelta(days=12))]
    p = problem([request(wishes=("o2", "o1")), request("r2", max_distance_km=5)], sessions)
    shuffled = replace(p, requests=p.requests[::-1], sessions=p.sessions[::-1])
    out = solve(p).to_json(stats=False, outlooks=True)
    assert out == solve(shuffled).to_json(stats=False, outlooks=True)
    assert "outlook" not in solve(p).to_json(stats=False)  # only when asked for
    entry = next(u for u in json.loads(out)["unmatched"] if u["request"] == "r1")
    assert entry["outlook"]["changes"][0] == {
        "rule": "distance",
        "offers": 1,
        "sessions": 1,
        "offers_with_seats": 1,
        "max_distance_km": 70,
    }
    assert entry["outlook"]["wishes"][1] == {
        "offer": "o1",
        "rank": 2,
        "state": "excluded",
        "rules": ["distance"],
        "distance_km": 70,
    }


def _eligible_sessions(p: Problem, r: Request) -> set[str]:
    """The sessions the engine's eligibility gives one request alone (its forbidden pairs kept)."""
    alone = replace(p, requests=(r,), pins=(), forbidden=tuple(f for f in p.forbidden if f[0] == r.id))
    ids = sorted(s.id for s in alone.sessions)
    return {ids[i] for i in eligible_pairs(build_arrays(alone)).s.tolist()}


@pytest.mark.parametrize("seed", [1, 2])
def test_every_change_opens_exactly_the_sessions_it_counts(seed):
    """On a generated round: applying a change alone makes eligible exactly the sessions the change counts
    (for an outcompeted request, those with a seat left), as the engine's own eligibility finds them."""
    p = generate("S", seed)
    solution = solve(p)
    requests = {r.id: r for r in p.requests}
    offer_of = {s.id: s.offer_id for s in p.sessions}
    used = Counter(a.session_id for a in solution.assignments)
    seat_left = {s.id for s in p.sessions if s.capacity > used[s.id]}
    checked = Counter()
    for u in solution.unmatched:
        r = requests[u.request_id]
        before = _eligible_sessions(p, r)
        for change in u.outlook.changes:
            if change.rule == "distance":
                changed = replace(r, max_distance_km=change.max_distance_km)
            elif change.rule == "dates":
                changed = replace(r, windows=tuple((a, b + timedelta(days=change.extra_days)) for a, b in r.windows))
            elif change.rule == "duration":
                changed = replace(r, min_days=change.min_days or r.min_days, max_days=change.max_days or r.max_days)
            else:
                continue
            opened = _eligible_sessions(p, changed) - before
            if u.reason == "outcompeted":
                opened &= seat_left
            assert len(opened) == change.sessions, (u.request_id, change)
            assert len({offer_of[s] for s in opened}) == change.offers
            assert len({offer_of[s] for s in opened & seat_left}) == change.offers_with_seats
            checked[u.reason, change.rule] += 1
    assert sum(checked.values()) >= 20 and len(checked) >= 4, checked


def test_wishes_for_offers_without_any_session_in_the_round():
    """No session of any wished offer in the round (none at all): each wish is told so, nothing breaks."""
    for sessions in ([], [session("s1", "o1", km=10, start=MONDAY + timedelta(days=40))]):
        _unmatched, outlook = outlook_of(problem([request(wishes=("o8", "o9"))], sessions))
        assert [(w.offer_id, w.state) for w in outlook.wishes] == [("o8", "no_session"), ("o9", "no_session")]
