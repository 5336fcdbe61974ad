"""A new agent of a demo organisation clicks "S'identifier avec ProConnect", signs in on the provider's page
(the test provider of tests/oidc_provider.py) and lands on the agent home of their organisation."""

from __future__ import annotations

import re
import uuid

import pytest

from mobilite.seed import demo_data
from mobilite.services import demo, oidc
from tests import oidc_provider

pytestmark = pytest.mark.browser


@pytest.fixture
def provider(app, monkeypatch):
    with app.test_request_context():
        demo.load_demo("demo password for tests")
    yield oidc_provider.use_provider(app, monkeypatch)
    oidc.forget_discovery()


def test_a_new_agent_signs_in_with_proconnect_in_one_click(provider, page):
    # Only the app and the provider, both on 127.0.0.1: the provider's page links a stylesheet on a CDN,
    # which is never fetched.
    page.context.route(re.compile(r"^(?!http://127\.0\.0\.1[:/])"), lambda route: route.abort())
    sub = f"sub-{uuid.uuid4()}"
    provider.set_user(
        sub,
        email="nadia.benali@lyon.example.fr",
        given_name="Nadia",
        usual_name="Benali",
        siret=demo_data.SIRETS["ville-de-lyon"],
    )

    page.goto("/connexion")
    page.get_by_role("link", name="Qu'est-ce que ProConnect ?").wait_for()
    page.get_by_role("button", name="S'identifier avec ProConnect").click()

    # The provider's own page: who signs in.
    page.get_by_placeholder("sub").fill(sub)
    page.get_by_role("button", name="Authorize").click()

    page.get_by_role("heading", name="Bonjour Nadia").wait_for()
    assert page.url.endswith("/agent/")
    assert "Ville de Lyon" in page.locator(".lead").inner_text()
