"""Whole journeys in a real browser, checking what a person sees at each step.

1. An HR officer creates an offer with two sessions and submits it; the coordinator publishes it.
2. An agent of another organisation finds it, asks for it as first wish; their HR approves.
3. The coordinator runs a round, reviews it, rejects one proposal and publishes; the agent and the host
   accept; the confirmed immersion has its page and its calendar file.
"""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from playwright.sync_api import expect
from sqlalchemy import func, select

from mobilite.extensions import db
from mobilite.models import Offer, OfferStatus, Proposal, ProposalStatus, RequestStatus, Role, User
from mobilite.services import demo, rounds
from mobilite.workdays import add_working_days, next_monday
from tests.fixtures import sign_in

PASSWORD = "demo password for tests"
LYON_HR = "rh.ville-de-lyon@demo.mobilite.fr"
COORDINATOR = "coordination@demo.mobilite.fr"
PARIS = ZoneInfo("Europe/Paris")
TITLE = "Vis ma vie de médiateur·rice numérique"

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_network(app):
    with app.test_request_context():
        demo.load_demo(PASSWORD)


def sign_out(page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_role("heading", name="Connexion").wait_for()


def flash(page) -> str:
    return page.locator(".flash").first.inner_text()


def test_offer_published_then_requested_and_approved(demo_network, page):
    first = next_monday(date.today()) + timedelta(weeks=3)
    second = first + timedelta(weeks=2)

    # 1. The HR officer of Ville de Lyon writes the offer and its two sessions, then submits it.
    sign_in(page, LYON_HR, PASSWORD)
    page.get_by_role("link", name="Nouvelle offre").first.click()
    page.get_by_label("Titre").fill(TITLE)
    page.get_by_label("Équipe d'accueil").fill("Direction de l'innovation numérique")
    page.get_by_label("Ce que la personne verra et fera").fill(
        "Vous accompagnerez les médiateurs dans les bibliothèques et les maisons de la métropole."
    )
    page.get_by_label("Hybride (sur site et à distance)").check()
    page.get_by_role("button", name="Enregistrer").click()
    assert "Offre enregistrée en brouillon" in flash(page)
    page.get_by_role("heading", name=TITLE).wait_for()
    for start, days, seats in ((first, 3, "2"), (second, 2, "1")):
        page.get_by_label("Premier jour").fill(start.isoformat())
        page.get_by_label("Dernier jour").fill(add_working_days(start, days).isoformat())
        page.get_by_label("Nombre de places").fill(seats)
        page.get_by_role("button", name="Ajouter la session").click()
        assert flash(page) == "Session ajoutée."
    expect(page.get_by_role("table", name="Sessions").locator("tbody tr")).to_have_count(2)
    page.get_by_role("button", name="Soumettre").click()
    assert "soumise à la coordination" in flash(page)
    sign_out(page)

    # The coordinator reads it and publishes it.
    sign_in(page, COORDINATOR, PASSWORD)
    page.get_by_role("link", name=TITLE).click()
    page.get_by_label("Publier l'offre").check()
    page.get_by_role("button", name="Valider la décision").click()
    assert flash(page) == "Offre publiée."
    sign_out(page)

    # 2. An agent of Caluire finds it and asks for it as first wish.
    agent = db.session.scalars(
        select(User)
        .join(User.organisation)
        .where(User.organisation.has(slug="ville-de-caluire-et-cuire"), ~User.role_rows.any(role=Role.RH))
        .order_by(User.id)
    ).first()  # this agent has a request already: the journey makes a second one
    sign_in(page, agent.email, PASSWORD)
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Offres d'immersion").click()
    page.get_by_label("Mots-clés").fill("médiateur")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("link", name="Ou créer une nouvelle demande avec cette offre en premier vœu").click()
    page.get_by_label("Période 1 : du").fill((first - timedelta(days=3)).isoformat())
    page.get_by_label("Période 1 : au").fill((second + timedelta(days=10)).isoformat())
    page.get_by_label("Au moins").fill("2")
    page.get_by_label("Au plus").fill("5")
    page.get_by_label("Votre motivation").fill("Je veux voir comment la métropole accompagne le numérique.")
    page.get_by_label("Votre projet professionnel").fill("Confirmer mon envie de rejoindre un service numérique.")
    # The sessions start within three months: a shorter notice agreed with the line manager, named by e-mail.
    page.get_by_label("Un délai plus court a été convenu avec ma hiérarchie (son avis le confirmera).").check()
    page.get_by_label("Ou son adresse e-mail").fill("cheffe.service@caluire.example")
    assert TITLE in page.get_by_label("Vœu n°1").locator("option:checked").inner_text()
    page.get_by_role("button", name="Soumettre à mon employeur").click()
    page.get_by_text("En attente de l'employeur").first.wait_for()
    sign_out(page)

    # Their HR officer approves it.
    sign_in(page, "rh.ville-de-caluire-et-cuire@demo.mobilite.fr", PASSWORD)
    page.get_by_role("table", name="Demandes en attente de votre réponse").locator(
        "tr", has_text="2 à 5 jours"
    ).get_by_role("link", name=agent.full_name).click()
    page.get_by_label("Approuver").check()
    page.get_by_role("button", name="Envoyer la réponse").click()
    page.get_by_text("Approuvée").first.wait_for()
    sign_out(page)

    sign_in(page, agent.email, PASSWORD)
    # The new request is today's (the demo's own requests were written over the past weeks).
    row = (
        page.get_by_role("table", name="Mes demandes d'immersion")
        .locator("tr", has_text="2 à 5 jours")
        .filter(has_text=f"Voir la demande du {datetime.now(PARIS):%d/%m/%Y}")  # the pages' time zone
    )
    assert "approuvée" in row.inner_text().lower()
    offer = db.session.scalar(select(Offer).where(Offer.title == TITLE))
    assert offer.status == OfferStatus.PUBLISHED and len(offer.sessions) == 2


def test_round_reviewed_published_answered_and_confirmed(demo_network, page, app):
    sign_in(page, COORDINATOR, PASSWORD)
    page.get_by_role("button", name="Lancer le tour de cette semaine").click()
    page.get_by_role("status").get_by_text("Programmé").wait_for()
    with app.app_context():
        assert len(rounds.run_due_rounds()) == 1  # what the scheduler process does next
    page.reload()
    page.get_by_role("heading", name="Indicateurs").wait_for()
    proposals = page.get_by_role("table", name="Propositions")
    proposals.locator("tbody tr").nth(9).wait_for()

    # Reject the first proposal, with its reason.
    first_row = proposals.locator("tbody tr").first
    first_row.get_by_role("textbox").fill("Déjà venu·e dans ce service l'an dernier.")
    first_row.get_by_role("button", name="Écarter").click()
    page.get_by_role("heading", name="Indicateurs").wait_for()
    assert "écartée" in page.get_by_role("table", name="Propositions").locator("tbody tr").first.inner_text().lower()
    # Approve every other proposal at once, then publish after reading what will be sent.
    bulk = page.locator("#bulk")
    bulk.get_by_label("Toutes les propositions du tour").check()
    bulk.get_by_role("button", name="Valider").click()
    assert "propositions validées" in flash(page)
    page.get_by_role("link", name="Publier le tour…").click()
    page.get_by_role("heading", name="Ce qui sera envoyé").wait_for()
    page.get_by_role("button", name=re.compile("Confirmer et envoyer")).click()
    assert "Tour publié" in flash(page)
    sign_out(page)

    this_round = db.session.scalar(select(func.max(Proposal.round_id)))  # not the demo's own, of last week
    published = db.session.scalars(
        select(Proposal)
        .where(Proposal.status == ProposalStatus.PUBLISHED, Proposal.round_id == this_round)
        .order_by(Proposal.id)
    ).all()
    proposal = published[0]
    agent = proposal.request.agent
    host_hr = db.session.scalar(
        select(User).where(
            User.organisation_id == proposal.session.offer.organisation_id, User.role_rows.any(role=Role.RH)
        )
    )
    title = proposal.session.offer.title

    # The agent accepts from their home page.
    sign_in(page, agent.email, PASSWORD)
    page.get_by_role("link", name=title).first.click()
    page.get_by_role("button", name="Accepter la proposition").click()
    page.get_by_text("Vous avez répondu à cette proposition.").wait_for()
    sign_out(page)

    # The host accepts: the immersion is confirmed.
    sign_in(page, host_hr.email, PASSWORD)
    page.get_by_role("link", name="Propositions et immersions").click()
    page.get_by_role("link", name=agent.full_name).first.click()
    page.get_by_role("button", name="Accepter la proposition").click()
    page.get_by_role("link", name="Télécharger le PDF").wait_for()
    assert agent.full_name in page.locator("main").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Ajouter à mon agenda (.ics)").click()
    calendar = Calendar.from_ical(download.value.path().read_bytes())
    event = next(iter(calendar.walk("VEVENT")))
    assert event.decoded("dtstart") == proposal.session.start_date
    assert db.session.get(Proposal, proposal.id, populate_existing=True).status == ProposalStatus.CONFIRMED
    assert proposal.request.status in (RequestStatus.MATCHED, RequestStatus.CLOSED)
