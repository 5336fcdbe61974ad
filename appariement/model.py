"""Domain dataclasses of a matching round: what goes into the engine.

Everything is frozen plain data.  Mappings (skills with levels, prerequisites) are ordinary
dicts by convenience: treat them as read-only.  Dates are ``datetime.date``; lengths are in
working days; distances in kilometres.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from .schema import MAX_LEVEL, MAX_WISHES, MIN_LEVEL, ProblemError, check_problem

__all__ = [
    "MAX_LEVEL",
    "MAX_WISHES",
    "MIN_LEVEL",
    "InfeasiblePinsError",
    "Organisation",
    "Problem",
    "ProblemError",
    "Request",
    "Session",
    "Settings",
    "Weights",
]


class InfeasiblePinsError(ValueError):
    """Pinned pairs cannot all hold together with the hard rules."""

    def __init__(self, problems: list[tuple[str, str, str]]):
        # problems: (request id, session id, why) — sorted so the message is deterministic.
        self.problems = sorted(problems)
        self.pins = sorted({(r, s) for r, s, _ in self.problems})
        lines = [f"pin ({r}, {s}): {why}" for r, s, why in self.problems]
        super().__init__("infeasible pins:\n  " + "\n  ".join(lines))


@dataclass(frozen=True)
class Organisation:
    id: str
    name: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Request:
    """An agent's application for an immersion, approved by their home employer."""

    id: str
    agent_id: str
    org_id: str
    windows: tuple[tuple[date, date], ...]
    lat: float
    lon: float
    team: str | None = None
    themes: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    current_skills: Mapping[str, int] = field(default_factory=dict)
    min_days: int = 2
    max_days: int = 10
    max_distance_km: float | None = 50.0  # None: no limit
    quota_days: int = 20
    wishes: tuple[str, ...] = ()  # offer ids, best first: rank = position + 1
    rounds_waited: int = 0


@dataclass(frozen=True)
class Session:
    """One dated occurrence of an offer, with its capacity."""

    id: str
    offer_id: str
    org_id: str
    start: date
    end: date
    working_days: int
    capacity: int
    lat: float
    lon: float
    remote: bool = False
    themes: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    prerequisites: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Weights:
    """Integer weights of the soft goals; each term scores 0–100 points before weighting.

    Defaults: a first wish (500) outweighs a perfect interest match (400), which outweighs
    proximity (200) and waiting (200); every placement is worth a base of 100 so that an
    agent is never left out for nothing; skill fit (100) breaks near-ties.
    """

    base: int = 1  # every placement: 100 points
    interest: int = 4  # wanted themes/skills covered by the offer
    skill_fit: int = 1  # room to grow in the skills the session develops
    wish: int = 5  # rank 1..5 -> 100, 80, 60, 40, 20
    distance: int = 2  # 100 at the door, 0 at the agent's max distance; remote 50
    waiting: int = 2  # 20 points per round waited, capped at 5 rounds
    fairness: int = 3  # per placement up to the home organisation's floor
    reciprocity: int = 1  # per unit of min(sent, hosted) of an organisation


@dataclass(frozen=True)
class Settings:
    """Network settings of a round."""

    weights: Weights = field(default_factory=Weights)
    diversity: int | None = 2  # at most N agents of one home organisation per session
    continuity: int | None = None  # at most K agents of one home org (or team) away a day
    continuity_scope: Literal["organisation", "team"] = "organisation"
    fairness_floor: float = 0.25  # target share of each home organisation's requests placed
    reciprocity: bool = False
    mode: Literal["optimal", "stable"] = "optimal"
    objective: Literal["score", "placements_first"] = "score"
    time_limit: float = 30.0  # seconds for CP-SAT (non-network rules only)
    workers: int | None = None  # CP-SAT workers; None = os.cpu_count()
    deterministic: bool = True  # CP-SAT in reproducible (interleaved, deterministic-time) mode


@dataclass(frozen=True)
class Problem:
    """Everything one round needs."""

    organisations: tuple[Organisation, ...]
    requests: tuple[Request, ...]
    sessions: tuple[Session, ...]
    settings: Settings = field(default_factory=Settings)
    pins: tuple[tuple[str, str], ...] = ()  # (request id, session id) forced
    forbidden: tuple[tuple[str, str], ...] = ()  # (request id, session id) excluded

    def validate(self) -> None:
        """Check every record against the declared schema (schema.py); ProblemError lists all problems."""
        check_problem(self)
