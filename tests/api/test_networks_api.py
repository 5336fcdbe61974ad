"""Networks and organisations over the API: the admin lists networks with their health and creates one;
the admin and a network's coordination add, read, replace (If-Match), suspend and reinstate its
organisations; nobody else reaches them (404)."""

from __future__ import annotations

from sqlalchemy import select

from mobilite.extensions import db
from mobilite.models import AuditEvent, OfferStatus, Organisation, Role, User
from tests.factories import CoordinatorFactory, OfferFactory, OfferSessionFactory, OrganisationFactory, UserFactory
from tests.fixtures import bearer, fresh
from tests.oidc_provider import siret

NETWORK = {
    "name": "Réseau de Bretagne",
    "description": "",
    "organisation_name": "Ville de Rennes",
    "organisation_kind": "commune",
    "organisation_sirets": [siret(51)],
    "organisation_address": "",
    "commune": "Rennes (35000)",
    "coordinator_first_name": "Yann",
    "coordinator_last_name": "Le Goff",
    "coordinator_email": "yann.legoff@rennes.example.fr",
}
ORGANISATION = {
    "name": "Rennes Métropole",
    "kind": "epci",
    "sirets": [siret(52)],
    "address": "4 avenue Henri-Fréville",
    "commune": "Rennes",
    "accessibility_notes": "",
}


def test_the_admin_lists_and_creates_networks(app, client):
    admin = UserFactory(organisation=None, roles=[Role.ADMIN])
    headers = bearer(app, admin)
    response = client.post("/api/v1/networks", headers=headers, json=NETWORK)
    assert response.status_code == 201, response.json
    assert response.json["name"] == "Réseau de Bretagne" and response.json["organisations"] == 1
    assert response.json["last_round_status"] is None and response.json["active_agents"] == 0
    network_id = response.json["id"]
    coordinator = db.session.scalar(select(User).where(User.email == NETWORK["coordinator_email"]))
    assert coordinator.network_id == network_id and coordinator.roles == {Role.COORDINATOR}
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "network.create")).network_id == network_id

    again = client.post("/api/v1/networks", headers=headers, json=NETWORK)
    assert again.status_code == 422
    assert set(again.json["errors"]) == {"name", "organisation_sirets", "coordinator_email"}
    listed = client.get("/api/v1/networks", headers=headers).json
    assert [n["name"] for n in listed] == ["Réseau de Bretagne"]
    assert client.get(f"/api/v1/networks/{network_id}", headers=headers).json["organisations"] == 1


def test_networks_are_the_admins_alone(app, client):
    coordinator = CoordinatorFactory()
    headers = bearer(app, coordinator)
    assert client.get("/api/v1/networks", headers=headers).status_code == 404
    assert client.post("/api/v1/networks", headers=headers, json=NETWORK).status_code == 404
    assert client.get(f"/api/v1/networks/{coordinator.network_id}", headers=headers).status_code == 404


def test_the_coordinator_adds_replaces_suspends_and_reinstates_an_organisation(app, client):
    coordinator = CoordinatorFactory()
    headers = bearer(app, coordinator)
    url = f"/api/v1/networks/{coordinator.network_id}/organisations"
    response = client.post(url, headers=headers, json=ORGANISATION)
    assert response.status_code == 201, response.json
    created = response.json
    assert (created["city"], created["postcode"], created["sirets"]) == ("Rennes", "35000", [siret(52)])
    assert created["active"] is True and created["latitude"] > 48
    assert [o["name"] for o in client.get(url, headers=headers).json] == ["Rennes Métropole"]

    one = f"/api/v1/organisations/{created['id']}"
    read = client.get(one, headers=headers)
    assert read.status_code == 200
    changed = {**ORGANISATION, "name": "Rennes Métropole (siège)", "sirets": []}
    assert client.put(one, headers=headers, json=changed).status_code == 428
    stale = client.put(one, headers={**headers, "If-Match": '"stale"'}, json=changed)
    assert stale.status_code == 412
    response = client.put(one, headers={**headers, "If-Match": read.headers["ETag"]}, json=changed)
    assert response.status_code == 200 and response.json["name"] == "Rennes Métropole (siège)"
    assert response.json["sirets"] == []

    organisation = db.session.get(Organisation, created["id"])
    offer = OfferFactory(organisation=organisation, status=OfferStatus.PUBLISHED)
    OfferSessionFactory(offer=offer)
    reader = UserFactory(organisation=OrganisationFactory(network=organisation.network), roles=[Role.AGENT])
    reader_headers = bearer(app, reader)
    assert client.get(f"/api/v1/catalogue/{offer.id}", headers=reader_headers).status_code == 200

    refused = client.post(f"{one}/suspend", headers=headers, json={"reason": ""})
    assert refused.status_code == 422 and "reason" in refused.json["errors"]
    response = client.post(f"{one}/suspend", headers=headers, json={"reason": "Convention échue."})
    assert response.status_code == 200 and response.json["active"] is False
    assert response.json["suspension_reason"] == "Convention échue."
    assert client.get(f"/api/v1/catalogue/{offer.id}", headers=reader_headers).status_code == 404
    assert offer.id not in [o["id"] for o in client.get("/api/v1/catalogue", headers=reader_headers).json]
    assert client.post(f"{one}/suspend", headers=headers, json={"reason": "Encore."}).status_code == 422

    response = client.post(f"{one}/reinstate", headers=headers)
    assert response.status_code == 200 and response.json["active"] is True
    assert client.get(f"/api/v1/catalogue/{offer.id}", headers=reader_headers).status_code == 200
    assert client.post(f"{one}/reinstate", headers=headers).status_code == 422
    actions = db.session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.target_type == "Organisation", AuditEvent.target_id == organisation.id
        )
    ).all()
    assert sorted(actions) == [
        "organisation.create",
        "organisation.reinstate",
        "organisation.suspend",
        "organisation.update",
    ]


def test_another_networks_coordinator_and_hr_get_404(app, client):
    organisation = OrganisationFactory()
    hr = UserFactory(organisation=organisation, roles=[Role.RH])
    stranger = CoordinatorFactory()
    for user in (hr, stranger):
        headers = {**bearer(app, user), "If-Match": "*"}
        one = f"/api/v1/organisations/{organisation.id}"
        assert client.get(one, headers=headers).status_code == 404
        assert client.put(one, headers=headers, json=ORGANISATION).status_code == 404
        assert client.post(f"{one}/suspend", headers=headers, json={"reason": "x"}).status_code == 404
        assert client.post(f"{one}/reinstate", headers=headers).status_code == 404
        url = f"/api/v1/networks/{organisation.network_id}/organisations"
        assert client.get(url, headers=headers).status_code == 404
        assert client.post(url, headers=headers, json=ORGANISATION).status_code == 404
    assert fresh(organisation).is_active


def test_the_admin_runs_any_networks_organisations(app, client):
    admin = UserFactory(organisation=None, roles=[Role.ADMIN])
    organisation = OrganisationFactory()
    headers = bearer(app, admin)
    response = client.post(f"/api/v1/organisations/{organisation.id}/suspend", headers=headers, json={"reason": "x"})
    assert response.status_code == 200 and not fresh(organisation).is_active
    listed = client.get(f"/api/v1/networks/{organisation.network_id}/organisations", headers=headers).json
    assert [o["active"] for o in listed] == [False]
