"""Where and when the visitor is met on the first day: given on the HR offer form and through the API, a small
fix that keeps a published offer published, and read by the calendar file (tests/services/test_ics.py)."""

from datetime import time

from sqlalchemy import select

from mobilite.extensions import db
from mobilite.models import Network, Offer, OfferStatus, Role
from tests.factories import OfferFactory, UserFactory
from tests.fixtures import bearer, csrf_token, fresh, login

DESCRIPTION = "Vous suivrez l'instruction d'un permis de construire, du dépôt à la décision."
FORM = {"title": "Vis ma vie d'instructeur", "team": "Service ADS", "description": DESCRIPTION, "place": "on_site"}


def _post(client, path, data):
    token = csrf_token(client.get(path).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


def _hr():
    return UserFactory(roles=[Role.RH])


def test_hr_gives_the_first_day_meeting_on_the_offer_form(client):
    hr = _hr()
    login(client, hr.email)
    form = client.get("/rh/offres/nouvelle").get_data(as_text=True)
    assert 'id="meeting_time" name="meeting_time" type="time"' in form and 'id="meeting_place"' in form
    response = _post(
        client, "/rh/offres/nouvelle", {**FORM, "meeting_time": "09:30", "meeting_place": "Accueil du bâtiment B"}
    )
    assert response.status_code == 302
    offer = db.session.scalar(select(Offer).where(Offer.title == FORM["title"]))
    assert (offer.meeting_time, offer.meeting_place) == (time(9, 30), "Accueil du bâtiment B")
    page = client.get(f"/rh/offres/{offer.id}").get_data(as_text=True)
    assert "09:30, Accueil du bâtiment B" in page
    edit = client.get(f"/rh/offres/{offer.id}/modifier").get_data(as_text=True)
    assert 'name="meeting_time" type="time" value="09:30"' in edit


def test_both_are_optional(client):
    hr = _hr()
    login(client, hr.email)
    assert _post(client, "/rh/offres/nouvelle", FORM).status_code == 302
    offer = db.session.scalar(select(Offer).where(Offer.title == FORM["title"]))
    assert (offer.meeting_time, offer.meeting_place) == (None, "")


def test_a_time_that_is_not_one_is_named_on_its_field_and_nothing_is_saved(client):
    hr = _hr()
    login(client, hr.email)
    for wrong in ("25:00", "9h30", "09:30:15"):
        response = _post(client, "/rh/offres/nouvelle", {**FORM, "meeting_time": wrong, "meeting_place": "x" * 201})
        html = response.get_data(as_text=True)
        assert response.status_code == 400, wrong
        assert 'id="meeting_time-error"' in html and "Heure non valable (format attendu\u00a0: HH:MM" in html
        assert 'id="meeting_place-error"' in html and "200 caractères au plus." in html
    assert db.session.scalar(select(Offer).where(Offer.title == FORM["title"])) is None


def test_changing_the_meeting_keeps_a_published_offer_published(client):
    hr = _hr()
    db.session.get_one(Network, hr.organisation.network_id).requires_offer_validation = True
    offer = OfferFactory(organisation=hr.organisation, status=OfferStatus.PUBLISHED, description=DESCRIPTION)
    login(client, hr.email)
    path = f"/rh/offres/{offer.id}/modifier"
    values = {"title": offer.title, "team": offer.team, "description": DESCRIPTION, "place": "on_site"}
    response = _post(client, path, {**values, "version": str(offer.version), "meeting_time": "14:00"})
    assert response.status_code == 302
    assert fresh(offer).status == OfferStatus.PUBLISHED and fresh(offer).meeting_time == time(14, 0)


def test_the_api_reads_and_writes_the_meeting(app, client):
    hr = _hr()
    headers = bearer(app, hr)
    body = {**FORM, "meeting_time": "08:45", "meeting_place": "Hall d'accueil"}
    created = client.post("/api/v1/offers", json=body, headers=headers)
    assert created.status_code == 201, created.json
    assert (created.json["meeting_time"], created.json["meeting_place"]) == ("08:45:00", "Hall d'accueil")
    offer_id = created.json["id"]
    assert fresh(Offer(id=offer_id)).meeting_time == time(8, 45)
    back = {**body, "meeting_time": created.json["meeting_time"]}  # what GET gives, PUT takes back
    updated = client.put(
        f"/api/v1/offers/{offer_id}", json=back, headers={**headers, "If-Match": created.headers["ETag"]}
    )
    assert updated.status_code == 200, updated.json
    cleared = client.put(
        f"/api/v1/offers/{offer_id}",
        json={**body, "meeting_time": None},
        headers={**headers, "If-Match": updated.headers["ETag"]},
    )
    assert cleared.status_code == 200 and cleared.json["meeting_time"] is None
    wrong = client.put(
        f"/api/v1/offers/{offer_id}",
        json={**body, "meeting_time": "8h45"},
        headers={**headers, "If-Match": cleared.headers["ETag"]},
    )
    assert wrong.status_code == 422 and list(wrong.json["errors"]) == ["meeting_time"]
