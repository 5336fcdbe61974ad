"""An agent's requests through the API: create (draft or submitted), If-Match updates, submit, withdraw;
legal rules answer 422 naming the fields; nothing is half-saved; nobody else touches them."""

from datetime import date, timedelta

from sqlalchemy import func, select

from mobilite.extensions import db
from mobilite.models import ImmersionRequest, OfferStatus, RequestStatus, Role
from tests.factories import OfferFactory, OfferSessionFactory, OrganisationFactory, RequestFactory, UserFactory
from tests.fixtures import bearer, fresh

START = date.today() + timedelta(days=14)


def _body(**changes):
    body = {
        "windows": [{"start": START.isoformat(), "end": (START + timedelta(days=20)).isoformat()}],
        "min_days": 2,
        "max_days": 5,
        "max_distance_km": 50,
        "motivation": "Découvrir le métier d'instructeur.",
        "career_project": "Confirmer un projet de mobilité.",
        "shorter_notice_agreed": True,
        "line_manager_email": "cheffe@example.org",
    }
    return {**body, **changes}


def _agent():
    return UserFactory(organisation=OrganisationFactory(), roles=[Role.AGENT])


def _published_offer(agent):
    """With a session the requests of `_body` can take: a wish no session satisfies is not submitted."""
    offer = OfferFactory(
        organisation=OrganisationFactory(network=agent.organisation.network), status=OfferStatus.PUBLISHED
    )
    OfferSessionFactory(offer=offer, start_date=START + timedelta(days=1), end_date=START + timedelta(days=3))
    return offer


def _count(agent) -> int:
    return db.session.scalar(select(func.count(ImmersionRequest.id)).where(ImmersionRequest.agent_id == agent.id))


def test_an_agent_creates_a_draft_edits_it_with_if_match_and_submits_it(app, client):
    agent = _agent()
    first, second = _published_offer(agent), _published_offer(agent)
    headers = bearer(app, agent)
    created = client.post("/api/v1/requests", headers=headers, json=_body(wishes=[second.id, first.id]))
    assert created.status_code == 201, created.json
    item = created.json
    assert item["status"] == "draft" and item["agent_id"] == agent.id
    assert item["organisation_id"] == agent.organisation_id
    assert item["wishes"] == [second.id, first.id] and item["max_distance_km"] == 50
    assert item["windows"] == [{"start": START.isoformat(), "end": (START + timedelta(days=20)).isoformat()}]
    etag = created.headers["ETag"]
    assert client.get(f"/api/v1/requests/{item['id']}", headers=headers).headers["ETag"] == etag

    url = f"/api/v1/requests/{item['id']}"
    missing = client.put(url, headers=headers, json=_body(max_days=4))
    assert missing.status_code == 428 and missing.json["code"] == 428
    updated = client.put(url, headers={**headers, "If-Match": etag}, json=_body(max_days=4, wishes=[first.id]))
    assert updated.status_code == 200, updated.json
    assert updated.json["max_days"] == 4 and updated.json["wishes"] == [first.id]
    assert updated.json["status"] == "draft" and updated.headers["ETag"] != etag
    stale = client.put(url, headers={**headers, "If-Match": etag}, json=_body(max_days=9))
    assert stale.status_code == 412
    assert fresh(ImmersionRequest(id=item["id"])).max_days == 4

    stale_submit = client.post(f"{url}/submit", headers={**headers, "If-Match": etag})
    assert stale_submit.status_code == 412
    submitted = client.post(f"{url}/submit", headers={**headers, "If-Match": updated.headers["ETag"]})
    assert submitted.status_code == 200, submitted.json
    assert submitted.json["status"] == "submitted" and submitted.json["submitted_at"]
    again = client.post(f"{url}/submit", headers=headers)
    assert again.status_code == 422 and again.json["errors"]["_schema"]

    # A submitted request is still edited through PUT; it stays submitted.
    edited = client.put(
        url,
        headers={**headers, "If-Match": submitted.headers["ETag"]},
        json=_body(motivation="Mieux comprendre l'urbanisme."),
    )
    assert edited.status_code == 200 and edited.json["status"] == "submitted"


def test_submit_true_creates_a_submitted_request_at_once(app, client):
    agent = _agent()
    response = client.post("/api/v1/requests", headers=bearer(app, agent), json=_body(submit=True))
    assert response.status_code == 201, response.json
    assert response.json["status"] == "submitted"
    assert fresh(ImmersionRequest(id=response.json["id"])).status == RequestStatus.SUBMITTED


def test_legal_rules_answer_422_naming_each_field_and_save_nothing(app, client):
    agent = _agent()
    headers = bearer(app, agent)
    past = date.today() - timedelta(days=3)
    broken = _body(
        min_days=1, windows=[{"start": past.isoformat(), "end": (past + timedelta(days=10)).isoformat()}], submit=True
    )
    response = client.post("/api/v1/requests", headers=headers, json=broken)
    assert response.status_code == 422
    body = response.json
    assert set(body) == {"code", "status", "message", "errors"} and body["code"] == 422
    assert {"min_days", "windows-0-start"} <= set(body["errors"])
    assert all(isinstance(messages, list) and messages for messages in body["errors"].values())
    no_window = client.post("/api/v1/requests", headers=headers, json=_body(windows=[], submit=True))
    assert no_window.status_code == 422 and "windows" in no_window.json["errors"]
    assert _count(agent) == 0  # nothing half-saved

    # The same rules hold at submission of a draft: the draft stays a draft.
    draft = client.post("/api/v1/requests", headers=headers, json=_body(min_days=1)).json
    refused = client.post(f"/api/v1/requests/{draft['id']}/submit", headers=headers)
    assert refused.status_code == 422 and "min_days" in refused.json["errors"]
    assert fresh(ImmersionRequest(id=draft["id"])).status == RequestStatus.DRAFT


def test_schema_errors_name_the_fields_and_list_items_flat(app, client):
    headers = bearer(app, _agent())
    response = client.post(
        "/api/v1/requests",
        headers=headers,
        json={
            "min_days": 5,
            "max_days": 3,
            "wishes": [1, 1],
            "windows": [{"start": START.isoformat(), "end": (START - timedelta(days=1)).isoformat()}],
        },
    )
    assert response.status_code == 422
    assert {"max_days", "wishes", "windows-0-end"} <= set(response.json["errors"])
    assert client.post("/api/v1/requests", headers=headers, json={}).json["errors"].keys() >= {"min_days", "max_days"}
    not_a_boolean = client.post("/api/v1/requests", headers=headers, json=_body(submit=1))
    assert not_a_boolean.status_code == 422 and set(not_a_boolean.json["errors"]) == {"submit"}
    huge_ids = client.post("/api/v1/requests", headers=headers, json=_body(themes=[2**63], wishes=[0]))
    assert huge_ids.status_code == 422 and set(huge_ids.json["errors"]) == {"themes", "wishes"}


def test_wishes_name_published_offers_of_other_organisations_of_the_network(app, client):
    agent = _agent()
    headers = bearer(app, agent)
    own = OfferFactory(organisation=agent.organisation, status=OfferStatus.PUBLISHED)
    draft = OfferFactory(organisation=OrganisationFactory(network=agent.organisation.network), status=OfferStatus.DRAFT)
    foreign = OfferFactory(status=OfferStatus.PUBLISHED)
    for offer_id in (own.id, draft.id, foreign.id):
        response = client.post("/api/v1/requests", headers=headers, json=_body(wishes=[offer_id]))
        assert response.status_code == 422 and set(response.json["errors"]) == {"wishes"}, offer_id
    assert _count(agent) == 0


def test_an_agent_withdraws_their_request(app, client):
    agent = _agent()
    item = RequestFactory(agent=agent, status=RequestStatus.SUBMITTED)
    headers = bearer(app, agent)
    url = f"/api/v1/requests/{item.id}/withdraw"
    assert client.post(url, headers={**headers, "If-Match": '"old"'}).status_code == 412
    withdrawn = client.post(url, headers=headers)
    assert withdrawn.status_code == 200 and withdrawn.json["status"] == "withdrawn"
    again = client.post(url, headers=headers)
    assert again.status_code == 422 and again.json["errors"]["_schema"]
    etag = client.get(f"/api/v1/requests/{item.id}", headers=headers).headers["ETag"]
    answered = client.put(f"/api/v1/requests/{item.id}", headers={**headers, "If-Match": etag}, json=_body())
    assert answered.status_code == 422
    assert fresh(item).status == RequestStatus.WITHDRAWN


def test_nobody_else_edits_submits_or_withdraws_a_request(app, client):
    agent = _agent()
    item = RequestFactory(agent=agent, status=RequestStatus.DRAFT)
    colleague = UserFactory(organisation=agent.organisation, roles=[Role.AGENT, Role.RH])
    headers = {**bearer(app, colleague), "If-Match": "*"}
    missing = client.post("/api/v1/requests/999999/submit", headers=headers)
    assert missing.status_code == 404
    for method, url, body in (
        ("PUT", f"/api/v1/requests/{item.id}", _body()),
        ("POST", f"/api/v1/requests/{item.id}/submit", None),
        ("POST", f"/api/v1/requests/{item.id}/withdraw", None),
    ):
        response = client.open(url, method=method, headers=headers, json=body)
        assert response.status_code == 404, (method, url)
        assert response.json == missing.json
    assert fresh(item).status == RequestStatus.DRAFT
    # HR officers without the agent role create no requests.
    hr_only = bearer(app, UserFactory(organisation=agent.organisation, roles=[Role.RH]))
    assert client.post("/api/v1/requests", headers=hr_only, json=_body()).status_code == 404


def test_what_get_returns_put_accepts_back(app, client):
    agent = _agent()
    headers = bearer(app, agent)
    created = client.post("/api/v1/requests", json=_body(max_distance_km=None), headers=headers)
    assert created.status_code == 201, created.json
    read = client.get(f"/api/v1/requests/{created.json['id']}", headers=headers)
    writable = {
        k: v
        for k, v in read.json.items()
        if k in {"themes", "skills", "windows", "min_days", "max_days", "max_distance_km", "motivation", "wishes"}
    }
    assert writable["max_distance_km"] is None
    response = client.put(
        f"/api/v1/requests/{created.json['id']}", json=writable, headers={**headers, "If-Match": read.headers["ETag"]}
    )
    assert response.status_code == 200, response.json
    assert response.json["windows"] == read.json["windows"]
