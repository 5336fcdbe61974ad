"""Marshmallow's own messages come out in the page's language, with the reader's number format (they were
English everywhere: "Length must be between 20 and 5000." on a French page)."""

import io
from datetime import date, timedelta

import pytest
from marshmallow import Schema, ValidationError, fields, validate

from mobilite.models import Role
from mobilite.schemas.base import BaseSchema
from mobilite.workdays import add_working_days, next_monday
from tests.factories import OrganisationFactory, UserFactory
from tests.fixtures import bearer, csrf_token, login

START = next_monday(date.today()) + timedelta(weeks=3)
HEADER = "reference;titre;equipe;description;thematiques;competences;prerequis;lieu;debut;fin;places"
ENGLISH = ("Length must", "Must be", "Not a valid", "Shorter than", "Longer than", "Invalid")


def _plain(text: str) -> str:
    """Babel writes thousands with a narrow no-break space in French; compare with a plain one."""
    return text.replace("\u202f", " ").replace("\xa0", " ").replace("&#39;", "'")


def _import_short_description(client, user) -> str:
    csv = "\n".join([HEADER, f"A;Vis ma vie ADS;Urbanisme;court;;;;;{START};{add_working_days(START, 2)};1"])
    login(client, user.email)
    token = csrf_token(client.get("/rh/offres/import").get_data(as_text=True))
    response = client.post(
        "/rh/offres/import",
        data={"csrf_token": token, "file": (io.BytesIO(csv.encode()), "offres.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    return _plain(response.get_data(as_text=True))


def test_the_csv_import_speaks_french_on_a_french_page(client):
    html = _import_short_description(client, UserFactory(roles=[Role.RH]))
    assert "Entre 20 et 5 000 caractères." in html
    assert not any(word in html for word in ENGLISH)


def test_the_csv_import_speaks_english_on_an_english_page(client):
    html = _import_short_description(client, UserFactory(roles=[Role.RH], locale="en"))
    assert "Between 20 and 5,000 characters." in html
    assert "caractères" not in html


def test_the_offer_form_names_its_field_in_english(client):
    hr = UserFactory(roles=[Role.RH], locale="en")
    login(client, hr.email)
    token = csrf_token(client.get("/rh/offres/nouvelle").get_data(as_text=True))
    response = client.post(
        "/rh/offres/nouvelle",
        data={"csrf_token": token, "title": "ab", "team": "Urbanisme", "description": "court", "place": "lune"},
    )
    html = _plain(response.get_data(as_text=True))
    assert response.status_code == 400
    title_error = html.split('id="title-error">', 1)[1].split("</p>", 1)[0]
    assert "Between 3 and 200 characters." in title_error
    assert "Between 20 and 5,000 characters." in html.split('id="description-error">', 1)[1].split("</p>", 1)[0]
    assert not any(word in html for word in ENGLISH[:-1])


def test_the_api_answers_in_french_with_french_numbers(app, client):
    hr = UserFactory(organisation=OrganisationFactory(), roles=[Role.RH])
    body = {"team": "Urbanisme", "title": "ab", "description": "court", "place": "lune"}
    response = client.post("/api/v1/offers", json=body, headers=bearer(app, hr))
    assert response.status_code == 422
    errors = {key: [_plain(m) for m in messages] for key, messages in response.json["errors"].items()}
    assert errors["description"] == ["Entre 20 et 5 000 caractères."]
    assert errors["title"] == ["Entre 3 et 200 caractères."]
    assert not any(word in str(errors) for word in ENGLISH)


class _Sample(BaseSchema):
    name = fields.String(validate=validate.Length(min=1, max=3))
    tags = fields.List(fields.String(), validate=validate.Length(max=2))
    code = fields.String(validate=validate.Length(equal=5))
    days = fields.Integer(validate=validate.Range(min=2, max=10))
    rate = fields.Float(validate=validate.Range(min=0, min_inclusive=False))
    kind = fields.String(validate=validate.OneOf(["a", "b"]))
    site = fields.String(validate=validate.URL())


def test_each_marshmallow_message_has_a_french_wording(app):
    with app.test_request_context(), pytest.raises(ValidationError) as caught:
        _Sample().load(
            {"name": "abcd", "tags": ["x", "y", "z"], "code": "1", "days": 20, "rate": 0, "kind": "c", "site": "x"}
        )
    assert {key: _plain(m[0]) for key, m in caught.value.messages.items()} == {
        "name": "Entre 1 et 3 caractères.",
        "tags": "2 éléments au plus.",
        "code": "5 caractères exactement.",
        "days": "Valeur entre 2 et 10 attendue.",
        "rate": "Valeur supérieure à 0 attendue.",
        "kind": "Valeur non valable : choisissez parmi a, b.",
        "site": "Adresse web non valable.",
    }


def test_an_empty_required_text_and_a_plain_schema_outside_any_request():
    class Plain(Schema):
        name = fields.String(validate=validate.Length(min=1, max=100))

    with pytest.raises(ValidationError) as caught:
        Plain().load({"name": ""})
    assert caught.value.messages == {"name": ["Ce champ est obligatoire."]}
