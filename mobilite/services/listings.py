"""The lists the web pages and the API both show, written once.

Each function returns a `Select` (as microblog's `following_posts()` does), ordered and with what its
readers need loaded; the web pages it with services.pagination.paginate (or a limit), the API with
api.core.page_of. Who may ask for which list is authz's business (require, require_scope); these only say
what the list holds.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from mobilite.authz import Scope
from mobilite.extensions import db
from mobilite.lifecycles import proposal as proposal_lifecycle
from mobilite.lifecycles import request as request_lifecycle
from mobilite.models import (
    Immersion,
    ImmersionRequest,
    Network,
    Offer,
    OfferSession,
    OfferStatus,
    Organisation,
    Proposal,
    ProposalStatus,
    Round,
    RoundStatus,
    Skill,
    Theme,
    User,
)

_OFFER_DETAILS = (
    selectinload(Offer.organisation),
    selectinload(Offer.sessions),
    selectinload(Offer.themes),
    selectinload(Offer.skills),
    selectinload(Offer.prerequisites),
)


# --- offers ----------------------------------------------------------------------------------------------


def organisation_offers(organisation_id: int, status: OfferStatus | None = None) -> Select:
    """An organisation's offers (HR), most recently changed first; optionally in one status."""
    query = select(Offer).where(Offer.organisation_id == organisation_id)
    if status is not None:
        query = query.where(Offer.status == status)
    return query.options(*_OFFER_DETAILS).order_by(Offer.updated_at.desc(), Offer.id.desc())


def offers_awaiting_validation(network_id: int) -> Select:
    """A network's offers submitted for validation (coordination), the longest waiting first."""
    return (
        select(Offer)
        .join(Organisation, Offer.organisation_id == Organisation.id)
        .where(Organisation.network_id == network_id, Offer.status == OfferStatus.SUBMITTED)
        .options(*_OFFER_DETAILS)
        .order_by(Offer.updated_at, Offer.id)
    )


# --- requests --------------------------------------------------------------------------------------------


def agent_requests(agent_id: int) -> Select:
    """An agent's own requests, drafts included, the latest first."""
    return (
        select(ImmersionRequest)
        .where(ImmersionRequest.agent_id == agent_id)
        .options(
            selectinload(ImmersionRequest.windows),
            selectinload(ImmersionRequest.wishes),
            selectinload(ImmersionRequest.themes),
            selectinload(ImmersionRequest.skills),
        )
        .order_by(ImmersionRequest.created_at.desc(), ImmersionRequest.id.desc())
    )


def organisation_requests(organisation_id: int, *, waiting_only: bool) -> Select:
    """An organisation's requests as its HR reads them (never the drafts): the waiting ones, oldest first
    (the first deadline first), or all of them, latest first."""
    query = select(ImmersionRequest).where(
        ImmersionRequest.organisation_id == organisation_id, ImmersionRequest.submitted_at.is_not(None)
    )
    if waiting_only:
        query = query.where(ImmersionRequest.status.in_(request_lifecycle.WAITING))
        order = (ImmersionRequest.submitted_at.asc(), ImmersionRequest.id.asc())
    else:
        order = (ImmersionRequest.submitted_at.desc(), ImmersionRequest.id.desc())
    return query.options(
        selectinload(ImmersionRequest.agent),
        selectinload(ImmersionRequest.windows),
        selectinload(ImmersionRequest.wishes),
        selectinload(ImmersionRequest.themes),
        selectinload(ImmersionRequest.skills),
    ).order_by(*order)


def home_organisations(request_ids: list[int]) -> dict[int, int]:
    """Each request's home organisation id, in one query."""
    if not request_ids:
        return {}
    rows = db.session.execute(
        select(ImmersionRequest.id, ImmersionRequest.organisation_id).where(ImmersionRequest.id.in_(request_ids))
    )
    return {key: value for key, value in rows}


# --- rounds and proposals --------------------------------------------------------------------------------


def network_rounds(network_id: int, status: RoundStatus | None = None) -> Select:
    """A network's rounds, latest week first; optionally in one status."""
    query = select(Round).where(Round.network_id == network_id)
    if status is not None:
        query = query.where(Round.status == status)
    return query.order_by(Round.week_start.desc(), Round.id.desc())


def round_of_week(network_id: int, week_start: date) -> Round | None:
    """A network's round of a week (there is one at most)."""
    return db.session.scalar(select(Round).where(Round.network_id == network_id, Round.week_start == week_start))


def _proposal_details(query: Select) -> Select:
    return query.options(
        selectinload(Proposal.request).selectinload(ImmersionRequest.agent),
        selectinload(Proposal.request).selectinload(ImmersionRequest.organisation),
        selectinload(Proposal.session).selectinload(OfferSession.offer).selectinload(Offer.organisation),
    )


def with_proposal_details(query: Select) -> Select:
    """A query of proposals, with what their pages and the API show loaded."""
    return _proposal_details(query)


def round_proposals(round_id: int, status: ProposalStatus | None = None) -> Select:
    """A round's proposals, best score first (the coordination's review); optionally in one status."""
    query = select(Proposal).where(Proposal.round_id == round_id)
    if status is not None:
        query = query.where(Proposal.status == status)
    return _proposal_details(query).order_by(Proposal.score.desc(), Proposal.id)


def party_proposals(user: User, scope: Scope, status: ProposalStatus | None = None) -> Select:
    """Published proposals and what followed them, latest change first: the agent's own (MINE), or those
    made to the organisation's offers or to its agents (ORGANISATION, HR); optionally in one status."""
    query = select(Proposal).join(ImmersionRequest, Proposal.request_id == ImmersionRequest.id)
    if scope == Scope.ORGANISATION:
        hosted = (
            select(OfferSession.id)
            .join(Offer, OfferSession.offer_id == Offer.id)
            .where(Offer.organisation_id == user.organisation_id)
        )
        query = query.where(
            or_(ImmersionRequest.organisation_id == user.organisation_id, Proposal.session_id.in_(hosted))
        )
    else:
        query = query.where(ImmersionRequest.agent_id == user.id)
    shown = proposal_lifecycle.SHOWN
    statuses = list(shown) if status is None else [s for s in (status,) if s in shown]
    query = query.where(Proposal.status.in_(statuses))
    return _proposal_details(query).order_by(Proposal.updated_at.desc(), Proposal.id.desc())


def immersion_ids(proposal_ids: list[int]) -> dict[int, int]:
    """The immersion of each confirmed proposal (proposal id → immersion id), in one query."""
    if not proposal_ids:
        return {}
    rows = db.session.execute(
        select(Immersion.proposal_id, Immersion.id).where(Immersion.proposal_id.in_(proposal_ids))
    )
    return {key: value for key, value in rows}


# --- immersions ------------------------------------------------------------------------------------------


def scoped_immersions(user: User, scope: Scope, status=None) -> Select:
    """Immersions, latest start first: the agent's own (MINE), those the organisation hosts or sends
    (ORGANISATION, HR), or the network's (NETWORK, coordination); optionally in one status."""
    query = select(Immersion)
    if scope == Scope.ORGANISATION:
        query = query.where(
            or_(
                Immersion.host_organisation_id == user.organisation_id,
                Immersion.home_organisation_id == user.organisation_id,
            )
        )
    elif scope == Scope.NETWORK:
        of_network = (
            select(Proposal.id).join(Round, Proposal.round_id == Round.id).where(Round.network_id == user.network_id)
        )
        query = query.where(Immersion.proposal_id.in_(of_network))
    else:
        query = query.where(Immersion.agent_id == user.id)
    if status is not None:
        query = query.where(Immersion.status == status)
    return query.options(
        selectinload(Immersion.session).selectinload(OfferSession.offer).selectinload(Offer.organisation)
    ).order_by(Immersion.start_date.desc(), Immersion.id.desc())


# --- reference data --------------------------------------------------------------------------------------


def network_organisations(network_id: int | None) -> Select:
    """A network's organisations, by name."""
    return (
        select(Organisation).where(Organisation.network_id == network_id).order_by(Organisation.name, Organisation.id)
    )


def themes() -> Select:
    """The themes of the vocabulary, by French label."""
    return select(Theme).order_by(Theme.label_fr, Theme.id)


def skills(theme_id: int | None = None) -> Select:
    """The skills of the vocabulary, by French label; optionally those of one theme."""
    query = select(Skill).order_by(Skill.label_fr, Skill.id)
    if theme_id is not None:
        query = query.where(Skill.theme_id == theme_id)
    return query


def all_organisations() -> Select:
    """Every organisation of the platform, by name (the administration's choices)."""
    return select(Organisation).order_by(Organisation.name, Organisation.id)


def all_networks() -> Select:
    """Every network of the platform, by name (the administration's choices)."""
    return select(Network).order_by(Network.name, Network.id)


def open_sessions(network_id: int, week_start: date) -> Select[OfferSession]:
    """The sessions a round of this week may fill: published offers of the network, from the round's week on."""
    return (
        select(OfferSession)
        .join(Offer, OfferSession.offer_id == Offer.id)
        .join(Organisation, Offer.organisation_id == Organisation.id)
        .where(
            Organisation.network_id == network_id,
            Offer.status == OfferStatus.PUBLISHED,
            Organisation.is_active,  # a suspended organisation's sessions are not offered
            OfferSession.start_date >= week_start,
        )
    )
