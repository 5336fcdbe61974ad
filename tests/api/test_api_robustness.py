"""Input the fuzzer showed or a review found could crash a view: each gets a clear answer instead."""

from types import SimpleNamespace

import pytest
from sqlalchemy.orm.exc import StaleDataError

from mobilite.extensions import db
from mobilite.models import OfferStatus, Role
from mobilite.services import concurrency
from tests.api.conftest import bearer
from tests.conftest import fresh
from tests.factories import OfferFactory, OfferSessionFactory, UserFactory


def _hr():
    return UserFactory(roles=[Role.RH])


@pytest.mark.parametrize("path", ["/api/v1/offers/18446744073709551616", "/api/v1/immersions/9223372036854775808",
                                  "/api/v1/offers/0", "/api/v1/requests/2147483648"])
def test_an_id_no_record_can_have_answers_404(app, client, path):
    response = client.get(path, headers=bearer(app, _hr()))
    assert response.status_code == 404
    assert response.get_json()["code"] == 404


def test_the_web_pages_answer_404_too(app, client):
    from tests.conftest import login

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

    monkeypatch.setattr(concurrency, "db", SimpleNamespace(session=SimpleNamespace(
        commit=saved_first_by_someone_else, rollback=db.session.rollback)))
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
