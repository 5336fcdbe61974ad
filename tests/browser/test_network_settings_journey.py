"""The coordinator opens the network's settings from the coordination home, tries other weights with
"Aperçu" (solved by the scheduler's job, here in the test thread), reads what would change, then saves them;
the page passes axe-core with the comparison shown, and the change is in the audit log."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from benchmarks.synthetic import load_network
from mobilite.extensions import db
from mobilite.models import AuditEvent, DraftStatus, Network, RoundStatus
from mobilite.services import round_drafts, rounds
from tests.axe import describe, serve_axe, violations
from tests.factories import PASSWORD, CoordinatorFactory
from tests.fixtures import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def network_with_a_round(app):
    with app.test_request_context():
        network_id = load_network(12, 30, 3, seed=5, all_approved=True, label="journey", refresh_statistics=False)
        network = db.session.get(Network, network_id)
        asked = rounds.request_round(network, rounds.week_of(date.today()), trigger="manual")
        done = rounds.run_round(asked.id)
        assert done.status == RoundStatus.PROPOSED, done.error
        return network_id, CoordinatorFactory(network_id=network_id).email


def test_the_coordinator_previews_other_weights_then_saves_them(network_with_a_round, page, app):
    network_id, email = network_with_a_round
    page.set_default_timeout(60_000)  # a busy machine
    serve_axe(page.context)
    sign_in(page, email, PASSWORD)
    page.goto("/coordination/")
    page.get_by_role("link", name="Réglages du réseau").click()
    page.get_by_role("heading", name="Réglages du réseau", exact=False).first.wait_for()
    found = violations(page)
    assert not found, describe(found)

    wish = page.get_by_label("Place de l'offre dans les vœux de l'agent")
    wish.fill("0")
    page.get_by_label("Distance depuis son lieu de travail").fill("10")
    page.get_by_role("button", name="Aperçu", exact=True).click()
    page.get_by_text("Aperçu demandé").wait_for()
    db.session.commit()  # the test's read ends: the draft the server wrote is seen
    with app.test_request_context():
        assert [status for _, status in round_drafts.run_pending_drafts()] == [DraftStatus.DONE]
    page.get_by_role("button", name="Actualiser l'aperçu").click()
    page.get_by_role("table", name="Les deux résultats côte à côte").wait_for()
    assert page.get_by_label("Place de l'offre dans les vœux de l'agent").input_value() == "0"  # as previewed
    found = violations(page)
    assert not found, describe(found)
    assert db.session.get(Network, network_id, populate_existing=True).weights["wish"] != 0  # nothing saved yet

    page.get_by_role("button", name="Enregistrer les réglages").click()
    page.get_by_text("Réglages du réseau enregistrés.").wait_for()
    network = db.session.get(Network, network_id, populate_existing=True)
    assert network.weights["wish"] == 0 and network.weights["distance"] == 10
    settings = {
        e.details["setting"]
        for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "network.settings", AuditEvent.network_id == network_id)
        )
    }
    assert settings == {"weights.wish", "weights.distance"}
