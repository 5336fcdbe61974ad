"""Accounts over the API: deactivate and reactivate an account one manages, download one's own data."""

from __future__ import annotations

from sqlalchemy import select

from mobilite.extensions import db
from mobilite.models import AuditEvent, RequestStatus, Role
from tests.factories import CoordinatorFactory, OrganisationFactory, RequestFactory, UserFactory
from tests.fixtures import bearer, fresh


def test_hr_deactivates_and_reactivates_an_agent_whose_token_then_stops_working(app, client):
    hr = UserFactory(roles=[Role.RH])
    agent = UserFactory(organisation=hr.organisation)
    waiting = RequestFactory(agent=agent, status=RequestStatus.SUBMITTED)
    agent_headers = bearer(app, agent)
    assert client.get("/api/v1/me/data", headers=agent_headers).status_code == 200
    headers = bearer(app, hr)
    response = client.post(f"/api/v1/accounts/{agent.id}/deactivate", headers=headers)
    assert response.status_code == 200
    assert response.json["active"] is False and response.json["deactivated_at"]
    assert fresh(waiting).status == RequestStatus.WITHDRAWN
    assert client.get("/api/v1/me/data", headers=agent_headers).status_code == 401
    again = client.post(f"/api/v1/accounts/{agent.id}/deactivate", headers=headers)
    assert again.status_code == 422 and again.json["errors"]
    response = client.post(f"/api/v1/accounts/{agent.id}/reactivate", headers=headers)
    assert response.status_code == 200 and response.json["active"] is True
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.target_id == agent.id)).all()
    assert {"account.deactivate", "account.reactivate"} <= set(actions)


def test_one_s_own_account_is_not_deactivated_and_an_agent_has_no_such_operation(app, client):
    hr = UserFactory(roles=[Role.RH])
    response = client.post(f"/api/v1/accounts/{hr.id}/deactivate", headers=bearer(app, hr))
    assert response.status_code == 422 and fresh(hr).active
    agent = UserFactory(organisation=hr.organisation)
    other = UserFactory(organisation=hr.organisation)
    assert client.post(f"/api/v1/accounts/{other.id}/deactivate", headers=bearer(app, agent)).status_code == 404
    assert client.get(f"/api/v1/accounts/{other.id}", headers=bearer(app, agent)).status_code == 404


def test_a_coordinator_reads_a_network_account_but_not_another_network_s(app, client):
    coordinator = CoordinatorFactory()
    inside = UserFactory(organisation=OrganisationFactory(network=coordinator.coordinated_network))
    outside = UserFactory()
    headers = bearer(app, coordinator)
    response = client.get(f"/api/v1/accounts/{inside.id}", headers=headers)
    assert response.status_code == 200 and response.json["roles"] == ["agent"]
    assert client.get(f"/api/v1/accounts/{outside.id}", headers=headers).status_code == 404
    assert client.post(f"/api/v1/accounts/{outside.id}/deactivate", headers=headers).status_code == 404
    assert fresh(outside).active


def test_my_data_holds_the_caller_s_records_only_and_is_logged(app, client):
    agent = UserFactory()
    mine = RequestFactory(agent=agent, status=RequestStatus.SUBMITTED)
    colleague = UserFactory(organisation=agent.organisation)
    RequestFactory(agent=colleague, status=RequestStatus.SUBMITTED)
    response = client.get("/api/v1/me/data", headers=bearer(app, agent))
    assert response.status_code == 200
    assert response.json["profile"]["email"] == agent.email
    assert [r["id"] for r in response.json["requests"]] == [mine.id]
    assert colleague.email not in response.get_data(as_text=True)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.export"))
    assert event.actor_id == agent.id and event.details == {"format": "api"}
