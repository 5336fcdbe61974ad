"""What each role's home page shows, in a bounded number of queries."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from mobilite.authz import PROPOSAL_SHOWN
from mobilite.extensions import db
from mobilite.models import (
    Immersion,
    ImmersionRequest,
    Network,
    Offer,
    OfferSession,
    OfferStatus,
    Organisation,
    Proposal,
    RequestStatus,
    Round,
    User,
)
from mobilite.services import rules
from mobilite.services.pagination import Page, paginate

WAITING = (RequestStatus.SUBMITTED, RequestStatus.POSTPONED)


def agent_home(user: User) -> dict:
    requests = db.session.scalars(
        select(ImmersionRequest)
        .where(ImmersionRequest.agent_id == user.id)
        .options(selectinload(ImmersionRequest.windows), selectinload(ImmersionRequest.themes))
        .order_by(ImmersionRequest.created_at.desc())
    ).all()
    proposals = db.session.scalars(
        select(Proposal)
        .join(ImmersionRequest, Proposal.request_id == ImmersionRequest.id)
        .where(ImmersionRequest.agent_id == user.id, Proposal.status.in_(PROPOSAL_SHOWN))
        .options(selectinload(Proposal.session).selectinload(OfferSession.offer).selectinload(Offer.organisation))
        .order_by(Proposal.created_at.desc())
    ).all()
    # The confirmed ones link to their immersion's page.
    immersions = dict(db.session.execute(
        select(Immersion.proposal_id, Immersion.id).where(Immersion.proposal_id.in_([p.id for p in proposals]))
    ).all()) if proposals else {}
    network = user.organisation.network if user.organisation else None
    remaining = rules.remaining_quota(user.id, network, date.today()) if network else None
    return {"requests": requests, "proposals": proposals, "immersions": immersions, "network": network,
            "remaining": remaining}


def hr_home(user: User, limit: int = 20) -> dict:
    """The most urgent waiting requests and the latest offers, with their totals: bounded at any size."""
    organisation = user.organisation
    live_offers = (Offer.organisation_id == organisation.id, Offer.status != OfferStatus.ARCHIVED)
    offers = db.session.scalars(
        select(Offer)
        .where(*live_offers)
        .options(selectinload(Offer.sessions))
        .order_by(Offer.updated_at.desc(), Offer.id.desc())
        .limit(limit)
    ).all()
    waiting_filter = (ImmersionRequest.organisation_id == organisation.id, ImmersionRequest.status.in_(WAITING))
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
        "offers_total": db.session.scalar(select(func.count(Offer.id)).where(*live_offers)),
        "waiting": waiting,
        "waiting_total": db.session.scalar(select(func.count(ImmersionRequest.id)).where(*waiting_filter)),
        "deadlines": deadlines,
        "overdue": overdue,
    }


def coordinator_home(user: User) -> dict:
    network = db.session.get(Network, user.network_id)
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
            .where(ImmersionRequest.organisation_id.in_(org_ids), ImmersionRequest.status == RequestStatus.APPROVED)
            .group_by(ImmersionRequest.organisation_id)
        ).all()
    )
    to_validate = db.session.scalars(
        select(Offer)
        .where(Offer.organisation_id.in_(org_ids), Offer.status == OfferStatus.SUBMITTED)
        .options(selectinload(Offer.organisation))
        .order_by(Offer.updated_at)
    ).all()
    rounds = db.session.scalars(
        select(Round).where(Round.network_id == network.id).order_by(Round.week_start.desc()).limit(20)
    ).all()
    rows = [
        {
            "organisation": o,
            "members": members.get(o.id, 0),
            "published": published.get(o.id, 0),
            "approved": approved.get(o.id, 0),
        }
        for o in organisations
    ]
    return {"network": network, "rows": rows, "to_validate": to_validate, "rounds": rounds}


def admin_home() -> dict:
    networks = db.session.execute(
        select(Network, func.count(Organisation.id))
        .outerjoin(Organisation, Organisation.network_id == Network.id)
        .group_by(Network.id)
        .order_by(Network.name)
    ).all()
    accounts = db.session.scalar(select(func.count(User.id)))
    return {"networks": networks, "accounts": accounts}


def accounts_in_scope(*, organisation_id: int | None = None, network_id: int | None = None,
                      page: int = 1, per_page: int = 50) -> Page:
    """Accounts of one organisation, one network or (neither given) the platform, a page at a time."""
    query = select(User).outerjoin(Organisation, User.organisation_id == Organisation.id)
    if organisation_id is not None:
        query = query.where(User.organisation_id == organisation_id)
    elif network_id is not None:
        query = query.where((Organisation.network_id == network_id) | (User.network_id == network_id))
    query = query.options(selectinload(User.role_rows), selectinload(User.organisation)).order_by(
        User.last_name, User.first_name, User.id)
    return paginate(query, page, per_page)


def organisation_page(organisation: Organisation) -> dict:
    """An organisation as its coordinator sees it: people by role and offers by status."""
    members = accounts_in_scope(organisation_id=organisation.id, per_page=500).items
    offers = db.session.scalars(
        select(Offer)
        .where(Offer.organisation_id == organisation.id)
        .options(selectinload(Offer.sessions))
        .order_by(Offer.status, Offer.title)
    ).all()
    return {"organisation": organisation, "members": members, "offers": offers}
