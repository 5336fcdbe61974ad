"""What "Publier" sends, said before it is sent: the network's setting, then counts per organisation.

The network chooses what publishing a round sends (Network.publication_scope): the proposals a coordinator
approved (the default), or those and the ones nobody reviewed yet. The rest is not sent:
- rejected proposals: the pair is forbidden from now on, the request waits for the next round;
- under the default, proposals nobody reviewed stay as they are ("proposed", never sent) and their requests
  wait for the next round, with one more round waited (so they come first next time);
- proposals whose request left the queue since the round ran (withdrawn) are rejected, with that reason.
Each agent the round left without a proposal, and still waiting, is told why (services.outlook).

The summary page carries a fingerprint of what it showed (`Preview.token`); the publication refuses to go
ahead if what would be sent changed since (a proposal approved, rejected or moved by someone else).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select

from mobilite.extensions import db
from mobilite.lifecycles import proposal as proposal_lifecycle
from mobilite.lifecycles import request as request_lifecycle
from mobilite.models import (
    ImmersionRequest,
    Network,
    Offer,
    OfferSession,
    Organisation,
    Proposal,
    ProposalStatus,
    PublicationScope,
    Round,
    UnmatchedOutlook,
    User,
)
from mobilite.services import audit
from mobilite.services.errors import ServiceError

SENT: dict[PublicationScope, frozenset[ProposalStatus]] = {
    PublicationScope.APPROVED: frozenset({ProposalStatus.APPROVED}),
    PublicationScope.APPROVED_AND_UNREVIEWED: frozenset({ProposalStatus.APPROVED, ProposalStatus.PROPOSED}),
}


def sent_statuses(network: Network) -> frozenset[ProposalStatus]:
    return SENT[PublicationScope(network.publication_scope)]


@dataclass(frozen=True)
class OrgLine:
    name: str
    agents: int  # its agents who receive a proposal
    hosted: int  # proposals made to its offers
    told: int  # its agents told the round has no proposal for them


@dataclass
class Preview:
    scope: PublicationScope
    to_send: int = 0
    held_back: int = 0  # in review, not in the scope: not sent
    rejected: int = 0
    left_out: int = 0  # the request left the queue since the round ran
    told: int = 0
    lines: list[OrgLine] = field(default_factory=list)
    token: str = ""


def _sendable(round_: Round):
    """The proposals publishing would send, as a query: in the scope, their request still waiting."""
    return (
        select(Proposal.id)
        .join(ImmersionRequest, Proposal.request_id == ImmersionRequest.id)
        .where(
            Proposal.round_id == round_.id,
            Proposal.status.in_(sent_statuses(round_.network)),
            ImmersionRequest.status.in_(request_lifecycle.IN_QUEUE),
        )
    )


def token(round_: Round) -> str:
    """A fingerprint of what publishing would send now: the scope, the proposals and their versions."""
    rows = sorted(
        db.session.execute(_sendable(round_).with_only_columns(Proposal.id, Proposal.version, Proposal.session_id))
    )
    text = f"{round_.id}:{round_.finished_at}:{round_.network.publication_scope}:{[tuple(r) for r in rows]}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def preview(round_: Round) -> Preview:
    """What publishing the round now would send, to whom, and what it would leave unsent."""
    sendable = _sendable(round_).subquery()
    agents = Counter(
        dict(
            db.session.execute(
                select(ImmersionRequest.organisation_id, func.count())
                .join(Proposal, Proposal.request_id == ImmersionRequest.id)
                .where(Proposal.id.in_(select(sendable.c.id)))
                .group_by(ImmersionRequest.organisation_id)
            ).all()
        )
    )
    hosted = Counter(
        dict(
            db.session.execute(
                select(Offer.organisation_id, func.count())
                .join(OfferSession, OfferSession.offer_id == Offer.id)
                .join(Proposal, Proposal.session_id == OfferSession.id)
                .where(Proposal.id.in_(select(sendable.c.id)))
                .group_by(Offer.organisation_id)
            ).all()
        )
    )
    told = Counter(
        dict(
            db.session.execute(
                select(ImmersionRequest.organisation_id, func.count())
                .join(UnmatchedOutlook, UnmatchedOutlook.request_id == ImmersionRequest.id)
                .where(
                    UnmatchedOutlook.round_id == round_.id,
                    ImmersionRequest.status.in_(request_lifecycle.IN_QUEUE),
                )
                .group_by(ImmersionRequest.organisation_id)
            ).all()
        )
    )
    in_review: Counter = Counter()  # proposals in review: is their request still waiting?
    for status, n in db.session.execute(
        select(ImmersionRequest.status, func.count())
        .join(Proposal, Proposal.request_id == ImmersionRequest.id)
        .where(Proposal.round_id == round_.id, Proposal.status.in_(proposal_lifecycle.IN_REVIEW))
        .group_by(ImmersionRequest.status)
    ):
        in_review[status in request_lifecycle.IN_QUEUE] += n
    names = dict(
        db.session.execute(
            select(Organisation.id, Organisation.name).where(Organisation.network_id == round_.network_id)
        ).all()
    )
    shown = set(agents) | set(hosted) | set(told)
    lines = sorted(
        (OrgLine(names.get(o, "?"), agents[o], hosted[o], told[o]) for o in shown), key=lambda line: line.name
    )
    to_send = sum(agents.values())
    rejected = db.session.scalar(
        select(func.count(Proposal.id)).where(
            Proposal.round_id == round_.id, Proposal.status == ProposalStatus.REJECTED
        )
    )
    waiting = in_review[True]
    return Preview(
        scope=PublicationScope(round_.network.publication_scope),
        to_send=to_send,
        held_back=waiting - to_send,
        rejected=rejected or 0,
        left_out=in_review[False],
        told=sum(told.values()),
        lines=lines,
        token=token(round_),
    )


def set_scope(actor: User, network: Network, scope: str) -> Network:
    """The network's choice of what publishing a round sends."""
    try:
        chosen = PublicationScope(scope)
    except ValueError:
        raise ServiceError({"publication_scope": [_("Choix inconnu.")]}) from None
    network.publication_scope = chosen
    audit.record(actor, "network.publication_scope", network, network_id=network.id, scope=chosen.value)
    db.session.commit()
    return network
