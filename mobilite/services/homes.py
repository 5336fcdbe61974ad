"""What each role's home page shows, in a bounded number of queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, TypedDict

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from mobilite.authz import Scope
from mobilite.extensions import db
from mobilite.lifecycles import request as request_lifecycle
from mobilite.models import (
    ImmersionRequest,
    Network,
    Offer,
    OfferStatus,
    Organisation,
    Proposal,
    Round,
    User,
)
from mobilite.services import listings, rules
from mobilite.services.pagination import Page, paginate

# What each home page's template receives (as keyword arguments).


class AgentHome(TypedDict):
    requests: Sequence[ImmersionRequest]
    proposals: Sequence[Proposal]
    immersions: dict[int, int]  # proposal id -> its immersion's id
    network: Network | None
    remaining: int | None  # days left under the network's quota


class HrHome(TypedDict):
    organisation: Organisation
    offers: Sequence[Offer]
    offers_total: int
    waiting: Sequence[ImmersionRequest]
    waiting_total: int
    deadlines: dict[int, date]  # request id -> answer deadline
    overdue: set[int]


class OrganisationRow(TypedDict):
    organisation: Organisation
    members: int
    published: int
    approved: int


class CoordinatorHome(TypedDict):
    network: Network
    rows: list[OrganisationRow]
    to_validate: Sequence[Offer]
    rounds: Sequence[Round]


class AdminHome(TypedDict):
    networks: list[tuple[Network, int]]  # (network, how many organisations)
    accounts: int


class OrganisationPage(TypedDict):
    organisation: Organisation
    members: list[Any]
    offers: Sequence[Offer]


def agent_home(user: User) -> AgentHome:
    requests = db.session.scalars(listings.agent_requests(user.id)).all()
    proposals = db.session.scalars(listings.party_proposals(user, Scope.MINE)).all()
    # The confirmed ones link to their immersion's page.
    immersions = listings.immersion_ids([p.id for p in proposals])
    network = user.organisation.network if user.organisation else None
    remaining = rules.remaining_quota(user.id, network, date.today()) if network else None
    return {
        "requests": requests,
        "proposals": proposals,
        "immersions": immersions,
        "network": network,
        "remaining": remaining,
    }


def hr_home(user: User, limit: int = 20) -> HrHome:
    """The most urgent waiting requests and the latest offers, with their totals: bounded at any size."""
    organisation = user.organisation
    if organisation is None:
        raise LookupError(f"user {user.id} has an HR home but no organisation")
    live_offers = (Offer.organisation_id == organisation.id, Offer.status != OfferStatus.ARCHIVED)
    offers = db.session.scalars(
        select(Offer)
        .where(*live_offers)
        .options(selectinload(Offer.sessions))
        .order_by(Offer.updated_at.desc(), Offer.id.desc())
        .limit(limit)
    ).all()
    waiting_filter = (
        ImmersionRequest.organisation_id == organisation.id,
        ImmersionRequest.status.in_(request_lifecycle.WAITING),
    )
    waiting = db.session.scalars(
        select(ImmersionRequest)
        .where(*waiting_filter)
        .options(selectinload(ImmersionRequest.agent), selectinload(ImmersionRequest.windows))
        .order_by(ImmersionRequest.submitted_at, ImmersionRequest.id)
        .limit(limit)
    ).all()
    deadline_days = organisation.network.answer_deadline_days
    deadlines = {r.id: (r.submitted_at + timedelta(days=deadline_days)).date() for r in waiting if r.submitted_at}
    overdue = {rid for rid, deadline in deadlines.items() if deadline < date.today()}
    return {
        "organisation": organisation,
        "offers": offers,
        "offers_total": db.session.scalar(select(func.count(Offer.id)).where(*live_offers)) or 0,
        "waiting": waiting,
        "waiting_total": db.session.scalar(select(func.count(ImmersionRequest.id)).where(*waiting_filter)) or 0,
        "deadlines": deadlines,
        "overdue": overdue,
    }


def coordinator_home(user: User) -> CoordinatorHome:
    network = db.session.get(Network, user.network_id) if user.network_id is not None else None
    if network is None:
        raise LookupError(f"user {user.id} has a coordinator's home but no network")
    organisations = network.organisations
    org_ids = [o.id for o in organisations]
    members = dict(
        db.session.execute(
            select(User.organisation_id, func.count(User.id))
            .where(User.organisation_id.in_(org_ids))
            .group_by(User.organisation_id)
        ).all()
    )
    published = dict(
        db.session.execute(
            select(Offer.organisation_id, func.count(Offer.id))
            .where(Offer.organisation_id.in_(org_ids), Offer.status == OfferStatus.PUBLISHED)
            .group_by(Offer.organisation_id)
        ).all()
    )
    approved = dict(
        db.session.execute(
            select(ImmersionRequest.organisation_id, func.count(ImmersionRequest.id))
            .where(
                ImmersionRequest.organisation_id.in_(org_ids),
                ImmersionRequest.status.in_(request_lifecycle.IN_QUEUE),
            )
            .group_by(ImmersionRequest.organisation_id)
        ).all()
    )
    to_validate = db.session.scalars(listings.offers_awaiting_validation(network.id)).all()
    rounds = db.session.scalars(listings.network_rounds(network.id).limit(20)).all()
    rows: list[OrganisationRow] = [
        {
            "organisation": o,
            "members": members.get(o.id, 0),
            "published": published.get(o.id, 0),
            "approved": approved.get(o.id, 0),
        }
        for o in organisations
    ]
    return {"network": network, "rows": rows, "to_validate": to_validate, "rounds": rounds}


def admin_home() -> AdminHome:
    networks = [
        (network, organisations)
        for network, organisations in db.session.execute(
            select(Network, func.count(Organisation.id))
            .outerjoin(Organisation, Organisation.network_id == Network.id)
            .group_by(Network.id)
            .order_by(Network.name)
        )
    ]
    accounts = db.session.scalar(select(func.count(User.id))) or 0
    return {"networks": networks, "accounts": accounts}


def accounts_in_scope(
    *, organisation_id: int | None = None, network_id: int | None = None, page: int = 1, per_page: int = 50
) -> Page:
    """Accounts of one organisation, one network or (neither given) the platform, a page at a time."""
    query = select(User).outerjoin(Organisation, User.organisation_id == Organisation.id)
    if organisation_id is not None:
        query = query.where(User.organisation_id == organisation_id)
    elif network_id is not None:
        query = query.where((Organisation.network_id == network_id) | (User.network_id == network_id))
    query = query.options(selectinload(User.role_rows), selectinload(User.organisation)).order_by(
        User.last_name, User.first_name, User.id
    )
    return paginate(query, page, per_page)


def organisation_page(organisation: Organisation) -> OrganisationPage:
    """An organisation as its coordinator sees it: people by role and offers by status."""
    members = accounts_in_scope(organisation_id=organisation.id, per_page=500).items
    offers = db.session.scalars(
        select(Offer)
        .where(Offer.organisation_id == organisation.id)
        .options(selectinload(Offer.sessions))
        .order_by(Offer.status, Offer.title)
    ).all()
    return {"organisation": organisation, "members": members, "offers": offers}
