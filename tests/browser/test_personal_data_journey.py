"""An agent downloads their data, then asks for erasure; the coordinator's dashboard shows the same figures
before and after, and the erased account can no longer sign in."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from mobilite.extensions import db
from mobilite.models import ImmersionStatus, User
from tests.factories import PASSWORD, CoordinatorFactory, ImmersionFactory, OrganisationFactory
from tests.fixtures import sign_in

pytestmark = pytest.mark.browser


def _sign_out(page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_role("heading", name="Connexion").wait_for()


def _figures(page) -> str:
    page.goto("/coordination/tableau-de-bord")
    return page.locator("main").inner_text()


def test_an_agent_downloads_their_data_then_erases_it_and_the_dashboard_is_unchanged(app, page):
    coordinator = CoordinatorFactory()
    network = coordinator.coordinated_network
    host = OrganisationFactory(network=network, name="Métropole d'accueil")
    done_on = date.today() - timedelta(days=20)
    immersion = ImmersionFactory(
        proposal__session__offer__organisation=host,
        proposal__session__start_date=done_on,
        status=ImmersionStatus.DONE,
    )
    agent = db.session.get(User, immersion.agent_id)
    agent.organisation.network = network
    db.session.commit()
    email, name = agent.email, agent.full_name

    sign_in(page, coordinator.email, PASSWORD)
    before = _figures(page)
    assert "Métropole d'accueil" in before
    _sign_out(page)

    sign_in(page, email, PASSWORD)
    page.get_by_role("link", name="Mon compte").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger (JSON)").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["profile"]["email"] == email
    assert [i["working_days"] for i in data["immersions"]] == [immersion.working_days]

    page.get_by_role("link", name="Demander l'effacement de mes données").click()
    page.get_by_role("button", name="Effacer mes données").click()
    page.get_by_text("Cochez la case pour confirmer l'effacement.").first.wait_for()  # not confirmed yet
    page.get_by_label("J'ai compris : mes données seront effacées définitivement et mon compte fermé.").check()
    page.get_by_role("button", name="Effacer mes données").click()
    page.get_by_role("heading", name="Connexion").wait_for()
    assert "Vos données personnelles sont effacées" in page.locator(".flash").first.inner_text()

    sign_in(page, email, PASSWORD)
    page.get_by_text("Adresse e-mail ou mot de passe incorrect.").first.wait_for()

    sign_in(page, coordinator.email, PASSWORD)
    after = _figures(page)
    assert after == before
    assert name not in after
