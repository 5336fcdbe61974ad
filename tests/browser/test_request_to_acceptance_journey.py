"""From the request to both sides' acceptance, in a real browser: the first half of issue 17's journey.

1. An agent, in a network where the line manager's opinion is required, asks through the pages for an offer
   of another organisation of the network, with their career project, their motivation, dates far enough
   ahead for the notice rule, and their line manager named by an e-mail address (a person without an
   account).
2. The manager opens the one-time link the outbox holds, without signing in, and gives a favourable opinion;
   the link then no longer works.
3. The home HR officer reads that opinion on the request's page and approves the request.
4. A round runs (the scheduler's part, in the test's thread), the coordinator validates its proposal and
   publishes it through the pages; the agent, then the host's HR officer accept it: the immersion is
   confirmed and its agreement drafted.

tests/browser/test_agreement_journey.py takes over from there: the host fills in the agreement, the three
parties sign, each downloads the same PDF, both feedbacks, the certificate.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from mobilite.extensions import db
from mobilite.limits import DEFAULT_NOTICE_DAYS
from mobilite.models import (
    Agreement,
    AgreementState,
    Immersion,
    ImmersionRequest,
    ManagerOpinion,
    Network,
    Notification,
    OpinionSetting,
    Proposal,
    ProposalStatus,
    RequestStatus,
    Role,
    RoundStatus,
)
from mobilite.services import rounds
from mobilite.workdays import add_working_days, next_monday
from tests.axe import assert_accessible, serve_axe
from tests.factories import (
    PASSWORD,
    CoordinatorFactory,
    OfferFactory,
    OfferSessionFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.fixtures import fresh, sign_in

pytestmark = pytest.mark.browser
SLOW = 60_000  # a busy machine: each step gets a minute

TITLE = "Instruire les permis de construire d'une ville moyenne"
MANAGER_EMAIL = "cheffe.urbanisme@lyon.example.fr"
CAREER = "Devenir responsable d'un service d'urbanisme."
MOTIVATION = "Voir comment une ville moyenne instruit ses permis avec peu d'agents."


def _sign_out(page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_role("heading", name="Connexion").wait_for(timeout=SLOW)


def _flash(page):
    return page.locator(".flash").first


def test_a_request_goes_through_the_managers_opinion_and_hr_to_an_accepted_proposal(app, page):
    serve_axe(page.context)
    page.set_default_timeout(SLOW)
    coordinator = CoordinatorFactory()
    network = db.session.get(Network, coordinator.network_id)
    network.line_manager_opinion = OpinionSetting.REQUIRED
    home = OrganisationFactory(network=network, name="Ville de Lyon", latitude=45.76, longitude=4.83)
    # About 33 km north of Lyon: within any sensible distance.
    host = OrganisationFactory(
        network=network, name="Ville de Villefranche-sur-Saône", city="Villefranche-sur-Saône", latitude=46.06
    )
    offer = OfferFactory(organisation=host, title=TITLE, team="Service des autorisations d'urbanisme")
    # Far enough ahead for the notice rule (three months by default), so no shorter notice is needed.
    start = next_monday(date.today() + timedelta(days=DEFAULT_NOTICE_DAYS + 30))
    OfferSessionFactory(offer=offer, start_date=start, end_date=add_working_days(start, 2), working_days=3, capacity=1)
    agent = UserFactory(organisation=home, first_name="Inès", last_name="Moreau", job_title="Instructrice")
    home_hr = UserFactory(organisation=home, first_name="Nadia", last_name="Roux", roles=[Role.RH])
    host_hr = UserFactory(organisation=host, first_name="Marc", last_name="Petit", roles=[Role.RH])
    db.session.commit()

    # 1. The agent finds the offer and asks for it as first wish.
    sign_in(page, agent.email, PASSWORD)
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Offres d'immersion").click()
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("link", name="Demander cette immersion (premier vœu)").click()
    page.get_by_role("heading", name="Nouvelle demande d'immersion").wait_for()
    page.get_by_label("Période 1 : du").fill((start - timedelta(days=7)).isoformat())
    page.get_by_label("Période 1 : au").fill((start + timedelta(days=21)).isoformat())
    page.get_by_label("Au moins").fill("2")
    page.get_by_label("Au plus").fill("5")
    page.get_by_label("Votre motivation").fill(MOTIVATION)
    page.get_by_label("Votre projet professionnel").fill(CAREER)
    page.get_by_label("Ou son adresse e-mail").fill(MANAGER_EMAIL)
    assert not page.get_by_label(
        "Un délai plus court a été convenu avec ma hiérarchie (son avis le confirmera)."
    ).is_checked()
    assert TITLE in page.get_by_label("Vœu n°1").locator("option:checked").inner_text()
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Soumettre à mon employeur").click()
    page.get_by_text("En attente de l'employeur").first.wait_for()
    request = db.session.scalar(select(ImmersionRequest).where(ImmersionRequest.agent_id == agent.id))
    assert request.status == RequestStatus.SUBMITTED and not request.shorter_notice_agreed
    assert (request.line_manager_id, request.line_manager_email) == (None, MANAGER_EMAIL)
    assert request.career_project == CAREER
    _sign_out(page)

    # 2. The manager's one-time link, from the outbox; opened without an account, a favourable opinion.
    body = db.session.scalar(
        select(Notification.body).where(Notification.to_email == MANAGER_EMAIL, Notification.kind == "opinion.asked")
    )
    link = re.sub(r"^https?://[^/]+", "", re.search(r"https?://\S+/avis/lien/\S+", body).group(0))
    page.goto(link)
    page.get_by_role("heading", name="Votre avis sur la demande d'immersion de Inès Moreau").wait_for()
    expect(page.locator("main")).to_contain_text(CAREER)
    assert_accessible(page)
    page.get_by_label("Favorable", exact=True).check()
    page.get_by_label("Motif").fill("Cohérent avec son projet : je l'y encourage.")
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer mon avis").click()
    page.get_by_role("heading", name="Avis enregistré").wait_for()
    assert fresh(request).opinion == ManagerOpinion.FAVOURABLE
    page.goto(link)  # the link has served
    page.get_by_role("heading", name="Lien d'avis inutilisable").wait_for()

    # 3. The home HR officer reads the opinion and approves the request.
    sign_in(page, home_hr.email, PASSWORD)
    page.get_by_role("table", name="Demandes en attente de votre réponse").get_by_role(
        "link", name="Inès Moreau"
    ).click()
    opinion = page.locator("section.opinion-state")
    expect(opinion).to_contain_text("Avis favorable", timeout=SLOW)
    expect(opinion).to_contain_text(MANAGER_EMAIL)
    expect(opinion).to_contain_text("Cohérent avec son projet")
    assert_accessible(page)
    page.get_by_label("Approuver").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer la réponse").click()
    page.get_by_text("Approuvée").first.wait_for()
    assert fresh(request).status == RequestStatus.APPROVED
    _sign_out(page)

    # 4. This week's round runs (the scheduler's part); the coordinator validates its proposal and publishes.
    with app.test_request_context():
        round_ = rounds.request_round(network, rounds.week_of(date.today()), trigger="manual")
        done = rounds.run_round(round_.id)
        assert done.status == RoundStatus.PROPOSED, done.error
        round_id = done.id
    proposal = db.session.scalar(select(Proposal).where(Proposal.request_id == request.id))
    assert proposal is not None and proposal.session.offer_id == offer.id

    sign_in(page, coordinator.email, PASSWORD)
    page.goto(f"/coordination/tours/{round_id}")
    table = page.get_by_role("table", name="Propositions")
    expect(table.locator("tbody tr")).to_have_count(1, timeout=SLOW)
    with page.expect_navigation():
        table.get_by_role("button", name="Valider").click()
    page.get_by_role("link", name="Publier le tour…").click()
    page.get_by_role("heading", name="Ce qui sera envoyé").wait_for()
    with page.expect_navigation():
        page.get_by_role("button", name="Confirmer et envoyer 1 proposition").click()
    expect(_flash(page)).to_contain_text("Tour publié", timeout=SLOW)
    assert fresh(proposal).status == ProposalStatus.PUBLISHED
    _sign_out(page)

    # The agent accepts from their home page, then the host's HR officer.
    sign_in(page, agent.email, PASSWORD)
    page.get_by_role("link", name=TITLE).first.click()
    with page.expect_navigation():
        page.get_by_role("button", name="Accepter la proposition").click()
    page.get_by_text("Vous avez répondu à cette proposition.").wait_for()
    _sign_out(page)

    sign_in(page, host_hr.email, PASSWORD)
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Propositions et immersions"
    ).click()
    page.get_by_role("link", name="Inès Moreau").first.click()
    expect(page.locator("section.candidate")).to_contain_text(MOTIVATION, timeout=SLOW)
    with page.expect_navigation():
        page.get_by_role("button", name="Accepter la proposition").click()
    page.get_by_role("link", name="Télécharger le PDF").wait_for()

    # The immersion exists, with its agreement drafted: where test_agreement_journey.py starts.
    assert fresh(proposal).status == ProposalStatus.CONFIRMED
    immersion = db.session.scalar(select(Immersion).where(Immersion.proposal_id == proposal.id))
    assert immersion is not None
    assert (immersion.agent_id, immersion.home_organisation_id, immersion.host_organisation_id) == (
        agent.id,
        home.id,
        host.id,
    )
    assert immersion.start_date == start
    agreement = db.session.scalar(select(Agreement).where(Agreement.immersion_id == immersion.id))
    assert agreement is not None and agreement.state == AgreementState.DRAFTED
