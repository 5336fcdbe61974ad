"""Every web form reports all its errors at once, each next to the input it names (mobilite.web.forms).

Each page is checked for a message under its input: the `<id>-error` paragraph that the input points at with
aria-describedby, and the input marked aria-invalid, so a screen reader reads the reason with the field.
"""

import re
from datetime import date, timedelta

import pytest
from marshmallow import ValidationError

from mobilite.extensions import db
from mobilite.models import Role, TokenPurpose
from mobilite.services.auth import issue_password_link
from mobilite.services.errors import ServiceError
from mobilite.web.forms import field_errors
from tests.factories import SkillFactory, ThemeFactory, UserFactory
from tests.fixtures import csrf_token, login


def _error_of(html: str, name: str) -> str:
    """The text of the message shown under input `name`, which must point at it and be marked invalid."""
    found = re.search(rf'<p class="field-error" id="{re.escape(name)}-error">(.*?)</p>', html, re.S)
    assert found, f"no error shown under {name}"
    tag = re.search(rf'<(?:input|select|textarea)[^>]*\bid="{re.escape(name)}"[^>]*>', html, re.S)
    assert tag, f"no input {name}"
    assert 'aria-invalid="true"' in tag.group(0), f"{name} is not marked invalid"
    described = re.search(r'aria-describedby="([^"]*)"', tag.group(0))
    assert described and f"{name}-error" in described.group(1).split(), f"{name} does not point at its error"
    return found.group(1)


def _post(client, path, data, page=None):
    token = csrf_token(client.get(page or path).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


def test_the_request_form_shows_a_typo_and_the_legal_rules_at_once(client):
    agent = UserFactory()
    login(client, agent.email)
    past = date.today() - timedelta(days=10)
    response = _post(
        client,
        "/agent/demandes/nouvelle",
        {
            "action": "submit",
            "min_days": "1",
            "max_days": "5",
            "max_distance_km": "loin",
            "motivation": "x" * 4001,
            "windows-0-start": past.isoformat(),
            "windows-0-end": (past + timedelta(days=3)).isoformat(),
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    # The schema's errors …
    assert "Nombre entier attendu." in _error_of(html, "max_distance_km")
    assert "4 000 caractères au plus." in _error_of(html, "motivation")
    # … and, in the same answer, what the legal rules say about the fields that were well formed.
    assert "au moins 2 jours ouvrés" in _error_of(html, "min_days")
    assert "dans le futur" in _error_of(html, "windows-0-start")


def test_the_offer_form_names_each_prerequisite_row_and_every_other_field(client):
    hr = UserFactory(roles=[Role.RH])
    theme = ThemeFactory()
    skill = SkillFactory(theme=theme)
    login(client, hr.email)
    response = _post(
        client,
        "/rh/offres/nouvelle",
        {
            "title": "ab",
            "team": "Service ADS",
            "description": "trop court",
            "tutor_email": "pas une adresse",
            "prerequisite_skill": [str(skill.id)],
            "prerequisite_level": ["9"],
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert _error_of(html, "title") and _error_of(html, "description")
    assert "Adresse e-mail non valable." in _error_of(html, "tutor_email")
    # A nested row error is a message under that row's select, not the row's field names.
    assert "Niveau attendu entre 1 et 4." in _error_of(html, "prerequisite_level-0")
    assert "min_level" not in html


def test_the_offer_form_shows_a_repeated_prerequisite_with_the_other_errors(client):
    hr = UserFactory(roles=[Role.RH])
    skill = SkillFactory(theme=ThemeFactory())
    login(client, hr.email)
    response = _post(
        client,
        "/rh/offres/nouvelle",
        {
            "title": "ab",
            "team": "Service ADS",
            "description": "Assez long pour être une description valable.",
            "prerequisite_skill": [str(skill.id), str(skill.id)],
            "prerequisite_level": ["2", "3"],
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert _error_of(html, "title")
    assert "ne figure qu&#39;une fois" in html.split('id="prerequisites-error"', 1)[1].split("</p>", 1)[0]


def test_the_profile_form_names_every_repeated_skill_row_and_the_place(client):
    agent = UserFactory()
    skill = SkillFactory()
    login(client, agent.email)
    response = _post(
        client,
        "/agent/profil",
        {
            "skill-0": str(skill.id),
            "level-0": "2",
            "skill-1": str(skill.id),
            "level-1": "3",
            "skill-2": str(skill.id),
            "level-2": "4",
            "work_place": "",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "déjà indiquée" in _error_of(html, "skill-1")
    assert "déjà indiquée" in _error_of(html, "skill-2")
    assert 'id="skill-0-error"' not in html
    assert "commune" in _error_of(html, "work_place")


def test_the_sign_in_form_names_both_fields(client):
    response = _post(client, "/connexion", {"email": "pas une adresse", "password": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Adresse e-mail non valable." in _error_of(html, "email")
    assert "Ce champ est obligatoire." in _error_of(html, "password")


def test_the_password_change_form_shows_every_error_at_once(client):
    user = UserFactory()
    login(client, user.email)
    response = _post(
        client, "/compte/mot-de-passe", {"current": "", "password": "short", "confirm": "other"}, page="/compte"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in _error_of(html, "current")
    assert "au moins 12 caractères" in _error_of(html, "password")
    assert "ne sont pas identiques" in _error_of(html, "confirm")


def test_the_new_password_form_shows_the_length_and_the_mismatch_together(ctx, client):
    user = UserFactory()
    raw = issue_password_link(user, TokenPurpose.RESET_PASSWORD, hours=1)
    db.session.commit()
    response = _post(client, f"/mot-de-passe/{raw}", {"password": "short", "confirm": "other"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "au moins 12 caractères" in _error_of(html, "password")
    assert "ne sont pas identiques" in _error_of(html, "confirm")


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            ValidationError({"windows": {0: {"end": ["fin"], "_schema": ["ligne"]}}, "themes": {1: ["id"]}}),
            {"windows-0-end": ["fin"], "windows": ["ligne"], "themes": ["id"]},
        ),
        (ServiceError({"title": ["a", "a"], "_schema": ["tout"]}), {"title": ["a"], "_schema": ["tout"]}),
        (ServiceError("seul"), {"_schema": ["seul"]}),
    ],
)
def test_schema_and_service_errors_are_named_the_same_way(error, expected):
    assert field_errors(error) == expected


def test_a_repeated_prerequisite_beside_a_bad_level_shows_both(client):
    """The list's own error and its rows' errors together (the API crashed on this mix; the form must not)."""
    hr = UserFactory(roles=[Role.RH])
    skill = SkillFactory(theme=ThemeFactory())
    login(client, hr.email)
    response = _post(
        client,
        "/rh/offres/nouvelle",
        {
            "title": "Une offre valable",
            "team": "Service ADS",
            "description": "Assez long pour être une description valable.",
            "prerequisite_skill": [str(skill.id), str(skill.id)],
            "prerequisite_level": ["0", "9"],
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Niveau attendu entre 1 et 4." in _error_of(html, "prerequisite_level-0")
    assert "ne figure qu&#39;une fois" in html.split('id="prerequisites-error"', 1)[1].split("</p>", 1)[0]
