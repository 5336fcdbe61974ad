"""What comes out of the engine: assignments, unmatched requests, metrics, solver report.

``Solution.to_dict()`` is the documented JSON form (see README.md).  Everything in it is
deterministic except the ``stats`` block (wall-clock timings, peak memory), which
``to_dict(stats=False)`` leaves out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .jsonwrite import dumps_sorted

if TYPE_CHECKING:
    from .outlook import Outlook

FORMAT = "appariement/solution@1"


@dataclass(frozen=True)
class Assignment:
    request_id: str
    agent_id: str
    session_id: str
    offer_id: str
    host_org_id: str
    score: int
    breakdown: Mapping[str, int]  # term -> weighted points; sums to score
    pinned: bool = False


@dataclass(frozen=True)
class SessionBlock:
    """An eligible session the request could not take, and why."""

    session_id: str
    why: str  # "full" | "diversity" | "continuity" | "not_chosen"
    lowest_score: int | None  # lowest score placed in that session (None: no one placed)


@dataclass(frozen=True)
class Unmatched:
    request_id: str
    agent_id: str
    reason: str  # "no_eligible_session" | "outcompeted"
    excluded: Mapping[str, int] = field(default_factory=dict)  # rule -> sessions excluded
    sessions: tuple[SessionBlock, ...] = ()  # outcompeted: the few nearest eligible sessions
    blocked: Mapping[str, int] = field(default_factory=dict)  # outcompeted: why -> eligible sessions
    outlook: Outlook | None = None  # what the agent could change (outlook.py); set by solve


@dataclass(frozen=True)
class Solution:
    assignments: tuple[Assignment, ...]
    unmatched: tuple[Unmatched, ...]
    metrics: Mapping[str, Any]
    solver: Mapping[str, Any]
    stats: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self, stats: bool = True, outlooks: bool = False) -> dict[str, Any]:
        """The JSON form; `outlooks`: each unmatched request with its outlook (left out by default: at L
        it would double the output)."""
        out = {
            "format": FORMAT,
            "assignments": [
                {
                    "request": x.request_id,
                    "agent": x.agent_id,
                    "session": x.session_id,
                    "offer": x.offer_id,
                    "host": x.host_org_id,
                    "score": x.score,
                    "breakdown": dict(x.breakdown),
                    "pinned": x.pinned,
                }
                for x in self.assignments
            ],
            "unmatched": [_unmatched(u, outlooks) for u in self.unmatched],
            "metrics": dict(self.metrics),
            "solver": dict(self.solver),
        }
        if stats:
            out["stats"] = dict(self.stats)
        return out

    def to_json(self, stats: bool = True, outlooks: bool = False) -> str:
        return dumps_sorted(self.to_dict(stats, outlooks)) + "\n"


def _unmatched(u: Unmatched, outlook: bool = False) -> dict[str, Any]:
    d: dict[str, Any] = {"request": u.request_id, "agent": u.agent_id, "reason": u.reason}
    if u.reason == "no_eligible_session":
        d["excluded"] = dict(u.excluded)
    else:
        d["blocked"] = dict(u.blocked)
        d["sessions"] = [{"session": b.session_id, "why": b.why, "lowest_score": b.lowest_score} for b in u.sessions]
    if outlook and u.outlook is not None:
        d["outlook"] = u.outlook.to_dict()
    return d
