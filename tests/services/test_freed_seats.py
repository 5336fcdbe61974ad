"""A seat freed by an immersion called off before its start, offered at once to the next candidate the engine
ranks for it (services/freed_seats.py)."""

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from mobilite.extensions import db
from mobilite.models import (
    AuditEvent,
    Immersion,
    ImmersionRequest,
    InboxItem,
    Organisation,
    Proposal,
    ProposalStatus,
    RequestStatus,
    RoundStatus,
    User,
)
from mobilite.services import cancellation, freed_seats, proposals
from mobilite.services.errors import ServiceError
from tests.factories import (
    CoordinatorFactory,
    ImmersionFactory,
    OrganisationFactory,
    ProposalFactory,
    RequestFactory,
    RoundFactory,
    UserFactory,
)
from tests.fixtures import fresh, wipe_committed_data

TODAY = date.today()
START = TODAY + timedelta(days=14)


def _plain(errors: dict) -> dict:
    """The messages with ordinary spaces (French typography puts narrow ones before colons)."""
    return {k: [m.replace("\u202f", " ").replace("\xa0", " ") for m in v] for k, v in errors.items()}


def _cancelled_immersion():
    """A one-seat session whose immersion the agent called off; the network's coordinator."""
    immersion = ImmersionFactory(
        proposal__session__start_date=START,
        proposal__session__end_date=START + timedelta(days=2),
        proposal__session__working_days=3,
        proposal__session__capacity=1,
    )
    network = immersion.proposal.round.network
    coordinator = CoordinatorFactory(network_id=network.id)
    cancellation.call_off(immersion.proposal.request.agent, immersion, "Empêchement.", today=TODAY)
    return fresh(immersion), coordinator


def _waiting(network, **values):
    organisation = OrganisationFactory(network=network)
    return RequestFactory(agent=UserFactory(organisation=organisation), status=RequestStatus.APPROVED, **values)


@pytest.fixture
def world(ctx):
    immersion, coordinator = _cancelled_immersion()
    network = immersion.proposal.round.network
    near = _waiting(network, max_distance_km=50)
    # Far away (Paris, 390 km from the Lyon host) but without a distance limit: eligible, scored lower.
    far = _waiting(network)
    far.organisation.latitude, far.organisation.longitude = 48.85, 2.35
    too_short = _waiting(network, min_days=4, max_days=5)  # the session's 3 days are too few: a hard rule
    submitted = _waiting(network)
    submitted.status = RequestStatus.SUBMITTED  # not approved by its employer yet
    db.session.commit()
    return immersion, coordinator, near, far, too_short, submitted


def test_the_candidates_keep_every_rule_best_score_first_with_their_words(world):
    immersion, coordinator, near, far, too_short, submitted = world

    seat = freed_seats.freed_seat(immersion, today=TODAY)

    assert seat.refusal is None and seat.seats_left == 1
    assert [c.request.id for c in seat.candidates] == [near.id, far.id]
    assert seat.candidates[0].score > seat.candidates[1].score
    # The agent who called it off is not proposed again (the pair is forbidden), nor is their request waiting.
    assert immersion.proposal.request_id not in {c.request.id for c in seat.candidates}
    words = {w.term: w.sentence for w in seat.candidates[0].words}
    assert words["distance"].startswith("À 0 km, dans sa limite de 50 km")
    assert "base" not in words


def test_offering_the_seat_makes_a_published_proposal_that_follows_the_usual_answers(world):
    immersion, coordinator, near, far, *_ = world
    host_hr = UserFactory(organisation=db.session.get(Organisation, immersion.host_organisation_id), roles=["rh"])

    proposal = freed_seats.offer_seat(coordinator, immersion, near.id, today=TODAY)

    proposal = fresh(proposal)
    assert proposal.status == ProposalStatus.PUBLISHED
    assert proposal.session_id == immersion.session_id and proposal.round_id == immersion.proposal.round_id
    assert proposal.respond_by == TODAY + timedelta(days=immersion.proposal.round.network.proposal_response_days)
    assert "manual" in proposal.breakdown and proposal.score == sum(proposal.breakdown.values()) > 0
    assert fresh(near).status == RequestStatus.MATCHED
    told = {(item.user_id, item.kind) for item in db.session.scalars(select(InboxItem))}
    assert (near.agent_id, "proposal.published") in told and (host_hr.id, "proposal.published.host") in told
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "proposal.freed_seat"))
    assert event.actor_id == coordinator.id and event.details["immersion_id"] == immersion.id
    # The seat is held now: nobody else is offered it, and the next round sees none left.
    assert "déjà été proposée" in freed_seats.freed_seat(fresh(immersion), today=TODAY).refusal
    with pytest.raises(ServiceError) as refused:
        freed_seats.offer_seat(coordinator, fresh(immersion), far.id, today=TODAY)
    assert "déjà été proposée" in refused.value.errors["_schema"][0]
    assert fresh(far).status == RequestStatus.APPROVED
    # Both sides accept as after a round: the immersion is confirmed.
    proposals.answer_proposal(near.agent, fresh(proposal), "agent", "accept")
    proposals.answer_proposal(host_hr, fresh(proposal), "host", "accept")
    assert fresh(proposal).status == ProposalStatus.CONFIRMED
    assert db.session.scalar(select(Immersion).where(Immersion.proposal_id == proposal.id)) is not None


def test_a_request_that_breaks_a_rule_or_does_not_wait_is_refused_naming_the_field(world):
    immersion, coordinator, near, far, too_short, submitted = world
    for request, message in (
        (
            too_short,
            "Cette demande ne peut pas prendre cette place : la durée de la session sort de la durée demandée.",
        ),
        (submitted, "Cette demande n'attend plus de proposition : elle a été placée ou retirée."),
    ):
        with pytest.raises(ServiceError) as refused:
            freed_seats.offer_seat(coordinator, immersion, request.id, today=TODAY)
        assert _plain(refused.value.errors) == {"request_id": [message]}
    with pytest.raises(ServiceError) as refused:
        freed_seats.offer_seat(coordinator, immersion, 999_999, today=TODAY)
    assert refused.value.errors == {"request_id": ["Demande inconnue dans ce réseau."]}
    assert db.session.scalar(select(Proposal).where(Proposal.request_id.in_([too_short.id, submitted.id]))) is None


def test_only_the_network_coordination_offers_and_only_before_the_start(world):
    immersion, coordinator, near, *_ = world
    other = CoordinatorFactory()
    with pytest.raises(ServiceError):
        freed_seats.offer_seat(other, immersion, near.id, today=TODAY)
    with pytest.raises(ServiceError):
        freed_seats.offer_seat(db.session.get(User, immersion.agent_id), immersion, near.id, today=TODAY)
    assert freed_seats.freed_seat(immersion, today=START).refusal.startswith("La session a commencé")
    with pytest.raises(ServiceError):
        freed_seats.offer_seat(coordinator, immersion, near.id, today=START)
    assert fresh(near).status == RequestStatus.APPROVED


def test_a_round_in_review_that_places_someone_on_the_session_holds_the_seat(world):
    immersion, coordinator, near, *_ = world
    network = immersion.proposal.round.network
    in_review = RoundFactory(network=network, status=RoundStatus.PROPOSED, week_start=TODAY + timedelta(days=70))
    ProposalFactory(round=in_review, session=immersion.session, status=ProposalStatus.APPROVED)
    assert "déjà été proposée" in freed_seats.freed_seat(fresh(immersion), today=TODAY).refusal
    with pytest.raises(ServiceError):
        freed_seats.offer_seat(coordinator, fresh(immersion), near.id, today=TODAY)


def test_a_confirmed_immersion_frees_no_seat(ctx):
    immersion = ImmersionFactory(proposal__session__start_date=START, proposal__session__end_date=START)
    coordinator = CoordinatorFactory(network_id=immersion.proposal.round.network_id)
    assert freed_seats.freed_seat(immersion, today=TODAY).refusal is not None
    with pytest.raises(ServiceError):
        freed_seats.offer_seat(coordinator, immersion, _waiting(immersion.proposal.round.network).id, today=TODAY)


# --- two coordinators at once (separate connections, committed data) ----------------------------------------


@pytest.fixture
def committed_seat(_app):
    with _app.app_context():
        immersion, coordinator = _cancelled_immersion()
        network = immersion.proposal.round.network
        coordinators = [coordinator.id, CoordinatorFactory(network_id=network.id).id]
        requests = [_waiting(network).id, _waiting(network).id]
        ids = immersion.id, coordinators, requests
        db.session.remove()
    yield ids
    wipe_committed_data(_app)


def test_two_coordinators_offering_the_seat_at_once_give_it_once(_app, committed_seat):
    immersion_id, coordinators, requests = committed_seat
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def offer(n):
        with _app.test_request_context():
            try:
                immersion = db.session.get(Immersion, immersion_id)
                actor = db.session.get(User, coordinators[n])
                immersion.session.offer.organisation  # noqa: B018 - loaded before the click, as a page does
                barrier.wait()
                outcomes.append(freed_seats.offer_seat(actor, immersion, requests[n], today=TODAY).id)
            except ServiceError as exc:
                outcomes.append(exc)
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=offer, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    won = [o for o in outcomes if isinstance(o, int)]
    lost = [o for o in outcomes if isinstance(o, ServiceError)]
    assert len(won) == 1 and len(lost) == 1
    assert "déjà été proposée" in lost[0].errors["_schema"][0]
    with _app.app_context():
        session_id = db.session.get(Immersion, immersion_id).session_id
        held = db.session.scalars(
            select(Proposal).where(Proposal.session_id == session_id, Proposal.status == ProposalStatus.PUBLISHED)
        ).all()
        assert [p.id for p in held] == won
        statuses = {r: db.session.get(ImmersionRequest, r).status for r in requests}
        assert sorted(statuses.values()) == [RequestStatus.APPROVED, RequestStatus.MATCHED]
        db.session.remove()
