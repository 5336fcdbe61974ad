"""The catalogue: the network's published offers of other organisations, searched like the agents' page."""

from datetime import date, timedelta

from mobilite.extensions import db
from mobilite.models import OfferStatus, Place, Role
from tests.factories import (
    CoordinatorFactory,
    OfferFactory,
    OfferSessionFactory,
    OrganisationFactory,
    ThemeFactory,
    UserFactory,
)
from tests.fixtures import bearer


def _world():
    coordinator = CoordinatorFactory()
    network = coordinator.coordinated_network
    home = OrganisationFactory(network=network)
    host = OrganisationFactory(network=network, city="Villeurbanne")
    agent = UserFactory(organisation=home, roles=[Role.AGENT])
    theme = ThemeFactory()
    soon = OfferFactory(
        organisation=host,
        title="Instruire un permis",
        themes=[theme],
        place=Place.REMOTE,
        tutor_email="tutrice@example.fr",
    )
    later = OfferFactory(organisation=host, title="Accueillir le public")
    OfferSessionFactory(offer=soon, start_date=date.today() + timedelta(days=10))
    OfferSessionFactory(offer=later, start_date=date.today() + timedelta(days=40))
    hidden = [
        OfferFactory(organisation=home),  # the agent's own organisation
        OfferFactory(organisation=host, status=OfferStatus.DRAFT),
        OfferFactory(organisation=host, status=OfferStatus.CLOSED),
        OfferFactory(),  # another network
    ]
    return coordinator, agent, soon, later, hidden, theme


def test_the_catalogue_lists_the_network_s_published_offers_of_other_organisations(app, client):
    coordinator, agent, soon, later, hidden, theme = _world()
    headers = bearer(app, agent)
    response = client.get("/api/v1/catalogue", headers=headers)
    assert response.status_code == 200
    assert [o["id"] for o in response.json] == [soon.id, later.id]  # the soonest session first
    assert '"total": 2' in response.headers["X-Pagination"]
    first = response.json[0]
    assert first["organisation"]["city"] == "Villeurbanne" and first["status"] == "published"
    assert first["next_session"] == (date.today() + timedelta(days=10)).isoformat()
    assert first["distance_km"] is None  # the agent has no work place
    assert "tutor_email" not in first and "version" not in first and "validation_comment" not in first

    paged = client.get("/api/v1/catalogue?page=2&page_size=1", headers=headers)
    assert [o["id"] for o in paged.json] == [later.id]
    # Any signed-in role of the network browses it; the coordinator has no organisation of their own.
    assert len(client.get("/api/v1/catalogue", headers=bearer(app, coordinator)).json) == 3


def test_the_catalogue_filters_like_the_search_page(app, client):
    coordinator, agent, soon, later, hidden, theme = _world()
    headers = bearer(app, agent)

    def ids(query):
        response = client.get(f"/api/v1/catalogue?{query}", headers=headers)
        assert response.status_code == 200, (query, response.json)
        return [o["id"] for o in response.json]

    assert ids(f"theme={theme.id}") == [soon.id]
    assert ids("q=public") == [later.id]
    assert ids("remote=true") == [soon.id]
    assert ids(f"organisation={soon.organisation_id}&sort=newest") == sorted([soon.id, later.id], reverse=True)
    start = date.today() + timedelta(days=30)
    assert ids(f"date_from={start.isoformat()}") == [later.id]
    assert ids(f"date_to={start.isoformat()}") == [soon.id]
    assert ids("city=lyon") == []

    wrong = client.get(f"/api/v1/catalogue?sort=random&distance_km=0&theme=x&skill={2**63}", headers=headers)
    assert wrong.status_code == 422
    assert {"sort", "distance_km", "theme", "skill"} <= set(wrong.json["errors"])
    reversed_dates = client.get(
        f"/api/v1/catalogue?date_from={start.isoformat()}&date_to={date.today().isoformat()}", headers=headers
    )
    assert reversed_dates.status_code == 422 and set(reversed_dates.json["errors"]) == {"date_to"}


def test_one_catalogue_offer_is_a_published_one_of_the_caller_s_network(app, client):
    coordinator, agent, soon, later, hidden, theme = _world()
    headers = bearer(app, agent)
    response = client.get(f"/api/v1/catalogue/{soon.id}", headers=headers)
    assert response.status_code == 200
    assert response.json["title"] == "Instruire un permis" and response.json["themes"] == [theme.id]
    assert len(response.json["sessions"]) == 1 and "tutor_email" not in response.json
    missing = client.get("/api/v1/catalogue/999999", headers=headers)
    assert missing.status_code == 404
    for offer in hidden[1:]:
        assert client.get(f"/api/v1/catalogue/{offer.id}", headers=headers).json == missing.json
    # A draft stays out of the catalogue, even for its own HR (they read it at /offers/{id}).
    hr = UserFactory(organisation=hidden[1].organisation, roles=[Role.RH])
    assert client.get(f"/api/v1/catalogue/{hidden[1].id}", headers=bearer(app, hr)).status_code == 404
    assert client.get("/api/v1/catalogue").status_code == 401


def test_the_list_gives_each_offer_as_the_offer_page_does_and_the_same_from_memory_or_sql(app, client, monkeypatch):
    """Offers' JSON is kept by the worker while the catalogue does not change (services.search_represented):
    the list gives what the one-offer operation gives, with the caller's distance, whether it comes from the
    kept JSON, from a fresh dump or from the SQL search."""
    coordinator, agent, soon, later, hidden, theme = _world()
    agent.work_latitude, agent.work_longitude = 45.75, 4.85
    for offer in (soon, later):
        offer.organisation.latitude, offer.organisation.longitude = 45.77, 4.88
    db.session.commit()
    headers = bearer(app, agent)
    singles = [client.get(f"/api/v1/catalogue/{offer.id}", headers=headers).json for offer in (soon, later)]
    assert singles[0]["distance_km"] > 0
    answers = []
    for use_index in (True, True, False):
        monkeypatch.setitem(app.config, "CATALOGUE_INDEX", use_index)
        response = client.get("/api/v1/catalogue?sort=closest", headers=headers)
        answers.append((response.json, response.headers["X-Pagination"]))
    assert answers[0] == answers[1] == answers[2]
    assert sorted(answers[0][0], key=lambda o: o["id"]) == sorted(singles, key=lambda o: o["id"])
