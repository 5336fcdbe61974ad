"""Answering proposals in the agent and HR spaces; other organisations' proposals answer 404."""

from datetime import date, timedelta

from sqlalchemy import func, select

from mobilite.extensions import db
from mobilite.models import Immersion, Proposal, ProposalStatus, RequestStatus, Role
from tests.factories import ImmersionFactory, ProposalFactory, UserFactory
from tests.fixtures import csrf_token, login


def _post(client, path, data, form_path):
    token = csrf_token(client.get(form_path).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


def _setup():
    proposal = ProposalFactory()
    home_hr = UserFactory(organisation=proposal.request.organisation, roles=[Role.RH])
    host_hr = UserFactory(organisation=proposal.session.offer.organisation, roles=[Role.RH])
    return proposal, proposal.request.agent, home_hr, host_hr


def _fresh(proposal) -> Proposal:
    db.session.expire_all()
    return db.session.get(Proposal, proposal.id)


def test_agent_then_host_accept_and_land_on_the_confirmed_immersion(client):
    proposal, agent, home_hr, host_hr = _setup()
    login(client, agent.email)
    home = client.get("/agent/").get_data(as_text=True)
    assert f"/agent/propositions/{proposal.id}" in home and proposal.session.offer.title in home
    page = client.get(f"/agent/propositions/{proposal.id}").get_data(as_text=True)
    assert "Accepter la proposition" in page and 'for="reason"' in page
    response = _post(
        client, f"/agent/propositions/{proposal.id}/reponse", {"answer": "accept"}, f"/agent/propositions/{proposal.id}"
    )
    assert response.status_code == 302
    assert "Accepter la proposition" not in client.get(f"/agent/propositions/{proposal.id}").get_data(as_text=True)

    login(client, host_hr.email)
    listing = client.get("/rh/propositions").get_data(as_text=True)
    assert f"/rh/propositions/{proposal.id}" in listing and agent.full_name in listing
    response = _post(
        client, f"/rh/propositions/{proposal.id}/reponse", {"answer": "accept"}, f"/rh/propositions/{proposal.id}"
    )
    immersion = db.session.scalar(select(Immersion).where(Immersion.proposal_id == proposal.id))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/rh/immersions/{immersion.id}")
    assert _fresh(proposal).status == ProposalStatus.CONFIRMED
    page = client.get(f"/rh/immersions/{immersion.id}").get_data(as_text=True)
    assert agent.full_name in page and proposal.request.organisation.name in page

    login(client, home_hr.email)  # the home employer sees it too, without answering
    assert client.get(f"/rh/immersions/{immersion.id}").status_code == 200
    assert "Accepter la proposition" not in client.get(f"/rh/propositions/{proposal.id}").get_data(as_text=True)
    login(client, agent.email)
    assert f"/agent/immersions/{immersion.id}" in client.get("/agent/").get_data(as_text=True)


def test_a_decline_needs_a_reason_named_on_its_field(client):
    proposal, agent, *_ = _setup()
    login(client, agent.email)
    path = f"/agent/propositions/{proposal.id}"
    response = _post(client, f"{path}/reponse", {"answer": "decline", "reason": "  "}, path)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="reason-error"' in html and 'aria-describedby="reason-help reason-error"' in html
    assert _fresh(proposal).agent_answer is None
    response = _post(
        client, f"{path}/reponse", {"answer": "decline", "reason": "Congés déjà posés.", "confirm": "yes"}, path
    )
    assert response.status_code == 302
    proposal = _fresh(proposal)
    assert proposal.status == ProposalStatus.DECLINED and proposal.request.status == RequestStatus.APPROVED
    assert "Congés déjà posés." in client.get(path).get_data(as_text=True)


def test_a_late_or_second_answer_is_refused_clearly(client):
    proposal, agent, *_ = _setup()
    proposal.respond_by = date.today() - timedelta(days=1)
    db.session.commit()
    login(client, agent.email)
    path = f"/agent/propositions/{proposal.id}"
    page = client.get(path).get_data(as_text=True)
    assert "délai dépassé" in page and "Accepter la proposition" not in page
    response = _post(client, f"{path}/reponse", {"answer": "accept"}, path)
    assert response.status_code == 400 and "délai de réponse est dépassé" in response.get_data(as_text=True)

    other, agent2, *_ = _setup()
    login(client, agent2.email)
    path = f"/agent/propositions/{other.id}"
    assert _post(client, f"{path}/reponse", {"answer": "accept"}, path).status_code == 302
    again = _post(client, f"{path}/reponse", {"answer": "decline", "reason": "Non", "confirm": "yes"}, path)
    assert again.status_code == 400 and "déjà répondu" in again.get_data(as_text=True)
    assert _fresh(other).status == ProposalStatus.PUBLISHED


def test_other_organisations_and_unpublished_proposals_answer_404(client):
    proposal, agent, home_hr, host_hr = _setup()
    immersion = ImmersionFactory()
    stranger_agent = UserFactory(organisation=proposal.request.organisation)  # a colleague, not the owner
    stranger_hr = UserFactory(roles=[Role.RH])
    login(client, stranger_agent.email)
    assert client.get(f"/agent/propositions/{proposal.id}").status_code == 404
    assert client.get(f"/agent/immersions/{immersion.id}").status_code == 404
    login(client, stranger_hr.email)
    for path in (
        f"/rh/propositions/{proposal.id}",
        f"/rh/immersions/{immersion.id}",
        f"/rh/immersions/{immersion.id}/recapitulatif.pdf",
        f"/rh/immersions/{immersion.id}/immersion.ics",
        f"/rh/immersions/{immersion.id}/bilan",
        "/rh/propositions/999999",
    ):
        assert client.get(path).status_code == 404, path
    token = csrf_token(client.get("/rh/propositions").get_data(as_text=True))
    response = client.post(f"/rh/propositions/{proposal.id}/reponse", data={"answer": "accept", "csrf_token": token})
    assert response.status_code == 404
    assert _fresh(proposal).host_answer is None
    listing = client.get("/rh/propositions").get_data(as_text=True)
    assert agent.full_name not in listing

    hidden = ProposalFactory(status=ProposalStatus.PROPOSED, respond_by=None)  # still in coordinator review
    login(client, hidden.request.agent.email)
    assert client.get(f"/agent/propositions/{hidden.id}").status_code == 404
    assert hidden.session.offer.title not in client.get("/agent/").get_data(as_text=True)


def test_hr_lists_what_awaits_them_and_what_concerns_their_agents(client):
    proposal, agent, home_hr, host_hr = _setup()
    ImmersionFactory(
        proposal__session__offer__organisation=host_hr.organisation, proposal__session__offer__title="Accueil passé"
    )
    login(client, host_hr.email)
    html = client.get("/rh/propositions").get_data(as_text=True)
    assert proposal.session.offer.title in html and "Accueil passé" in html
    login(client, home_hr.email)
    html = client.get("/rh/propositions").get_data(as_text=True)
    assert "Aucune proposition n'attend votre réponse." in html
    assert f"/rh/propositions/{proposal.id}" in html  # sent: a proposal made to their agent
    assert db.session.scalar(select(func.count(Immersion.id))) == 1
