"""A proposal's lifecycle: its moves, the named sets of statuses, and the two decisions on it.

    proposed ──approve / replace──▶ approved ──publish (with its round)──▶ published ──confirm──▶ confirmed
        │                             │                                   │        (both sides accepted)
        └──────── reject ─────────────┴──▶ rejected                       ├──decline──▶ declined
                                                                          └──expire──▶ expired

A proposal in review whose request left the queue before publication is rejected. While one side has
accepted and the other not yet answered, the proposal stays published (accept: `agent_answer` and
`host_answer` say who did what). ACCEPTED is a stored value no move leads to.
"""

from __future__ import annotations

import enum

from mobilite.i18n import N_
from mobilite.lifecycles import Lifecycle
from mobilite.models.matching import Answer, ProposalStatus

# The coordination may still approve, reject, pin or replace it; it is published with its round.
# (Pinning keeps the status: it only needs the proposal in review.)
IN_REVIEW = frozenset({ProposalStatus.PROPOSED, ProposalStatus.APPROVED})


class ProposalMove(enum.StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    REPLACE = "replace"
    PUBLISH = "publish"
    ACCEPT = "accept"
    CONFIRM = "confirm"
    DECLINE = "decline"
    EXPIRE = "expire"


LIFECYCLE: Lifecycle[ProposalStatus, ProposalMove] = Lifecycle(
    ProposalStatus,
    {
        ProposalMove.APPROVE: (IN_REVIEW, ProposalStatus.APPROVED),
        ProposalMove.REJECT: (IN_REVIEW, ProposalStatus.REJECTED),
        # A placement moved by hand is approved (and pinned).
        ProposalMove.REPLACE: (IN_REVIEW, ProposalStatus.APPROVED),
        ProposalMove.PUBLISH: (IN_REVIEW, ProposalStatus.PUBLISHED),
        # One side accepts, the other has not answered yet: still waiting.
        ProposalMove.ACCEPT: (frozenset({ProposalStatus.PUBLISHED}), ProposalStatus.PUBLISHED),
        ProposalMove.CONFIRM: (frozenset({ProposalStatus.PUBLISHED}), ProposalStatus.CONFIRMED),
        ProposalMove.DECLINE: (frozenset({ProposalStatus.PUBLISHED}), ProposalStatus.DECLINED),
        ProposalMove.EXPIRE: (frozenset({ProposalStatus.PUBLISHED}), ProposalStatus.EXPIRED),
    },
    N_("Action impossible pour une proposition dans cet état."),
)
TRANSITIONS = LIFECYCLE.transitions
check_move = LIFECYCLE.check_move

# Seen by the agent and the HR of both sides: only once the coordination has published it.
SHOWN = frozenset(
    {
        ProposalStatus.PUBLISHED,
        ProposalStatus.ACCEPTED,
        ProposalStatus.DECLINED,
        ProposalStatus.EXPIRED,
        ProposalStatus.CONFIRMED,
    }
)
# Holds a seat of its session: later rounds offer only what is left.
HOLDING_SEATS = frozenset({ProposalStatus.PUBLISHED, ProposalStatus.ACCEPTED, ProposalStatus.CONFIRMED})


class ReviewDecision(enum.StrEnum):
    """The coordination's decision on a proposal of a round in review, each a move of the table."""

    APPROVE = ProposalMove.APPROVE.value
    REJECT = ProposalMove.REJECT.value


class ProposalAnswer(enum.StrEnum):
    """A party's answer to a published proposal (the agent, or the host organisation's HR)."""

    ACCEPT = "accept"
    DECLINE = "decline"


# How each answer is stored on the proposal (`agent_answer` / `host_answer`).
STORED_ANSWER: dict[ProposalAnswer, Answer] = {
    ProposalAnswer.ACCEPT: Answer.ACCEPTED,
    ProposalAnswer.DECLINE: Answer.DECLINED,
}
