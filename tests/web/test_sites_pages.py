"""The sites pages (HR of the organisation, the network's coordination, the admin) and the offer form's
"Adresse de l'immersion": one of the organisation's active sites, its own address, or a new site."""

import re

from sqlalchemy import select

from mobilite.extensions import db
from mobilite.models import Offer, OfferStatus, Role, Site
from mobilite.services import sites
from tests.factories import CoordinatorFactory, OfferFactory, OrganisationFactory, UserFactory
from tests.fixtures import csrf_token, fresh, login

DESCRIPTION = "Vous suivrez l'instruction d'un permis de construire, du dépôt à la décision."


def _post(client, path, data, form_path=None):
    token = csrf_token(client.get(form_path or path).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


def _site(organisation, name="Centre technique", commune="Lyon (69007)") -> Site:
    site = sites.new_site(organisation, {"name": name, "address": "15 rue Lortet", "commune": commune})
    db.session.add(site)
    db.session.commit()
    return site


def test_hr_lists_adds_edits_and_archives_their_sites(client):
    hr = UserFactory(roles=[Role.RH])
    organisation = hr.organisation
    login(client, hr.email)
    listing = f"/organisations/{organisation.id}/sites"
    assert f'href="{listing}"' in client.get("/rh/offres").get_data(as_text=True)  # reached from the offers page
    assert "Aucun site pour" in client.get(listing).get_data(as_text=True)

    response = _post(
        client,
        f"{listing}/nouveau",
        {
            "name": "Hôtel de ville",
            "address": "1 place de la Comédie",
            "commune": "Lyon (69001)",
            "accessibility": "Rampe",
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(listing)
    site = db.session.scalar(select(Site).where(Site.organisation_id == organisation.id))
    assert (site.name, site.city, site.postcode, site.accessibility) == ("Hôtel de ville", "Lyon", "69001", "Rampe")
    assert "Hôtel de ville" in client.get(listing).get_data(as_text=True)

    edit = f"/sites/{site.id}/modifier"
    assert "Lyon (69001)" in client.get(edit).get_data(as_text=True)
    assert _post(client, edit, {"name": "Mairie centrale", "commune": "Villeurbanne"}).status_code == 302
    site = fresh(site)
    assert (site.name, site.city, site.postcode) == ("Mairie centrale", "Villeurbanne", "69100")

    assert _post(client, f"/sites/{site.id}/archiver", {}, form_path=listing).status_code == 302
    assert fresh(site).archived
    assert _post(client, f"/sites/{site.id}/restaurer", {}, form_path=listing).status_code == 302
    assert not fresh(site).archived


def test_a_change_saved_since_the_form_was_opened_is_not_overwritten(client):
    """Two managers open the same site's form; the first saves; the second one's save is refused with a
    message and changes nothing, and their form keeps what they typed and the version they opened."""
    hr = UserFactory(roles=[Role.RH])
    site = _site(hr.organisation)
    login(client, hr.email)
    edit = f"/sites/{site.id}/modifier"
    opened = client.get(edit).get_data(as_text=True)
    opened_on = re.search(r'name="opened_on" value="([^"]+)"', opened).group(1)
    sites.update_site(
        CoordinatorFactory(network_id=hr.organisation.network_id),
        fresh(site),
        {"name": "Centre technique municipal", "address": "", "commune": "Lyon (69007)", "accessibility": ""},
    )
    mine = {"name": "Garage", "commune": "Villeurbanne", "csrf_token": csrf_token(opened), "opened_on": opened_on}
    refused = client.post(edit, data=mine)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "modifié entre-temps" in page
    assert 'value="Garage"' in page and f'name="opened_on" value="{opened_on}"' in page
    assert (fresh(site).name, fresh(site).city) == ("Centre technique municipal", "Lyon")
    reopened = client.get(edit).get_data(as_text=True)  # reloaded: the other change is shown, and saves
    mine["opened_on"] = re.search(r'name="opened_on" value="([^"]+)"', reopened).group(1)
    assert client.post(edit, data=mine).status_code == 302
    assert (fresh(site).name, fresh(site).city) == ("Garage", "Villeurbanne")


def test_bad_site_input_names_each_field_and_saves_nothing(client):
    hr = UserFactory(roles=[Role.RH])
    login(client, hr.email)
    path = f"/organisations/{hr.organisation_id}/sites/nouveau"
    response = _post(client, path, {"name": "", "commune": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="name-error"' in page and 'id="commune-error"' in page
    response = _post(client, path, {"name": "Annexe", "commune": "Nullepartville"})
    assert response.status_code == 400 and "Nullepartville" in response.get_data(as_text=True)
    assert db.session.scalar(select(Site)) is None


def test_hr_of_another_organisation_gets_404_everywhere(client):
    theirs = _site(OrganisationFactory())
    hr = UserFactory(roles=[Role.RH], organisation=OrganisationFactory(network=theirs.organisation.network))
    agent = UserFactory(organisation=theirs.organisation)  # an agent of the organisation is no manager either
    for who in (hr, agent):
        login(client, who.email)
        token = csrf_token(client.get("/notifications").get_data(as_text=True))
        assert client.get(f"/organisations/{theirs.organisation_id}/sites").status_code == 404
        assert client.get(f"/organisations/{theirs.organisation_id}/sites/nouveau").status_code == 404
        assert client.get(f"/sites/{theirs.id}/modifier").status_code == 404
        for action in ("modifier", "archiver", "restaurer"):
            response = client.post(f"/sites/{theirs.id}/{action}", data={"csrf_token": token, "name": "Pris"})
            assert response.status_code == 404
    assert fresh(theirs).name == "Centre technique" and not fresh(theirs).archived


def test_the_network_coordination_manages_its_organisations_sites_not_others(client):
    coordinator = CoordinatorFactory()
    ours = OrganisationFactory(network=coordinator.coordinated_network)
    other = _site(OrganisationFactory())
    login(client, coordinator.email)
    path = f"/organisations/{ours.id}/sites/nouveau"
    assert _post(client, path, {"name": "Centre social", "commune": "Caluire-et-Cuire"}).status_code == 302
    assert db.session.scalar(select(Site.city).where(Site.organisation_id == ours.id)) == "Caluire-et-Cuire"
    assert client.get(f"/organisations/{other.organisation_id}/sites").status_code == 404
    assert client.get(f"/sites/{other.id}/modifier").status_code == 404


def _offer_form(**fields):
    return {
        "title": "Vis ma vie d'instructeur",
        "team": "Service ADS",
        "description": DESCRIPTION,
        "place": "on_site",
        **fields,
    }


def test_the_offer_form_offers_active_sites_and_creates_a_new_one(client):
    hr = UserFactory(roles=[Role.RH])
    active, archived = _site(hr.organisation), _site(hr.organisation, name="Ancien dépôt")
    sites.archive_site(hr, archived)
    login(client, hr.email)
    form = client.get("/rh/offres/nouvelle").get_data(as_text=True)
    assert f'id="site_choice-{active.id}"' in form and f'id="site_choice-{archived.id}"' not in form

    assert _post(client, "/rh/offres/nouvelle", _offer_form(site_choice=str(active.id))).status_code == 302
    offer = db.session.scalar(select(Offer).order_by(Offer.id.desc()))
    assert offer.site_id == active.id

    response = _post(
        client,
        f"/rh/offres/{offer.id}/modifier",
        _offer_form(
            site_choice="new",
            new_site_name="Antenne de Caluire",
            new_site_address="2 rue Pasteur",
            new_site_commune="Caluire-et-Cuire",
            version=str(offer.version),
        ),
    )
    assert response.status_code == 302
    offer = fresh(offer)
    assert offer.site.name == "Antenne de Caluire" and offer.site.organisation_id == hr.organisation_id
    assert offer.location.full_address == "2 rue Pasteur, 69300 Caluire-et-Cuire"
    assert "Antenne de Caluire" in client.get(f"/rh/offres/{offer.id}").get_data(as_text=True)

    response = _post(client, f"/rh/offres/{offer.id}/modifier", _offer_form(site_choice="", version=str(offer.version)))
    assert response.status_code == 302 and fresh(offer).site_id is None


def test_the_offer_form_refuses_a_foreign_site_and_a_new_site_without_a_commune(client):
    hr = UserFactory(roles=[Role.RH])
    foreign = _site(OrganisationFactory(network=hr.organisation.network))
    login(client, hr.email)
    response = _post(client, "/rh/offres/nouvelle", _offer_form(site_choice=str(foreign.id)))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="site_choice-error"' in page
    assert "pas un site de votre organisation" in page
    response = _post(client, "/rh/offres/nouvelle", _offer_form(site_choice="new", new_site_name="Annexe"))
    assert response.status_code == 400 and 'id="new_site_commune-error"' in response.get_data(as_text=True)
    assert (
        db.session.scalar(select(Offer)) is None
        and db.session.scalar(select(Site).where(Site.name == "Annexe")) is None
    )


def test_the_agent_offer_page_shows_the_site(client):
    host = OrganisationFactory()
    site = _site(host)
    offer = OfferFactory(organisation=host, site=site, status=OfferStatus.PUBLISHED)
    agent = UserFactory(organisation=OrganisationFactory(network=host.network))
    login(client, agent.email)
    page = client.get(f"/agent/offres/{offer.id}").get_data(as_text=True)
    assert "Centre technique, 15 rue Lortet, 69007 Lyon" in page
