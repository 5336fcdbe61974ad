"""The coordinator starts a round, follows it, reviews, rejects, replaces, pins and publishes."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from mobilite.extensions import db
from mobilite.models import (
    ForbiddenPair,
    InboxItem,
    Network,
    Notification,
    Proposal,
    ProposalStatus,
    RequestStatus,
    Round,
    RoundStatus,
    User,
    utcnow,
)
from mobilite.services import demo, rounds
from tests.factories import CoordinatorFactory
from tests.fixtures import csrf_token, fresh, login

PASSWORD = "demo password for tests"
COORDINATOR = "coordination@demo.mobilite.fr"


@pytest.fixture
def demo_network(app):
    with app.test_request_context():
        demo.load_demo(PASSWORD)
    return db.session.scalar(select(Network))


def _post(client, path, data=None, page="/coordination/"):
    token = csrf_token(client.get(page).get_data(as_text=True))
    return client.post(path, data={**(data or {}), "csrf_token": token})


def _field(page: str, name: str) -> str:
    """The value of a hidden input of a page."""
    return re.search(rf'name="{name}" value="([^"]*)"', page).group(1)


def _proposed_round(client, app):
    login(client, COORDINATOR, PASSWORD)
    response = _post(client, "/coordination/tours")
    round_id = int(response.headers["Location"].rsplit("/", 1)[1])
    progress = client.get(f"/coordination/tours/{round_id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' in progress  # waits for the scheduler, refreshing itself
    with app.app_context():
        assert rounds.run_due_rounds() == [round_id]  # what the scheduler process does
    return round_id


def test_start_run_review_reject_and_publish(demo_network, client, app):
    round_id = _proposed_round(client, app)
    page = client.get(f"/coordination/tours/{round_id}").get_data(as_text=True)
    assert "Indicateurs" in page and "Taux de placement par organisation" in page
    assert "Demandes sans proposition" in page

    proposals = db.session.scalars(select(Proposal).where(Proposal.round_id == round_id).order_by(Proposal.id)).all()
    rejected = proposals[0]
    response = _post(
        client,
        f"/coordination/propositions/{rejected.id}/decision",
        {"decision": "reject"},
        page=f"/coordination/tours/{round_id}",
    )
    assert response.status_code == 302
    rejected = fresh(rejected)
    assert rejected.status == ProposalStatus.PROPOSED  # no reason, no rejection
    _post(
        client,
        f"/coordination/propositions/{rejected.id}/decision",
        {"decision": "reject", "reason": "Agent déjà parti en immersion dans ce service."},
        page=f"/coordination/tours/{round_id}",
    )
    rejected = fresh(rejected)
    assert rejected.status == ProposalStatus.REJECTED
    assert db.session.scalar(select(func.count(ForbiddenPair.id))) == 1

    # Everything else approved at once (the whole round as a filter), then published after its summary.
    page = client.get(f"/coordination/tours/{round_id}").get_data(as_text=True)
    _post(
        client,
        f"/coordination/tours/{round_id}/decisions",
        {"decision": "approve", "target": "filter", "token": _field(page, "token")},
        page=f"/coordination/tours/{round_id}",
    )
    summary = client.get(f"/coordination/tours/{round_id}/publier").get_data(as_text=True)
    assert f"{len(proposals) - 1} propositions envoyées" in summary
    _post(
        client,
        f"/coordination/tours/{round_id}/publier",
        {"token": _field(summary, "token")},
        page=f"/coordination/tours/{round_id}",
    )
    round_ = db.session.get(Round, round_id)
    round_ = fresh(round_)
    assert round_.status == RoundStatus.PUBLISHED
    published = db.session.scalars(
        select(Proposal).where(Proposal.round_id == round_id, Proposal.status == ProposalStatus.PUBLISHED)
    ).all()
    assert len(published) == len(proposals) - 1
    assert all(p.respond_by is not None and p.request.status == RequestStatus.MATCHED for p in published)
    agent_ids = {p.request.agent_id for p in published}
    notified = set(
        db.session.scalars(select(Notification.recipient_id).where(Notification.kind == "proposal.published"))
    )
    assert notified == agent_ids
    # The host's HR is told too (in the app's inbox, and by e-mail in the round's digest).
    assert db.session.scalar(select(func.count(InboxItem.id)).where(InboxItem.kind == "proposal.published.host")) >= 1
    rejected_request = fresh(rejected.request)
    assert rejected_request.rounds_waited == 1  # left out, it gains priority next time


def test_replacing_by_hand_is_checked_against_the_hard_rules(demo_network, client, app):
    round_id = _proposed_round(client, app)
    proposal = db.session.scalar(select(Proposal).where(Proposal.round_id == round_id).order_by(Proposal.id))
    own_session = db.session.execute(
        select(Proposal.session_id).join(Proposal.session).where(Proposal.round_id == round_id)
    ).first()
    from mobilite.models import Offer, OfferSession

    home_session = db.session.scalar(
        select(OfferSession.id).join(Offer).where(Offer.organisation_id == proposal.request.organisation_id)
    )
    assert own_session is not None
    if home_session is not None:
        response = _post(
            client,
            f"/coordination/propositions/{proposal.id}/remplacer",
            {"session_id": str(home_session)},
            page=f"/coordination/propositions/{proposal.id}",
        )
        page = client.get(response.headers["Location"]).get_data(as_text=True).replace("&#39;", "'")
        # Which placement comes first depends on the engine's result; its home organisation's session is
        # refused for being its own, or (when that session is not in this round at all) for being closed.
        assert ("Placement impossible" in page and "sa propre organisation" in page) or (
            "Cette session n'est pas ouverte à ce tour." in page
        )
        proposal = fresh(proposal)
        assert proposal.session_id != home_session

    # Moving it to the session it already holds keeps every rule: accepted, and pinned.
    _post(
        client,
        f"/coordination/propositions/{proposal.id}/remplacer",
        {"session_id": str(proposal.session_id)},
        page=f"/coordination/propositions/{proposal.id}",
    )
    proposal = fresh(proposal)
    assert proposal.pinned and proposal.status == ProposalStatus.APPROVED


def test_pins_survive_a_rerun(demo_network, client, app):
    round_id = _proposed_round(client, app)
    proposal = db.session.scalar(select(Proposal).where(Proposal.round_id == round_id).order_by(Proposal.id.desc()))
    pair = (proposal.request_id, proposal.session_id)
    _post(
        client,
        f"/coordination/propositions/{proposal.id}/epingle",
        {"pinned": "1"},
        page=f"/coordination/tours/{round_id}",
    )
    _post(client, f"/coordination/tours/{round_id}/relancer", page=f"/coordination/tours/{round_id}")
    with app.app_context():
        assert rounds.run_due_rounds() == [round_id]
    again = db.session.scalar(select(Proposal).where(Proposal.round_id == round_id, Proposal.request_id == pair[0]))
    assert again.session_id == pair[1] and again.pinned


def test_another_networks_round_answers_404(demo_network, client):
    round_ = rounds.request_round(demo_network, rounds.week_of(date.today()), trigger="manual")
    outsider = CoordinatorFactory()
    login(client, outsider.email)
    assert client.get(f"/coordination/tours/{round_.id}").status_code == 404
    token = csrf_token(client.get("/coordination/").get_data(as_text=True))
    assert client.post(f"/coordination/tours/{round_.id}/publier", data={"csrf_token": token}).status_code == 404
    assert db.session.scalar(select(User).where(User.email == outsider.email)) is not None


def test_coordinator_reads_an_immersion_of_the_network(client):
    from tests.factories import ImmersionFactory

    immersion = ImmersionFactory()
    network = immersion.proposal.session.offer.organisation.network
    coordinator = CoordinatorFactory(network_id=network.id)
    login(client, coordinator.email)
    page = client.get(f"/coordination/immersions/{immersion.id}")
    assert page.status_code == 200
    assert client.get(f"/coordination/immersions/{immersion.id}/recapitulatif.pdf").data.startswith(b"%PDF")
    assert b"BEGIN:VCALENDAR" in client.get(f"/coordination/immersions/{immersion.id}/immersion.ics").data


def test_a_failed_round_shows_a_plain_message_and_its_attempts(demo_network, client, app, monkeypatch):
    """Finding 16: the page showed the raw database error, SQL and parameters included."""
    login(client, COORDINATOR, PASSWORD)
    round_id = int(_post(client, "/coordination/tours").headers["Location"].rsplit("/", 1)[1])

    def broken(_problem):
        raise RuntimeError("(psycopg.errors.DeadlockDetected) UPDATE rounds SET status=%(status)s WHERE rounds.id")

    monkeypatch.setattr("appariement.solve", broken)
    with app.app_context():
        assert rounds.run_due_rounds() == []
    page = client.get(f"/coordination/tours/{round_id}").get_data(as_text=True).replace("&#39;", "'")
    assert "s'est arrêté sur une erreur" in page and "Tentatives faites\u00a0: 1." in page
    assert "UPDATE" not in page and "psycopg" not in page


def test_a_requeued_round_shows_its_next_attempt(demo_network, client, app):
    login(client, COORDINATOR, PASSWORD)
    round_id = int(_post(client, "/coordination/tours").headers["Location"].rsplit("/", 1)[1])
    round_ = db.session.get(Round, round_id)
    round_.status, round_.attempts, round_.heartbeat_at = RoundStatus.RUNNING, 1, utcnow() - timedelta(minutes=3)
    db.session.commit()
    with app.app_context():
        assert rounds.fail_stale_rounds() == 1
    page = client.get(f"/coordination/tours/{round_id}").get_data(as_text=True).replace("&#39;", "'")
    assert "relancé automatiquement (tentative 2 sur 3)" in page


def test_publishing_while_a_rerun_is_pending_is_refused_with_a_clear_message(demo_network, client, app):
    round_id = _proposed_round(client, app)
    _post(client, f"/coordination/tours/{round_id}/relancer", page=f"/coordination/tours/{round_id}")
    response = _post(
        client, f"/coordination/tours/{round_id}/publier", {"token": "0" * 32}, page=f"/coordination/tours/{round_id}"
    )
    page = client.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "Une relance de ce tour est en attente ou en cours" in page
    round_ = fresh(db.session.get(Round, round_id))
    assert round_.status == RoundStatus.SCHEDULED and round_.published_at is None
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.kind == "proposal.published")) == 0
