"""Sites over the API: HR of the organisation and the network's coordination list, add, change, archive and
restore them; an offer names one with site_id, of its own organisation only (422 naming the field)."""

from __future__ import annotations

from sqlalchemy import select

from mobilite.extensions import db
from mobilite.models import AuditEvent, Offer, Role, Site
from mobilite.services import sites
from tests.factories import CoordinatorFactory, OfferFactory, OrganisationFactory, UserFactory
from tests.fixtures import bearer, fresh

OFFER = {
    "title": "Instruire un permis de construire",
    "team": "Urbanisme",
    "description": "Le droit des sols au quotidien, du dépôt à la décision.",
    "place": "on_site",
}


def _site(organisation, name="Centre technique") -> Site:
    site = sites.new_site(organisation, {"name": name, "address": "15 rue Lortet", "commune": "Lyon (69007)"})
    db.session.add(site)
    db.session.commit()
    return site


def test_hr_adds_reads_changes_archives_and_restores_a_site(app, client):
    hr = UserFactory(roles=[Role.RH])
    headers = bearer(app, hr)
    path = f"/api/v1/organisations/{hr.organisation_id}/sites"
    created = client.post(path, json={"name": "Hôtel de ville", "commune": "Lyon (69001)"}, headers=headers)
    assert created.status_code == 201, created.json
    site = created.json
    assert (site["city"], site["postcode"], site["commune"], site["archived"]) == (
        "Lyon",
        "69001",
        "Lyon (69001)",
        False,
    )
    assert site["latitude"] and site["longitude"] and site["in_use"] is False
    listed = client.get(path, headers=headers)
    assert [s["id"] for s in listed.json] == [site["id"]]

    etag = client.get(f"/api/v1/sites/{site['id']}", headers=headers).headers["ETag"]
    assert created.headers["ETag"] == etag
    changed = client.put(
        f"/api/v1/sites/{site['id']}",
        json={"name": "Mairie", "address": "1 place Bellecour", "commune": "69100", "accessibility": ""},
        headers={**headers, "If-Match": etag},
    )
    assert changed.status_code == 200 and (changed.json["city"], changed.json["name"]) == ("Villeurbanne", "Mairie")
    archived = client.post(f"/api/v1/sites/{site['id']}/archive", headers=headers)
    assert archived.status_code == 200 and archived.json["archived"] is True
    assert client.get(f"{path}?archived=false", headers=headers).json == []
    again = client.post(f"/api/v1/sites/{site['id']}/archive", headers=headers)
    assert again.status_code == 422
    assert client.post(f"/api/v1/sites/{site['id']}/restore", headers=headers).json["archived"] is False
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.target_type == "Site")))
    assert {"site.create", "site.update", "site.archive", "site.restore"} <= actions


def test_a_change_made_since_the_read_is_not_overwritten(app, client):
    """Two managers edit the same site: the second PUT, sent with the ETag read before the first one saved,
    answers 412 and changes nothing; without If-Match, 428."""
    hr = UserFactory(roles=[Role.RH])
    site = _site(hr.organisation)
    headers = bearer(app, hr)
    read_by_both = client.get(f"/api/v1/sites/{site.id}", headers=headers).headers["ETag"]
    first = {"name": "Centre technique municipal", "commune": "Lyon (69007)"}
    saved = client.put(f"/api/v1/sites/{site.id}", json=first, headers={**headers, "If-Match": read_by_both})
    assert saved.status_code == 200 and saved.headers["ETag"] != read_by_both
    second = {"name": "Garage", "commune": "Villeurbanne"}
    stale = client.put(f"/api/v1/sites/{site.id}", json=second, headers={**headers, "If-Match": read_by_both})
    assert stale.status_code == 412, stale.json
    blind = client.put(f"/api/v1/sites/{site.id}", json=second, headers=headers)
    assert blind.status_code == 428, blind.json
    assert (fresh(site).name, fresh(site).city) == ("Centre technique municipal", "Lyon")


def test_bad_site_input_names_each_field(app, client):
    hr = UserFactory(roles=[Role.RH])
    path = f"/api/v1/organisations/{hr.organisation_id}/sites"
    response = client.post(path, json={"name": "", "commune": "Nullepartville"}, headers=bearer(app, hr))
    assert response.status_code == 422 and "name" in response.json["errors"]
    response = client.post(path, json={"name": "Annexe", "commune": "Nullepartville"}, headers=bearer(app, hr))
    assert response.status_code == 422 and "Nullepartville" in response.json["errors"]["commune"][0]
    assert db.session.scalar(select(Site)) is None


def test_another_organisation_sites_answer_404(app, client):
    theirs = _site(OrganisationFactory())
    hr = UserFactory(roles=[Role.RH], organisation=OrganisationFactory(network=theirs.organisation.network))
    agent = UserFactory(organisation=theirs.organisation)
    foreign_coordinator = CoordinatorFactory()
    for who in (hr, agent, foreign_coordinator):
        headers = bearer(app, who)
        assert client.get(f"/api/v1/organisations/{theirs.organisation_id}/sites", headers=headers).status_code == 404
        created = client.post(
            f"/api/v1/organisations/{theirs.organisation_id}/sites",
            json={"name": "Pris", "commune": "Lyon (69001)"},
            headers=headers,
        )
        assert created.status_code == 404
        assert client.get(f"/api/v1/sites/{theirs.id}", headers=headers).status_code == 404
        body = {"name": "Pris", "commune": "Lyon (69001)"}
        assert client.put(f"/api/v1/sites/{theirs.id}", json=body, headers=headers).status_code == 404
        assert client.post(f"/api/v1/sites/{theirs.id}/archive", headers=headers).status_code == 404
    assert fresh(theirs).name == "Centre technique" and not fresh(theirs).archived
    coordinator = CoordinatorFactory(network_id=theirs.organisation.network_id)
    assert client.get(f"/api/v1/sites/{theirs.id}", headers=bearer(app, coordinator)).status_code == 200


def test_an_offer_names_a_site_of_its_own_organisation_only(app, client):
    hr = UserFactory(roles=[Role.RH])
    ours, foreign = _site(hr.organisation), _site(OrganisationFactory(network=hr.organisation.network))
    headers = bearer(app, hr)
    refused = client.post("/api/v1/offers", json={**OFFER, "site_id": foreign.id}, headers=headers)
    assert refused.status_code == 422 and list(refused.json["errors"]) == ["site_id"]
    assert db.session.scalar(select(Offer)) is None
    created = client.post("/api/v1/offers", json={**OFFER, "site_id": ours.id}, headers=headers)
    assert created.status_code == 201, created.json
    assert created.json["site_id"] == ours.id
    assert created.json["location"]["site_name"] == "Centre technique"
    assert created.json["location"]["city"] == "Lyon"
    # An archived site is refused to a new offer, kept by the offer that already names it.
    sites.archive_site(hr, fresh(ours))
    refused = client.post("/api/v1/offers", json={**OFFER, "site_id": ours.id}, headers=headers)
    assert refused.status_code == 422 and "site_id" in refused.json["errors"]
    offer_id = created.json["id"]
    etag = client.get(f"/api/v1/offers/{offer_id}", headers=headers).headers["ETag"]
    kept = client.put(
        f"/api/v1/offers/{offer_id}", json={**OFFER, "site_id": ours.id}, headers={**headers, "If-Match": etag}
    )
    assert kept.status_code == 200 and kept.json["site_id"] == ours.id
    # A new site given with the offer.
    with_new = client.post(
        "/api/v1/offers", json={**OFFER, "new_site": {"name": "Annexe", "commune": "Villeurbanne"}}, headers=headers
    )
    assert with_new.status_code == 201 and with_new.json["location"]["city"] == "Villeurbanne"


def test_the_catalogue_gives_the_offer_location(app, client):
    host = OrganisationFactory()
    offer = OfferFactory(organisation=host, site=_site(host))
    agent = UserFactory(
        organisation=OrganisationFactory(network=host.network), work_latitude=45.76, work_longitude=4.83
    )
    response = client.get(f"/api/v1/catalogue/{offer.id}", headers=bearer(app, agent))
    assert response.status_code == 200
    assert response.json["location"]["address"] == "15 rue Lortet" and response.json["site_id"] == offer.site_id
