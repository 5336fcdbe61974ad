"""The three-party agreement in the browser: from a proposal both sides accepted, the host fills in the
functions observed, the home HR checks it, the agent, the home employer and the host sign in that order,
and each downloads the same signed PDF, whose SHA-256 the page shows; then the immersion happens, both
sides give their feedback, and the agent's certificate states the functions observed."""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from mobilite.extensions import db
from mobilite.models import Immersion, Role
from mobilite.services.immersions import complete_immersions
from mobilite.services.proposals import ProposalAnswer, answer_proposal
from tests.factories import PASSWORD, ProposalFactory, UserFactory
from tests.fixtures import sign_in

pytestmark = pytest.mark.browser
SLOW = 60_000  # a busy machine: each step gets a minute


def _sign_out(page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_role("heading", name="Connexion").wait_for(timeout=SLOW)


def _open(page, path: str) -> None:
    page.goto(path, timeout=SLOW)
    page.get_by_role("heading", name="Convention d'immersion", exact=True).wait_for(timeout=SLOW)


def _download(page) -> str:
    with page.expect_download(timeout=SLOW) as download:
        page.get_by_role("link", name="Télécharger la convention signée (PDF)").click()
    return hashlib.sha256(Path(download.value.path()).read_bytes()).hexdigest()


def test_the_three_parties_sign_in_order_and_download_the_same_pdf(app, page):
    proposal = ProposalFactory()
    agent = proposal.request.agent
    home_hr = UserFactory(organisation=proposal.request.organisation, roles=[Role.RH])
    host_hr = UserFactory(organisation=proposal.session.offer.organisation, roles=[Role.RH])
    with app.test_request_context():
        answer_proposal(agent, proposal, "agent", ProposalAnswer.ACCEPT)
        answer_proposal(host_hr, proposal, "host", ProposalAnswer.ACCEPT)
    immersion_id = db.session.query(Immersion.id).filter_by(proposal_id=proposal.id).scalar()
    rh_page, agent_page = f"/rh/immersions/{immersion_id}", f"/agent/immersions/{immersion_id}"

    # The host fills in the functions observed (required) and the hours.
    sign_in(page, host_hr.email, PASSWORD)
    _open(page, rh_page)
    page.get_by_role("link", name="Compléter la convention").click()
    page.get_by_role("button", name="Enregistrer la convention").click()
    expect(page.locator("#functions_observed-error")).to_have_count(1, timeout=SLOW)
    page.get_by_label("Fonctions observées").fill("Instruction des permis de construire, accueil du public.")
    page.get_by_label("Horaires de la journée").fill("9 h – 12 h 30, 14 h – 17 h")
    page.get_by_role("button", name="Enregistrer la convention").click()
    expect(page.locator(".flash").first).to_contain_text("Convention enregistrée", timeout=SLOW)
    expect(page.get_by_role("button", name="Je signe")).to_have_count(0, timeout=SLOW)  # not checked yet
    _sign_out(page)

    # The home HR checks it: the document is frozen and its hash shown.
    sign_in(page, home_hr.email, PASSWORD)
    _open(page, rh_page)
    page.get_by_role("button", name="La convention est vérifiée").click()
    expect(page.locator("[data-sha256=document]")).to_have_count(1, timeout=SLOW)
    expect(page.get_by_role("button", name="Je signe")).to_have_count(0, timeout=SLOW)  # the agent signs first
    _sign_out(page)

    # The host cannot sign before the agent (default order), then each signs in turn.
    sign_in(page, host_hr.email, PASSWORD)
    _open(page, rh_page)
    expect(page.get_by_text("Vous signerez après l'agent.")).to_have_count(1, timeout=SLOW)
    _sign_out(page)
    for user, path in ((agent, agent_page), (home_hr, rh_page), (host_hr, rh_page)):
        sign_in(page, user.email, PASSWORD)
        _open(page, path)
        shown = page.locator("[data-sha256=document]").inner_text(timeout=SLOW)
        assert re.fullmatch(r"[0-9a-f]{64}", shown)
        page.get_by_role("button", name="Je signe").click()
        expect(page.locator(".flash").first).to_contain_text("Votre signature est enregistrée", timeout=SLOW)
        _sign_out(page)

    # Each party downloads the signed PDF: the same bytes, whose hash the page shows.
    digests = []
    for user, path in ((agent, agent_page), (home_hr, rh_page), (host_hr, rh_page)):
        sign_in(page, user.email, PASSWORD)
        _open(page, path)
        expect(page.locator(".signatures-table tbody tr")).to_have_count(3, timeout=SLOW)
        shown = page.locator("[data-sha256=signed]").inner_text(timeout=SLOW)
        digests.append(_download(page))
        assert digests[-1] == shown
        _sign_out(page)
    assert len(set(digests)) == 1

    # The immersion happens (its days go by), both sides give their feedback, the agent gets the certificate.
    immersion = db.session.get(Immersion, immersion_id)
    length = immersion.end_date - immersion.start_date
    immersion.end_date = date.today() - timedelta(days=1)
    immersion.start_date = immersion.end_date - length
    db.session.commit()
    with app.test_request_context():
        assert complete_immersions(date.today()) == 1
    for user, path in ((host_hr, rh_page), (agent, agent_page)):
        sign_in(page, user.email, PASSWORD)
        page.goto(f"{path}/bilan", timeout=SLOW)
        page.get_by_label("L'immersion a eu lieu", exact=True).check()
        page.get_by_role("group", name="Satisfaction, de 1").get_by_label("5", exact=True).check()
        page.get_by_role("group", name="Recommanderiez-vous cette immersion ?").get_by_label("Oui").check()
        page.get_by_role("button", name="Envoyer mon bilan").click()
        expect(page.locator(".flash").first).to_contain_text("votre bilan est enregistré", timeout=SLOW)
        if user is not agent:
            _sign_out(page)
    with page.expect_download(timeout=SLOW) as download:
        page.get_by_role("link", name="Télécharger mon attestation de participation (PDF)").click()
    certificate = Path(download.value.path()).read_bytes().decode("latin-1")
    assert "Instruction des permis de construire, accueil du public." in certificate
