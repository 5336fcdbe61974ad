"""Why a (request, session) pair is eligible or not: ``check_pairs``.

Each pair is judged by the engine's own pair rules (``rules.PAIR_RULES``, vectorised over all the
pairs at once); for each rule it breaks, the check carries the figures behind the failure (how
far, which dates, how many days, which skill is missing), so that a person can be told what to
change.  A pair whose request or session is not in the problem breaks ``CLOSED``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

import numpy as np

from . import rules
from .arrays import build_arrays
from .model import Problem, Request, Session
from .rules import RuleName


@dataclass(frozen=True)
class OwnOrganisation:
    """The session is offered by the agent's own organisation."""

    rule: ClassVar[RuleName] = RuleName.OWN_ORGANISATION
    org_id: str


@dataclass(frozen=True)
class OutsideWindows:
    """No availability window holds the session's dates."""

    rule: ClassVar[RuleName] = RuleName.DATES
    start: date
    end: date
    windows: tuple[tuple[date, date], ...]


@dataclass(frozen=True)
class DurationOutside:
    """The session's working days lie outside the request's min–max."""

    rule: ClassVar[RuleName] = RuleName.DURATION
    working_days: int
    min_days: int
    max_days: int


@dataclass(frozen=True)
class OverQuota:
    """The session's working days exceed the days left in the agent's legal quota."""

    rule: ClassVar[RuleName] = RuleName.QUOTA
    working_days: int
    quota_days: int


@dataclass(frozen=True)
class TooFar:
    """The host is beyond the agent's max distance (great-circle km, as the rule measures it)."""

    rule: ClassVar[RuleName] = RuleName.DISTANCE
    distance_km: float
    max_distance_km: float


@dataclass(frozen=True)
class MissingSkill:
    skill: str
    required_level: int
    held_level: int  # 0: the agent does not hold the skill


@dataclass(frozen=True)
class PrerequisitesMissing:
    """Prerequisite skills of the offer the agent does not hold at the minimum level, by skill."""

    rule: ClassVar[RuleName] = RuleName.PREREQUISITES
    missing: tuple[MissingSkill, ...]


@dataclass(frozen=True)
class Forbidden:
    """The pair was rejected or declined earlier: it is never proposed again."""

    rule: ClassVar[RuleName] = RuleName.FORBIDDEN


@dataclass(frozen=True)
class Closed:
    """The request or the session is not part of the problem (not open, not published...)."""

    rule: ClassVar[RuleName] = RuleName.CLOSED
    request_known: bool
    session_known: bool


Failure = (
    OwnOrganisation | OutsideWindows | DurationOutside | OverQuota | TooFar | PrerequisitesMissing | Forbidden | Closed
)


@dataclass(frozen=True)
class PairCheck:
    """The verdict on one pair: the rules it breaks, each with its figures, in the order of
    ``rules.PAIR_RULES``.  ``distance_km``: from the agent's place to the host (great-circle, even
    for a remote session, which the distance rule then lets through); None when closed."""

    request_id: str
    session_id: str
    failures: tuple[Failure, ...]
    distance_km: float | None

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def broken(self) -> tuple[RuleName, ...]:
        return tuple(f.rule for f in self.failures)


def _missing_skills(request: Request, session: Session) -> tuple[MissingSkill, ...]:
    held = request.current_skills
    return tuple(
        MissingSkill(skill, level, held.get(skill, 0))
        for skill, level in sorted(session.prerequisites.items())
        if held.get(skill, 0) < level
    )


def _failure(name: RuleName, request: Request, session: Session, km: float) -> Failure:
    """The figures behind one broken pair rule (the rule itself has decided)."""
    if name == RuleName.OWN_ORGANISATION:
        return OwnOrganisation(request.org_id)
    if name == RuleName.DATES:
        return OutsideWindows(session.start, session.end, request.windows)
    if name == RuleName.DURATION:
        return DurationOutside(session.working_days, request.min_days, request.max_days)
    if name == RuleName.QUOTA:
        return OverQuota(session.working_days, request.quota_days)
    if name == RuleName.DISTANCE:
        assert request.max_distance_km is not None  # no limit never breaks the rule
        return TooFar(km, request.max_distance_km)
    if name == RuleName.PREREQUISITES:
        return PrerequisitesMissing(_missing_skills(request, session))
    if name == RuleName.FORBIDDEN:
        return Forbidden()
    raise ValueError(f"not a pair rule: {name}")


def check_pairs(problem: Problem, pairs: Iterable[tuple[str, str]]) -> tuple[PairCheck, ...]:
    """Every pair rule on each (request id, session id) pair, with the figures of each failure.

    One check per pair given, in the same order.  The problem is validated first (ProblemError);
    the rules run vectorised over all the known pairs at once, so checking one request against
    thousands of sessions costs a few array operations plus one small record per pair.
    """
    problem.validate()
    wanted = [(str(r), str(s)) for r, s in pairs]
    a = build_arrays(problem)
    req_ix = {rid: i for i, rid in enumerate(a.req_ids)}
    ses_ix = {sid: i for i, sid in enumerate(a.ses_ids)}
    known = [k for k, (r, s) in enumerate(wanted) if r in req_ix and s in ses_ix]
    r_ix = np.array([req_ix[wanted[k][0]] for k in known], dtype=np.int64)
    s_ix = np.array([ses_ix[wanted[k][1]] for k in known], dtype=np.int64)
    holds = {name: rule(a, r_ix, s_ix) for name, rule in rules.PAIR_RULES}
    km = rules.pair_km(a, r_ix, s_ix)
    requests = {r.id: r for r in problem.requests}
    sessions = {s.id: s for s in problem.sessions}

    out: list[PairCheck] = []
    at = {k: j for j, k in enumerate(known)}
    for k, (rid, sid) in enumerate(wanted):
        j = at.get(k)
        if j is None:
            closed = Closed(request_known=rid in req_ix, session_known=sid in ses_ix)
            out.append(PairCheck(rid, sid, (closed,), None))
            continue
        distance = float(km[j])
        failures = tuple(
            _failure(name, requests[rid], sessions[sid], distance) for name, _ in rules.PAIR_RULES if not holds[name][j]
        )
        out.append(PairCheck(rid, sid, failures, distance))
    return tuple(out)
