"""The coordination's rounds through the API: start (202, run by the scheduler, never in the request), follow,
review the proposals (approve, reject with a reason, pin, replace), publish; another network's → 404."""

from datetime import date, timedelta

from sqlalchemy import func, select

from mobilite.extensions import db
from mobilite.models import (
    ForbiddenPair,
    OfferStatus,
    Proposal,
    ProposalStatus,
    RequestStatus,
    Role,
    Round,
    RoundStatus,
)
from mobilite.services import rounds
from tests.factories import (
    CoordinatorFactory,
    OfferFactory,
    OfferSessionFactory,
    OrganisationFactory,
    ProposalFactory,
    RequestFactory,
    RoundFactory,
    UserFactory,
)
from tests.fixtures import bearer


def _network(requests: int = 2):
    """A network with a host offering one session and `requests` approved requests from another
    organisation, whose availability covers the session: the engine places each of them."""
    coordinator = CoordinatorFactory()
    network = coordinator.coordinated_network
    host, home = OrganisationFactory(network=network), OrganisationFactory(network=network)
    start = date.today() + timedelta(days=14)
    while start.weekday() != 0:
        start += timedelta(days=1)
    session = OfferSessionFactory(
        offer=OfferFactory(organisation=host, status=OfferStatus.PUBLISHED),
        start_date=start,
        end_date=start + timedelta(days=2),
        working_days=3,
        capacity=requests,
    )
    items = [
        RequestFactory(agent=UserFactory(organisation=home), status=RequestStatus.APPROVED) for _ in range(requests)
    ]
    return coordinator, session, items


def _proposed(app, client, coordinator):
    """Start this week's round through the API, then run it as the scheduler does."""
    response = client.post("/api/v1/rounds", headers=bearer(app, coordinator))
    assert response.status_code == 202, response.get_json()
    round_id = response.get_json()["id"]
    done = rounds.run_round(round_id)
    assert done.status == RoundStatus.PROPOSED, done.error
    return round_id


def test_starting_a_round_schedules_it_and_solves_nothing_in_the_request(app, client):
    coordinator, _session, _items = _network()
    headers = bearer(app, coordinator)
    response = client.post("/api/v1/rounds", headers=headers)
    assert response.status_code == 202
    body = response.get_json()
    assert body["status"] == "scheduled" and body["trigger"] == "manual"
    assert body["week_start"] == rounds.week_of(date.today()).isoformat()
    assert body["network_id"] == coordinator.network_id and body["started_by_id"] == coordinator.id
    assert response.headers["Location"].endswith(f"/api/v1/rounds/{body['id']}")
    assert db.session.scalar(select(func.count(Proposal.id)).where(Proposal.round_id == body["id"])) == 0
    assert client.get(f"/api/v1/rounds/{body['id']}", headers=headers).get_json()["status"] == "scheduled"

    # One round per network and week: asking again answers 409, pointing at the existing one.
    again = client.post("/api/v1/rounds", headers=headers)
    assert again.status_code == 409
    assert again.get_json()["code"] == 409 and "existe déjà" in again.get_json()["message"]
    assert again.headers["Location"].endswith(f"/api/v1/rounds/{body['id']}")
    assert db.session.scalar(select(func.count(Round.id)).where(Round.network_id == coordinator.network_id)) == 1


def test_a_run_round_shows_its_metrics_and_proposals_with_their_breakdown(app, client):
    coordinator, session, items = _network()
    headers = bearer(app, coordinator)
    round_id = _proposed(app, client, coordinator)

    body = client.get(f"/api/v1/rounds/{round_id}", headers=headers).get_json()
    assert body["status"] == "proposed" and body["solver_status"]
    assert body["metrics"]["placed"] == 2 and {"load", "solve", "save"} <= set(body["timings"])
    assert body["finished_at"] and body["published_at"] is None

    listing = client.get("/api/v1/rounds", headers=headers)
    assert listing.status_code == 200 and [r["id"] for r in listing.get_json()] == [round_id]
    assert client.get("/api/v1/rounds?status=published", headers=headers).get_json() == []

    response = client.get(f"/api/v1/rounds/{round_id}/proposals", headers=headers)
    assert response.status_code == 200
    proposals = response.get_json()
    assert {p["request_id"] for p in proposals} == {i.id for i in items}
    assert '"total": 2' in response.headers["X-Pagination"]
    for p in proposals:
        assert p["session_id"] == session.id and p["status"] == "proposed"
        assert p["host_organisation_id"] == session.offer.organisation_id and p["immersion_id"] is None
        assert sum(p["breakdown"].values()) == p["score"] and p["pinned"] is False
    assert client.get(f"/api/v1/rounds/{round_id}/proposals?status=approved", headers=headers).get_json() == []
    assert client.get(f"/api/v1/rounds/{round_id}/unmatched", headers=headers).get_json() == []


def test_unmatched_requests_come_with_their_reason(app, client):
    coordinator, session, items = _network(requests=3)
    session.capacity = 1
    db.session.commit()
    round_id = _proposed(app, client, coordinator)
    response = client.get(f"/api/v1/rounds/{round_id}/unmatched?page_size=1", headers=bearer(app, coordinator))
    assert response.status_code == 200 and '"total": 2' in response.headers["X-Pagination"]
    [unmatched] = response.get_json()
    assert unmatched["request_id"] in {i.id for i in items}
    assert unmatched["organisation_id"] == items[0].organisation_id
    assert unmatched["reason"] == "outcompeted" and unmatched["sessions"][0]["session_id"] == session.id


def test_review_then_publish(app, client):
    coordinator, _session, _items = _network()
    headers = bearer(app, coordinator)
    round_id = _proposed(app, client, coordinator)
    kept, rejected = db.session.scalars(
        select(Proposal.id).where(Proposal.round_id == round_id).order_by(Proposal.id)
    ).all()

    # A rejection needs a reason: 422 naming `reason`, and nothing changes.
    response = client.post(f"/api/v1/proposals/{rejected}/decision", headers=headers, json={"decision": "reject"})
    assert response.status_code == 422 and "reason" in response.get_json()["errors"]
    response = client.post(
        f"/api/v1/proposals/{rejected}/decision", headers=headers, json={"decision": "maybe", "reason": "x"}
    )
    assert response.status_code == 422 and "decision" in response.get_json()["errors"]
    db.session.expire_all()
    assert db.session.get(Proposal, rejected).status == ProposalStatus.PROPOSED

    response = client.post(
        f"/api/v1/proposals/{rejected}/decision",
        headers=headers,
        json={"decision": "reject", "reason": "Déjà parti dans ce service."},
    )
    assert response.status_code == 200
    assert response.get_json()["status"] == "rejected"
    assert response.get_json()["coordinator_reason"] == "Déjà parti dans ce service."
    assert db.session.scalar(select(func.count(ForbiddenPair.id))) == 1

    response = client.post(f"/api/v1/proposals/{kept}/decision", headers=headers, json={"decision": "approve"})
    assert response.status_code == 200 and response.get_json()["status"] == "approved"
    response = client.post(f"/api/v1/proposals/{kept}/pin", headers=headers, json={"pinned": True})
    assert response.status_code == 200 and response.get_json()["pinned"] is True
    assert client.post(f"/api/v1/proposals/{kept}/pin", headers=headers, json={"pinned": "x"}).status_code == 422
    # A rejected proposal cannot be pinned: the service's message, 422.
    response = client.post(f"/api/v1/proposals/{rejected}/pin", headers=headers, json={"pinned": True})
    assert response.status_code == 422 and response.get_json()["message"]

    response = client.post(f"/api/v1/rounds/{round_id}/publish", headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "published" and body["published_at"]
    db.session.expire_all()
    published = db.session.get(Proposal, kept)
    assert published.status == ProposalStatus.PUBLISHED and published.respond_by is not None
    assert published.request.status == RequestStatus.MATCHED
    assert db.session.get(Proposal, rejected).status == ProposalStatus.REJECTED

    # Published: no more review, no second publication, no rerun (409: the round's state says no).
    again = client.post(f"/api/v1/rounds/{round_id}/publish", headers=headers)
    assert again.status_code == 409 and "déjà publié" in again.get_json()["message"]
    rerun = client.post(f"/api/v1/rounds/{round_id}/rerun", headers=headers)
    assert rerun.status_code == 409 and "ne peut plus être relancé" in rerun.get_json()["message"]
    response = client.post(
        f"/api/v1/proposals/{kept}/decision", headers=headers, json={"decision": "reject", "reason": "Trop tard."}
    )
    assert response.status_code == 422
    assert db.session.get(Proposal, kept).status == ProposalStatus.PUBLISHED


def test_rerun_keeps_pins_and_is_left_to_the_scheduler(app, client):
    coordinator, _session, _items = _network()
    headers = bearer(app, coordinator)
    round_id = _proposed(app, client, coordinator)
    pinned = db.session.scalar(select(Proposal).where(Proposal.round_id == round_id).order_by(Proposal.id))
    pair, pinned_id = (pinned.request_id, pinned.session_id), pinned.id
    assert client.post(f"/api/v1/proposals/{pinned_id}/pin", headers=headers, json={"pinned": True}).status_code == 200

    response = client.post(f"/api/v1/rounds/{round_id}/rerun", headers=headers)
    assert response.status_code == 202 and response.get_json()["status"] == "scheduled"
    assert response.headers["Location"].endswith(f"/api/v1/rounds/{round_id}")
    # Scheduled again: rerunning it twice is refused until it has run, and so is publishing it (409).
    assert client.post(f"/api/v1/rounds/{round_id}/rerun", headers=headers).status_code == 409
    refused = client.post(f"/api/v1/rounds/{round_id}/publish", headers=headers)
    assert refused.status_code == 409 and "relance de ce tour est en attente" in refused.get_json()["message"]
    assert db.session.get(Round, round_id).published_at is None
    assert rounds.run_round(round_id).status == RoundStatus.PROPOSED
    again = db.session.scalars(select(Proposal).where(Proposal.round_id == round_id)).all()
    assert any((p.request_id, p.session_id) == pair and p.pinned for p in again)


def test_replacing_by_hand_names_the_broken_rule(app, client):
    coordinator, session, items = _network()
    headers = bearer(app, coordinator)
    round_id = _proposed(app, client, coordinator)
    proposal = db.session.scalar(select(Proposal).where(Proposal.round_id == round_id).order_by(Proposal.id))
    proposal_id, session_id = proposal.id, session.id
    score, breakdown = proposal.score, dict(proposal.breakdown)
    home_offer = OfferFactory(organisation=proposal.request.organisation, status=OfferStatus.PUBLISHED)
    home_session = OfferSessionFactory(
        offer=home_offer, start_date=session.start_date, end_date=session.end_date, working_days=3
    ).id
    foreign = OfferSessionFactory().id
    response = client.post(
        f"/api/v1/proposals/{proposal_id}/replacement", headers=headers, json={"session_id": home_session}
    )
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert list(errors) == ["session_id"] and "sa propre organisation" in errors["session_id"][0]
    response = client.post(
        f"/api/v1/proposals/{proposal_id}/replacement", headers=headers, json={"session_id": foreign}
    )
    assert response.status_code == 422 and "session_id" in response.get_json()["errors"]
    db.session.expire_all()
    assert db.session.get(Proposal, proposal_id).session_id == session_id

    response = client.post(
        f"/api/v1/proposals/{proposal_id}/replacement", headers=headers, json={"session_id": session_id}
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "approved" and body["pinned"] is True and body["replaced"] is True
    # Scored by the engine, as the round scored it: the same pair keeps the same score and breakdown.
    assert body["score"] == score > 0 and body["breakdown"] == breakdown
    assert sum(body["breakdown"].values()) == body["score"]


def test_another_networks_rounds_and_proposals_answer_404(app, client):
    coordinator, _session, _items = _network()
    headers = bearer(app, coordinator)
    foreign_round = RoundFactory(status=RoundStatus.PROPOSED)
    foreign_proposal = ProposalFactory(status=ProposalStatus.PROPOSED, round=foreign_round, respond_by=None)
    round_id, proposal_id, session_id = foreign_round.id, foreign_proposal.id, foreign_proposal.session_id
    for path in (
        f"/rounds/{round_id}",
        f"/rounds/{round_id}/proposals",
        f"/rounds/{round_id}/unmatched",
        "/rounds/999999",
    ):
        response = client.get(f"/api/v1{path}", headers=headers)
        assert response.status_code == 404 and response.get_json()["code"] == 404, path
    for path, body in (
        (f"/rounds/{round_id}/rerun", None),
        (f"/rounds/{round_id}/publish", None),
        (f"/proposals/{proposal_id}/decision", {"decision": "approve"}),
        (f"/proposals/{proposal_id}/pin", {"pinned": True}),
        (f"/proposals/{proposal_id}/replacement", {"session_id": session_id}),
    ):
        assert client.post(f"/api/v1{path}", headers=headers, json=body).status_code == 404, path
    assert client.get("/api/v1/rounds", headers=headers).get_json() == []
    db.session.expire_all()
    assert db.session.get(Round, round_id).status == RoundStatus.PROPOSED
    assert db.session.get(Proposal, proposal_id).status == ProposalStatus.PROPOSED


def test_agents_and_hr_have_no_round_operations(app, client):
    coordinator, session, items = _network()
    round_id = _proposed(app, client, coordinator)
    proposal_id = db.session.scalar(select(Proposal.id).where(Proposal.round_id == round_id))
    host_hr = UserFactory(organisation=session.offer.organisation, roles=[Role.RH, Role.AGENT])
    for user in (items[0].agent, host_hr):
        headers = bearer(app, user)
        for path in (
            "/rounds",
            f"/rounds/{round_id}",
            f"/rounds/{round_id}/proposals",
            f"/rounds/{round_id}/unmatched",
        ):
            assert client.get(f"/api/v1{path}", headers=headers).status_code == 404, path
        for path in ("/rounds", f"/rounds/{round_id}/rerun", f"/rounds/{round_id}/publish"):
            assert client.post(f"/api/v1{path}", headers=headers).status_code == 404, path
        for path in (f"/proposals/{proposal_id}/decision", f"/proposals/{proposal_id}/pin"):
            response = client.post(f"/api/v1{path}", headers=headers, json={"decision": "approve", "pinned": True})
            assert response.status_code == 404, path
        # Not published yet: not theirs to see either.
        assert client.get(f"/api/v1/proposals/{proposal_id}", headers=headers).status_code == 404
    assert db.session.scalar(select(func.count(Round.id))) == 1
    db.session.expire_all()
    assert db.session.get(Proposal, proposal_id).status == ProposalStatus.PROPOSED


def test_a_browser_session_needs_its_csrf_token_to_start_a_round(app, client):
    from tests.fixtures import login

    coordinator, _session, _items = _network()
    login(client, coordinator.email)
    response = client.post("/api/v1/rounds")
    assert response.status_code == 400 and "CSRF" in response.get_json()["message"]
    assert db.session.scalar(select(func.count(Round.id))) == 0


def test_a_failed_round_says_why_in_plain_words_and_counts_its_attempts(app, client, monkeypatch):
    """Finding 16: the API showed the raw database error, SQL and parameters included."""
    coordinator, _session, _items = _network()
    headers = bearer(app, coordinator)
    round_id = client.post("/api/v1/rounds", headers=headers).get_json()["id"]

    def broken(_problem):
        raise RuntimeError("(psycopg.errors.SerializationFailure) UPDATE rounds SET status=%(status)s")

    monkeypatch.setattr("appariement.solve", broken)
    assert rounds.run_due_rounds() == []  # a failed round is not reported as done
    body = client.get(f"/api/v1/rounds/{round_id}", headers=headers).get_json()
    assert body["status"] == "failed" and body["attempts"] == 1 and body["heartbeat_at"]
    assert "journal" in body["error"] and "UPDATE" not in body["error"] and "psycopg" not in body["error"]


def test_publication_leaves_out_a_request_withdrawn_since_the_round_ran(app, client):
    coordinator, _session, items = _network()
    headers = bearer(app, coordinator)
    round_id = _proposed(app, client, coordinator)
    withdrawn = db.session.get(type(items[0]), items[0].id)  # the API call ended the test's session
    withdrawn.status = RequestStatus.WITHDRAWN
    db.session.commit()
    for proposal_id in db.session.scalars(select(Proposal.id).where(Proposal.round_id == round_id)):
        client.post(f"/api/v1/proposals/{proposal_id}/decision", headers=headers, json={"decision": "approve"})
    response = client.post(f"/api/v1/rounds/{round_id}/publish", headers=headers)
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(type(withdrawn), withdrawn.id).status == RequestStatus.WITHDRAWN  # not revived
    statuses = {
        p.request_id: p.status for p in db.session.scalars(select(Proposal).where(Proposal.round_id == round_id))
    }
    assert statuses == {items[0].id: ProposalStatus.REJECTED, items[1].id: ProposalStatus.PUBLISHED}
