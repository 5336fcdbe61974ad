"""Strict input: every misreading of the audit is refused by name; no input ends in a traceback."""

import contextlib
import copy
import json
import math
import subprocess
import sys
from dataclasses import fields, replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appariement import (
    InfeasiblePinsError,
    ProblemError,
    Request,
    Session,
    loads_problem,
    problem_from_dict,
    problem_to_dict,
    solve,
)
from appariement.generator import small_problem

ROOT = Path(__file__).resolve().parents[2]


def valid() -> dict:
    return problem_to_dict(small_problem(7, n_req=4, n_ses=3))


def refused(d, *words: str) -> ProblemError:
    with pytest.raises(ProblemError) as err:
        problem_from_dict(d)
    for word in words:
        assert word in str(err.value), str(err.value)
    return err.value


def test_remote_given_as_the_string_false_is_refused():
    d = valid()
    d["sessions"][0]["remote"] = "false"
    refused(d, "session 's0'", "remote", "true or false")


def test_themes_given_as_a_string_are_refused_not_split_into_characters():
    d = valid()
    d["requests"][0]["themes"] = "numerique"
    refused(d, "request 'r0'", "themes", "must be a list")
    d = valid()
    d["requests"][0]["wishes"] = "f0"
    refused(d, "request 'r0'", "wishes", "must be a list")


def test_unknown_field_is_refused_by_name():
    d = valid()
    d["requests"][1]["max_distance"] = 800
    refused(d, "request 'r1'", "unknown field 'max_distance'")
    d = valid()
    d["colour"] = "blue"
    refused(d, "top level", "colour")


def test_capacity_is_never_truncated():
    for bad in (0.9, 2.0, "two", True):
        d = valid()
        d["sessions"][0]["capacity"] = bad
        refused(d, "session 's0'", "capacity", "must be an integer")


def test_negative_rounds_waited_is_refused():
    d = valid()
    d["requests"][0]["rounds_waited"] = -1
    refused(d, "request 'r0'", "rounds_waited", "0..")


def test_coordinates_out_of_range_are_refused():
    d = valid()
    d["requests"][0]["lat"] = 1e6
    d["sessions"][1]["lon"] = -181
    d["organisations"][0]["lat"] = 90.5
    err = refused(d, "request 'r0': lat", "session 's1': lon", "organisation 'o0': lat")
    assert len(err.errors) == 3  # every problem collected, one line each


def test_top_level_must_be_an_object():
    for document in ([], "problem", 3, None):
        refused(document, "top level", "must be an object")


def test_huge_capacity_and_weight_are_refused():
    d = valid()
    d["sessions"][0]["capacity"] = 2**40
    d["settings"]["weights"]["wish"] = 1e15
    refused(d, "capacity: must lie in 0..10000", "settings.weights: wish: must be an integer")
    d = valid()
    d["settings"]["weights"]["wish"] = 10**15
    refused(d, "settings.weights: wish: must lie in 0..1000")


def test_nan_and_infinity_are_refused():
    text = json.dumps(valid()).replace('"lat": 45', '"lat": NaN', 1)
    with pytest.raises(ProblemError, match="NaN"):
        loads_problem(text)
    d = valid()
    d["requests"][0]["max_distance_km"] = math.inf
    refused(d, "max_distance_km", "finite")


def test_max_distance_null_means_no_limit():
    d = valid()
    for r in d["requests"]:
        r["max_distance_km"] = None
    problem = problem_from_dict(d)
    assert all(r.max_distance_km is None for r in problem.requests)
    assert problem_to_dict(problem) == d


def test_links_between_records_are_checked_and_all_reported():
    d = valid()
    d["requests"][0]["org"] = "nowhere"
    d["sessions"][0]["org"] = "elsewhere"
    d["pins"] = [["r0", "no-such-session"]]
    err = refused(d, "unknown organisation 'nowhere'", "unknown organisation 'elsewhere'", "pins[0]")
    assert len(err.errors) == 3


def test_the_python_api_goes_through_the_same_schema():
    p = small_problem(7, n_req=4, n_ses=3)
    bad = replace(p, sessions=(replace(p.sessions[0], remote="false"), *p.sessions[1:]))
    with pytest.raises(ProblemError, match="session 's0': remote: must be true or false"):
        solve(bad)
    bad = replace(p, requests=(replace(p.requests[0], themes="numerique"), *p.requests[1:]))
    with pytest.raises(ProblemError, match="themes: must be a list"):
        solve(bad)
    bad = replace(p, requests=(replace(p.requests[0], min_days=0.9), *p.requests[1:]))
    with pytest.raises(ProblemError, match="min_days: must be an integer"):
        bad.validate()
    bad = replace(p, requests=(replace(p.requests[0], max_distance_km=None),))
    bad.validate()  # no limit


def test_cli_prints_every_error_and_exits_with_2(tmp_path):
    d = valid()
    d["sessions"][0]["remote"] = "false"
    d["requests"][0]["themes"] = "numerique"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(d))
    res = subprocess.run(
        [sys.executable, "-m", "appariement", "solve", str(path)], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    assert "remote" in res.stderr and "themes" in res.stderr
    for text in ("[1, 2]", "{", "\xff"):
        path.write_bytes(text.encode("latin-1"))
        res = subprocess.run(
            [sys.executable, "-m", "appariement", "solve", str(path)], cwd=ROOT, capture_output=True, check=False
        )
        assert res.returncode == 2, res.stderr
        assert b"Traceback" not in res.stderr


# ---- mutation property test ---------------------------------------------------------------

ODD_VALUES = st.sampled_from(
    [
        0,
        -1,
        1,
        7,
        2**31,
        2**40,
        2**63,
        -(2**40),
        0.5,
        0.9,
        1e15,
        -1e15,
        1e308,
        math.nan,
        math.inf,
        -math.inf,
        "",
        "false",
        "true",
        "two",
        "2025-01-01",
        "2025-13-45",
        "\x00",
        None,
        True,
        False,
        [],
        {},
        [[]],
        [None],
        {"a": 1},
        ["r0", "s0"],
        [["2025-01-01", "2025-01-02"]],
        90.0,
        -90.0,
        180.0,
        366,
        367,
        10_000,
        10_001,
    ]
)
GARBAGE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)
ANY_VALUE = st.one_of(ODD_VALUES, GARBAGE)


def paths(node, prefix=()):
    """Every position in a JSON document, as a tuple of keys and indices."""
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from paths(v, (*prefix, i))


def mutate(doc, path, action, value, key):
    if not path:
        return value if action != "keep" else doc
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if action == "delete":
        del parent[last]
    elif action == "extra" and isinstance(parent[last], dict):
        parent[last][key] = value
    elif action == "extra" and isinstance(parent[last], list):
        parent[last].append(value)
    else:
        parent[last] = value
    return doc


BASES = [problem_to_dict(small_problem(seed, n_req=4, n_ses=3, time_limit=2.0)) for seed in range(4)]


def solve_or_refuse(document) -> None:
    """A ProblemError (or InfeasiblePinsError for pins), or a solution: never anything else."""
    try:
        problem = problem_from_dict(document)
    except ProblemError as e:
        assert e.errors and all(isinstance(line, str) and line for line in e.errors)
        return
    problem = replace(problem, settings=replace(problem.settings, time_limit=min(problem.settings.time_limit, 2.0)))
    try:
        solution = solve(problem)
    except InfeasiblePinsError:
        return
    assert len(solution.assignments) + len(solution.unmatched) == len(problem.requests)
    json.loads(solution.to_json())


@pytest.mark.fuzz
@settings(max_examples=2_000, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_no_mutated_problem_ends_in_a_traceback(data):
    doc = copy.deepcopy(data.draw(st.sampled_from(BASES)))
    for _ in range(data.draw(st.integers(1, 3))):
        where = data.draw(st.sampled_from(list(paths(doc))))
        action = data.draw(st.sampled_from(["replace", "replace", "delete", "extra", "keep"]))
        if action == "delete" and not where:
            action = "replace"
        value = copy.deepcopy(data.draw(ANY_VALUE))  # never share a mutable value between positions
        key = data.draw(st.sampled_from(["max_distance", "id", "colour", "weights", "lat", ""]))
        doc = mutate(doc, where, action, value, key)
        if not isinstance(doc, dict | list):
            break
    solve_or_refuse(doc)


RECORD_ATTRS = {
    "requests": [f.name for f in fields(Request)],
    "sessions": [f.name for f in fields(Session)],
}


@pytest.mark.fuzz
@settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_no_mutated_python_problem_ends_in_a_traceback(data):
    problem = small_problem(data.draw(st.integers(0, 3)), n_req=4, n_ses=3, time_limit=2.0)
    kind = data.draw(st.sampled_from(sorted(RECORD_ATTRS)))
    records = list(getattr(problem, kind))
    i = data.draw(st.integers(0, len(records) - 1))
    attr = data.draw(st.sampled_from(RECORD_ATTRS[kind]))
    records[i] = replace(records[i], **{attr: copy.deepcopy(data.draw(ANY_VALUE))})
    problem = replace(problem, **{kind: tuple(records)})
    with contextlib.suppress(ProblemError, InfeasiblePinsError):
        solve(problem)
