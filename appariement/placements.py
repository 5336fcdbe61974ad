"""Checking placements chosen outside the engine (a coordinator's hand): ``check_placements``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from . import rules
from .arrays import build_arrays
from .model import Problem
from .rules import RuleName


@dataclass(frozen=True)
class PlacementCheck:
    """What a set of (request id, session id) placements breaks.

    ``by_pair``: the pair rules each placement breaks on its own (``CLOSED`` when its request
    or session is not in the problem).  ``broken``: every rule the placements break together
    (pair rules, one placement per request, capacity, diversity, pins, continuity, closed), in
    the order of ``RuleName``; empty when they can all hold.
    """

    by_pair: Mapping[tuple[str, str], tuple[RuleName, ...]]
    broken: tuple[RuleName, ...]

    @property
    def ok(self) -> bool:
        return not self.broken


def check_placements(problem: Problem, pairs: Iterable[tuple[str, str]]) -> PlacementCheck:
    """Which hard rules the placements break, each on its own and all together.

    The problem is validated first (ProblemError).  Pins of the problem must be among the
    placements (``PINS``), forbidden pairs are broken pair rules (``FORBIDDEN``).
    """
    problem.validate()
    placements = [(str(r), str(s)) for r, s in pairs]
    a = build_arrays(problem)
    req_ix = {rid: i for i, rid in enumerate(a.req_ids)}
    ses_ix = {sid: i for i, sid in enumerate(a.ses_ids)}
    by_pair: dict[tuple[str, str], tuple[RuleName, ...]] = {}
    known = [(r, s) for r, s in placements if r in req_ix and s in ses_ix]
    for r, s in placements:
        if (r, s) not in by_pair:
            by_pair[(r, s)] = (
                tuple(rules.failing_pair_rules(a, req_ix[r], ses_ix[s]))
                if r in req_ix and s in ses_ix
                else (RuleName.CLOSED,)
            )
    r_ix = np.array([req_ix[r] for r, _ in known], dtype=np.int64)
    s_ix = np.array([ses_ix[s] for _, s in known], dtype=np.int64)
    broken = set(rules.broken_rules(a, r_ix, s_ix))
    if len(known) < len(placements):
        broken.add(RuleName.CLOSED)
    return PlacementCheck(by_pair=by_pair, broken=tuple(name for name in RuleName if name in broken))
