"""The agent's request pages: create, submit with reasons next to fields, edit conflicts, withdraw, 404s."""

from datetime import date, timedelta

from sqlalchemy import select

from mobilite.extensions import db
from mobilite.models import ImmersionRequest, RequestStatus, Role
from tests.factories import OfferFactory, OfferSessionFactory, OrganisationFactory, RequestFactory, UserFactory
from tests.fixtures import csrf_token, login

START = date.today() + timedelta(days=21)


def _form(**fields):
    data = {
        "windows-0-start": START.isoformat(),
        "windows-0-end": (START + timedelta(days=27)).isoformat(),
        "min_days": "2",
        "max_days": "5",
        "motivation": "Voir comment travaille une autre équipe.",
        "career_project": "Confirmer un projet de mobilité.",
        "shorter_notice_agreed": "on",  # the window starts in three weeks
        "line_manager_email": "cheffe@example.org",
    }
    data.update(fields)
    return data


def _post(client, path, page=None, **fields):
    token = csrf_token(client.get(page or path).get_data(as_text=True))
    return client.post(path, data={**_form(**fields), "csrf_token": token})


def _requests_of(agent):
    return db.session.scalars(select(ImmersionRequest).where(ImmersionRequest.agent_id == agent.id)).all()


def test_an_agent_submits_a_request_with_a_first_wish(client):
    agent = UserFactory()
    hr = UserFactory(organisation=agent.organisation, roles=[Role.RH])
    offer = OfferFactory(organisation=OrganisationFactory(network=agent.organisation.network))
    OfferSessionFactory(offer=offer, start_date=START + timedelta(days=1), end_date=START + timedelta(days=3))
    login(client, agent.email)
    page = client.get(f"/agent/demandes/nouvelle?offre={offer.id}").get_data(as_text=True)
    assert f'<option value="{offer.id}" selected>' in page
    response = _post(client, "/agent/demandes/nouvelle", wishes=[str(offer.id), ""], action="submit")
    assert response.status_code == 302
    (item,) = _requests_of(agent)
    assert item.status == RequestStatus.SUBMITTED and [w.offer_id for w in item.wishes] == [offer.id]
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "transmise à votre employeur" in detail and offer.title in detail
    assert hr.id  # the home HR was told through the outbox (see the service tests)


def test_each_broken_rule_is_explained_next_to_its_field_and_nothing_is_saved(client):
    agent = UserFactory()
    login(client, agent.email)
    past = date.today() - timedelta(days=10)
    response = _post(
        client,
        "/agent/demandes/nouvelle",
        action="submit",
        min_days="1",
        **{"windows-0-start": past.isoformat(), "windows-0-end": (past + timedelta(days=3)).isoformat()},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="min_days-error"' in html and "au moins 2 jours ouvrés" in html
    assert 'id="windows-0-start-error"' in html and "dans le futur" in html
    assert 'aria-describedby="windows-0-start-error"' in html
    assert _requests_of(agent) == []


def test_malformed_input_names_the_field(client):
    agent = UserFactory()
    login(client, agent.email)
    response = _post(
        client,
        "/agent/demandes/nouvelle",
        max_days="1",
        min_days="3",
        max_distance_km="loin",
        **{"windows-1-start": "2031-02-30", "windows-1-end": ""},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="max_days-error"' in html and 'id="max_distance_km-error"' in html
    assert 'id="windows-1-start-error"' in html and 'id="windows-1-end-error"' in html
    assert _requests_of(agent) == []


def test_a_draft_then_submit_from_its_page(client):
    agent = UserFactory()
    login(client, agent.email)
    response = _post(client, "/agent/demandes/nouvelle", action="draft", min_days="1")
    (item,) = _requests_of(agent)
    assert item.status == RequestStatus.DRAFT
    page = client.get(f"/agent/demandes/{item.id}").get_data(as_text=True)
    # min_days 1 is below the network's minimum: submitting shows the form with the reason.
    response = client.post(
        f"/agent/demandes/{item.id}/soumettre", data={"version": str(item.version), "csrf_token": csrf_token(page)}
    )
    assert response.status_code == 400 and 'id="min_days-error"' in response.get_data(as_text=True)
    item = db.session.get(ImmersionRequest, item.id)
    item.min_days = 2
    db.session.commit()
    page = client.get(f"/agent/demandes/{item.id}").get_data(as_text=True)
    response = client.post(
        f"/agent/demandes/{item.id}/soumettre", data={"version": str(item.version), "csrf_token": csrf_token(page)}
    )
    assert response.status_code == 302
    assert db.session.get(ImmersionRequest, item.id).status == RequestStatus.SUBMITTED


def test_a_stale_edit_answers_409_with_what_changed_and_loses_nothing(client):
    agent = UserFactory()
    item = RequestFactory(agent=agent, motivation="Avant.")
    login(client, agent.email)
    path = f"/agent/demandes/{item.id}/modifier"
    first_tab = client.get(path).get_data(as_text=True)
    loaded_version = str(item.version)
    assert _post(client, path, version=loaded_version, motivation="Depuis l'autre onglet.").status_code == 302
    response = client.post(
        path, data={**_form(version=loaded_version, motivation="Mon texte."), "csrf_token": csrf_token(first_tab)}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Depuis l&#39;autre onglet." in html and "Mon texte." in html and "Motivation" in html
    assert db.session.get(ImmersionRequest, item.id).motivation == "Depuis l'autre onglet."


def test_an_approved_request_is_no_longer_editable_but_can_be_withdrawn(client):
    agent = UserFactory()
    item = RequestFactory(agent=agent, status=RequestStatus.APPROVED)
    login(client, agent.email)
    response = client.get(f"/agent/demandes/{item.id}/modifier")
    assert response.status_code == 302
    page = client.get(f"/agent/demandes/{item.id}").get_data(as_text=True)
    assert "ne se modifie plus" in page and "Retirer cette demande" in page
    client.post(
        f"/agent/demandes/{item.id}/retirer",
        data={"version": str(item.version), "confirm": "yes", "csrf_token": csrf_token(page)},
    )  # confirmed, as its confirmation page sends it (tests/web/test_confirmations.py)
    assert db.session.get(ImmersionRequest, item.id).status == RequestStatus.WITHDRAWN


def test_another_agents_request_answers_404_on_every_route(client):
    agent = UserFactory(roles=[Role.AGENT, Role.RH])
    colleague_request = RequestFactory(agent=UserFactory(organisation=agent.organisation))
    stranger_request = RequestFactory()
    login(client, agent.email)
    token = csrf_token(client.get("/agent/").get_data(as_text=True))
    for item in (colleague_request, stranger_request):
        assert client.get(f"/agent/demandes/{item.id}").status_code == 404
        assert client.get(f"/agent/demandes/{item.id}/modifier").status_code == 404
        for action in ("modifier", "soumettre", "retirer", "voeux"):
            response = client.post(
                f"/agent/demandes/{item.id}/{action}", data={**_form(version=str(item.version)), "csrf_token": token}
            )
            assert response.status_code == 404, action
        assert db.session.get(ImmersionRequest, item.id).status == RequestStatus.SUBMITTED


def test_home_links_requests_and_offers(client):
    agent = UserFactory()
    item = RequestFactory(agent=agent)
    login(client, agent.email)
    html = client.get("/agent/").get_data(as_text=True)
    assert f'href="/agent/demandes/{item.id}"' in html
    assert 'href="/agent/demandes/nouvelle"' in html and 'href="/agent/offres"' in html
    assert "il vous reste 20 jours" in html
