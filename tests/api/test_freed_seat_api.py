"""/api/v1/immersions/<id>/freed-seat: the coordination lists who could take a seat freed by a cancellation and
offers it, as on the page."""

from sqlalchemy import select

from mobilite.extensions import db
from mobilite.models import Proposal, ProposalStatus, RequestStatus
from tests.factories import CoordinatorFactory, OrganisationFactory, RequestFactory, UserFactory
from tests.fixtures import bearer
from tests.web.test_freed_seat_page import _world


def test_the_coordination_lists_the_candidates_and_offers_the_seat(app, client):
    immersion, coordinator, waiting = _world()
    network = immersion.proposal.round.network
    other = RequestFactory(
        agent=UserFactory(organisation=OrganisationFactory(network=network)), status=RequestStatus.APPROVED
    )
    headers = bearer(app, coordinator)
    path = f"/api/v1/immersions/{immersion.id}/freed-seat"

    listed = client.get(path, headers=headers)
    assert listed.status_code == 200
    body = listed.get_json()
    assert body["refusal"] is None and body["seats_left"] == 1 and body["total"] == 2
    candidate = body["candidates"][0]
    assert candidate["request_id"] == waiting.id and candidate["score"] > 0
    assert any("dans sa limite de 40" in reason for reason in candidate["reasons"])

    unknown = client.post(path, headers=headers, json={"request_id": 987654})
    assert unknown.status_code == 422 and "request_id" in unknown.get_json()["errors"]
    missing = client.post(path, headers=headers, json={})
    assert missing.status_code == 422 and "request_id" in missing.get_json()["errors"]

    offered = client.post(path, headers=headers, json={"request_id": waiting.id})
    assert offered.status_code == 201
    assert offered.get_json()["status"] == "published" and offered.get_json()["request_id"] == waiting.id
    proposal = db.session.scalar(select(Proposal).where(Proposal.request_id == waiting.id))
    assert proposal.status == ProposalStatus.PUBLISHED

    taken = client.post(path, headers=headers, json={"request_id": other.id})
    assert taken.status_code == 422 and "plus de place" in str(taken.get_json()["errors"])


def test_nobody_else_reaches_it(app, client):
    immersion, _coordinator, waiting = _world()
    path = f"/api/v1/immersions/{immersion.id}/freed-seat"
    for user in (CoordinatorFactory(), immersion.proposal.request.agent, waiting.agent):
        headers = bearer(app, user)
        assert client.get(path, headers=headers).status_code == 404
        assert client.post(path, headers=headers, json={"request_id": waiting.id}).status_code == 404
