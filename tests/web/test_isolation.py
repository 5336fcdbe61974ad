"""Another organisation's (or network's) records answer 404, exactly like missing ones."""

import re

from mobilite.models import Role
from tests.factories import CoordinatorFactory, OfferFactory, OrganisationFactory, RequestFactory, UserFactory
from tests.fixtures import login


def test_hr_sees_an_account_of_their_organisation_but_404_for_another(client):
    hr = UserFactory(roles=[Role.RH])
    colleague = UserFactory(organisation=hr.organisation)
    stranger = UserFactory()
    login(client, hr.email)
    assert client.get(f"/rh/comptes/{colleague.id}").status_code == 200
    other = client.get(f"/rh/comptes/{stranger.id}")
    missing = client.get("/rh/comptes/999999")
    assert other.status_code == missing.status_code == 404

    # The same page, but for the echoed path and the per-request CSRF token.
    def normalised(response, record_id):
        html = re.sub(r'name="csrf_token" value="[^"]+"', "", response.get_data(as_text=True))
        return html.replace(f"/{record_id}", "/N")

    assert normalised(other, stranger.id) == normalised(missing, 999999)


def test_coordinator_gets_404_for_another_networks_organisation_and_accounts(client):
    coordinator = CoordinatorFactory()
    mine = OrganisationFactory(network=coordinator.coordinated_network)
    theirs = OrganisationFactory()
    stranger = UserFactory(organisation=theirs)
    login(client, coordinator.email)
    assert client.get(f"/coordination/organisations/{mine.id}").status_code == 200
    assert client.get(f"/coordination/organisations/{theirs.id}").status_code == 404
    assert client.get(f"/coordination/comptes/{stranger.id}").status_code == 404


def test_hr_home_lists_only_their_organisations_offers_and_requests(client):
    hr = UserFactory(roles=[Role.RH])
    own_offer = OfferFactory(organisation=hr.organisation, title="Offre de chez nous")
    OfferFactory(title="Offre d'ailleurs")
    own_request = RequestFactory(agent=UserFactory(organisation=hr.organisation, last_name="Voisin"))
    RequestFactory(agent=UserFactory(last_name="Lointain"))
    login(client, hr.email)
    html = client.get("/rh/").get_data(as_text=True)
    assert own_offer.title in html and "Offre d'ailleurs" not in html
    assert own_request.agent.last_name in html and "Lointain" not in html


def test_agent_home_lists_only_their_own_requests(client):
    agent = UserFactory()
    RequestFactory(agent=agent, motivation="x", max_days=7)
    RequestFactory(agent=UserFactory(organisation=agent.organisation), max_days=9)
    login(client, agent.email)
    html = client.get("/agent/").get_data(as_text=True)
    assert "2 à 7 jours" in html and "2 à 9 jours" not in html


def test_coordinator_home_lists_the_networks_organisations(client):
    coordinator = CoordinatorFactory()
    mine = OrganisationFactory(network=coordinator.coordinated_network, name="Ville du réseau")
    OrganisationFactory(name="Ville hors réseau")
    login(client, coordinator.email)
    html = client.get("/coordination/").get_data(as_text=True)
    assert mine.name in html and "Ville hors réseau" not in html
