"""First use: an agent with an empty profile is led to it before a first request, a request waits for a
place to measure distances from, and each empty home says what to do next."""

import re
from datetime import date, timedelta

from sqlalchemy import func, select

from mobilite.extensions import db
from mobilite.models import ImmersionRequest, Network, RequestStatus, Role, User, UserSkill
from tests.factories import (
    CoordinatorFactory,
    OfferFactory,
    OrganisationFactory,
    RequestFactory,
    RoundFactory,
    SkillFactory,
    ThemeFactory,
    UserFactory,
)
from tests.fixtures import bearer, csrf_token, login

START = date.today() + timedelta(days=100)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


def _complete(agent) -> None:
    """Skills, interests and a work place of the agent's own."""
    agent = db.session.get_one(User, agent.id)  # the one of this session (requests in between replaced it)
    agent.skills = [UserSkill(skill=SkillFactory(), level=2)]
    agent.interests = [ThemeFactory()]
    agent.work_city, agent.work_latitude, agent.work_longitude = "Grenoble", 45.19, 5.72
    db.session.commit()


def _unlocated_agent():
    """No work place of their own, and an organisation without an address on the map."""
    return UserFactory(organisation=OrganisationFactory(city="Paris", latitude=None, longitude=None))


def _request_form(token: str) -> dict[str, str]:
    return {
        "windows-0-start": START.isoformat(),
        "windows-0-end": (START + timedelta(days=20)).isoformat(),
        "min_days": "2",
        "max_days": "5",
        "motivation": "Voir comment travaille une autre équipe.",
        "csrf_token": token,
    }


def _requests(agent) -> int:
    return db.session.scalar(select(func.count(ImmersionRequest.id)).where(ImmersionRequest.agent_id == agent.id))


def test_an_empty_profile_is_named_part_by_part_on_the_new_request_page(client):
    agent = UserFactory()  # no skills, no interests, no work place; the organisation is in Lyon
    login(client, agent.email)
    html = client.get("/agent/demandes/nouvelle").get_data(as_text=True)
    text = _text(html)
    assert "D'abord, votre profil" in text
    for anchor in ("#skills", "#interests", "#work_place"):
        assert f'href="/agent/profil{anchor}"' in html, anchor
    assert "depuis l'adresse de votre organisation (Lyon)" in text
    assert 'name="motivation"' in html  # the organisation's address serves meanwhile: the form stays open


def test_only_the_missing_parts_are_named_and_a_complete_profile_gets_no_notice(client):
    agent = UserFactory()
    agent.interests = [ThemeFactory()]
    db.session.commit()
    login(client, agent.email)
    html = client.get("/agent/demandes/nouvelle").get_data(as_text=True)
    assert 'href="/agent/profil#skills"' in html and 'href="/agent/profil#interests"' not in html
    _complete(agent)
    html = client.get("/agent/demandes/nouvelle").get_data(as_text=True)
    assert "D'abord, votre profil" not in _text(html) and 'name="motivation"' in html


def test_without_any_place_to_measure_distances_the_request_waits_for_the_profile(client):
    agent = _unlocated_agent()
    login(client, agent.email)
    page = client.get("/agent/demandes/nouvelle")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'name="motivation"' not in html
    assert "il faut l'indiquer avant de faire une demande" in _text(html)
    assert 'href="/agent/profil#work_place"' in html
    response = client.post("/agent/demandes/nouvelle", data={**_request_form(csrf_token(html)), "action": "submit"})
    assert response.status_code == 400
    assert "Indiquez d'abord votre lieu de travail" in _text(response.get_data(as_text=True))
    assert _requests(agent) == 0


def test_the_api_refuses_the_same_request_and_saves_nothing(app, client):
    agent = _unlocated_agent()
    body = {
        "windows": [{"start": START.isoformat(), "end": (START + timedelta(days=20)).isoformat()}],
        "min_days": 2,
        "max_days": 5,
        "motivation": "Découvrir le métier d'instructeur.",
    }
    response = client.post("/api/v1/requests", headers=bearer(app, agent), json=body)
    assert 400 <= response.status_code < 500
    assert "lieu de travail" in str(response.json)
    assert _requests(agent) == 0
    agent = db.session.get_one(User, agent.id)
    agent.work_city, agent.work_latitude, agent.work_longitude = "Paris", 48.85, 2.35
    db.session.commit()
    created = client.post("/api/v1/requests", headers=bearer(app, agent), json=body)
    assert created.status_code == 201, created.json


def test_the_profile_page_leads_to_the_first_request_and_then_steps_aside(client):
    agent = UserFactory()
    login(client, agent.email)
    html = client.get("/agent/profil").get_data(as_text=True)
    text = _text(html)
    assert "Vos premiers pas" in text
    assert "Il manque encore : vos compétences, vos centres d'intérêt, votre lieu de travail." in text
    assert 'href="/agent/demandes/nouvelle"' in html and "faites votre première demande" in text
    RequestFactory(agent=agent)
    assert "Vos premiers pas" not in _text(client.get("/agent/profil").get_data(as_text=True))


def test_the_profile_page_says_the_work_place_comes_before_a_request_when_none_is_known(client):
    login(client, _unlocated_agent().email)
    text = _text(client.get("/agent/profil").get_data(as_text=True))
    assert "indiquez d'abord votre lieu de travail" in text


def test_the_agent_home_without_a_request_says_what_to_do_next(client):
    agent = UserFactory()
    login(client, agent.email)
    html = client.get("/agent/").get_data(as_text=True)
    text = _text(html)
    assert "Pour commencer :" in text and "Il manque encore : vos compétences" in text
    for link in ('href="/agent/profil"', 'href="/agent/offres"', 'href="/agent/demandes/nouvelle"'):
        assert link in html, link
    assert "Votre employeur vous répond sous 30 jours." in text
    _complete(agent)
    text = _text(client.get("/agent/").get_data(as_text=True))
    assert "Pour commencer :" in text and "Il manque encore" not in text
    RequestFactory(agent=agent)
    assert "Pour commencer :" not in _text(client.get("/agent/").get_data(as_text=True))


def test_the_hr_home_with_nothing_to_decide_says_what_to_do_next(client):
    hr = UserFactory(roles=[Role.RH])
    login(client, hr.email)
    html = client.get("/rh/").get_data(as_text=True)
    assert "Prochaine étape : proposez une première offre" in _text(html)
    assert html.count('href="/rh/offres/nouvelle"') >= 2  # the action bar, and the next step itself
    OfferFactory(organisation=hr.organisation)
    html = client.get("/rh/").get_data(as_text=True)
    assert "Prochaine étape" not in _text(html) and 'href="/rh/propositions"' in html
    assert "vous aurez 30 jours pour y répondre" in _text(html)
    RequestFactory(agent=UserFactory(organisation=hr.organisation))
    assert "vous aurez 30 jours pour y répondre" not in _text(client.get("/rh/").get_data(as_text=True))


def test_the_coordinator_home_before_any_round_says_what_a_round_needs(client):
    coordinator = CoordinatorFactory()
    network = db.session.get(Network, coordinator.network_id)
    organisation = OrganisationFactory(network=network)
    login(client, coordinator.email)
    text = _text(client.get("/coordination/").get_data(as_text=True))
    assert "Avant le premier tour :" in text
    # French says "0 offre" (singular); which form zero takes is the plural rules' business, not this page's.
    assert re.search(r"\b0 offres? publiées? dans le réseau\.", text)
    assert re.search(r"\b0 demandes? approuvées? par les employeurs\.", text)
    assert "Dès qu'il y aura les deux" in text
    OfferFactory(organisation=organisation)
    RequestFactory(agent=UserFactory(organisation=organisation), status=RequestStatus.APPROVED)
    text = _text(client.get("/coordination/").get_data(as_text=True))
    assert "1 offre publiée dans le réseau." in text and "1 demande approuvée par les employeurs." in text
    assert "Tout est prêt" in text
    RoundFactory(network=network)
    assert "Avant le premier tour" not in _text(client.get("/coordination/").get_data(as_text=True))
