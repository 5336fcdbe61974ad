"""Offers through the API: create, If-Match updates (412 stale, 428 missing), sessions, submit, errors."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from mobilite.extensions import db
from mobilite.models import Offer, OfferStatus, Role
from tests.factories import NetworkFactory, OfferFactory, OrganisationFactory, UserFactory
from tests.fixtures import bearer, csrf_token, fresh, login

BODY = {
    "team": "Service urbanisme",
    "title": "Instruire un permis de construire",
    "description": "Suivre l'instruction d'un dossier, du dépôt à la décision, avec un instructeur.",
    "place": "hybrid",
}


def _hr(requires_validation=False):
    organisation = OrganisationFactory(network=NetworkFactory(requires_offer_validation=requires_validation))
    return UserFactory(organisation=organisation, roles=[Role.RH])


def _next_monday() -> date:
    today = date.today() + timedelta(days=7)
    return today - timedelta(days=today.weekday())


def test_hr_creates_updates_with_if_match_and_publishes_an_offer(app, client):
    hr = _hr()
    headers = bearer(app, hr)
    created = client.post("/api/v1/offers", json=BODY, headers=headers)
    assert created.status_code == 201, created.json
    offer_id, etag = created.json["id"], created.headers["ETag"]
    assert created.json["status"] == "draft" and created.json["organisation_id"] == hr.organisation_id

    read = client.get(f"/api/v1/offers/{offer_id}", headers=headers)
    assert read.status_code == 200 and read.headers["ETag"] == etag

    changed = {**BODY, "title": "Instruire un permis (version 2)"}
    missing = client.put(f"/api/v1/offers/{offer_id}", json=changed, headers=headers)
    assert missing.status_code == 428 and missing.json["code"] == 428
    updated = client.put(f"/api/v1/offers/{offer_id}", json=changed, headers={**headers, "If-Match": etag})
    assert updated.status_code == 200, updated.json
    assert updated.json["title"] == "Instruire un permis (version 2)"
    assert updated.headers["ETag"] != etag

    # A second writer still holding the first ETag loses: 412, and the first update stays.
    stale = client.put(
        f"/api/v1/offers/{offer_id}", json={**BODY, "title": "Écrasé ?"}, headers={**headers, "If-Match": etag}
    )
    assert stale.status_code == 412
    assert fresh(Offer(id=offer_id)).title == "Instruire un permis (version 2)"

    start = _next_monday()
    session = client.post(
        f"/api/v1/offers/{offer_id}/sessions",
        headers=headers,
        json={"start_date": start.isoformat(), "end_date": (start + timedelta(days=2)).isoformat(), "capacity": 2},
    )
    assert session.status_code == 201, session.json
    assert session.json["working_days"] == 3
    submitted = client.post(f"/api/v1/offers/{offer_id}/submit", headers=headers)
    assert submitted.status_code == 200, submitted.json
    assert submitted.json["status"] == "published"
    assert len(submitted.json["sessions"]) == 1


def test_submitting_goes_to_the_coordination_where_the_network_validates(app, client):
    hr = _hr(requires_validation=True)
    headers = bearer(app, hr)
    offer_id = client.post("/api/v1/offers", json=BODY, headers=headers).json["id"]
    no_session = client.post(f"/api/v1/offers/{offer_id}/submit", headers=headers)
    assert no_session.status_code == 422 and "sessions" in no_session.json["errors"]
    start = _next_monday()
    client.post(
        f"/api/v1/offers/{offer_id}/sessions",
        headers=headers,
        json={"start_date": start.isoformat(), "end_date": start.isoformat(), "capacity": 1},
    )
    assert client.post(f"/api/v1/offers/{offer_id}/submit", headers=headers).json["status"] == "submitted"


def test_validation_errors_name_the_fields(app, client):
    headers = bearer(app, _hr())
    response = client.post("/api/v1/offers", json={"title": "x", "place": "moon", "themes": [999999]}, headers=headers)
    assert response.status_code == 422
    body = response.json
    assert body["code"] == 422 and body["status"] == "Unprocessable Entity" and body["message"]
    assert {"team", "title", "description", "place"} <= set(body["errors"])
    assert all(isinstance(messages, list) for messages in body["errors"].values())

    unknown_theme = client.post("/api/v1/offers", json={**BODY, "themes": [999999]}, headers=headers)
    assert unknown_theme.status_code == 422 and "themes" in unknown_theme.json["errors"]

    offer_id = client.post("/api/v1/offers", json=BODY, headers=headers).json["id"]
    monday = _next_monday()
    past = client.post(
        f"/api/v1/offers/{offer_id}/sessions",
        headers=headers,
        json={"start_date": monday.isoformat(), "end_date": (monday - timedelta(days=3)).isoformat(), "capacity": 1},
    )
    assert past.status_code == 422 and set(past.json["errors"]) == {"end_date"}
    full = client.post(
        f"/api/v1/offers/{offer_id}/sessions",
        headers=headers,
        json={"start_date": monday.isoformat(), "end_date": monday.isoformat(), "capacity": 0},
    )
    assert full.status_code == 422 and set(full.json["errors"]) == {"capacity"}
    yesterday = date.today() - timedelta(days=1)
    in_the_past = client.post(
        f"/api/v1/offers/{offer_id}/sessions",
        headers=headers,
        json={"start_date": yesterday.isoformat(), "end_date": date.today().isoformat(), "capacity": 1},
    )
    assert in_the_past.status_code == 422 and "start_date" in in_the_past.json["errors"]


def test_another_organisation_s_offer_answers_404_like_a_missing_one(app, client):
    hr = _hr()
    other = OfferFactory(organisation=OrganisationFactory(network=hr.organisation.network), status=OfferStatus.DRAFT)
    headers = bearer(app, hr)
    missing = client.get("/api/v1/offers/999999", headers=headers)
    assert missing.status_code == 404
    for method, url, body in (
        ("GET", f"/api/v1/offers/{other.id}", None),
        ("PUT", f"/api/v1/offers/{other.id}", BODY),
        ("POST", f"/api/v1/offers/{other.id}/sessions", {}),
        ("POST", f"/api/v1/offers/{other.id}/submit", None),
    ):
        response = client.open(url, method=method, json=body, headers={**headers, "If-Match": "*"})
        assert response.status_code == 404, (method, url)
        assert response.json == missing.json
    assert fresh(other).status == OfferStatus.DRAFT


def test_offers_are_for_hr_and_list_their_organisation_s_only(app, client):
    hr = _hr()
    mine = OfferFactory(organisation=hr.organisation, status=OfferStatus.DRAFT)
    OfferFactory(organisation=hr.organisation, status=OfferStatus.PUBLISHED)
    OfferFactory(organisation=OrganisationFactory(network=hr.organisation.network))
    headers = bearer(app, hr)
    listed = client.get("/api/v1/offers?status=draft", headers=headers)
    assert listed.status_code == 200
    assert [o["id"] for o in listed.json] == [mine.id]
    assert '"total": 1' in listed.headers["X-Pagination"]
    assert len(client.get("/api/v1/offers", headers=headers).json) == 2
    assert client.get("/api/v1/offers?status=nope", headers=headers).status_code == 422
    agent = bearer(app, UserFactory(organisation=hr.organisation, roles=[Role.AGENT]))
    assert client.get("/api/v1/offers", headers=agent).status_code == 404
    assert client.post("/api/v1/offers", json=BODY, headers=agent).status_code == 404


def test_a_browser_session_may_call_the_api_with_its_csrf_token(app, client):
    hr = _hr()
    login(client, hr.email)
    token = csrf_token(client.get("/compte/jetons").get_data(as_text=True))
    assert client.get("/api/v1/offers").status_code == 200
    refused = client.post("/api/v1/offers", json=BODY)
    assert refused.status_code == 400 and refused.json["code"] == 400
    created = client.post("/api/v1/offers", json=BODY, headers={"X-CSRFToken": token})
    assert created.status_code == 201
    # A bearer token needs no CSRF token, even with a session cookie present.
    assert client.post("/api/v1/offers", json=BODY, headers=bearer(app, hr)).status_code == 201


def test_what_get_returns_put_accepts_back_unchanged(app, client):
    hr = _hr()
    offer = OfferFactory(organisation=hr.organisation, status=OfferStatus.DRAFT, tutor_email="")
    headers = bearer(app, hr)
    read = client.get(f"/api/v1/offers/{offer.id}", headers=headers)
    assert read.status_code == 200 and read.json["tutor_email"] is None
    writable = {
        k: v
        for k, v in read.json.items()
        if k
        not in {
            "id",
            "organisation_id",
            "status",
            "validation_comment",
            "sessions",
            "published_at",
            "created_at",
            "updated_at",
        }
    }
    response = client.put(
        f"/api/v1/offers/{offer.id}", json=writable, headers={**headers, "If-Match": read.headers["ETag"]}
    )
    assert response.status_code == 200, response.json
    assert fresh(offer).tutor_email == ""
    bad = client.put(
        f"/api/v1/offers/{offer.id}",
        json={**writable, "tutor_email": ""},
        headers={**headers, "If-Match": response.headers["ETag"]},
    )
    assert bad.status_code == 422 and list(bad.json["errors"]) == ["tutor_email"]


def test_a_nul_character_is_refused_by_name_not_by_the_database(app, client):
    hr = _hr()
    body = {"team": "Service", "title": "Une offre", "description": "Une description\x00 assez longue pour passer."}
    response = client.post("/api/v1/offers", json=body, headers=bearer(app, hr))
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["description"]
    assert db.session.scalar(select(func.count(Offer.id)).where(Offer.organisation_id == hr.organisation_id)) == 0


INVISIBLE = ["\x07", "\x1b[2J", "\u2028", "\x85", "\u202e", "\u2066"]


@pytest.mark.parametrize("character", INVISIBLE)
def test_control_and_invisible_bidi_characters_are_refused_by_name(app, client, character):
    """Regression: a title like "Titre\\x07\\x1b[2J\\u202efdp.exe" was stored and shown as sent (a bell, an escape
    sequence, a line separator, or a bidi override that makes "fdp.exe" read "exe.pdf")."""
    hr = _hr()
    body = {"team": "Service", "title": f"Une offre{character}piégée", "description": "Une description assez longue."}
    response = client.post("/api/v1/offers", json=body, headers=bearer(app, hr))
    assert response.status_code == 422 and list(response.json["errors"]) == ["title"]
    assert "invisible non accepté" in response.json["errors"]["title"][0]
    assert db.session.scalar(select(func.count(Offer.id)).where(Offer.organisation_id == hr.organisation_id)) == 0


def test_tabs_and_line_breaks_stay_welcome_in_a_description(app, client):
    hr = _hr()
    text = "Première ligne,\r\n\tpuis une autre\navec des accents : éàç « » – … et de l'arabe : مرحبا."
    body = {"team": "Service", "title": "Une offre", "description": text}
    response = client.post("/api/v1/offers", json=body, headers=bearer(app, hr))
    assert response.status_code == 201, response.json
    assert db.session.scalar(select(Offer.description).where(Offer.organisation_id == hr.organisation_id)) == text
