"""Pins and forbidden pairs, JSON round trip, command line."""

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from appariement import InfeasiblePinsError, ProblemError, problem_from_dict, problem_to_dict, solve
from appariement.engine import prepare
from appariement.generator import generate, small_problem

ROOT = Path(__file__).resolve().parents[2]


def eligible(problem):
    ctx = prepare(problem)
    return [(ctx.a.req_ids[r], ctx.a.ses_ids[s]) for r, s in zip(ctx.pairs.r, ctx.pairs.s, strict=True)]


def test_pin_is_placed_even_when_not_optimal():
    problem = generate("S", 4)
    base = solve(problem)
    placed = {a.request_id: a.session_id for a in base.assignments}
    # Pin a pair the optimum did not choose.
    pin = next(p for p in eligible(problem) if placed.get(p[0]) != p[1])
    solution = solve(replace(problem, pins=(pin,)))
    got = {a.request_id: (a.session_id, a.pinned) for a in solution.assignments}
    assert got[pin[0]] == (pin[1], True)
    assert solution.metrics["score"] <= base.metrics["score"]


def test_forbidden_pair_is_never_placed():
    problem = generate("S", 4)
    chosen = solve(problem).assignments[0]
    pair = (chosen.request_id, chosen.session_id)
    solution = solve(replace(problem, forbidden=(pair,)))
    assert pair not in {(a.request_id, a.session_id) for a in solution.assignments}


def test_pins_over_capacity_raise_an_error_naming_them():
    problem = small_problem(3, n_req=6, n_ses=2, diversity=None)
    pairs = eligible(problem)
    ses = max({s for _, s in pairs}, key=lambda s: sum(1 for _, t in pairs if t == s))
    on_it = [p for p in pairs if p[1] == ses]
    cap = next(s.capacity for s in problem.sessions if s.id == ses)
    assert len(on_it) > cap, "instance must have more candidates than seats"
    pins = tuple(on_it[: cap + 1])
    with pytest.raises(InfeasiblePinsError) as err:
        solve(replace(problem, pins=pins))
    assert set(err.value.pins) == set(pins)
    assert "capacity" in str(err.value)
    for r, s in pins:
        assert f"({r}, {s})" in str(err.value)


def test_pin_breaking_a_pair_rule_names_the_rule():
    problem = small_problem(3, n_req=3, n_ses=2)
    req = problem.requests[0]
    own = replace(problem.sessions[0], org_id=req.org_id)
    problem = replace(problem, sessions=(own, *problem.sessions[1:]), pins=((req.id, own.id),))
    with pytest.raises(InfeasiblePinsError, match="own_organisation") as err:
        solve(problem)
    assert err.value.pins == [(req.id, own.id)]


def test_request_pinned_twice_is_refused():
    problem = generate("S", 4)
    pairs = eligible(problem)
    r = next(r for r, _ in pairs if sum(1 for q, _ in pairs if q == r) >= 2)
    two = tuple(p for p in pairs if p[0] == r)[:2]
    with pytest.raises(InfeasiblePinsError, match="several sessions"):
        solve(replace(problem, pins=two))


def test_json_round_trip():
    problem = replace(generate("S", 5, continuity=2), pins=(), forbidden=(("req-00001", "ses-00002"),))
    d = problem_to_dict(problem)
    again = problem_from_dict(json.loads(json.dumps(d)))
    assert again == problem
    assert problem_to_dict(again) == d


def test_json_errors_name_the_field():
    d = problem_to_dict(small_problem(1))
    d["sessions"][0]["start"] = "2025-13-45"
    with pytest.raises(ProblemError, match="not an ISO date"):
        problem_from_dict(d)
    d = problem_to_dict(small_problem(1))
    d["requests"][0]["org"] = "nowhere"
    with pytest.raises(ProblemError, match="unknown organisation"):
        problem_from_dict(d)
    d = problem_to_dict(small_problem(1))
    d["settings"]["colour"] = "blue"
    with pytest.raises(ProblemError, match="colour"):
        problem_from_dict(d)


def run(*args, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "appariement", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_generate_then_solve(tmp_path):
    gen = run("generate", "--size", "S", "--seed", "2")
    assert gen.returncode == 0, gen.stderr
    path = tmp_path / "problem.json"
    path.write_text(gen.stdout)
    first = run("solve", str(path), "--no-stats")
    assert first.returncode == 0, first.stderr
    out = json.loads(first.stdout)
    assert out["format"] == "appariement/solution@1"
    assert out["metrics"]["placed"] == len(out["assignments"]) > 0
    assert "stats" not in out
    # Byte for byte the same on a second run.
    assert run("solve", str(path), "--no-stats").stdout == first.stdout
    with_stats = json.loads(run("solve", str(path)).stdout)
    assert set(with_stats["stats"]["seconds"]) >= {"eligibility", "build", "solve_flow", "total"}
    with_stats.pop("stats")
    assert with_stats == out


def test_cli_reports_bad_input(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"requests": [{"id": "r"}]}')
    res = run("solve", str(path))
    assert res.returncode == 2
    assert "missing field" in res.stderr


def test_engine_imports_no_web_stack():
    code = (
        "import sys, appariement; appariement.solve; "
        "print(sorted(m for m in ('flask', 'sqlalchemy', 'mobilite') if m in sys.modules))"
    )
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert res.stdout.strip() == "[]"


def test_eligibility_index_matches_the_full_product():
    from appariement import rules
    from appariement.arrays import build_arrays
    from appariement.eligibility import eligible_pairs

    for size, seed, overlap in (("S", 1, False), ("XS", 2, False), ("XS", 3, True)):
        problem = generate(size, seed)
        if overlap:  # a second window overlapping the first: pairs must not be doubled
            reqs = tuple(
                replace(r, windows=(*r.windows, (r.windows[0][0], r.windows[-1][1]))) for r in problem.requests
            )
            problem = replace(problem, requests=reqs)
        a = build_arrays(problem)
        r, s = np.meshgrid(np.arange(a.n_req), np.arange(a.n_ses), indexing="ij")
        r, s = r.ravel(), s.ravel()
        ok = np.ones(len(r), dtype=bool)
        for _, rule in rules.PAIR_RULES:
            ok &= rule(a, r, s)
        pairs = eligible_pairs(a)
        assert list(zip(pairs.r.tolist(), pairs.s.tolist(), strict=True)) == list(
            zip(r[ok].tolist(), s[ok].tolist(), strict=True)
        )
        assert len(pairs) > 0
