"""Where a request stands, in one vocabulary: its own status, until a proposal is published for it; then
its proposal's; then, once confirmed, its immersion's.

A request, its proposal and its immersion each keep a status of their own ("matched", "confirmed",
"done"), and pages used to show the raw one of each: one page could say "Proposition reçue" for the
request, "Confirmée" for its proposal and "Réalisée" for its immersion, all about the same immersion. Pages
that show a request or a proposal to its agent and to HR show its stage instead, so they agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from mobilite.extensions import db
from mobilite.labels import label
from mobilite.lifecycles import proposal as proposal_lifecycle
from mobilite.models import (
    Answer,
    Immersion,
    ImmersionRequest,
    ImmersionStatus,
    Proposal,
    ProposalStatus,
    RequestStatus,
)

# A request past its employer's answer is where its proposal is.
FOLLOWS_PROPOSAL = frozenset({RequestStatus.MATCHED, RequestStatus.CLOSED})

IMMERSION_STAGES = {
    ImmersionStatus.CONFIRMED: _l("Immersion confirmée"),
    ImmersionStatus.DONE: _l("Immersion réalisée"),
    ImmersionStatus.CANCELLED: _l("Immersion annulée"),
}
WAITING_STAGES = {
    (None, None): _l("Proposition en attente de réponse"),
    (Answer.ACCEPTED, None): _l("Acceptée par l'agent, en attente de l'organisation d'accueil"),
    (None, Answer.ACCEPTED): _l("Acceptée par l'organisation d'accueil, en attente de l'agent"),
}


@dataclass(frozen=True)
class Stage:
    key: str  # a status value, for the badge's colour
    label: str

    def __str__(self) -> str:
        return self.label


def _immersion_of(proposal: Proposal) -> Immersion | None:
    return db.session.scalar(select(Immersion).where(Immersion.proposal_id == proposal.id))


def of_proposal(proposal: Proposal) -> Stage:
    if proposal.status == ProposalStatus.CONFIRMED:
        immersion = _immersion_of(proposal)
        status = immersion.status if immersion is not None else ImmersionStatus.CONFIRMED
        return Stage(str(status), str(IMMERSION_STAGES[status]))
    if proposal.status == ProposalStatus.PUBLISHED:
        waiting = WAITING_STAGES.get((proposal.agent_answer, proposal.host_answer), WAITING_STAGES[(None, None)])
        return Stage(str(proposal.status), str(waiting))
    return Stage(str(proposal.status), label(proposal.status))


def of_request(immersion_request: ImmersionRequest) -> Stage:
    if immersion_request.status in FOLLOWS_PROPOSAL:
        proposal = db.session.scalar(
            select(Proposal)
            .where(Proposal.request_id == immersion_request.id, Proposal.status.in_(proposal_lifecycle.SHOWN))
            .order_by(Proposal.id.desc())
            .limit(1)
        )
        if proposal is not None:
            return of_proposal(proposal)
    return Stage(str(immersion_request.status), label(immersion_request.status))


def stage(item: ImmersionRequest | Proposal) -> Stage:
    """The template filter: `{% set s = r | stage %}<span class="badge badge-{{ s.key }}">{{ s }}</span>`."""
    return of_proposal(item) if isinstance(item, Proposal) else of_request(item)
