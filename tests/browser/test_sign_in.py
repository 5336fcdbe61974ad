"""A person signs in with the keyboard and mouse and sees their organisation's page."""

import pytest

from mobilite.services import demo
from tests.fixtures import sign_in

PASSWORD = "demo password for tests"

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_network(app):
    with app.test_request_context():
        demo.load_demo(PASSWORD)


def test_lyon_hr_signs_in_and_sees_only_lyon_offers(demo_network, page):
    sign_in(page, "rh.ville-de-lyon@demo.mobilite.fr", PASSWORD)
    page.get_by_role("heading", name="Espace RH — Ville de Lyon").wait_for()
    offers = page.get_by_role("table", name="Offres d'immersion")
    assert "Accueillir tous les publics à la bibliothèque" in offers.inner_text()
    assert "Dunkerque" not in offers.inner_text()


def test_wrong_password_is_announced_next_to_the_field(demo_network, page):
    sign_in(page, "rh.ville-de-lyon@demo.mobilite.fr", "not the password")
    email = page.get_by_label("Adresse e-mail")
    assert email.get_attribute("aria-invalid") == "true"
    assert page.locator("#email-error").inner_text() == "Adresse e-mail ou mot de passe incorrect."


def test_switching_to_english_and_back(demo_network, page):
    sign_in(page, "coordination@demo.mobilite.fr", PASSWORD)
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Coordination — Capacités publiques").wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("button", name="Français").click()
    assert page.locator("html").get_attribute("lang") == "fr"
