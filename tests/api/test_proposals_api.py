"""Published proposals through the API: the agent and the host HR answer (both accept → a confirmed immersion,
a decline needs a reason); the home HR follows; anybody else's, or an unpublished one, answers 404."""

from datetime import date, timedelta

from sqlalchemy import func, select

from mobilite.extensions import db
from mobilite.models import (
    Answer,
    ForbiddenPair,
    Immersion,
    ImmersionStatus,
    Proposal,
    ProposalStatus,
    RequestStatus,
    Role,
)
from tests.factories import ImmersionFactory, ProposalFactory, UserFactory
from tests.fixtures import bearer


def _setup():
    """A published proposal, its agent, the HR of the agent's organisation and of the host; as ids."""
    proposal = ProposalFactory()
    home_hr = UserFactory(organisation=proposal.request.organisation, roles=[Role.RH])
    host_hr = UserFactory(organisation=proposal.session.offer.organisation, roles=[Role.RH])
    return proposal, proposal.request.agent, home_hr, host_hr


def _fresh(proposal_id: int) -> Proposal:
    db.session.expire_all()
    return db.session.get(Proposal, proposal_id)


def test_agent_then_host_accept_and_the_immersion_is_confirmed(app, client):
    proposal, agent, home_hr, host_hr = _setup()
    proposal_id, request_id, session_id = proposal.id, proposal.request_id, proposal.session_id
    agent_headers, host_headers = bearer(app, agent), bearer(app, host_hr)

    body = client.get(f"/api/v1/proposals/{proposal_id}", headers=agent_headers).get_json()
    assert body["status"] == "published" and body["request_id"] == request_id and body["session_id"] == session_id
    assert body["respond_by"] and body["agent_answer"] is None and body["immersion_id"] is None
    assert "score" not in body and "breakdown" not in body  # the review's business, not the parties'
    assert [p["id"] for p in client.get("/api/v1/proposals", headers=agent_headers).get_json()] == [proposal_id]

    response = client.post(f"/api/v1/proposals/{proposal_id}/answer", headers=agent_headers, json={"answer": "accept"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "published" and body["agent_answer"] == "accepted" and body["host_answer"] is None
    # Each side answers once.
    again = client.post(
        f"/api/v1/proposals/{proposal_id}/answer",
        headers=agent_headers,
        json={"answer": "decline", "reason": "Finalement non."},
    )
    assert again.status_code == 422 and "déjà répondu" in again.get_json()["message"]

    # The host's HR sees it among the organisation's proposals, and answers as the host.
    listing = client.get("/api/v1/proposals", headers=host_headers).get_json()
    assert [p["id"] for p in listing] == [proposal_id]
    response = client.post(f"/api/v1/proposals/{proposal_id}/answer", headers=host_headers, json={"answer": "accept"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "confirmed" and body["host_answer"] == "accepted"
    immersion = db.session.scalar(select(Immersion).where(Immersion.proposal_id == proposal_id))
    assert immersion is not None and body["immersion_id"] == immersion.id
    assert immersion.status == ImmersionStatus.CONFIRMED and immersion.agent_id == agent.id
    immersion_id = immersion.id

    # The immersion, for each party; the home employer follows, without answering.
    for headers in (agent_headers, host_headers, bearer(app, home_hr)):
        response = client.get(f"/api/v1/immersions/{immersion_id}", headers=headers)
        assert response.status_code == 200 and response.get_json()["proposal_id"] == proposal_id
        assert [i["id"] for i in client.get("/api/v1/immersions", headers=headers).get_json()] == [immersion_id]
    home_listing = client.get("/api/v1/proposals?status=confirmed", headers=bearer(app, home_hr)).get_json()
    assert [p["id"] for p in home_listing] == [proposal_id] and home_listing[0]["immersion_id"] == immersion_id


def test_host_first_then_agent_confirms(app, client):
    proposal, agent, _home_hr, host_hr = _setup()
    proposal_id = proposal.id
    assert (
        client.post(
            f"/api/v1/proposals/{proposal_id}/answer", headers=bearer(app, host_hr), json={"answer": "accept"}
        ).status_code
        == 200
    )
    assert _fresh(proposal_id).host_answer == Answer.ACCEPTED
    response = client.post(
        f"/api/v1/proposals/{proposal_id}/answer", headers=bearer(app, agent), json={"answer": "accept"}
    )
    assert response.status_code == 200 and response.get_json()["status"] == "confirmed"
    assert response.get_json()["immersion_id"]


def test_a_decline_needs_a_reason_named_on_its_field(app, client):
    proposal, agent, *_ = _setup()
    proposal_id, request_id = proposal.id, proposal.request_id
    headers = bearer(app, agent)
    for body in ({"answer": "decline"}, {"answer": "decline", "reason": "   "}):
        response = client.post(f"/api/v1/proposals/{proposal_id}/answer", headers=headers, json=body)
        assert response.status_code == 422
        assert list(response.get_json()["errors"]) == ["reason"]
    response = client.post(f"/api/v1/proposals/{proposal_id}/answer", headers=headers, json={"answer": "perhaps"})
    assert response.status_code == 422 and "answer" in response.get_json()["errors"]
    assert _fresh(proposal_id).agent_answer is None

    response = client.post(
        f"/api/v1/proposals/{proposal_id}/answer",
        headers=headers,
        json={"answer": "decline", "reason": "Congés déjà posés."},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "declined" and body["decline_reason"] == "Congés déjà posés."
    proposal = _fresh(proposal_id)
    assert proposal.request.status == RequestStatus.APPROVED  # back to the next round
    assert db.session.scalar(select(func.count(ForbiddenPair.id)).where(ForbiddenPair.request_id == request_id)) == 1


def test_a_late_answer_and_the_home_employers_answer_are_refused(app, client):
    proposal, agent, home_hr, _host_hr = _setup()
    proposal_id = proposal.id
    proposal.respond_by = date.today() - timedelta(days=1)
    db.session.commit()
    response = client.post(
        f"/api/v1/proposals/{proposal_id}/answer", headers=bearer(app, agent), json={"answer": "accept"}
    )
    assert response.status_code == 422 and "délai de réponse est dépassé" in response.get_json()["message"]

    other, *_ = _setup()
    other_id = other.id
    other_home_hr = UserFactory(organisation=other.request.organisation, roles=[Role.RH])
    headers = bearer(app, other_home_hr)
    assert client.get(f"/api/v1/proposals/{other_id}", headers=headers).status_code == 200
    response = client.post(f"/api/v1/proposals/{other_id}/answer", headers=headers, json={"answer": "accept"})
    assert response.status_code == 422 and response.get_json()["message"]
    proposal = _fresh(other_id)
    assert proposal.agent_answer is None and proposal.host_answer is None


def test_other_agents_organisations_and_unpublished_proposals_answer_404(app, client):
    proposal, _agent, _home_hr, _host_hr = _setup()
    proposal_id = proposal.id
    colleague = UserFactory(organisation=proposal.request.organisation)  # same organisation, not the owner
    stranger_hr = UserFactory(roles=[Role.RH, Role.AGENT])
    immersion_id = ImmersionFactory().id
    hidden = ProposalFactory(status=ProposalStatus.PROPOSED, respond_by=None)  # still in coordinator review
    hidden_id, hidden_agent, hidden_host_hr = (
        hidden.id,
        hidden.request.agent,
        UserFactory(organisation=hidden.session.offer.organisation, roles=[Role.RH]),
    )
    for user, targets in (
        (colleague, (proposal_id, hidden_id)),
        (stranger_hr, (proposal_id, hidden_id)),
        (hidden_agent, (hidden_id,)),
        (hidden_host_hr, (hidden_id,)),
    ):
        headers = bearer(app, user)
        for target in targets:
            assert client.get(f"/api/v1/proposals/{target}", headers=headers).status_code == 404
            response = client.post(f"/api/v1/proposals/{target}/answer", headers=headers, json={"answer": "accept"})
            assert response.status_code == 404 and response.get_json()["code"] == 404
        assert client.get(f"/api/v1/immersions/{immersion_id}", headers=headers).status_code == 404
        assert client.get("/api/v1/proposals", headers=headers).get_json() == []
    assert _fresh(proposal_id).agent_answer is None and _fresh(hidden_id).status == ProposalStatus.PROPOSED


def test_coordinators_do_not_answer_and_agents_have_no_organisation_scope(app, client):
    from tests.factories import CoordinatorFactory

    proposal, agent, *_ = _setup()
    proposal_id = proposal.id
    coordinator = CoordinatorFactory(network_id=proposal.round.network_id)
    headers = bearer(app, coordinator)
    assert client.get("/api/v1/proposals", headers=headers).status_code == 404
    assert client.get(f"/api/v1/proposals/{proposal_id}", headers=headers).status_code == 404
    assert (
        client.post(f"/api/v1/proposals/{proposal_id}/answer", headers=headers, json={"answer": "accept"}).status_code
        == 404
    )
    response = client.get("/api/v1/proposals?scope=organisation", headers=bearer(app, agent))
    assert response.status_code == 422 and "scope" in response.get_json()["errors"]
    assert _fresh(proposal_id).host_answer is None
