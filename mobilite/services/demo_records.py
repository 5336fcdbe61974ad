"""The demo's records that past rounds and the current weeks both build: a published round, and an
immersion that took place (its request, its proposal, its session)."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from mobilite.extensions import db
from mobilite.models import (
    Answer,
    AvailabilityWindow,
    Immersion,
    ImmersionRequest,
    ImmersionStatus,
    Network,
    Offer,
    OfferSession,
    Proposal,
    ProposalStatus,
    RequestStatus,
    Round,
    RoundStatus,
    User,
)
from mobilite.seed import demo_data
from mobilite.workdays import add_working_days


def published_round(network: Network, week_start: date, published_at: datetime, run_before: timedelta) -> Round:
    """A scheduled round, run `run_before` its publication."""
    round_ = Round(
        network=network,
        week_start=week_start,
        status=RoundStatus.PUBLISHED,
        trigger="schedule",
        solver_status="OPTIMAL",
        published_at=published_at,
        created_at=published_at - run_before,
    )
    db.session.add(round_)
    return round_


def past_immersion(
    rng: random.Random,
    round_: Round,
    agent: User,
    offer: Offer,
    start: date,
    days: int,
    window: tuple[date, date],
    scores: tuple[int, int],
) -> Immersion:
    """An immersion done (no feedback yet) through `round_`: a session of its own, the agent's request
    (written five weeks before the publication, answered by the employer the week after, closed) and
    the proposal both sides accepted."""
    assert round_.published_at is not None
    session = OfferSession(
        offer=offer, start_date=start, end_date=add_working_days(start, days), working_days=days, capacity=1
    )
    db.session.add(session)
    written = round_.published_at - timedelta(days=35)
    request = ImmersionRequest(
        created_at=written,
        submitted_at=written + timedelta(days=1),
        decided_at=written + timedelta(days=8),
        updated_at=round_.published_at,
        agent=agent,
        organisation=agent.organisation,
        status=RequestStatus.CLOSED,
        min_days=2,
        max_days=5,
        motivation=rng.choice(demo_data.MOTIVATIONS),
    )
    request.themes = list(agent.interests)
    request.windows.append(AvailabilityWindow(start_date=window[0], end_date=window[1]))
    proposal = Proposal(
        round=round_,
        request=request,
        session=session,
        status=ProposalStatus.CONFIRMED,
        created_at=round_.created_at,
        score=rng.randint(*scores),
        breakdown={},
        agent_answer=Answer.ACCEPTED,
        host_answer=Answer.ACCEPTED,
    )
    immersion = Immersion(
        proposal=proposal,
        agent_id=agent.id,
        home_organisation_id=agent.organisation_id,
        host_organisation_id=offer.organisation_id,
        session=session,
        start_date=start,
        end_date=session.end_date,
        working_days=days,
        status=ImmersionStatus.DONE,
    )
    db.session.add(immersion)
    return immersion
