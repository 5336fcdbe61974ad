"""An organisation's sign-in settings: SIRET numbers (14 digits, Luhn key) and the password policy, set by
the admin or the network's coordinator, never by its HR nor by another network's coordinator."""

from __future__ import annotations

from html import unescape

import pytest
from sqlalchemy import select

from mobilite.extensions import db
from mobilite.models import AuditEvent, Network, OrganisationSiret, Role
from mobilite.sirets import is_siret, siret_problem
from tests.factories import CoordinatorFactory, OrganisationFactory, UserFactory
from tests.fixtures import csrf_token, fresh, login
from tests.oidc_provider import siret


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("73282932000074", None),  # a real establishment's SIRET
        ("73282932000075", "key"),
        ("7328293200007", "length"),
        ("732829320000744", "length"),
        ("7328293200007A", "digits"),
        ("７３２８２９３２０００７４", "digits"),  # full-width digits are no SIRET
        ("35600000000048", "key"),  # La Poste: its own rule, the digits' sum a multiple of 5...
        ("35600000000049", "key"),
        ("35600000049837", None),  # ...which this one keeps (3+5+6+4+9+8+3+7 = 45)
    ],
)
def test_siret_rule(number, problem):
    assert siret_problem(number) == problem
    assert is_siret(number) is (problem is None)


def settings_url(space: str, organisation) -> str:
    return f"/{space}/organisations/{organisation.id}/connexion"


def post(client, url: str, sirets: str, password: bool):
    token = csrf_token(client.get(url).get_data(as_text=True))
    data = {"csrf_token": token, "sirets": sirets}
    if password:
        data["password_sign_in"] = "on"
    return client.post(url, data=data)


def test_the_coordinator_sets_sirets_and_refuses_passwords(client):
    coordinator = CoordinatorFactory()
    organisation = OrganisationFactory(network=db.session.get(Network, coordinator.network_id))
    login(client, coordinator.email)
    url = settings_url("coordination", organisation)
    spaced = f"{siret(1)[:3]} {siret(1)[3:6]} {siret(1)[6:9]} {siret(1)[9:]}"
    response = post(client, url, f"{spaced}\n\n{siret(2)}\n{siret(1)}", password=False)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/coordination/organisations/{organisation.id}"

    organisation = fresh(organisation)
    assert [row.siret for row in organisation.sirets] == sorted([siret(1), siret(2)])
    assert organisation.password_sign_in is False
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "organisation.sign_in_settings")).one()
    assert event.details == {
        "sirets_added": [siret(1), siret(2)],
        "sirets_removed": [],
        "password_sign_in": False,
    }
    page = client.get(f"/coordination/organisations/{organisation.id}").get_data(as_text=True)
    assert siret(1) in page and "Connexion par ProConnect uniquement." in page

    # The form shows what is saved; saving again replaces the list.
    form = client.get(url).get_data(as_text=True)
    assert f"{siret(1)}\n{siret(2)}</textarea>" in form
    assert 'id="password_sign_in"' in form and "checked" not in form.split('id="password_sign_in"')[1].split(">")[0]
    assert post(client, url, siret(3), password=True).status_code == 302
    organisation = fresh(organisation)
    assert [row.siret for row in organisation.sirets] == [siret(3)]
    assert organisation.password_sign_in is True


def test_wrong_numbers_are_named_with_their_reason_and_nothing_is_saved(client):
    coordinator = CoordinatorFactory()
    organisation = OrganisationFactory(network=db.session.get(Network, coordinator.network_id))
    login(client, coordinator.email)
    response = post(client, settings_url("coordination", organisation), f"{siret(1)}\n12345\n73282932000075", False)
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert 'id="sirets-error"' in html
    assert "«\u202f12345\u202f»\u00a0: un numéro SIRET compte 14 chiffres." in html
    assert "«\u202f73282932000075\u202f»\u00a0: la clé de contrôle ne correspond pas" in html
    assert "12345\n73282932000075</textarea>" in html  # the typed text comes back to be corrected
    organisation = fresh(organisation)
    assert organisation.sirets == [] and organisation.password_sign_in is True


def test_a_siret_of_another_organisation_is_refused(client):
    elsewhere = OrganisationFactory()
    db.session.add(OrganisationSiret(organisation=elsewhere, siret=siret(9)))
    db.session.commit()
    coordinator = CoordinatorFactory()
    organisation = OrganisationFactory(network=db.session.get(Network, coordinator.network_id))
    login(client, coordinator.email)
    response = post(client, settings_url("coordination", organisation), f"{siret(1)}\n{siret(9)}", False)
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert f"«\u202f{siret(9)}\u202f» est déjà le numéro SIRET d'une autre organisation du service." in html
    assert elsewhere.name not in html  # another network's organisation is not named
    organisation = fresh(organisation)
    assert organisation.sirets == [] and organisation.password_sign_in is True


def test_the_admin_sets_them_from_the_organisations_list(client):
    admin = UserFactory(organisation=None, roles=[Role.ADMIN])
    organisation = OrganisationFactory()
    login(client, admin.email)
    listing = client.get("/admin/organisations").get_data(as_text=True)
    assert settings_url("admin", organisation) in listing
    assert post(client, settings_url("admin", organisation), siret(4), True).status_code == 302
    assert [row.siret for row in fresh(organisation).sirets] == [siret(4)]
    assert siret(4) in client.get("/admin/organisations").get_data(as_text=True)


@pytest.mark.parametrize("who", ["hr", "other coordinator", "agent"])
def test_others_cannot_see_or_change_the_settings(client, who):
    organisation = OrganisationFactory()
    if who == "hr":
        user = UserFactory(organisation=organisation, roles=[Role.RH, Role.AGENT])
    elif who == "agent":
        user = UserFactory(organisation=organisation)
    else:
        user = CoordinatorFactory()
    login(client, user.email)
    for space in ("coordination", "admin"):
        url = settings_url(space, organisation)
        assert client.get(url).status_code == 404
        token = csrf_token(client.get("/compte").get_data(as_text=True))
        assert client.post(url, data={"csrf_token": token, "sirets": siret(1)}).status_code == 404
    assert fresh(organisation).sirets == []


def test_a_change_saved_since_the_settings_were_opened_is_not_overwritten(client):
    """The organisation's form and this page share the SIRET numbers: a save on either since this page was
    opened refuses this page's save, which keeps what was typed; reloaded, it saves."""
    import re

    from mobilite.services import organisations

    coordinator = CoordinatorFactory()
    organisation = OrganisationFactory(network=db.session.get(Network, coordinator.network_id))
    login(client, coordinator.email)
    url = settings_url("coordination", organisation)
    opened = client.get(url).get_data(as_text=True)
    opened_on = re.search(r'name="opened_on" value="([^"]+)"', opened).group(1)
    organisations.update_organisation(
        CoordinatorFactory(network_id=coordinator.network_id),
        fresh(organisation),
        {
            "name": organisation.name,
            "kind": organisation.kind.value,
            "sirets": [siret(3)],
            "address": "",
            "commune": "Lyon (69001)",
            "accessibility_notes": "",
        },
    )
    mine = {"csrf_token": csrf_token(opened), "opened_on": opened_on, "sirets": siret(4)}
    refused = client.post(url, data=mine)
    page = unescape(refused.get_data(as_text=True)).replace("\u202f", " ").replace("\xa0", " ")
    assert refused.status_code == 409 and "modifiée entre-temps" in page and siret(4) in page
    assert [row.siret for row in fresh(organisation).sirets] == [siret(3)]
    reopened = client.get(url).get_data(as_text=True)
    mine["opened_on"] = re.search(r'name="opened_on" value="([^"]+)"', reopened).group(1)
    assert client.post(url, data=mine).status_code == 302
    assert [row.siret for row in fresh(organisation).sirets] == [siret(4)]
