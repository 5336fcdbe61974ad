"""The demo's current week: one immersion at each stage, for the accounts `flask demo` prints.

Past rounds (services.demo) leave only immersions done and assessed. Someone trying the service also needs
what is under way: a confirmed immersion to come (its agreement to complete and sign, its calendar file),
a proposal waiting for the agent's answer, one waiting for the host's HR, and an immersion that has just
ended, waiting for both feedbacks. The answers go through the service agents and HR use
(proposals.answer_proposal), so the agreement, the audit and the messages are those of a real confirmation.
"""

from __future__ import annotations

import logging
import random
from datetime import date, timedelta

from sqlalchemy import select

from mobilite.extensions import db
from mobilite.lifecycles import request as request_lifecycle
from mobilite.lifecycles.proposal import ProposalAnswer
from mobilite.lifecycles.request import RequestMove
from mobilite.models import (
    ImmersionRequest,
    Network,
    Offer,
    OfferSession,
    OfferStatus,
    Organisation,
    Proposal,
    ProposalStatus,
    RequestStatus,
    Role,
    User,
    utcnow,
)
from mobilite.seed import demo_data
from mobilite.services import proposals, wish_checks
from mobilite.services.demo_records import past_immersion, published_round
from mobilite.services.errors import ServiceError
from mobilite.services.rounds import week_of
from mobilite.workdays import add_working_days, is_working_day, next_monday

log = logging.getLogger(__name__)

# A confirmed immersion leaves its host time to complete the agreement and everyone time to sign it.
CONFIRMED_AT_LEAST_DAYS_AHEAD = 14
PROPOSED_AT_LEAST_DAYS_AHEAD = 7


def load_this_week(network: Network, rng: random.Random, today: date) -> None:
    """The round published two days ago with its three proposals, and the immersion that ended this week."""
    agents = _printed_agents(network)
    printed = [r for r in map(_approved_request, agents) if r is not None]
    others = _approved_requests(network, exclude={r.id for r in printed})
    published_at = utcnow() - timedelta(days=2)
    # Last week's: this week's is the coordinator's to start.
    round_ = published_round(network, week_of(today) - timedelta(days=7), published_at, timedelta(hours=20))
    respond_by = max(published_at.date() + timedelta(days=network.proposal_response_days), today + timedelta(days=2))
    made: list[tuple[Proposal, tuple[str, ...]]] = []
    requests_used: set[int] = set()
    sessions_used: set[int] = set()
    # Each stage with the answers given: both sides for the confirmed immersion (its agreement is drafted),
    # the host for the proposal waiting for its agent, the agent for the one waiting for the host's HR. The
    # first two go to printed agents; the host's HR, printed whoever the agent, answers the third.
    stages: list[tuple[int, list[ImmersionRequest], tuple[str, ...]]] = [
        (CONFIRMED_AT_LEAST_DAYS_AHEAD, printed, ("agent", "host")),
        (PROPOSED_AT_LEAST_DAYS_AHEAD, printed, ("host",)),
        (PROPOSED_AT_LEAST_DAYS_AHEAD, printed + others, ("agent",)),
    ]
    for ahead, candidates, sides in stages:
        found = next(
            (
                (immersion_request, session)
                for immersion_request in candidates
                if immersion_request.id not in requests_used
                for session in [
                    _fitting_session(immersion_request, today + timedelta(days=ahead), sessions_used, today)
                ]
                if session is not None
            ),
            None,
        )
        if found is None:
            log.warning("demo: no session fits a waiting request %d days ahead; that stage is left out", ahead)
            continue
        immersion_request, session = found
        requests_used.add(immersion_request.id)
        sessions_used.add(session.id)
        immersion_request.status = request_lifecycle.check_move(immersion_request.status, RequestMove.MATCH)
        proposal = Proposal(
            round=round_,
            request=immersion_request,
            session=session,
            status=ProposalStatus.PUBLISHED,
            created_at=round_.created_at,
            score=rng.randint(500, 900),
            breakdown={},
            respond_by=respond_by,
        )
        db.session.add(proposal)
        made.append((proposal, sides))
    round_.metrics = {"placed": len(made), "requests": len(made) + rng.randint(8, 14)}
    db.session.commit()

    # The answers, as agents and HR give them (each answer is its own unit of work: one the rules refuse
    # leaves its proposal published and waiting, as it would be).
    for proposal, sides in made:
        for side in sides:
            actor = proposal.request.agent if side == "agent" else _host_officer(proposal.session)
            assert actor is not None  # _fitting_session chose a host with an HR officer
            try:
                proposals.answer_proposal(actor, proposal, side, ProposalAnswer.ACCEPT, today=today)
            except ServiceError as refused:
                log.warning("demo: the %s's answer to proposal %d was refused: %s", side, proposal.id, refused)
                break

    _ended_this_week(network, agents, rng, today)


def _printed_agents(network: Network) -> list[User]:
    """The agent `flask demo` prints for each organisation (the first by id who is not HR), in the order of
    the programme's organisations."""
    order = {row["slug"]: n for n, row in enumerate(demo_data.ORGANISATIONS)}
    agents = []
    for organisation in sorted(network.organisations, key=lambda o: order.get(o.slug, len(order))):
        members = db.session.scalars(select(User).where(User.organisation_id == organisation.id).order_by(User.id))
        agent = next((u for u in members if not u.has_role(Role.RH)), None)
        if agent is not None:
            agents.append(agent)
    return agents


def _approved_request(agent: User) -> ImmersionRequest | None:
    return db.session.scalar(
        select(ImmersionRequest).where(
            ImmersionRequest.agent_id == agent.id, ImmersionRequest.status == RequestStatus.APPROVED
        )
    )


def _approved_requests(network: Network, exclude: set[int]) -> list[ImmersionRequest]:
    found = db.session.scalars(
        select(ImmersionRequest)
        .join(Organisation, ImmersionRequest.organisation_id == Organisation.id)
        .where(Organisation.network_id == network.id, ImmersionRequest.status == RequestStatus.APPROVED)
        .order_by(ImmersionRequest.id)
    )
    return [r for r in found if r.id not in exclude]


def _fitting_session(
    immersion_request: ImmersionRequest, earliest: date, taken: set[int], today: date
) -> OfferSession | None:
    """A session that keeps every matching rule for the request (the engine's own check), from `earliest`,
    at a host with an HR officer to answer, a wished offer's first."""
    page = wish_checks.compatible_offers(immersion_request, per_page=1000, today=today)
    for item in sorted(page.items, key=lambda item: not item.wished):
        for session in item.sessions:
            if session.start_date >= earliest and session.id not in taken and _host_officer(session) is not None:
                return session
    return None


def _host_officer(session: OfferSession) -> User | None:
    officers = db.session.scalars(
        select(User).where(User.organisation_id == session.offer.organisation_id, User.active).order_by(User.id)
    )
    return next((u for u in officers if u.has_role(Role.RH)), None)


def _ended_this_week(network: Network, agents: list[User], rng: random.Random, today: date) -> None:
    """An immersion of a printed agent without a request of their own, ended last week (or the week before,
    on a Monday): both feedbacks are still to give. Its round was three weeks ago."""
    with_request = set(db.session.scalars(select(ImmersionRequest.agent_id)))
    agent = next((a for a in agents if a.id not in with_request), None)
    if agent is None:
        return
    offer = db.session.scalars(
        select(Offer)
        .join(Organisation, Offer.organisation_id == Organisation.id)
        .where(
            Organisation.network_id == network.id,
            Offer.status == OfferStatus.PUBLISHED,
            Offer.organisation_id != agent.organisation_id,
        )
        .order_by(Offer.id)
    ).first()
    if offer is None:
        return
    start = next_monday(today - timedelta(days=14))  # the Monday of last week, or of the week before…
    while not is_working_day(start):  # …or the day after, when it is a public holiday
        start += timedelta(days=1)
    round_ = published_round(
        network, week_of(today) - timedelta(days=21), utcnow() - timedelta(days=21), timedelta(hours=20)
    )
    round_.metrics = {"placed": 1, "requests": 1 + rng.randint(5, 9)}
    window = (start - timedelta(days=7), add_working_days(start, 3))
    past_immersion(rng, round_, agent, offer, start, 3, window, scores=(500, 900))
    db.session.commit()
