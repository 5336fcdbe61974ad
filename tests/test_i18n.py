"""French by default, English on request, and the English catalogue is complete."""

from pathlib import Path

from babel.messages.pofile import read_po

from tests.factories import UserFactory
from tests.fixtures import csrf_token, login

CATALOGUE = Path(__file__).resolve().parent.parent / "mobilite/translations/en/LC_MESSAGES/messages.po"


def test_every_message_has_an_english_translation():
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    missing = [m.id for m in catalogue if m.id and not m.string]
    assert missing == []


def test_pages_are_french_by_default(client):
    html = client.get("/connexion", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="fr">' in html and "Se connecter" in html


def test_language_switch_sticks_to_the_session_and_the_account(client):
    user = UserFactory()
    token = csrf_token(client.get("/connexion").get_data(as_text=True))
    client.post("/langue", data={"lang": "en", "next": "/connexion", "csrf_token": token})
    html = client.get("/connexion").get_data(as_text=True)
    assert '<html lang="en">' in html and "Sign in" in html
    login(client, user.email)
    html = client.get("/agent/").get_data(as_text=True)
    assert "My immersion requests" in html and "Mes demandes" not in html


def test_validation_messages_follow_the_language(client):
    token = csrf_token(client.get("/connexion").get_data(as_text=True))
    client.post("/langue", data={"lang": "en", "next": "/connexion", "csrf_token": token})
    token = csrf_token(client.get("/connexion").get_data(as_text=True))
    html = client.post("/connexion", data={"email": "nope", "csrf_token": token}).get_data(as_text=True)
    assert "This field is required." in html
    assert "Ce champ est obligatoire." not in html


def test_french_plurals_take_the_singular_for_zero_and_one(app):
    from flask_babel import force_locale, ngettext

    with app.test_request_context():
        with force_locale("fr"):
            forms = [ngettext("%(num)d offre", "%(num)d offres", n) for n in (0, 1, 2)]
        with force_locale("en"):
            english = [ngettext("%(num)d offre", "%(num)d offres", n) for n in (0, 1, 2)]
    assert forms == ["0 offre", "1 offre", "2 offres"]
    assert english == ["0 offers", "1 offer", "2 offers"]


def test_a_forced_language_inside_a_request_and_back(app):
    """The request keeps its translations once found; force_locale (an e-mail in its recipient's language)
    and a change of language in the middle of the request still take effect, and then end."""
    from flask import session
    from flask_babel import force_locale, gettext, refresh

    with app.test_request_context():
        session["lang"] = "en"
        assert gettext("Paramètre inconnu.") == "Unknown parameter."
        with force_locale("fr"):
            assert gettext("Paramètre inconnu.") == "Paramètre inconnu."
            with force_locale("en"):
                assert gettext("Paramètre inconnu.") == "Unknown parameter."
            assert gettext("Paramètre inconnu.") == "Paramètre inconnu."
        assert gettext("Paramètre inconnu.") == "Unknown parameter."
        session["lang"] = "fr"
        refresh()
        assert gettext("Paramètre inconnu.") == "Paramètre inconnu."


def test_an_empty_search_says_zero_offer_in_french(client):
    login(client, UserFactory().email)
    html = client.get("/agent/offres?q=introuvable").get_data(as_text=True)
    assert "0 offre<" in html and "0 offres" not in html
