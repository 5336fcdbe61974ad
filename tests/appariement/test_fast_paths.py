"""The command line's fast paths give the same bytes as the plain ones: JSON writing, the
nearest sessions of an unmatched request, distances from per-point trigonometry, and a
solve that skips the second validation and the outlooks it does not print."""

import json
import math
from enum import IntEnum, StrEnum

import numpy as np
import pytest

from appariement import solve
from appariement.arrays import Geo
from appariement.explain import nearest_per_request
from appariement.generator import generate
from appariement.jsonio import dumps_problem, loads_problem
from appariement.jsonwrite import dumps_sorted
from appariement.rules import haversine_km, pair_km


class Colour(StrEnum):
    RED = "red"


class Level(IntEnum):
    HIGH = 3


DOCUMENTS = [
    {},
    [],
    {"b": [1, 2.5, None, True, False], "a": {"z": {}, "y": []}, "é": 'ça « va » \n\t"\\ \x00 \u2028'},
    [(1, 2), [], [[]], {"k": [{"x": -0.0, "y": 1e300, "z": 123456789012345678901234567890}]}],
    {"nan": math.nan, "inf": math.inf, "-inf": -math.inf, "small": 5e-324},
    {"enum": Colour.RED, "int_enum": Level.HIGH, "bool_key_values": [True, 1, 0, False]},
    {2: "int keys", 1: "b"},  # non-string keys: the standard library's own handling
    {2.5: 2, 1.5: 3},
    {"a": {None: 1}},
    [{"a": 1, "b": {"c": [1, {"d": None}]}}] * 3,
]


@pytest.mark.parametrize("doc", DOCUMENTS)
def test_dumps_sorted_is_json_dumps(doc):
    assert dumps_sorted(doc) == json.dumps(doc, sort_keys=True, indent=1, ensure_ascii=False)


def test_dumps_sorted_refuses_what_json_refuses():
    with pytest.raises(TypeError):
        dumps_sorted({"a": object()})
    loop: list[object] = []
    loop.append(loop)
    with pytest.raises(ValueError):
        dumps_sorted(loop)


@pytest.mark.parametrize("seed", range(5))
def test_nearest_per_request_is_the_sorted_order(seed):
    rng = np.random.default_rng(seed)
    r = np.sort(rng.integers(0, 50, 2_000)).astype(np.int32)
    dist = rng.integers(0, 30, len(r)).astype(np.int64)  # many ties
    for k in (1, 3, 40):
        order = np.argsort((r.astype(np.int64) << 30) | dist, kind="stable")
        first = np.searchsorted(r[order], r[order], side="left")
        expected = order[np.arange(len(order)) - first < k]
        assert np.array_equal(nearest_per_request(r, dist, k), expected)
    assert len(nearest_per_request(r[:0], dist[:0], 3)) == 0


def test_pair_km_is_haversine_bit_for_bit():
    rng = np.random.default_rng(7)
    n = 50_000
    lat1, lon1 = rng.uniform(-90, 90, n), rng.uniform(-180, 180, n)
    lat2, lon2 = rng.uniform(-90, 90, n), rng.uniform(-180, 180, n)
    lat2[:100], lon2[:100] = lat1[:100], lon1[:100]  # same point
    lat2[100:200], lon2[100:200] = -lat1[100:200], lon1[100:200] + 180  # antipodes
    lat1[200:210] = 90.0  # a pole

    class Points:
        r_geo = Geo.of(lat1, lon1)
        s_geo = Geo.of(lat2, lon2)

    i = np.arange(n)
    got = pair_km(Points(), i, i)  # type: ignore[arg-type]
    assert np.array_equal(got.view(np.int64), haversine_km(lat1, lon1, lat2, lon2).view(np.int64))


@pytest.mark.parametrize("size", ["S", "M"])
def test_command_line_solve_is_the_plain_solve(size):
    problem = generate(size, 3)
    plain = solve(problem).to_json(stats=False)
    fast = solve(loads_problem(dumps_problem(problem)), validated=True, with_outlooks=False)
    assert fast.to_json(stats=False) == plain
    assert all(u.outlook is None for u in fast.unmatched)
    with_outlooks = solve(problem, validated=True)
    assert with_outlooks.to_json(stats=False, outlooks=True) == solve(problem).to_json(stats=False, outlooks=True)


@pytest.mark.parametrize("seed", range(3))
def test_tracker_continuity_check_is_the_rule(seed):
    """The tracker's day loads say CONTINUITY exactly when the rule breaks with the pair added."""
    from appariement.engine import prepare
    from appariement.rules import RuleName, broken_rules
    from appariement.tracker import Blocker, Tracker, fill

    p = generate("S", seed, continuity=2, congested=True)
    ctx = prepare(p)
    a, pr, ps = ctx.a, ctx.pairs.r, ctx.pairs.s
    rng = np.random.default_rng(seed)
    x = fill(ctx, np.zeros(len(pr), dtype=bool))  # a feasible assignment, every seat it can fill
    t = Tracker(ctx, x)
    placed = np.flatnonzero(x)
    for q in rng.choice(placed, 20, replace=False).tolist():
        t.remove(q)  # free a few seats so that continuity is what blocks
    checked = 0
    for q in rng.permutation(len(pr))[:600].tolist():
        why = t.blocker(q)
        if why not in (None, Blocker.CONTINUITY):
            continue
        y = t.x.copy()
        y[q] = True
        assert (why == Blocker.CONTINUITY) == (RuleName.CONTINUITY in broken_rules(a, pr[y], ps[y]))
        checked += why == Blocker.CONTINUITY
    assert checked > 0
