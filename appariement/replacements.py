"""Where one placement could move, the others kept: ``replacement_options``.

A coordinator who moves a placement by hand needs the sessions that keep every hard rule, best
score first, and, for the others, the rule each would break.  Checking each session with
``check_placements`` would index the problem once per session; here the problem is indexed
once and every rule is evaluated for all the sessions at once:

- pair rules: the engine's own (``rules.PAIR_RULES``), vectorised over the sessions;
- capacity, diversity, continuity: what the moved placement adds to the others' load;
- whatever the other placements already break on their own (a setting tightened since the
  round ran, say) is broken by every option, as ``check_placements`` would say.

So ``option.ok`` is exactly ``check_placements(problem, others + [(request, session)]).ok``
with pins left aside (the tests check it on random problems).  Scores and breakdowns are the
engine's (``scoring.pair_points`` weighted by the settings), as the round would have counted
the pair.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from . import rules
from .arrays import ProblemArrays, build_arrays
from .model import Problem
from .rules import RuleName
from .scoring import PAIR_TERMS, pair_points

Ints = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class ReplacementOption:
    """One session as the new placement of the request: the hard rules it would break (in the
    order of ``RuleName``; empty when every rule holds), and the pair's score with its breakdown
    (soft goal -> weighted points, summing to the score; empty when the pair is closed)."""

    session_id: str
    broken: tuple[RuleName, ...]
    score: int
    breakdown: Mapping[str, int]

    @property
    def ok(self) -> bool:
        return not self.broken


def replacement_options(
    problem: Problem,
    request_id: str,
    placements: Iterable[tuple[str, str]],
    session_ids: Iterable[str] | None = None,
) -> tuple[ReplacementOption, ...]:
    """Every session of the problem (or those of `session_ids`) as the new placement of `request_id`,
    the other `placements` (request id, session id) kept; placements of `request_id` itself are left
    out (it is the one that moves).  Sessions that keep every rule come first, best score first,
    then the others, best score first; ties by session id.  An unknown request or session breaks
    ``CLOSED``.  The problem is validated first (ProblemError); its pins are not checked."""
    problem.validate()
    a = build_arrays(problem)
    req_ix = {rid: i for i, rid in enumerate(a.req_ids)}
    ses_ix = {sid: i for i, sid in enumerate(a.ses_ids)}
    wanted = list(a.ses_ids) if session_ids is None else list(dict.fromkeys(str(s) for s in session_ids))
    r = req_ix.get(str(request_id))
    known = [sid for sid in wanted if sid in ses_ix]
    closed = [ReplacementOption(sid, (RuleName.CLOSED,), 0, {}) for sid in wanted if r is None or sid not in ses_ix]
    if r is None or not known:
        return tuple(sorted(closed, key=lambda o: o.session_id))

    s = np.array([ses_ix[sid] for sid in known], dtype=np.int64)
    rr = np.full(len(s), r, dtype=np.int64)
    others = [
        (req_ix[pr], ses_ix[ps])
        for pr, ps in ((str(x), str(y)) for x, y in placements)
        if pr != str(request_id) and pr in req_ix and ps in ses_ix
    ]
    o_r = np.array([x for x, _ in others], dtype=np.int64)
    o_s = np.array([y for _, y in others], dtype=np.int64)
    unknown_others = any(
        str(pr) != str(request_id) and (str(pr) not in req_ix or str(ps) not in ses_ix) for pr, ps in placements
    )

    failing: dict[RuleName, Mask] = {name: ~rule(a, rr, s) for name, rule in rules.PAIR_RULES}
    failing.update(_added_load(a, r, s, o_r, o_s))
    # What the others break without the move is broken whatever the move (pins aside: none here).
    already = set(rules.broken_rules(a, o_r, o_s)) - {RuleName.PINS}
    if unknown_others:
        already.add(RuleName.CLOSED)

    points = pair_points(a, rr, s)
    weights = problem.settings.weights
    weighted = {t: getattr(weights, t) * points[t].astype(np.int64) for t in PAIR_TERMS}
    total = sum(weighted.values(), np.zeros(len(s), dtype=np.int64))

    options = []
    for j, sid in enumerate(known):
        broken = {name for name, mask in failing.items() if mask[j]} | already
        options.append(
            ReplacementOption(
                session_id=sid,
                broken=tuple(name for name in RuleName if name in broken),
                score=int(total[j]),
                breakdown={t: int(weighted[t][j]) for t in PAIR_TERMS},
            )
        )
    order = {sid: k for k, sid in enumerate(a.ses_ids)}
    options.sort(key=lambda o: (not o.ok, -o.score, order[o.session_id]))
    return (*options, *sorted(closed, key=lambda o: o.session_id))


def _added_load(a: ProblemArrays, r: int, s: Ints, o_r: Ints, o_s: Ints) -> dict[RuleName, Mask]:
    """Where placing request r on each session s, beside the others (o_r, o_s), exceeds a session's
    capacity, its diversity, or the continuity of r's group."""
    settings = a.problem.settings
    used = np.bincount(o_s, minlength=a.n_ses)[s]
    out: dict[RuleName, Mask] = {RuleName.CAPACITY: used + 1 > a.s_cap[s]}
    if settings.diversity is not None:
        same_org = o_s[a.r_org[o_r] == a.r_org[r]]
        out[RuleName.DIVERSITY] = np.bincount(same_org, minlength=a.n_ses)[s] + 1 > settings.diversity
    if settings.continuity is not None:
        mine = o_s[a.r_group[o_r] == a.r_group[r]]
        out[RuleName.CONTINUITY] = _peak_away(a, mine, s) + 1 > settings.continuity
    return out


def _peak_away(a: ProblemArrays, mine: Ints, s: Ints) -> Ints:
    """For each session s: the most agents of the group (placed on `mine`) away on one day of s.

    The overlap of intervals peaks at one of their start days, so the days to look at are s's start
    and the others' starts that fall inside s (as rules.continuity_load does)."""
    starts, ends = a.s_start[mine].astype(np.int64), a.s_end[mine].astype(np.int64)
    if len(starts) == 0:
        return np.zeros(len(s), dtype=np.int64)
    first, last = a.s_start[s].astype(np.int64), a.s_end[s].astype(np.int64)
    at_first = ((starts[None, :] <= first[:, None]) & (first[:, None] <= ends[None, :])).sum(axis=1)
    at_each_start = ((starts[None, :] <= starts[:, None]) & (starts[:, None] <= ends[None, :])).sum(axis=1)
    inside = (first[:, None] <= starts[None, :]) & (starts[None, :] <= last[:, None])
    peak: Ints = np.maximum(at_first, np.where(inside, at_each_start[None, :], 0).max(axis=1))
    return peak
