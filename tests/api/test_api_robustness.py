"""Input the fuzzer showed or a review found could crash a view: each gets a clear answer instead."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from mobilite.extensions import db
from mobilite.models import ImmersionRequest, Offer, OfferStatus, Role
from mobilite.services import concurrency
from tests.factories import OfferFactory, OfferSessionFactory, UserFactory
from tests.fixtures import bearer, fresh


def _hr():
    return UserFactory(roles=[Role.RH])


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/offers/18446744073709551616",
        "/api/v1/immersions/9223372036854775808",
        "/api/v1/offers/0",
        "/api/v1/requests/2147483648",
    ],
)
def test_an_id_no_record_can_have_answers_404(app, client, path):
    response = client.get(path, headers=bearer(app, _hr()))
    assert response.status_code == 404
    assert response.get_json()["code"] == 404


def test_the_web_pages_answer_404_too(app, client):
    from tests.fixtures import login

    hr = _hr()
    login(client, hr.email)
    assert client.get("/rh/offres/18446744073709551616/modifier").status_code == 404


@pytest.mark.parametrize("body", [["prerequisite_skill"], "prerequisite_skill", 5, False, None])
def test_a_body_that_is_not_an_object_is_refused(app, client, body):
    response = client.post("/api/v1/offers", json=body, headers=bearer(app, _hr()))
    assert response.status_code == 422
    assert response.get_json()["code"] == 422


@pytest.mark.parametrize("status", [OfferStatus.CLOSED, OfferStatus.ARCHIVED])
def test_sessions_of_a_closed_or_archived_offer_stay(app, client, status):
    hr = _hr()
    offer = OfferFactory(organisation=hr.organisation, status=status)
    session = OfferSessionFactory(offer=offer)
    response = client.delete(f"/api/v1/offers/{offer.id}/sessions/{session.id}", headers=bearer(app, hr))
    assert response.status_code == 422
    assert fresh(session) is not None


def test_a_status_change_that_loses_a_race_answers_409_and_changes_nothing(app, client, monkeypatch):
    hr = _hr()
    offer = OfferFactory(organisation=hr.organisation, status=OfferStatus.PUBLISHED)
    headers = bearer(app, hr)

    def saved_first_by_someone_else():
        raise StaleDataError("UPDATE statement on table 'offers' expected to update 1 row(s); 0 were matched.")

    monkeypatch.setattr(
        concurrency,
        "db",
        SimpleNamespace(session=SimpleNamespace(commit=saved_first_by_someone_else, rollback=db.session.rollback)),
    )
    response = client.post(f"/api/v1/offers/{offer.id}/close", headers=headers)
    assert response.status_code == 409
    assert "_schema" in response.get_json()["errors"]
    assert fresh(offer).status == OfferStatus.PUBLISHED


def test_if_match_star_does_not_stand_for_the_etag_a_put_requires(app, client):
    hr = _hr()
    offer = OfferFactory(organisation=hr.organisation, status=OfferStatus.DRAFT)
    body = {"team": "Service", "title": "Un titre", "description": "Une description assez longue pour passer."}
    response = client.put(f"/api/v1/offers/{offer.id}", json=body, headers={**bearer(app, hr), "If-Match": "*"})
    assert response.status_code == 428
    assert fresh(offer).title != "Un titre"


# --- malformed JSON: 400 naming the problem, never a 500 (issue 11, finding 10) ----------------------------

_OFFER = b'{"team": "Service", "title": "%s", "description": "Une description assez longue pour passer."%s}'


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (_OFFER % (b"Un titre \\ud800", b""), "Unicode"),  # a lone surrogate: valid JSON, no valid text
        (_OFFER % (b"Un titre", b', "themes": [' + b"9" * 5000 + b"]"), "nombre trop long"),
        (b"[" * 100_000 + b"]" * 100_000, "imbriqué"),
        (b'{"title": "\xff\xfe"}', "UTF-8"),
        (b'{"title": ', "non valable"),
    ],
)
def test_malformed_json_answers_400_naming_the_problem(app, client, server_errors, body, expected):
    hr = _hr()
    response = client.post("/api/v1/offers", data=body, content_type="application/json", headers=bearer(app, hr))
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.get_json()["code"] == 400
    assert expected in response.get_json()["message"]
    assert not db.session.scalars(select(Offer).where(Offer.organisation_id == hr.organisation_id)).all()


def test_a_lone_surrogate_is_named_where_it_is(app, client, server_errors):
    agent = UserFactory(roles=[Role.AGENT])
    body = b'{"min_days": 2, "max_days": 3, "windows": [{"start": "2030-01-01\\udfff", "end": "2030-01-02"}]}'
    response = client.post("/api/v1/requests", data=body, content_type="application/json", headers=bearer(app, agent))
    assert response.status_code == 400
    assert list(response.get_json()["errors"]) == ["windows-0-start"]


# --- dates bounded to a sane horizon (finding 5): refused by name before any working day is counted --------


def test_ten_windows_ending_in_9999_are_refused_by_name(app, client):
    agent = UserFactory(roles=[Role.AGENT])
    start = date.today() + timedelta(days=7)
    windows = [{"start": start.isoformat(), "end": "9999-12-31"} for _ in range(10)]
    body = {"windows": windows, "min_days": 2, "max_days": 5, "submit": True}
    response = client.post("/api/v1/requests", json=body, headers=bearer(app, agent))
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert set(errors) == {f"windows-{i}-end" for i in range(10)}
    assert "trop lointaine" in errors["windows-0-end"][0]
    assert not db.session.scalars(select(ImmersionRequest).where(ImmersionRequest.agent_id == agent.id)).all()


def test_a_session_too_far_ahead_or_behind_is_refused_by_name(app, client):
    hr = _hr()
    offer = OfferFactory(organisation=hr.organisation, status=OfferStatus.DRAFT)
    far = date.today() + timedelta(days=3 * 366)
    response = client.post(
        f"/api/v1/offers/{offer.id}/sessions",
        headers=bearer(app, hr),
        json={"start_date": far.isoformat(), "end_date": (far + timedelta(days=2)).isoformat(), "capacity": 1},
    )
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"start_date", "end_date"}
    old = date.today() - timedelta(days=400)
    response = client.post(
        f"/api/v1/offers/{offer.id}/sessions",
        headers=bearer(app, hr),
        json={"start_date": old.isoformat(), "end_date": date.today().isoformat(), "capacity": 1},
    )
    assert response.status_code == 422
    assert "trop ancienne" in response.get_json()["errors"]["start_date"][0]
    assert not fresh(offer).sessions


def test_a_body_over_the_size_limit_is_refused_with_413(app, client):
    """No request body above MAX_CONTENT_LENGTH is read, on the API as on the web."""
    from mobilite.models import Role
    from tests.factories import UserFactory
    from tests.fixtures import bearer

    headers = {**bearer(app, UserFactory(roles=[Role.AGENT])), "Content-Type": "application/json"}
    body = b'{"motivation": "' + b"x" * (7 * 1024 * 1024) + b'"}'
    response = client.post("/api/v1/requests", data=body, headers=headers)
    assert response.status_code == 413
    assert response.json["code"] == 413


def test_prerequisite_rows_that_fail_to_load_are_errors_not_a_crash(app, client):
    """Found by the fuzzer: an empty prerequisite row made the repeated-skill check raise (KeyError), and a
    repeated skill beside a bad row made an error dict of mixed keys that could not be serialised."""

    from mobilite.models import Role
    from tests.factories import UserFactory
    from tests.fixtures import bearer

    headers = {**bearer(app, UserFactory(roles=[Role.RH])), "Content-Type": "application/json"}
    skill_id = 1  # any id: the schema only sees it twice, the vocabulary is checked later
    base = {"team": "Service", "title": "Une offre", "description": "Ce que l'on voit et fait."}

    empty_row = client.post("/api/v1/offers", json={**base, "prerequisites": [{}]}, headers=headers)
    assert empty_row.status_code == 422
    assert "prerequisites-0-skill_id" in empty_row.json["errors"]

    rows = [{"skill_id": skill_id, "min_level": 0}, {"skill_id": skill_id, "min_level": 0}]
    repeated = client.post("/api/v1/offers", json={**base, "prerequisites": rows}, headers=headers)
    assert repeated.status_code == 422
    errors = repeated.json["errors"]
    assert all(isinstance(key, str) for key in errors)
    assert "prerequisites-0-min_level" in errors and "prerequisites" in errors
