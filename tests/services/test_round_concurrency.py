"""Exactly one round per network and week, even when two schedulers and a coordinator race.

These tests use real, separate connections (one per thread), committed data and no rolled-back outer
transaction, so that the database itself arbitrates: the unique key on both, plus the advisory lock on
PostgreSQL.
"""

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, func, select, update

from mobilite.extensions import db
from mobilite.lifecycles.round import RoundStateConflict
from mobilite.models import (
    AuditEvent,
    ImmersionRequest,
    Network,
    Notification,
    Proposal,
    ProposalStatus,
    PublicationScope,
    RequestStatus,
    Round,
    RoundStatus,
    User,
)
from mobilite.services import round_review, rounds
from mobilite.services.errors import ServiceError
from tests.factories import (
    CoordinatorFactory,
    NetworkFactory,
    OfferFactory,
    OfferSessionFactory,
    OrganisationFactory,
    RequestFactory,
    UserFactory,
)
from tests.fixtures import wipe_committed_data

RACERS = 4


@pytest.fixture
def committed_network(_app):
    with _app.app_context():
        network = Network(name="Réseau de course", slug="course")
        db.session.add(network)
        db.session.commit()
        network_id = network.id
        db.session.remove()
    yield network_id
    with _app.app_context():
        db.session.execute(delete(AuditEvent).where(AuditEvent.network_id == network_id))
        db.session.execute(delete(Round).where(Round.network_id == network_id))
        db.session.execute(delete(Network).where(Network.id == network_id))
        db.session.commit()
        db.session.remove()


def _race(_app, target) -> list:
    barrier = threading.Barrier(RACERS)
    results, errors = [], []

    def racer(n):
        with _app.app_context():
            try:
                barrier.wait()
                results.append(target(n))
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=racer, args=(n,)) for n in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


def test_simultaneous_requests_create_exactly_one_round(_app, committed_network):
    week = rounds.week_of(date.today())

    def claim(n):
        network = db.session.get(Network, committed_network)
        round_ = rounds.request_round(network, week, trigger="manual" if n == 0 else "schedule")
        return round_.id if round_ else None

    results = _race(_app, claim)
    assert len([r for r in results if r is not None]) == 1
    with _app.app_context():
        count = db.session.scalar(select(func.count(Round.id)).where(Round.network_id == committed_network))
        db.session.remove()
    assert count == 1


def test_simultaneous_runs_run_the_round_once(_app, committed_network):
    with _app.app_context():
        network = db.session.get(Network, committed_network)
        round_id = rounds.request_round(network, rounds.week_of(date.today()), trigger="schedule").id
        db.session.remove()

    results = _race(_app, lambda n: rounds.run_round(round_id) is not None)
    assert results.count(True) == 1
    with _app.app_context():
        round_ = db.session.get(Round, round_id)
        assert round_.attempts == 1 and round_.status.value == "proposed"
        db.session.remove()


# --- publishing and rerunning one round at once ------------------------------------------------------------

ITERATIONS = 20
LIVE = (ProposalStatus.PUBLISHED, ProposalStatus.ACCEPTED, ProposalStatus.CONFIRMED)


@pytest.fixture
def committed_world(_app):
    """A small network with waiting requests and open sessions, committed; every table is emptied after
    (tests on `app` never commit, so nothing else lives in this database)."""
    with _app.app_context():
        # Publishing sends every proposal not rejected: nobody reviews them in these races.
        network = NetworkFactory(publication_scope=PublicationScope.APPROVED_AND_UNREVIEWED)
        organisations = [OrganisationFactory(network=network) for _ in range(3)]
        for organisation in organisations:
            for _ in range(2):
                OfferSessionFactory(offer=OfferFactory(organisation=organisation), capacity=2)
            for _ in range(3):
                RequestFactory(agent=UserFactory(organisation=organisation), status=RequestStatus.APPROVED)
        coordinator = CoordinatorFactory(network_id=network.id)
        ids = network.id, coordinator.id
        db.session.remove()
    yield ids
    wipe_committed_data(_app)


def _proposed_round(network_id: int, week) -> int:
    network = db.session.get(Network, network_id)
    round_ = rounds.request_round(network, week, trigger="manual")
    done = rounds.run_round(round_.id)
    assert done.status == RoundStatus.PROPOSED and done.proposals, done.error
    return round_.id


def _publish_and_rerun_at_once(_app, round_id: int, coordinator_id: int) -> list:
    """Two coordinators (two connections): one publishes, the other reruns and the scheduler runs it.
    Each loaded the round before clicking, as a web request does."""
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def publish():
        round_ = db.session.get(Round, round_id)
        actor = db.session.get(User, coordinator_id)
        barrier.wait()
        round_review.publish_round(actor, round_)
        return "published"

    def rerun():
        round_ = db.session.get(Round, round_id)
        actor = db.session.get(User, coordinator_id)
        barrier.wait()
        rounds.rerun_round(actor, round_)
        rounds.run_due_rounds()
        return "rerun"

    def racer(target):
        with _app.test_request_context():
            try:
                outcomes.append(target())
            except ServiceError as exc:  # refused: the expected answer of the loser, with its message
                outcomes.append(exc)
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=racer, args=(target,)) for target in (publish, rerun)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    return outcomes


def _check_invariants(round_id: int, network_id: int) -> None:
    round_ = db.session.get(Round, round_id)
    proposals = db.session.scalars(select(Proposal).where(Proposal.round_id == round_id)).all()
    if round_.status == RoundStatus.PUBLISHED:  # a published round keeps its proposals, all published
        assert proposals and all(p.status == ProposalStatus.PUBLISHED for p in proposals)
        assert round_.published_at is not None
    else:  # the rerun won: back in review with fresh proposals, never published
        assert round_.status == RoundStatus.PROPOSED and round_.published_at is None
        assert all(p.status == ProposalStatus.PROPOSED for p in proposals)
    matched = db.session.scalars(select(ImmersionRequest.id).where(ImmersionRequest.status == RequestStatus.MATCHED))
    live = set(db.session.scalars(select(Proposal.request_id).where(Proposal.status.in_(LIVE))))
    assert set(matched) <= live, "a request is matched without a live proposal"
    told = sorted(
        db.session.scalars(select(Notification.recipient_id).where(Notification.kind == "proposal.published"))
    )
    published_agents = sorted(
        db.session.scalars(
            select(ImmersionRequest.agent_id)
            .join(Proposal, Proposal.request_id == ImmersionRequest.id)
            .where(Proposal.status == ProposalStatus.PUBLISHED)
        )
    )
    assert told == published_agents, "an e-mail tells of a proposal that no longer exists"


def _reset(round_id: int) -> None:
    """Back to a clean queue for the next iteration."""
    db.session.execute(delete(Notification))
    db.session.execute(delete(Proposal).where(Proposal.round_id == round_id))
    db.session.execute(update(ImmersionRequest).values(status=RequestStatus.APPROVED, rounds_waited=0))
    db.session.commit()


def test_publish_and_rerun_at_once_keep_the_round_consistent(_app, committed_world):
    """Finding 1: both were accepted; the rerun replaced the published proposals, left requests matched and
    e-mails pointing at nothing. Now one wins under the round's lock and the other is refused (409)."""
    network_id, coordinator_id = committed_world
    winners = set()
    for iteration in range(ITERATIONS):
        week = rounds.week_of(date.today()) - timedelta(weeks=iteration + 1)
        with _app.test_request_context():
            round_id = _proposed_round(network_id, week)
            db.session.remove()
        outcomes = _publish_and_rerun_at_once(_app, round_id, coordinator_id)
        refused = [o for o in outcomes if isinstance(o, ServiceError)]
        assert len(refused) <= 1 and all(isinstance(o, RoundStateConflict) for o in refused), outcomes
        with _app.app_context():
            _check_invariants(round_id, network_id)
            winners.add(db.session.get(Round, round_id).status)
            _reset(round_id)
            db.session.remove()
    assert winners  # which side wins depends on timing; both must leave the round consistent
