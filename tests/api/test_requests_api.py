"""Requests through the API: agents read their own; HR answer their organisation's waiting ones."""

from mobilite.models import RequestStatus, Role
from tests.factories import OrganisationFactory, RequestFactory, UserFactory
from tests.fixtures import bearer, fresh


def _setup():
    organisation = OrganisationFactory()
    hr = UserFactory(organisation=organisation, roles=[Role.RH])
    agent = UserFactory(organisation=organisation, roles=[Role.AGENT])
    waiting = RequestFactory(agent=agent, status=RequestStatus.SUBMITTED)
    draft = RequestFactory(agent=agent, status=RequestStatus.DRAFT)
    return hr, agent, waiting, draft


def test_agents_list_their_own_requests_and_hr_the_waiting_ones(app, client):
    hr, agent, waiting, draft = _setup()
    mine = client.get("/api/v1/requests", headers=bearer(app, agent))
    assert mine.status_code == 200
    assert sorted(r["id"] for r in mine.json) == sorted([waiting.id, draft.id])
    assert mine.json[0]["windows"][0].keys() == {"start", "end"}
    hr_headers = bearer(app, hr)
    assert [r["id"] for r in client.get("/api/v1/requests", headers=hr_headers).json] == [waiting.id]
    assert client.get("/api/v1/requests?scope=mine", headers=hr_headers).json == []
    refused = client.get("/api/v1/requests?scope=organisation", headers=bearer(app, agent))
    assert refused.status_code == 422 and "scope" in refused.json["errors"]


def test_hr_approves_a_request_and_a_stale_version_gets_409(app, client):
    hr, agent, waiting, draft = _setup()
    headers = bearer(app, hr)
    read = client.get(f"/api/v1/requests/{waiting.id}", headers=headers)
    assert read.status_code == 200
    version = read.json["version"]
    missing_reason = client.post(
        f"/api/v1/requests/{waiting.id}/decision", headers=headers, json={"decision": "refuse", "version": version}
    )
    assert missing_reason.status_code == 422 and "reason" in missing_reason.json["errors"]
    stale = client.post(
        f"/api/v1/requests/{waiting.id}/decision", headers=headers, json={"decision": "approve", "version": version - 1}
    )
    assert stale.status_code == 409 and "version" in stale.json["errors"]
    approved = client.post(
        f"/api/v1/requests/{waiting.id}/decision", headers=headers, json={"decision": "approve", "version": version}
    )
    assert approved.status_code == 200, approved.json
    assert approved.json["status"] == "approved"
    assert fresh(waiting).status == RequestStatus.APPROVED
    again = client.post(
        f"/api/v1/requests/{waiting.id}/decision",
        headers=headers,
        json={"decision": "refuse", "reason": "Trop tard.", "version": approved.json["version"]},
    )
    assert again.status_code == 422


def test_nobody_else_reads_or_decides_a_request(app, client):
    hr, agent, waiting, draft = _setup()
    other_hr = UserFactory(organisation=OrganisationFactory(network=hr.organisation.network), roles=[Role.RH])
    for headers in (bearer(app, other_hr), bearer(app, UserFactory(organisation=hr.organisation))):
        assert client.get(f"/api/v1/requests/{waiting.id}", headers=headers).status_code == 404
        assert (
            client.post(
                f"/api/v1/requests/{waiting.id}/decision", headers=headers, json={"decision": "approve", "version": 1}
            ).status_code
            == 404
        )
    # A draft is the agent's own business, even for their HR.
    assert client.get(f"/api/v1/requests/{draft.id}", headers=bearer(app, hr)).status_code == 404
    # HR never answers their own request.
    own = RequestFactory(agent=hr, status=RequestStatus.SUBMITTED)
    response = client.post(
        f"/api/v1/requests/{own.id}/decision",
        headers=bearer(app, hr),
        json={"decision": "approve", "version": own.version},
    )
    assert response.status_code == 422
    assert fresh(own).status == RequestStatus.SUBMITTED
