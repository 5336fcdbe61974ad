"""The admin creates a network and its coordinator; the coordinator sets their password through the link
the outbox holds, signs in, adds an organisation (its commune picked from the gazetteer's suggestions) and
a site of it, then deactivates an agent whose pending request is then withdrawn. axe-core finds nothing on
each page of the way (tests/axe.py)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from mobilite.extensions import db
from mobilite.models import Notification, Organisation, OrganisationKind, RequestStatus, Role, Site, User
from tests.axe import assert_accessible, serve_axe
from tests.factories import PASSWORD, RequestFactory, UserFactory
from tests.fixtures import fresh, sign_in

pytestmark = pytest.mark.browser
STEP = 60_000  # a busy machine: each step gets a minute
NEW_PASSWORD = "une phrase de passe assez longue"


def _pick_commune(page, typed: str, option: str) -> None:
    place = page.get_by_role("combobox", name="Commune")
    place.fill("")
    place.press_sequentially(typed)
    page.get_by_role("option", name=re.compile(re.escape(option))).first.click(timeout=STEP)


def test_the_admin_creates_a_network_whose_coordinator_adds_an_organisation(app, page):
    serve_axe(page.context)
    page.set_default_timeout(STEP)
    admin = UserFactory(organisation=None, roles=[Role.ADMIN])
    db.session.commit()

    sign_in(page, admin.email, PASSWORD)
    page.get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="Réseaux : santé, création, organisations").click()
    page.get_by_role("heading", name="Réseaux").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Créer un réseau").click()
    page.get_by_role("heading", name="Créer un réseau").wait_for()
    assert_accessible(page)
    page.get_by_label("Nom du réseau").fill("Réseau des Alpes")
    page.get_by_label("Nom de l'organisation").fill("Ville d'Annecy")
    page.get_by_label("Type d'organisation").select_option(label="Commune")
    _pick_commune(page, "annec", "Annecy (74000)")
    page.locator("#coordinator_first_name").fill("Camille")
    page.locator("#coordinator_last_name").fill("Roux")
    page.get_by_label("Adresse e-mail professionnelle").fill("camille.roux@annecy.example.fr")
    with page.expect_navigation():
        page.get_by_role("button", name="Créer le réseau").click()
    page.get_by_role("heading", name="Organisations du réseau Réseau des Alpes").wait_for()
    assert "Réseau Réseau des Alpes créé" in page.locator(".flash").first.inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_role("heading", name="Connexion").wait_for()

    # The coordinator's first-password link, from the outbox.
    coordinator = db.session.scalar(select(User).where(User.email == "camille.roux@annecy.example.fr"))
    body = db.session.scalar(select(Notification.body).where(Notification.recipient_id == coordinator.id))
    link = re.search(r"https?://\S+/mot-de-passe/\S+", body).group(0)
    page.goto(re.sub(r"^https?://[^/]+", "", link))
    page.get_by_role("heading", name="Choisir un mot de passe").wait_for()
    page.get_by_label("Nouveau mot de passe").fill(NEW_PASSWORD)
    page.get_by_label("Confirmez le mot de passe").fill(NEW_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer").click()

    sign_in(page, "camille.roux@annecy.example.fr", NEW_PASSWORD)
    page.get_by_role("link", name="Coordination").first.click()
    page.get_by_role("link", name="Organisations du réseau").click()
    page.get_by_role("heading", name="Organisations du réseau Réseau des Alpes").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Ajouter une organisation").click()
    page.get_by_role("heading", name="Ajouter une organisation").wait_for()
    assert_accessible(page)
    page.get_by_label("Nom de l'organisation").fill("CCAS de Chambéry")
    page.get_by_label("Type d'organisation").select_option(label="CCAS")
    page.get_by_label("Numéro et voie").fill("12 rue de la Banque")
    _pick_commune(page, "chamb", "Chambéry (73000)")
    page.get_by_label("Accessibilité").fill("Entrée de plain-pied, ascenseur.")
    with page.expect_navigation():
        page.get_by_role("button", name="Ajouter l'organisation").click()
    page.get_by_role("row", name=re.compile("CCAS de Chambéry")).wait_for()
    assert_accessible(page)

    organisation = db.session.scalar(select(Organisation).where(Organisation.name == "CCAS de Chambéry"))
    assert organisation.network_id == coordinator.network_id and organisation.kind == OrganisationKind.CCAS
    assert (organisation.city, organisation.postcode) == ("Chambéry", "73000")
    assert organisation.latitude is not None and organisation.accessibility_notes == "Entrée de plain-pied, ascenseur."

    # A site of the new organisation, where its offers may take place.
    page.get_by_role("link", name="CCAS de Chambéry", exact=True).click()
    page.get_by_role("link", name="Sites de l'organisation (lieux des immersions)").click()
    page.get_by_role("heading", name="Sites de CCAS de Chambéry").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Ajouter un site").click()
    page.get_by_label("Nom du site").fill("Antenne de Bassens")
    page.get_by_label("Adresse (numéro et rue)").fill("3 avenue de la Gare")
    _pick_commune(page, "bassens", "Bassens (73000)")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer le site").click()
    page.get_by_role("heading", name="Sites de CCAS de Chambéry").wait_for()
    assert_accessible(page)
    site = db.session.scalar(select(Site).where(Site.organisation_id == organisation.id))
    assert (site.name, site.city, site.address) == ("Antenne de Bassens", "Bassens", "3 avenue de la Gare")

    # An agent of the organisation leaves: their account is deactivated, their pending request withdrawn.
    agent = UserFactory(organisation=organisation, roles=[Role.AGENT])
    request = RequestFactory(agent=agent, status=RequestStatus.SUBMITTED)
    db.session.commit()
    page.goto(f"/coordination/comptes/{agent.id}")
    page.get_by_role("heading", name=agent.full_name).wait_for()
    with page.expect_navigation():
        page.get_by_role("button", name="Désactiver le compte").click()
    page.get_by_text("Désactivé", exact=True).wait_for()
    assert_accessible(page)
    assert fresh(agent).active is False
    assert fresh(request).status == RequestStatus.WITHDRAWN
