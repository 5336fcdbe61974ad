"""Pages of results follow flask-smorest's conventions (page, page_size, X-Pagination), to the last page
and past it."""

import json

import pytest

from mobilite.models import Role
from tests.factories import OrganisationFactory, UserFactory
from tests.fixtures import bearer


@pytest.mark.parametrize(
    "path", ["/api/v1/organisations", "/api/v1/requests", "/api/v1/catalogue", "/api/v1/immersions"]
)
def test_a_page_far_past_the_end_is_empty_not_an_error(app, client, path):
    hr = UserFactory(roles=[Role.RH, Role.AGENT])
    response = client.get(f"{path}?page=184467440737095518", headers=bearer(app, hr))
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == []


def test_pages_carry_their_metadata(app, client):
    agent = UserFactory(roles=[Role.AGENT])
    for _ in range(4):
        OrganisationFactory(network=agent.organisation.network)
    response = client.get("/api/v1/organisations?page=2&page_size=2", headers=bearer(app, agent))
    assert response.status_code == 200
    assert len(response.get_json()) == 2
    meta = json.loads(response.headers["X-Pagination"])
    assert meta["total"] == 5 and meta["page"] == 2 and meta["total_pages"] == 3
    assert meta["previous_page"] == 1 and meta["next_page"] == 3


def test_an_unknown_query_parameter_is_named(app, client):
    agent = UserFactory(roles=[Role.AGENT])
    response = client.get("/api/v1/organisations?pag=2", headers=bearer(app, agent))
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["pag"]
