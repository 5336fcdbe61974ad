"""The coordinator offers a seat freed by a cancellation from the cancelled immersion's page."""

from datetime import date, timedelta

from sqlalchemy import select

from mobilite.extensions import db
from mobilite.models import Organisation, Proposal, ProposalStatus, RequestStatus, Role
from mobilite.services import cancellation
from tests.factories import CoordinatorFactory, ImmersionFactory, OrganisationFactory, RequestFactory, UserFactory
from tests.fixtures import csrf_token, fresh, login

TODAY = date.today()
START = TODAY + timedelta(days=14)


def _world():
    immersion = ImmersionFactory(
        proposal__session__start_date=START,
        proposal__session__end_date=START + timedelta(days=2),
        proposal__session__working_days=3,
        proposal__session__capacity=1,
    )
    network = immersion.proposal.round.network
    coordinator = CoordinatorFactory(network_id=network.id)
    cancellation.call_off(immersion.proposal.request.agent, immersion, "Empêchement.", today=TODAY)
    waiting = RequestFactory(
        agent=UserFactory(organisation=OrganisationFactory(network=network), last_name="Candidate"),
        status=RequestStatus.APPROVED,
        max_distance_km=40,
    )
    return fresh(immersion), coordinator, waiting


def test_the_coordinator_offers_the_freed_seat_to_a_listed_candidate(client):
    immersion, coordinator, waiting = _world()
    login(client, coordinator.email)
    summary = client.get(f"/coordination/immersions/{immersion.id}").get_data(as_text=True)
    path = f"/coordination/immersions/{immersion.id}/place-liberee"
    assert path in summary
    page = client.get(path).get_data(as_text=True)
    assert "ClaireCandidate" in page.replace(" ", "") and "dans sa limite de 40 km" in page
    token = csrf_token(page)

    missing = client.post(path, data={"csrf_token": token})
    assert missing.status_code == 400 and 'id="request_id-error"' in missing.get_data(as_text=True)

    done = client.post(path, data={"csrf_token": token, "request_id": str(waiting.id)})
    assert done.status_code == 302
    proposal = db.session.scalar(select(Proposal).where(Proposal.request_id == waiting.id))
    assert proposal.status == ProposalStatus.PUBLISHED and done.headers["Location"].endswith(
        f"/coordination/propositions/{proposal.id}"
    )
    # A second coordinator with the page still open: refused, with the reason.
    again = client.post(path, data={"csrf_token": token, "request_id": str(waiting.id)})
    assert again.status_code in (400, 409, 422) and "plus de place" in again.get_data(as_text=True)


def test_nobody_but_the_network_coordination_opens_the_page(client):
    immersion, _coordinator, _waiting = _world()
    path = f"/coordination/immersions/{immersion.id}/place-liberee"
    host_hr = UserFactory(
        organisation=db.session.get(Organisation, immersion.host_organisation_id), roles=[Role.RH, Role.COORDINATOR]
    )
    for user in (CoordinatorFactory(), host_hr):
        login(client, user.email)
        assert client.get(path).status_code == 404
        assert client.post(path, data={"request_id": "1"}).status_code in (400, 404)
