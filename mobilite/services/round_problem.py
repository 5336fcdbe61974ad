"""The one converter between the database and the matching engine.

`load_problem` reads everything a round needs in a fixed number of queries, whatever the network's size,
and turns it into `appariement` dataclasses. Engine ids are the database ids as strings.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

import appariement
from mobilite.extensions import db
from mobilite.lifecycles import proposal as proposal_lifecycle
from mobilite.lifecycles import request as request_lifecycle
from mobilite.models import (
    ForbiddenPair,
    Immersion,
    ImmersionRequest,
    ImmersionStatus,
    Network,
    Offer,
    OfferPrerequisite,
    OfferSession,
    Organisation,
    Place,
    Proposal,
    RequestStatus,
    Round,
    User,
    UserSkill,
)
from mobilite.services import listings
from mobilite.services.rules import used_quota_days_by_agent


@dataclass(frozen=True)
class LoadedRound:
    problem: appariement.Problem
    request_ids: frozenset[int]
    session_ids: frozenset[int]


def engine_settings(network: Network) -> appariement.Settings:
    known = set(appariement.Weights.__dataclass_fields__)
    weights = appariement.Weights(**{k: int(v) for k, v in (network.weights or {}).items() if k in known})
    return appariement.Settings(
        weights=weights,
        diversity=network.diversity_per_session,
        continuity=network.continuity_max_away,
        fairness_floor=(network.fairness_floor_percent or 0) / 100,
        reciprocity=network.reciprocity,
        mode=network.matching_mode.value,
    )


def settings_snapshot(network: Network) -> dict:
    """What the round ran with, kept on the round for the record."""
    s = engine_settings(network)
    return {
        "weights": dict(vars(s.weights)),
        "diversity": s.diversity,
        "continuity": s.continuity,
        "fairness_floor": s.fairness_floor,
        "reciprocity": s.reciprocity,
        "mode": s.mode,
        "min_days": network.min_days,
        "max_days": network.max_days,
        "quota_days": network.quota_days,
        "quota_years": network.quota_years,
    }


def _organisations(network: Network) -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).where(Organisation.network_id == network.id)))


def _approved_requests(
    network: Network, only: Collection[int] | None = None, any_status: bool = False
) -> list[ImmersionRequest]:
    query = select(ImmersionRequest)
    if only is not None:
        query = query.where(ImmersionRequest.id.in_(list(only)))
    statuses = list(RequestStatus) if any_status else list(request_lifecycle.IN_QUEUE)
    return list(
        db.session.scalars(
            query.join(Organisation, ImmersionRequest.organisation_id == Organisation.id)
            .where(
                Organisation.network_id == network.id,
                ImmersionRequest.status.in_(statuses),
                Organisation.is_active,  # a suspended organisation's requests are paused
            )
            .options(
                selectinload(ImmersionRequest.windows),
                selectinload(ImmersionRequest.themes),
                selectinload(ImmersionRequest.skills),
                selectinload(ImmersionRequest.wishes),
                selectinload(ImmersionRequest.agent).selectinload(User.skills).selectinload(UserSkill.skill),
            )
            .order_by(ImmersionRequest.id)
        )
    )


def _open_sessions(network: Network, week_start: date) -> list[OfferSession]:
    return list(
        db.session.scalars(
            listings.open_sessions(network.id, week_start)
            .options(
                selectinload(OfferSession.offer).selectinload(Offer.themes),
                selectinload(OfferSession.offer).selectinload(Offer.skills),
                selectinload(OfferSession.offer).selectinload(Offer.site),  # where it happens (distances)
                selectinload(OfferSession.offer)
                .selectinload(Offer.prerequisites)
                .selectinload(OfferPrerequisite.skill),
            )
            .order_by(OfferSession.id)
        )
    )


def _seats_held(round_id: int | None, session_ids) -> dict[int, int]:
    query = (
        select(Proposal.session_id, func.count(Proposal.id))
        # A confirmed proposal whose immersion was called off gives its seat back.
        .outerjoin(Immersion, Immersion.proposal_id == Proposal.id)
        .where(
            Proposal.session_id.in_(session_ids),
            Proposal.status.in_(proposal_lifecycle.HOLDING_SEATS),
            or_(Immersion.id.is_(None), Immersion.status != ImmersionStatus.CANCELLED),
        )
        .group_by(Proposal.session_id)
    )
    if round_id is not None:
        query = query.where(Proposal.round_id != round_id)
    return dict(db.session.execute(query).all())


def _forbidden(request_ids) -> list[tuple[int, int]]:
    return list(
        db.session.execute(
            select(ForbiddenPair.request_id, ForbiddenPair.session_id).where(ForbiddenPair.request_id.in_(request_ids))
        ).all()
    )


def engine_organisation(organisation: Organisation) -> appariement.Organisation:
    return appariement.Organisation(
        str(organisation.id), organisation.name, organisation.latitude or 0.0, organisation.longitude or 0.0
    )


def engine_request(immersion_request: ImmersionRequest, home: Organisation, quota_days: int) -> appariement.Request:
    """One request as the engine reads it; `home` is its organisation, `quota_days` the agent's days left."""
    agent = immersion_request.agent
    lat = agent.work_latitude if agent.work_latitude is not None else home.latitude
    lon = agent.work_longitude if agent.work_longitude is not None else home.longitude
    return appariement.Request(
        id=str(immersion_request.id),
        agent_id=str(agent.id),
        org_id=str(immersion_request.organisation_id),
        windows=tuple((w.start_date, w.end_date) for w in immersion_request.windows),
        lat=lat or 0.0,
        lon=lon or 0.0,
        team=agent.team or None,
        themes=tuple(t.code for t in immersion_request.themes),
        skills=tuple(s.code for s in immersion_request.skills),
        current_skills={us.skill.code: us.level for us in agent.skills},
        min_days=immersion_request.min_days,
        max_days=immersion_request.max_days,
        # No limit set: no limit in the engine either (overseas sessions stay reachable).
        max_distance_km=(
            float(immersion_request.max_distance_km) if immersion_request.max_distance_km is not None else None
        ),
        quota_days=quota_days,
        wishes=tuple(str(w.offer_id) for w in immersion_request.wishes),
        rounds_waited=immersion_request.rounds_waited,
    )


def engine_session(session: OfferSession, host: Organisation, held: int = 0) -> appariement.Session:
    """One session as the engine reads it; `host` is its offer's organisation, `held` the seats already taken.
    Its place is the offer's own (its site, else the host's address: Offer.location), never `host`'s alone."""
    offer = session.offer
    place = offer.location
    return appariement.Session(
        id=str(session.id),
        offer_id=str(offer.id),
        org_id=str(offer.organisation_id),
        start=session.start_date,
        end=session.end_date,
        working_days=session.working_days,
        capacity=max(session.capacity - held, 0),
        lat=place.latitude or 0.0,
        lon=place.longitude or 0.0,
        remote=offer.place == Place.REMOTE,
        themes=tuple(t.code for t in offer.themes),
        skills=tuple(s.code for s in offer.skills),
        prerequisites={p.skill.code: p.min_level for p in offer.prerequisites},
    )


def load_problem(
    network: Network,
    week_start: date,
    round_: Round | None = None,
    today: date | None = None,
    only_requests: Collection[int] | None = None,
    any_status: bool = False,
) -> LoadedRound:
    """Approved requests × open sessions of the network, with pins of `round_` and forbidden pairs.

    `only_requests` keeps those requests only (still if approved): a placement moved by hand is checked
    against the round's other placements, not against the network's whole queue. `any_status` with
    `only_requests`: those requests whatever their status since (a draft of a published round)."""
    today = today or date.today()
    organisations = _organisations(network)
    by_id = {o.id: o for o in organisations}
    requests = _approved_requests(network, only_requests, any_status and only_requests is not None)
    sessions = _open_sessions(network, week_start)
    used = (
        used_quota_days_by_agent(
            select(ImmersionRequest.agent_id).where(ImmersionRequest.id.in_([r.id for r in requests])), network, today
        )
        if requests
        else {}
    )
    held = _seats_held(round_.id if round_ else None, [s.id for s in sessions]) if sessions else {}

    engine_requests = [
        engine_request(r, by_id[r.organisation_id], max(network.quota_days - used.get(r.agent_id, 0), 0))
        for r in requests
    ]
    engine_sessions = [engine_session(s, by_id[s.offer.organisation_id], held.get(s.id, 0)) for s in sessions]

    request_ids = {r.id for r in requests}
    session_ids = {s.id for s in sessions}
    pins: tuple[tuple[str, str], ...] = ()
    if round_ is not None:
        pinned = db.session.execute(
            select(Proposal.request_id, Proposal.session_id).where(
                Proposal.round_id == round_.id, Proposal.pinned.is_(True)
            )
        ).all()
        pins = tuple(sorted((str(r), str(s)) for r, s in pinned if r in request_ids and s in session_ids))
    forbidden = tuple(
        sorted((str(r), str(s)) for r, s in (_forbidden(request_ids) if request_ids else []) if s in session_ids)
    )
    problem = appariement.Problem(
        organisations=tuple(engine_organisation(o) for o in organisations),
        requests=tuple(engine_requests),
        sessions=tuple(engine_sessions),
        settings=engine_settings(network),
        pins=pins,
        forbidden=forbidden,
    )
    return LoadedRound(problem, frozenset(request_ids), frozenset(session_ids))
