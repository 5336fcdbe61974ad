"""The public pages: "/" tells visitors what an immersion is before they sign in; how it works, the questions
and the personal-data notice are readable by anyone, with their figures read where the rules live."""

import re

import pytest

from mobilite import limits
from mobilite.services import retention
from tests.factories import CoordinatorFactory, NetworkFactory, UserFactory
from tests.fixtures import csrf_token, login

PAGES = ("/comment-ca-marche", "/questions-frequentes", "/donnees-personnelles")


def _text(html: str) -> str:
    """The page's words, tags removed and spaces collapsed, as a reader sees them."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


def test_a_visitor_reads_the_public_home_page_at_the_root(client):
    response = client.get("/")
    assert response.status_code == 200
    text = _text(response.get_data(as_text=True))
    for heading in (
        "Qu'est-ce qu'une immersion professionnelle ?",
        "Qui peut participer ?",
        "Le cadre légal",
        "De la demande à la proposition",
        "Ce que cela coûte au service de l'agent",
    ):
        assert heading in text, heading
    assert f"de {limits.DEFAULT_MIN_DAYS} à {limits.DEFAULT_MAX_DAYS} jours ouvrés" in text
    assert f"au plus {limits.DEFAULT_QUOTA_DAYS} jours sur {limits.DEFAULT_QUOTA_YEARS} ans" in text
    assert "votre employeur doit donner son accord" in text
    assert "Chaque semaine, un tour d'appariement" in text and "relisent les propositions" in text
    assert f"avez {limits.DEFAULT_PROPOSAL_RESPONSE_DAYS} jours pour accepter" in text
    assert "vous êtes en mission" in text and "frais de mission" in text and "continue de vous rémunérer" in text
    html = response.get_data(as_text=True)
    for path in ("/connexion", *PAGES[1:]):
        assert f'href="{path}"' in html, path


def test_the_figures_come_from_the_limits_module(client, monkeypatch):
    monkeypatch.setattr(limits, "DEFAULT_QUOTA_DAYS", 17)
    monkeypatch.setattr(limits, "MAX_WISHES", 4)
    text = _text(client.get("/").get_data(as_text=True))
    assert "au plus 17 jours sur" in text and "jusqu'à 4 offres" in text
    assert "quota de 17 jours" in _text(client.get("/questions-frequentes").get_data(as_text=True))


@pytest.mark.parametrize("path", PAGES)
def test_the_public_pages_are_readable_signed_in_or_not(client, path):
    assert client.get(path).status_code == 200
    login(client, UserFactory().email)
    response = client.get(path)
    assert response.status_code == 200 and "Se déconnecter" in response.get_data(as_text=True)


def test_signed_in_people_still_land_on_their_own_home(client):
    login(client, UserFactory().email)
    assert client.get("/").headers["Location"].endswith("/agent/")
    login(client, CoordinatorFactory().email)
    assert client.get("/").headers["Location"].endswith("/coordination/")


def test_the_sign_in_page_and_every_footer_link_the_public_pages(client):
    login_page = client.get("/connexion").get_data(as_text=True)
    for path in PAGES:
        assert login_page.count(f'href="{path}"') == 2, path  # the page's own "first visit" line, and the footer
    login(client, UserFactory().email)
    home = client.get("/agent/").get_data(as_text=True)
    footer = home[home.index('<footer class="site-footer') :]
    for path in PAGES:
        assert f'href="{path}"' in footer, path


def test_the_faq_answers_the_usual_questions(client):
    text = _text(client.get("/questions-frequentes").get_data(as_text=True))
    assert text.count(" ?") >= 8
    assert f"vous répond sous {limits.DEFAULT_ANSWER_DEADLINE_DAYS} jours" in text
    assert f"jusqu'à {limits.MAX_WISHES} offres" in text
    assert 'href="/donnees-personnelles"' in client.get("/questions-frequentes").get_data(as_text=True)


def test_the_privacy_notice_says_what_is_kept_how_long_and_who_sees_it(client):
    text = _text(client.get("/donnees-personnelles").get_data(as_text=True))
    for heading in ("Ce qui est conservé", "Pendant combien de temps", "Qui voit quoi", "Vos droits"):
        assert heading in text, heading
    # No network yet: the default retention period, in years.
    assert limits.DEFAULT_RETENTION_DAYS == 3 * 365
    assert "sont supprimées 3 ans après leur dernière modification" in text
    assert f"effacés au bout de {retention.SENT_MAIL_KEPT.days} jours" in text
    assert "jamais vos brouillons" in text and "Le service RH de votre organisation" in text


def test_the_privacy_notice_reads_the_networks_retention_periods(client):
    NetworkFactory(retention_days=730)
    text = _text(client.get("/donnees-personnelles").get_data(as_text=True))
    assert "sont supprimées 2 ans après leur dernière modification" in text
    NetworkFactory(retention_days=400)
    text = _text(client.get("/donnees-personnelles").get_data(as_text=True))
    assert "au bout de 400 jours à 2 ans selon le réseau" in text


def test_the_privacy_notice_states_every_period_a_network_sets(client):
    """Ended immersions, the sign-in history and the audit log: each network's period, as the purge applies it."""
    text = _text(client.get("/donnees-personnelles").get_data(as_text=True))
    assert "sont supprimés au bout de 5 ans après son dernier jour" in text
    assert "L'historique de vos connexions est effacé au bout de 1 an." in text
    assert "actions sensibles" in text and "est effacé au bout de 5 ans." in text
    NetworkFactory(immersion_retention_days=6 * 365, sign_in_log_retention_days=200, audit_retention_days=730)
    NetworkFactory()
    text = _text(client.get("/donnees-personnelles").get_data(as_text=True))
    assert "au bout de 5 ans à 6 ans selon le réseau après son dernier jour" in text
    assert "L'historique de vos connexions est effacé au bout de 200 jours à 1 an selon le réseau." in text
    assert "est effacé au bout de 2 ans à 5 ans selon le réseau." in text


def test_the_public_pages_speak_english_on_request(client):
    token = csrf_token(client.get("/").get_data(as_text=True))
    client.post("/langue", data={"lang": "en", "next": "/", "csrf_token": token})
    home = _text(client.get("/").get_data(as_text=True))
    assert "What is a professional immersion?" in home and f"at most {limits.DEFAULT_QUOTA_DAYS} days" in home
    assert "Qu'est-ce qu'une immersion" not in home
    privacy = _text(client.get("/donnees-personnelles").get_data(as_text=True))
    assert "deleted 3 years after their last change" in privacy
    assert "Frequently asked questions" in _text(client.get("/questions-frequentes").get_data(as_text=True))
