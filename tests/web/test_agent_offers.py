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
from tests.fixtures import csrf_token, fresh, login


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


def test_search_cards_speak_the_reader_s_language_and_follow_a_renamed_theme(client):
    """Cards are kept between searches per language (services.search_represented): each reader sees the
    themes in theirs, and a renamed theme at the next search."""
    agent, offer = _agent_and_offer()
    theme = ThemeFactory(label_fr="Urbanisme", label_en="Town planning")
    offer.themes = [theme]
    db.session.commit()
    login(client, agent.email)
    assert "Urbanisme" in client.get("/agent/offres").get_data(as_text=True)
    fresh(theme).label_fr = "Aménagement"
    db.session.commit()
    assert "Aménagement" in client.get("/agent/offres").get_data(as_text=True)
    token = csrf_token(client.get("/agent/offres").get_data(as_text=True))
    client.post("/langue", data={"lang": "en", "next": "/", "csrf_token": token})
    html = client.get("/agent/offres").get_data(as_text=True)
    assert "Town planning" in html and "Aménagement" not in html


def test_a_card_is_whole_whatever_its_offer_s_text(client):
    """Cards are kept with gaps for the reader's distance and next session: an offer's own text can open none."""
    agent, offer = _agent_and_offer()
    offer.title = "Urbanisme <!--mobilite:split--> </li><script>x</script>"
    offer.team = "<!--mobilite:split-->"
    db.session.commit()
    login(client, agent.email)
    html = client.get("/agent/offres").get_data(as_text=True)
    assert "Urbanisme &lt;!--mobilite:split--&gt; &lt;/li&gt;&lt;script&gt;" in html and "<script>x" not in html
    cards = html[html.index('<ul class="cards"') : html.index("</ul>", html.index('<ul class="cards"'))]
    assert cards.count('<li class="card">') == cards.count("</li>") == 1
    assert " km</p>" in cards and "Prochaine session\xa0:" in cards


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
    agent, _offer = _agent_and_offer()
    skill, theme = SkillFactory(), ThemeFactory()
    login(client, agent.email)
    page = client.get("/agent/profil").get_data(as_text=True)
    # The work place starts as the commune of the account's city, written as the suggestions write it.
    assert 'id="work_place" name="work_place" type="text" value="Lyon (69001)"' in page
    assert 'name="work_latitude"' not in page and 'name="work_longitude"' not in page
    response = client.post(
        "/agent/profil",
        data={
            "skill-0": str(skill.id),
            "level-0": "3",
            "skill-1": "",
            "level-1": "2",
            "interests": [str(theme.id)],
            "work_place": "Grenoble (38100)",
            "csrf_token": csrf_token(page),
        },
    )
    assert response.status_code == 302
    user = db.session.get(User, agent.id)
    assert [(s.skill_id, s.level) for s in user.skills] == [(skill.id, 3)]
    assert [t.id for t in user.interests] == [theme.id]
    # Coordinates come from the gazetteer (Grenoble's town hall), not from anything typed.
    assert (user.work_city, user.work_commune_code, user.work_postcode) == ("Grenoble", "38185", "38100")
    assert abs(user.work_latitude - 45.19) < 0.02 and abs(user.work_longitude - 5.73) < 0.02
    page = client.get("/agent/profil").get_data(as_text=True)
    assert 'value="Grenoble (38100)"' in page


def test_profile_work_place_unknown_or_ambiguous_is_refused_and_saves_nothing(client):
    agent, _offer = _agent_and_offer()
    skill = SkillFactory()
    login(client, agent.email)
    token = csrf_token(client.get("/agent/profil").get_data(as_text=True))
    response = client.post(
        "/agent/profil",
        data={"skill-0": str(skill.id), "level-0": "7", "work_place": "Nullepartville", "csrf_token": token},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    # Both errors at once, each under its field.
    assert 'id="level-0-error"' in html and 'id="work_place-error"' in html
    assert "Nullepartville" in html.split('id="work_place-error"', 1)[1].split("</p>", 1)[0]
    assert db.session.scalars(select(UserSkill).where(UserSkill.user_id == agent.id)).all() == []
    response = client.post("/agent/profil", data={"work_place": "Saint-Denis", "csrf_token": token})
    message = response.get_data(as_text=True).split('id="work_place-error"', 1)[1].split("</p>", 1)[0]
    assert response.status_code == 400
    assert "Saint-Denis (93200)" in message and "Saint-Denis (97400)" in message
    assert db.session.get(User, agent.id).work_commune_code is None


def test_profile_work_place_by_postcode_or_name_without_javascript(client):
    agent, _offer = _agent_and_offer()
    login(client, agent.email)
    token = csrf_token(client.get("/agent/profil").get_data(as_text=True))
    assert client.post("/agent/profil", data={"work_place": "74000", "csrf_token": token}).status_code == 302
    user = db.session.get(User, agent.id)
    assert (user.work_city, user.work_postcode) == ("Annecy", "74000")
    response = client.post("/agent/profil", data={"work_place": "st-etienne", "csrf_token": token})
    assert response.status_code == 302
    assert db.session.get(User, agent.id).work_city == "Saint-Étienne"
    response = client.post("/agent/profil", data={"work_place": "  ", "csrf_token": token})
    assert response.status_code == 400 and 'id="work_place-error"' in response.get_data(as_text=True)


def test_requests_of_the_agent_for_the_page_exclude_decided_ones(client):
    agent, offer = _agent_and_offer()
    RequestFactory(agent=agent, status=RequestStatus.APPROVED)
    login(client, agent.email)
    html = client.get(f"/agent/offres/{offer.id}").get_data(as_text=True)
    assert "Ajouter à mes vœux" not in html and "Demander cette immersion" in html
