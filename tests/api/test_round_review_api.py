"""The review at any size through the API, by the page's rules: the round shows what publishing sends, the
proposals list filters and sorts as the page does, bulk decisions are all or nothing, replacements list the
sessions that keep every rule, and publishing sends only what the setting says."""

from __future__ import annotations

import pytest

from mobilite.extensions import db
from mobilite.models import ProposalStatus
from tests.factories import CoordinatorFactory
from tests.fixtures import bearer, fresh
from tests.round_review_world import build


@pytest.fixture
def world(app):
    with app.test_request_context():
        return build()


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.get_json()
    return {p["id"] for p in response.get_json()}


def test_the_round_shows_its_publication_scope(app, client, world):
    body = client.get(f"/api/v1/rounds/{world.round.id}", headers=bearer(app, world.coordinator)).get_json()
    assert body["publication_scope"] == "approved"


def test_the_proposals_list_filters_and_sorts_as_the_page(app, client, world):
    headers = bearer(app, world.coordinator)
    url = f"/api/v1/rounds/{world.round.id}/proposals"
    assert _ids(client.get(f"{url}?host_organisation_id={world.host_x.id}", headers=headers)) == world.ids(
        "a1", "a2", "b1"
    )
    assert _ids(client.get(f"{url}?flags=pinned&flags=replaced", headers=headers)) == world.ids("a4")
    assert _ids(client.get(f"{url}?flags=below_floor", headers=headers)) == world.ids("b1", "b2")
    assert _ids(client.get(f"{url}?score_band=high", headers=headers)) == world.ids("a3")
    ordered = client.get(f"{url}?sort=score_asc", headers=headers).get_json()
    assert [p["id"] for p in ordered][0] == world.proposals["a4"].id
    assert ordered[0]["replaced"] is True
    refused = client.get(f"{url}?flags=nearby", headers=headers)
    assert refused.status_code == 422 and "flags" in refused.get_json()["errors"]


def test_bulk_decisions_are_all_or_nothing(app, client, world):
    headers = bearer(app, world.coordinator)
    url = f"/api/v1/rounds/{world.round.id}/decisions"
    a1, a2 = world.proposals["a1"].id, world.proposals["a2"].id
    stale = client.post(
        url,
        headers=headers,
        json={"decision": "approve", "proposals": [{"id": a1, "version": 1}, {"id": a2, "version": 7}]},
    )
    assert stale.status_code == 409
    assert fresh(world.proposals["a1"]).status == ProposalStatus.PROPOSED
    no_reason = client.post(url, headers=headers, json={"decision": "reject", "proposals": [{"id": a1, "version": 1}]})
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["errors"]
    done = client.post(
        url,
        headers=headers,
        json={"decision": "approve", "proposals": [{"id": a1, "version": 1}, {"id": a2, "version": 1}]},
    )
    assert done.status_code == 200 and done.get_json() == {"changed": 2, "skipped": 0}
    assert {fresh(world.proposals[n]).status for n in ("a1", "a2")} == {ProposalStatus.APPROVED}


def test_replacements_list_the_sessions_that_keep_every_rule(app, client, world):
    headers = bearer(app, world.coordinator)
    b1 = world.proposals["b1"]
    body = client.get(f"/api/v1/proposals/{b1.id}/replacements", headers=headers).get_json()
    valid = {option["session_id"]: option for option in body["valid"]}
    assert set(valid) == {fresh(b1).session_id, fresh(world.proposals["b2"]).session_id}
    for option in valid.values():
        assert option["broken"] == [] and sum(option["breakdown"].values()) == option["score"]
    assert [o["current"] for o in body["valid"]].count(True) == 1


def test_publish_sends_what_the_setting_says(app, client, world):
    headers = bearer(app, world.coordinator)
    a3 = world.proposals["a3"]
    client.post(f"/api/v1/proposals/{a3.id}/decision", headers=headers, json={"decision": "approve"})
    response = client.post(f"/api/v1/rounds/{world.round.id}/publish", headers=headers)
    assert response.status_code == 200 and response.get_json()["status"] == "published"
    statuses = {name: fresh(p).status for name, p in world.proposals.items()}
    assert [n for n, s in statuses.items() if s == ProposalStatus.PUBLISHED] == ["a3"]
    assert all(s == ProposalStatus.PROPOSED for n, s in statuses.items() if n != "a3")


def test_another_networks_coordinator_gets_404(app, client, world):
    headers = bearer(app, CoordinatorFactory())
    a1 = world.proposals["a1"]
    assert client.get(f"/api/v1/proposals/{a1.id}/replacements", headers=headers).status_code == 404
    refused = client.post(
        f"/api/v1/rounds/{world.round.id}/decisions",
        headers=headers,
        json={"decision": "approve", "proposals": [{"id": a1.id, "version": 1}]},
    )
    assert refused.status_code == 404
    db.session.expire_all()
    assert fresh(a1).status == ProposalStatus.PROPOSED
