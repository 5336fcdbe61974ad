"""Destructive actions ask first, on the page and without JavaScript: a request is withdrawn only from its
confirmation page's button, a proposal is declined only with its confirmation box ticked."""

import pytest

from mobilite.extensions import db
from mobilite.models import ImmersionRequest, Proposal, ProposalStatus, RequestStatus, Role
from tests.factories import ProposalFactory, RequestFactory, UserFactory
from tests.fixtures import bearer, csrf_token, login


def _status(item: ImmersionRequest) -> RequestStatus:
    db.session.expire_all()
    return db.session.get_one(ImmersionRequest, item.id).status


def _proposal(proposal: Proposal) -> Proposal:
    db.session.expire_all()
    return db.session.get_one(Proposal, proposal.id)


# Withdrawing a request.


def test_the_request_page_leads_to_a_confirmation_page_not_to_the_withdrawal(client):
    agent = UserFactory()
    item = RequestFactory(agent=agent, status=RequestStatus.APPROVED)
    login(client, agent.email)
    page = client.get(f"/agent/demandes/{item.id}").get_data(as_text=True)
    path = f"/agent/demandes/{item.id}/retirer"
    assert f'href="{path}"' in page and f'action="{path}"' not in page  # a link to the page, no form posting
    confirm = client.get(path)
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Un retrait est définitif." in html
    assert "Votre service RH sera informé du retrait." in html
    assert 'name="confirm" value="yes"' in html and f'href="/agent/demandes/{item.id}"' in html
    assert _status(item) == RequestStatus.APPROVED  # reading the page changes nothing


def test_a_withdrawal_without_its_confirmation_changes_nothing(client):
    agent = UserFactory()
    item = RequestFactory(agent=agent)
    login(client, agent.email)
    path = f"/agent/demandes/{item.id}/retirer"
    token = csrf_token(client.get(path).get_data(as_text=True))
    for unconfirmed in ({}, {"confirm": ""}, {"confirm": "no"}):
        response = client.post(path, data={"version": str(item.version), "csrf_token": token, **unconfirmed})
        assert response.status_code == 400, unconfirmed
        assert "Confirmez le retrait" in response.get_data(as_text=True)
        assert _status(item) == RequestStatus.SUBMITTED
    response = client.post(path, data={"version": str(item.version), "confirm": "yes", "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/agent/demandes/{item.id}")
    assert _status(item) == RequestStatus.WITHDRAWN


def test_a_draft_s_confirmation_page_does_not_mention_hr(client):
    agent = UserFactory()
    item = RequestFactory(agent=agent, status=RequestStatus.DRAFT)
    login(client, agent.email)
    html = client.get(f"/agent/demandes/{item.id}/retirer").get_data(as_text=True)
    assert "Un retrait est définitif." in html and "service RH" not in html


def test_a_request_that_can_no_longer_be_withdrawn_has_no_confirmation_page(client):
    agent = UserFactory()
    item = RequestFactory(agent=agent, status=RequestStatus.MATCHED)
    login(client, agent.email)
    response = client.get(f"/agent/demandes/{item.id}/retirer")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/agent/demandes/{item.id}")
    assert "ne peut plus être retirée" in client.get(response.headers["Location"]).get_data(as_text=True)
    token = csrf_token(client.get(f"/agent/demandes/{item.id}").get_data(as_text=True))
    client.post(
        f"/agent/demandes/{item.id}/retirer", data={"version": str(item.version), "confirm": "yes", "csrf_token": token}
    )
    assert _status(item) == RequestStatus.MATCHED


def test_another_agent_s_confirmation_page_answers_404(client):
    item = RequestFactory()
    login(client, UserFactory(organisation=item.organisation).email)
    assert client.get(f"/agent/demandes/{item.id}/retirer").status_code == 404


# Declining a proposal, for the agent and for the host's HR.


def _decliner(proposal: Proposal, side: str):
    if side == "agent":
        return proposal.request.agent, f"/agent/propositions/{proposal.id}"
    host_hr = UserFactory(organisation=proposal.session.offer.organisation, roles=[Role.RH])
    return host_hr, f"/rh/propositions/{proposal.id}"


@pytest.mark.parametrize("side", ["agent", "host"])
def test_a_decline_without_its_box_ticked_changes_nothing_and_keeps_the_reason(client, side):
    proposal = ProposalFactory()
    person, path = _decliner(proposal, side)
    login(client, person.email)
    page = client.get(path).get_data(as_text=True)
    assert 'type="checkbox" id="confirm" name="confirm"' in page and 'for="confirm"' in page
    token = csrf_token(page)
    response = client.post(
        f"{path}/reponse", data={"answer": "decline", "reason": "Dates impossibles.", "csrf_token": token}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="confirm-error"' in html and 'href="#confirm"' in html  # next to the box, and in the summary
    assert "Dates impossibles." in html  # the reason typed is still there
    answered = _proposal(proposal)
    assert answered.status == ProposalStatus.PUBLISHED
    assert (answered.agent_answer, answered.host_answer) == (None, None)


@pytest.mark.parametrize("side", ["agent", "host"])
def test_a_confirmed_decline_takes_effect(client, side):
    proposal = ProposalFactory()
    person, path = _decliner(proposal, side)
    login(client, person.email)
    token = csrf_token(client.get(path).get_data(as_text=True))
    response = client.post(
        f"{path}/reponse",
        data={"answer": "decline", "reason": "Dates impossibles.", "confirm": "yes", "csrf_token": token},
    )
    assert response.status_code == 302
    assert _proposal(proposal).status == ProposalStatus.DECLINED


def test_both_missing_reason_and_missing_confirmation_are_reported_at_once(client):
    proposal = ProposalFactory()
    login(client, proposal.request.agent.email)
    path = f"/agent/propositions/{proposal.id}"
    token = csrf_token(client.get(path).get_data(as_text=True))
    html = client.post(f"{path}/reponse", data={"answer": "decline", "csrf_token": token}).get_data(as_text=True)
    assert 'id="reason-error"' in html and 'id="confirm-error"' in html


def test_accepting_needs_no_confirmation_box(client):
    proposal = ProposalFactory()
    login(client, proposal.request.agent.email)
    path = f"/agent/propositions/{proposal.id}"
    token = csrf_token(client.get(path).get_data(as_text=True))
    assert client.post(f"{path}/reponse", data={"answer": "accept", "csrf_token": token}).status_code == 302
    assert _proposal(proposal).agent_answer is not None


def test_the_api_declines_without_the_form_s_box(app, client):
    """The box belongs to the page: the API's callers confirm in their own systems."""
    proposal = ProposalFactory()
    agent = proposal.request.agent
    response = client.post(
        f"/api/v1/proposals/{proposal.id}/answer",
        headers=bearer(app, agent),
        json={"answer": "decline", "reason": "Dates impossibles."},
    )
    assert response.status_code == 200, response.json
    assert response.json["status"] == "declined" and _proposal(proposal).status == ProposalStatus.DECLINED
