"""Browsing offers, wishing for one, and the agent's profile."""

from datetime import date, timedelta

from sqlalchemy import select

from mobilite.extensions import db
from mobilite.models import ImmersionRequest, OfferStatus, RequestStatus, User, UserSkill
from tests.factories import (
    OfferFactory,
    OfferSessionFactory,
    OrganisationFactory,
    RequestFactory,
    SkillFactory,
    ThemeFactory,
    UserFactory,
)
from tests.fixtures import csrf_token, login


def _agent_and_offer():
    agent = UserFactory(work_city="Lyon", work_latitude=45.76, work_longitude=4.83)
    host = OrganisationFactory(network=agent.organisation.network, city="Grenoble", latitude=45.19, longitude=5.72)
    offer = OfferFactory(organisation=host, title="Instruire un permis de construire")
    OfferSessionFactory(
        offer=offer, start_date=date.today() + timedelta(days=20), end_date=date.today() + timedelta(days=22)
    )
    return agent, offer


def test_search_page_lists_filters_and_paginates(client):
    agent, offer = _agent_and_offer()
    for n in range(21):
        OfferFactory(organisation=offer.organisation, title=f"Autre offre {n}")
    login(client, agent.email)
    html = client.get("/agent/offres").get_data(as_text=True)
    assert "22 offres" in html and "Page 1 sur 2" in html and 'rel="next"' in html
    html = client.get("/agent/offres?q=instruire&distance=150&tri=closest").get_data(as_text=True)
    assert "1 offre" in html and offer.title in html and "km" in html
    assert client.get("/agent/offres?page=2&q=Autre").status_code == 200


def test_bad_search_input_is_explained(client):
    agent, _offer = _agent_and_offer()
    login(client, agent.email)
    response = client.get("/agent/offres?distance=-4&du=demain&tri=hasard")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="distance-error"' in html and 'id="du-error"' in html and 'id="tri-error"' in html


def test_offer_page_and_another_networks_or_unpublished_offer_answer_404(client):
    agent, offer = _agent_and_offer()
    draft = OfferFactory(organisation=offer.organisation, status=OfferStatus.DRAFT)
    elsewhere = OfferFactory()
    login(client, agent.email)
    html = client.get(f"/agent/offres/{offer.id}").get_data(as_text=True)
    assert offer.title in html and "Demander cette immersion" in html
    assert f"/agent/demandes/nouvelle?offre={offer.id}" in html
    assert client.get(f"/agent/offres/{draft.id}").status_code == 404
    assert client.get(f"/agent/offres/{elsewhere.id}").status_code == 404


def test_adding_an_offer_to_the_wishes_of_a_request(client):
    agent, offer = _agent_and_offer()
    item = RequestFactory(agent=agent)
    login(client, agent.email)
    page = client.get(f"/agent/offres/{offer.id}").get_data(as_text=True)
    assert "Ajouter à mes vœux" in page
    response = client.post(
        f"/agent/demandes/{item.id}/voeux",
        data={"offer_id": str(offer.id), "version": str(item.version), "csrf_token": csrf_token(page)},
    )
    assert response.status_code == 302
    item = db.session.get(ImmersionRequest, item.id)
    assert [(w.rank, w.offer_id) for w in item.wishes] == [(1, offer.id)]
    # An own-organisation offer is refused with its reason.
    own = OfferFactory(organisation=agent.organisation)
    response = client.post(
        f"/agent/demandes/{item.id}/voeux",
        data={"offer_id": str(own.id), "version": str(item.version), "csrf_token": csrf_token(page)},
        follow_redirects=True,
    )
    assert "autre organisation" in response.get_data(as_text=True)
    assert len(db.session.get(ImmersionRequest, item.id).wishes) == 1


def test_profile_skills_interests_and_work_place(client):
    agent, offer = _agent_and_offer()
    skill, theme = SkillFactory(), ThemeFactory()
    login(client, agent.email)
    page = client.get("/agent/profil").get_data(as_text=True)
    assert f'<option value="{agent.organisation_id}" selected>' in page
    response = client.post(
        "/agent/profil",
        data={
            "skill-0": str(skill.id),
            "level-0": "3",
            "skill-1": "",
            "level-1": "2",
            "interests": [str(theme.id)],
            "work_site": str(offer.organisation_id),
            "csrf_token": csrf_token(page),
        },
    )
    assert response.status_code == 302
    user = db.session.get(User, agent.id)
    assert [(s.skill_id, s.level) for s in user.skills] == [(skill.id, 3)]
    assert [t.id for t in user.interests] == [theme.id]
    assert (user.work_city, user.work_latitude) == ("Grenoble", 45.19)
    page = client.get("/agent/profil").get_data(as_text=True)
    assert f'<option value="{offer.organisation_id}" selected>' in page


def test_profile_other_place_needs_valid_coordinates_and_saves_nothing_otherwise(client):
    agent, _offer = _agent_and_offer()
    skill = SkillFactory()
    login(client, agent.email)
    token = csrf_token(client.get("/agent/profil").get_data(as_text=True))
    response = client.post(
        "/agent/profil",
        data={
            "skill-0": str(skill.id),
            "level-0": "7",
            "work_site": "other",
            "work_city": "Annecy",
            "work_latitude": "95",
            "work_longitude": "",
            "csrf_token": token,
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="level-0-error"' in html and 'id="work_latitude-error"' in html and 'id="work_longitude-error"' in html
    assert db.session.scalars(select(UserSkill).where(UserSkill.user_id == agent.id)).all() == []
    response = client.post(
        "/agent/profil",
        data={
            "work_site": "other",
            "work_city": "Annecy",
            "work_latitude": "45.899",
            "work_longitude": "6.129",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    user = db.session.get(User, agent.id)
    assert (user.work_city, user.work_latitude, user.work_longitude) == ("Annecy", 45.899, 6.129)
    assert 'value="other" selected' in client.get("/agent/profil").get_data(as_text=True)


def test_a_site_outside_the_network_is_refused(client):
    agent, _offer = _agent_and_offer()
    outside = OrganisationFactory()
    login(client, agent.email)
    token = csrf_token(client.get("/agent/profil").get_data(as_text=True))
    response = client.post("/agent/profil", data={"work_site": str(outside.id), "csrf_token": token})
    assert response.status_code == 400 and 'id="work_site-error"' in response.get_data(as_text=True)


def test_requests_of_the_agent_for_the_page_exclude_decided_ones(client):
    agent, offer = _agent_and_offer()
    RequestFactory(agent=agent, status=RequestStatus.APPROVED)
    login(client, agent.email)
    html = client.get(f"/agent/offres/{offer.id}").get_data(as_text=True)
    assert "Ajouter à mes vœux" not in html and "Demander cette immersion" in html
