"""Networks and organisations: the admin creates a network with its first organisation and coordinator
and reads every network's health; a coordinator (or the admin) adds, edits, suspends and reinstates an
organisation. A suspension takes the organisation's offers out of the catalogue and its agents' pending
requests out of the rounds, deletes nothing, and is lifted as it came."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from mobilite.extensions import db
from mobilite.limits import DEFAULT_MAX_DAYS, DEFAULT_MIN_DAYS
from mobilite.models import (
    AuditEvent,
    InboxItem,
    Network,
    Notification,
    NotificationStatus,
    Organisation,
    OrganisationKind,
    PasswordToken,
    RequestStatus,
    Role,
    RoundStatus,
    TokenPurpose,
    User,
    utcnow,
)
from mobilite.services import networks, organisations, rounds, search
from mobilite.services.errors import ServiceError
from mobilite.services.round_problem import load_problem
from tests.factories import (
    CoordinatorFactory,
    OfferFactory,
    OfferSessionFactory,
    OrganisationFactory,
    RequestFactory,
    RoundFactory,
    UserFactory,
)
from tests.fixtures import csrf_token, fresh, login
from tests.oidc_provider import siret


def _post(client, url: str, data: dict):
    token = csrf_token(_text(client.get(url)))
    return client.post(url, data={"csrf_token": token, **data})


def _text(response) -> str:
    """The page, its French typography's no-break spaces as plain ones."""
    return response.get_data(as_text=True).replace("\u202f", " ").replace("\xa0", " ")


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _admin():
    return UserFactory(organisation=None, roles=[Role.ADMIN])


def _coordinator_and_network():
    coordinator = CoordinatorFactory()
    return coordinator, db.session.get(Network, coordinator.network_id)


NETWORK_FORM = {
    "name": "Réseau des Alpes",
    "description": "Les collectivités de Savoie et de Haute-Savoie.",
    "organisation_name": "Ville d'Annecy",
    "organisation_kind": "commune",
    "organisation_sirets": "",
    "organisation_address": "1 rue de la République",
    "commune": "Annecy (74000)",
    "coordinator_first_name": "Camille",
    "coordinator_last_name": "Roux",
    "coordinator_email": "camille.roux@annecy.example.fr",
}


# --- the admin's networks --------------------------------------------------------------------------------


def test_the_admin_creates_a_network_its_first_organisation_and_coordinator(client):
    admin = _admin()
    login(client, admin.email)
    response = _post(client, "/admin/reseaux/nouveau", {**NETWORK_FORM, "organisation_sirets": siret(41)})
    assert response.status_code == 302

    network = db.session.scalar(select(Network).where(Network.name == "Réseau des Alpes"))
    assert response.headers["Location"] == f"/admin/reseaux/{network.id}"
    assert network.slug == "reseau-des-alpes" and network.description.startswith("Les collectivités")
    assert (network.min_days, network.max_days) == (DEFAULT_MIN_DAYS, DEFAULT_MAX_DAYS)  # the law's defaults
    (organisation,) = network.organisations
    assert organisation.name == "Ville d'Annecy" and organisation.kind == OrganisationKind.COMMUNE
    assert (organisation.city, organisation.postcode) == ("Annecy", "74000")
    assert organisation.latitude == pytest.approx(45.9, abs=0.1)  # from the gazetteer, nobody typed it
    assert [row.siret for row in organisation.sirets] == [siret(41)]
    coordinator = db.session.scalar(select(User).where(User.email == "camille.roux@annecy.example.fr"))
    assert coordinator.roles == {Role.COORDINATOR}
    assert coordinator.network_id == network.id and coordinator.organisation_id == organisation.id
    assert coordinator.password_hash is None
    # The first-password link is in the outbox.
    assert db.session.scalar(
        select(PasswordToken).where(
            PasswordToken.user_id == coordinator.id, PasswordToken.purpose == TokenPurpose.SET_PASSWORD
        )
    )
    assert db.session.scalar(select(Notification).where(Notification.recipient_id == coordinator.id))
    (event,) = _events("network.create")
    assert event.actor_id == admin.id and event.network_id == network.id
    assert event.details == {"coordinator_id": coordinator.id}
    assert event.organisation_id == organisation.id
    assert [e.target_id for e in _events("account.create")] == [coordinator.id]

    page = _text(client.get(f"/admin/reseaux/{network.id}"))
    assert "Ville d&#39;Annecy" in page and "Ajouter une organisation" in page


def test_a_network_form_with_errors_creates_nothing_and_names_every_field(client):
    admin = _admin()
    taken = UserFactory(email="deja.pris@example.fr")
    other = OrganisationFactory()
    other.sirets.append(organisations.OrganisationSiret(siret=siret(42)))
    NetworkFactoryName = other.network.name
    db.session.commit()
    login(client, admin.email)
    counts = (db.session.scalar(select(func.count(Network.id))), db.session.scalar(select(func.count(User.id))))
    response = _post(
        client,
        "/admin/reseaux/nouveau",
        {
            **NETWORK_FORM,
            "name": NetworkFactoryName,
            "organisation_kind": "planete",
            "organisation_sirets": f"{siret(42)}\n12345678901234",
            "commune": "Nullepartville",
            "coordinator_email": taken.email.upper(),
        },
    )
    assert response.status_code == 400
    page = _text(response)
    for name in ("name", "organisation_kind", "organisation_sirets", "commune", "coordinator_email"):
        assert f'id="{name}-error"' in page, name
    assert "Aucune commune ne correspond à « Nullepartville »" in page
    assert "12345678901234" in page  # the SIRET whose key is wrong, named
    # The schema's errors and the service's, at once: the name, a SIRET and the address taken.
    assert "Un réseau porte déjà ce nom." in page
    assert 'id="coordinator_email-error"' in page and "Un compte existe déjà avec cette adresse." in page
    response = _post(
        client,
        "/admin/reseaux/nouveau",
        {**NETWORK_FORM, "organisation_sirets": siret(42), "coordinator_email": "nouvelle@example.fr"},
    )
    assert response.status_code == 400
    assert f"« {siret(42)} » est déjà le numéro SIRET" in _text(response)
    assert (db.session.scalar(select(func.count(Network.id))), db.session.scalar(select(func.count(User.id)))) == counts
    assert _events("network.create") == []


def test_only_the_admin_creates_a_network(app, client):
    coordinator, _network = _coordinator_and_network()
    with app.test_request_context(), pytest.raises(ServiceError):
        networks.create_network(coordinator, dict(NETWORK_FORM, organisation_sirets=[]), token_hours=24)
    login(client, coordinator.email)
    assert client.get("/admin/reseaux").status_code == 404
    assert client.get("/admin/reseaux/nouveau").status_code == 404


def test_the_networks_page_shows_each_networks_health(client):
    admin = _admin()
    busy = OrganisationFactory(name="Ville de Lyon").network
    busy.name = "Réseau du Rhône"
    suspended = OrganisationFactory(network=busy, suspended_at=utcnow(), suspension_reason="Retrait")
    UserFactory(organisation=busy.organisations[0], roles=[Role.AGENT])
    UserFactory(organisation=suspended, roles=[Role.AGENT])
    UserFactory(organisation=suspended, roles=[Role.RH])  # not an agent
    gone = UserFactory(organisation=suspended, roles=[Role.AGENT])
    gone.deactivated_at = gone.created_at
    bounced = UserFactory(organisation=suspended, roles=[Role.AGENT], email="refuse@example.fr")
    bounced.bounced_email = "refuse@example.fr"
    db.session.add(
        Notification(
            recipient_id=bounced.id,
            to_email=bounced.email,
            kind="request.approved",
            subject="x",
            body="x",
            status=NotificationStatus.FAILED,
        )
    )
    RoundFactory(network=busy, status=RoundStatus.FAILED, week_start=date(2026, 11, 16))
    RoundFactory(network=busy, status=RoundStatus.PUBLISHED, week_start=date(2026, 11, 23))
    quiet = OrganisationFactory().network
    db.session.commit()

    rows = {row.network.id: row for row in networks.health()}
    row = rows[busy.id]
    assert (row.organisations, row.suspended, row.active_agents) == (2, 1, 3)
    assert (row.last_round_week, row.last_round_status) == (date(2026, 11, 23), RoundStatus.PUBLISHED)
    assert (row.failed_rounds, row.failing_addresses, row.failed_emails) == (1, 1, 1)
    assert rows[quiet.id].last_round_status is None and rows[quiet.id].failed_rounds == 0

    login(client, admin.email)
    home = _text(client.get("/admin/"))
    assert 'href="/admin/reseaux"' in home
    page = _text(client.get("/admin/reseaux"))
    assert "Réseau du Rhône" in page and "dont 1 suspendue" in page
    assert "1 tour en échec" in page and "1 adresse refusée" in page and "1 e-mail non remis" in page
    assert "aucun tour" in page


# --- organisations, by the coordination and the admin ----------------------------------------------------

ORGANISATION_FORM = {
    "name": "CCAS de Villeurbanne",
    "kind": "ccas",
    "sirets": "",
    "address": "12 place Lazare-Goujon",
    "commune": "Villeurbanne (69100)",
    "accessibility_notes": "Entrée de plain-pied rue Paul-Verlaine, ascenseur.",
}


def test_the_coordinator_adds_an_organisation_to_their_network(client):
    coordinator, network = _coordinator_and_network()
    login(client, coordinator.email)
    home = _text(client.get("/coordination/"))
    assert 'href="/coordination/organisations"' in home
    listing = _text(client.get("/coordination/organisations"))
    assert 'href="/coordination/organisations/nouvelle"' in listing
    response = _post(
        client, "/coordination/organisations/nouvelle", {**ORGANISATION_FORM, "sirets": f"{siret(43)}\n{siret(44)}"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/coordination/organisations"

    organisation = db.session.scalar(select(Organisation).where(Organisation.name == "CCAS de Villeurbanne"))
    assert organisation.network_id == network.id and organisation.kind == OrganisationKind.CCAS
    assert (organisation.city, organisation.postcode) == ("Villeurbanne", "69100")
    assert organisation.latitude == pytest.approx(45.77, abs=0.05)
    assert organisation.accessibility_notes.startswith("Entrée de plain-pied")
    assert sorted(row.siret for row in organisation.sirets) == sorted([siret(43), siret(44)])
    assert organisation.is_active and organisation.password_sign_in
    (event,) = _events("organisation.create")
    assert event.actor_id == coordinator.id and event.network_id == network.id
    assert event.details == {"kind": "ccas", "sirets_added": [siret(43), siret(44)]}
    assert "CCAS de Villeurbanne" in _text(client.get("/coordination/organisations"))


def test_an_organisation_form_names_each_error_and_saves_nothing(client):
    coordinator, network = _coordinator_and_network()
    OrganisationFactory(network=network, name="Ville de Lyon")
    elsewhere = OrganisationFactory()
    elsewhere.sirets.append(organisations.OrganisationSiret(siret=siret(45)))
    db.session.commit()
    login(client, coordinator.email)
    response = _post(
        client,
        "/coordination/organisations/nouvelle",
        {**ORGANISATION_FORM, "name": "ville de lyon", "sirets": siret(45), "commune": "Saint-Denis"},
    )
    assert response.status_code == 400
    page = _text(response)
    assert "Une organisation du réseau porte déjà ce nom." in page
    assert f"« {siret(45)} » est déjà le numéro SIRET" in page
    assert "Plusieurs communes correspondent à « Saint-Denis »" in page
    response = _post(client, "/coordination/organisations/nouvelle", {"name": "", "kind": "", "commune": ""})
    page = _text(response)
    assert response.status_code == 400
    assert "Choisissez un type d&#39;organisation de la liste." in page
    assert "Indiquez la commune de l&#39;organisation (nom ou code postal)." in page
    assert db.session.scalar(select(func.count(Organisation.id)).where(Organisation.network_id == network.id)) == 1
    assert _events("organisation.create") == []


def test_the_coordinator_edits_an_organisation_and_the_log_names_the_fields(client):
    coordinator, network = _coordinator_and_network()
    organisation = OrganisationFactory(network=network, name="Mairie de Lyon", city="Lyon", postcode="69001")
    organisation.sirets.append(organisations.OrganisationSiret(siret=siret(46)))
    db.session.commit()
    login(client, coordinator.email)
    url = f"/coordination/organisations/{organisation.id}/modifier"
    form = _text(client.get(url))
    assert "Lyon (69001)" in form and siret(46) in form  # the stored address, as the combobox writes it
    page = _text(client.get(f"/coordination/organisations/{organisation.id}"))
    assert f'href="{url}"' in page

    response = _post(
        client,
        url,
        {
            "name": "Ville de Lyon",
            "kind": "commune",
            "sirets": siret(47),
            "address": "1 place de la Comédie",
            "commune": "Lyon (69001)",
            "accessibility_notes": "Boucle magnétique à l'accueil.",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/coordination/organisations/{organisation.id}"
    organisation = fresh(organisation)
    assert organisation.name == "Ville de Lyon" and organisation.address == "1 place de la Comédie"
    assert [row.siret for row in organisation.sirets] == [siret(47)]
    (event,) = _events("organisation.update")
    assert event.details == {
        "fields": ["accessibility_notes", "address", "name"],
        "sirets_added": [siret(47)],
        "sirets_removed": [siret(46)],
    }
    assert "Boucle magnétique" in _text(client.get(f"/coordination/organisations/{organisation.id}"))


@pytest.mark.parametrize("their_change", ["name", "siret only"])
def test_a_change_saved_since_the_organisation_form_was_opened_is_not_overwritten(client, their_change):
    """Two coordinators open the same organisation's form; the other one saves (its name, or only a SIRET
    number: a row of its own); the first one's save is refused with a message and changes nothing, their
    form keeps what they typed; reloaded, it saves."""
    import re

    coordinator, network = _coordinator_and_network()
    organisation = OrganisationFactory(network=network, name="Mairie de Lyon", city="Lyon", postcode="69001")
    db.session.commit()
    login(client, coordinator.email)
    url = f"/coordination/organisations/{organisation.id}/modifier"
    opened = client.get(url).get_data(as_text=True)
    opened_on = re.search(r'name="opened_on" value="([^"]+)"', opened).group(1)
    theirs = {
        "name": "Mairie centrale",
        "kind": "commune",
        "sirets": [],
        "address": "",
        "commune": "Lyon (69001)",
        "accessibility_notes": "",
    }
    if their_change == "siret only":
        theirs = {**theirs, "name": "Mairie de Lyon", "sirets": [siret(48)]}
    organisations.update_organisation(CoordinatorFactory(network_id=network.id), fresh(organisation), theirs)
    mine = {
        "csrf_token": csrf_token(opened),
        "opened_on": opened_on,
        "name": "Ville de Lyon",
        "kind": "commune",
        "commune": "Lyon (69001)",
    }
    refused = client.post(url, data=mine)
    page = _text(refused)
    assert refused.status_code == 409 and "modifiée entre-temps" in page
    assert 'value="Ville de Lyon"' in page and f'name="opened_on" value="{opened_on}"' in page
    assert fresh(organisation).name == theirs["name"]
    reopened = client.get(url).get_data(as_text=True)
    mine["opened_on"] = re.search(r'name="opened_on" value="([^"]+)"', reopened).group(1)
    assert client.post(url, data=mine).status_code == 302
    assert fresh(organisation).name == "Ville de Lyon"


def test_the_admin_runs_the_organisations_of_any_network(client):
    admin = _admin()
    organisation = OrganisationFactory(name="Département du Rhône", kind=OrganisationKind.DEPARTEMENT)
    db.session.commit()
    login(client, admin.email)
    response = _post(client, f"/admin/reseaux/{organisation.network_id}/organisations/nouvelle", ORGANISATION_FORM)
    assert response.status_code == 302
    assert fresh(organisation).network.organisations[0].name == "CCAS de Villeurbanne"
    listing = _text(client.get(f"/admin/reseaux/{organisation.network_id}"))
    assert f'href="/admin/organisations/{organisation.id}/modifier"' in listing
    response = _post(
        client,
        f"/admin/organisations/{organisation.id}/suspension",
        {"reason": "Convention non renouvelée."},
    )
    assert response.status_code == 302 and not fresh(organisation).is_active


def test_hr_and_other_networks_coordinators_cannot_touch_an_organisation(app, client):
    coordinator, network = _coordinator_and_network()
    organisation = OrganisationFactory(network=network)
    hr = UserFactory(organisation=organisation, roles=[Role.RH, Role.AGENT])
    stranger, _other = _coordinator_and_network()
    with app.test_request_context():
        for user in (hr, stranger):
            assert not organisations.may_administer(user, organisation)
            with pytest.raises(ServiceError):
                organisations.suspend(user, organisation, "Une raison.")
            with pytest.raises(ServiceError):
                organisations.update_organisation(user, organisation, {"name": "X"})
            with pytest.raises(ServiceError):
                organisations.reinstate(user, organisation)
    login(client, stranger.email)
    for url in ("modifier", "suspension"):
        assert client.get(f"/coordination/organisations/{organisation.id}/{url}").status_code == 404
    assert fresh(organisation).is_active


# --- suspension ------------------------------------------------------------------------------------------


@pytest.fixture
def suspension_world(app):
    """A network: Lyon (the suspended-to-be organisation) with an offer and agents' requests in every
    state, Grenoble with an offer and an approved request, and Annecy, whose agent browses the catalogue."""
    coordinator, network = _coordinator_and_network()
    lyon = OrganisationFactory(network=network, name="Ville de Lyon")
    grenoble = OrganisationFactory(network=network, name="Ville de Grenoble", city="Grenoble")
    start = date.today() + timedelta(days=21)
    offer = OfferFactory(organisation=lyon)
    OfferSessionFactory(offer=offer, start_date=start, end_date=start + timedelta(days=1), working_days=2)
    grenoble_offer = OfferFactory(organisation=grenoble)
    OfferSessionFactory(offer=grenoble_offer, start_date=start, end_date=start + timedelta(days=1), working_days=2)
    requests = {
        status: RequestFactory(agent=UserFactory(organisation=lyon, roles=[Role.AGENT]), status=status)
        for status in (
            RequestStatus.SUBMITTED,
            RequestStatus.POSTPONED,
            RequestStatus.APPROVED,
            RequestStatus.MATCHED,
            RequestStatus.DRAFT,
            RequestStatus.REFUSED,
        )
    }
    reader = UserFactory(organisation=OrganisationFactory(network=network, city="Annecy"), roles=[Role.AGENT])
    grenoble_request = RequestFactory(
        agent=UserFactory(organisation=grenoble, roles=[Role.AGENT]), status=RequestStatus.APPROVED
    )
    db.session.commit()
    return {
        "coordinator": coordinator,
        "network": network,
        "lyon": lyon,
        "offer": offer,
        "grenoble_offer": grenoble_offer,
        "requests": requests,
        "reader": reader,
        "grenoble_request": grenoble_request,
    }


def _catalogue_ids(user) -> set[int]:
    return {offer.id for offer in search.search_offers(user, {}).items}


def _round_ids(network) -> tuple[set[int], set[int]]:
    loaded = load_problem(network, rounds.week_of(date.today()))
    return {int(r.id) for r in loaded.problem.requests}, {int(s.offer_id) for s in loaded.problem.sessions}


def test_a_suspension_pauses_offers_and_requests_and_its_lifting_restores_them(ctx, suspension_world):
    w = suspension_world
    lyon, offer, reader, network = w["lyon"], w["offer"], w["reader"], w["network"]
    approved = w["requests"][RequestStatus.APPROVED]
    assert offer.id in _catalogue_ids(reader)
    assert search.offer_for_agent(reader, offer.id) is not None
    in_round, offered = _round_ids(network)
    assert approved.id in in_round and offer.id in offered

    organisations.suspend(w["coordinator"], lyon, "  Convention en cours de renouvellement.  ")
    lyon = fresh(lyon)
    assert not lyon.is_active and lyon.suspension_reason == "Convention en cours de renouvellement."
    # Out of the catalogue (the search, one offer, the wishes) and of the round; the other host stays.
    assert _catalogue_ids(reader) == {w["grenoble_offer"].id}
    assert search.offer_for_agent(reader, offer.id) is None
    assert search.wish_choices(reader, [offer.id]) == []
    in_round, offered = _round_ids(network)
    assert approved.id not in in_round and w["grenoble_request"].id in in_round
    assert offer.id not in offered and w["grenoble_offer"].id in offered
    # Nothing deleted, no status changed; each agent with a pending request is told.
    assert {status: fresh(r).status for status, r in w["requests"].items()} == {s: s for s in w["requests"]}
    assert fresh(offer).status.value == "published"
    paused = {RequestStatus.SUBMITTED, RequestStatus.POSTPONED, RequestStatus.APPROVED}
    told = set(db.session.scalars(select(InboxItem.user_id).where(InboxItem.kind == "request.paused")))
    assert told == {w["requests"][s].agent_id for s in paused}
    (event,) = _events("organisation.suspend")
    assert event.organisation_id == lyon.id and event.network_id == network.id
    assert event.details == {"reason": "Convention en cours de renouvellement.", "requests_paused": 3}

    with pytest.raises(ServiceError) as again:
        organisations.suspend(w["coordinator"], lyon, "Encore.")
    assert again.value.errors == {"_schema": ["Cette organisation est déjà suspendue."]}

    organisations.reinstate(w["coordinator"], lyon)
    assert fresh(lyon).is_active and fresh(lyon).suspension_reason == ""
    assert offer.id in _catalogue_ids(reader)
    in_round, offered = _round_ids(network)
    assert approved.id in in_round and offer.id in offered
    resumed = set(db.session.scalars(select(InboxItem.user_id).where(InboxItem.kind == "request.resumed")))
    assert resumed == told
    (event,) = _events("organisation.reinstate")
    assert event.details == {"requests_resumed": 3}
    with pytest.raises(ServiceError):
        organisations.reinstate(w["coordinator"], lyon)


def test_a_suspension_needs_a_reason(ctx, suspension_world):
    w = suspension_world
    with pytest.raises(ServiceError) as refused:
        organisations.suspend(w["coordinator"], w["lyon"], "   ")
    assert list(refused.value.errors) == ["reason"]
    assert fresh(w["lyon"]).is_active and _events("organisation.suspend") == []


def test_the_suspension_page_says_members_still_sign_in(client, suspension_world):
    w = suspension_world
    login(client, w["coordinator"].email)
    url = f"/coordination/organisations/{w['lyon'].id}/suspension"
    page = _text(client.get(url))
    assert "3 demandes de ses agents" in page and "ses membres peuvent toujours se connecter" in page
    response = _post(client, url, {"reason": ""})
    assert response.status_code == 400 and 'id="reason-error"' in _text(response)
    assert fresh(w["lyon"]).is_active

    response = _post(client, url, {"reason": "Convention non signée."})
    assert response.status_code == 302
    page = _text(client.get(url))
    assert "Raison : Convention non signée." in page and "Ses membres peuvent toujours se connecter." in page
    organisation_page = _text(client.get(f"/coordination/organisations/{w['lyon'].id}"))
    assert "Organisation suspendue" in organisation_page
    listing = _text(client.get("/coordination/organisations"))
    assert "suspendue" in listing

    # Its members still sign in; the agent's request page says it is paused.
    approved = w["requests"][RequestStatus.APPROVED]
    client.post("/deconnexion", data={"csrf_token": csrf_token(page)})
    assert login(client, approved.agent.email).status_code == 302
    assert client.get("/agent/").status_code == 200
    assert "Votre demande est en pause" in _text(client.get(f"/agent/demandes/{approved.id}"))

    client.post("/deconnexion", data={"csrf_token": csrf_token(_text(client.get("/agent/")))})
    login(client, w["coordinator"].email)
    token = csrf_token(_text(client.get(url)))
    response = client.post(f"/coordination/organisations/{w['lyon'].id}/reprise", data={"csrf_token": token})
    assert response.status_code == 302 and fresh(w["lyon"]).is_active


def test_a_suspended_hosts_offer_page_is_gone_for_agents(app, client, suspension_world):
    w = suspension_world
    with app.test_request_context():
        organisations.suspend(w["coordinator"], w["lyon"], "Raison.")
    login(client, w["reader"].email)
    assert client.get(f"/agent/offres/{w['offer'].id}").status_code == 404
    assert client.get(f"/agent/offres/{w['grenoble_offer'].id}").status_code == 200
