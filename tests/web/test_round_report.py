"""The round explained afterwards: placements, fairness, the coordination's changes and the unmatched by
reason, on a page any coordinator of the network reads, and as a PDF."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from html import unescape

from pypdf import PdfReader

from mobilite.extensions import db
from mobilite.models import ProposalStatus, RoundStatus, UnmatchedOutlook
from mobilite.services import audit
from mobilite.services.agreement_pdf import latin1
from tests.factories import (
    CoordinatorFactory,
    OfferSessionFactory,
    OrganisationFactory,
    ProposalFactory,
    RequestFactory,
    RoundFactory,
    UserFactory,
)
from tests.fixtures import login


def _agent_request(organisation, last_name):
    return RequestFactory(agent=UserFactory(organisation=organisation, first_name="Claire", last_name=last_name))


def _round():
    """A published round of three organisations: Lyon's four requests, Nantes's two, Lille's one."""
    coordinator = CoordinatorFactory(first_name="Camille", last_name="Coordination")
    network = coordinator.coordinated_network
    lyon = OrganisationFactory(network=network, name="Ville de Lyon")
    nantes = OrganisationFactory(network=network, name="Nantes Métropole")
    lille = OrganisationFactory(network=network, name="Métropole de Lille")
    round_ = RoundFactory(
        network=network,
        week_start=date(2026, 3, 2),
        settings_snapshot={"fairness_floor": 0.5},
    )
    at_nantes = OfferSessionFactory(offer__organisation=nantes, offer__title="Urbanisme")
    at_lyon = OfferSessionFactory(offer__organisation=lyon, offer__title="Archives")

    def proposal(organisation, name, session, status, **fields):
        return ProposalFactory(
            round=round_, request=_agent_request(organisation, name), session=session, status=status, **fields
        )

    placed = proposal(lyon, "Arnaud", at_nantes, ProposalStatus.CONFIRMED)
    waiting = proposal(lyon, "Bernard", at_nantes, ProposalStatus.PUBLISHED, pinned=True)
    replaced = proposal(nantes, "Colin", at_lyon, ProposalStatus.DECLINED, pinned=True, replaced=True)
    rejected = proposal(lyon, "Dupont", at_nantes, ProposalStatus.REJECTED, coordinator_reason="Hors périmètre")
    kept_back = proposal(lille, "Éluard", at_lyon, ProposalStatus.APPROVED)
    no_session = _agent_request(lyon, "Fabre")
    only_own = _agent_request(nantes, "Garnier")
    outcompeted = _agent_request(lyon, "Hugo")
    db.session.add_all(
        [
            UnmatchedOutlook(
                round_id=round_.id,
                request_id=no_session.id,
                reason="no_eligible_session",
                data={"excluded": {"own_organisation": 9, "distance": 4, "dates": 1}},
            ),
            UnmatchedOutlook(
                round_id=round_.id,
                request_id=only_own.id,
                reason="no_eligible_session",
                data={"excluded": {"own_organisation": 2}},
            ),
            UnmatchedOutlook(
                round_id=round_.id,
                request_id=outcompeted.id,
                reason="outcompeted",
                data={"blocked": {"full": 3, "diversity": 1}},
            ),
        ]
    )
    audit.record(coordinator, "proposal.approve", placed, network_id=network.id, bulk=True)
    audit.record(coordinator, "proposal.approve", waiting, network_id=network.id, bulk=True)
    audit.record(coordinator, "proposal.pin", waiting, network_id=network.id)
    audit.record(coordinator, "proposal.replace", replaced, network_id=network.id, session_id=at_lyon.id)
    audit.record(coordinator, "proposal.reject", rejected, network_id=network.id)
    audit.record(coordinator, "round.publish", round_, network_id=network.id, proposals=3)
    db.session.commit()
    assert kept_back.id
    return coordinator, round_


def test_the_report_says_how_many_how_fair_what_changed_and_why(client):
    coordinator, round_ = _round()
    colleague = CoordinatorFactory(network_id=round_.network_id)
    login(client, colleague.email)  # any coordinator of the network, not only the one who published

    page = client.get(f"/coordination/tours/{round_.id}/compte-rendu")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))
    assert "Compte rendu du tour — semaine du 2 mars 2026" in text
    assert "Tour publié le " in text and " par Camille Coordination." in text
    # 5 proposals + 3 unmatched; 3 sent (confirmed, waiting, declined).
    assert "Demandes examinées 8" in text
    assert "3 propositions envoyées (37,5 % des demandes)" in text  # (the non-breaking space made plain)
    assert "confirmées : 1 ; en attente de réponse : 1 ; déclinées : 1 ; expirées : 0" in text
    assert "sans proposition du calcul : 3 ; écartées par la coordination : 1 ; non envoyées : 1" in text

    # Fairness: Lille 0 of 1, Lyon 2 of 5, Nantes 1 of 2; the floor asked for half of each.
    assert "de 0,0 % (Métropole de Lille) à 50,0 % (Nantes Métropole)" in text
    assert "2 organisations sont restées en dessous." in text
    assert re.search(
        r'<th scope="row">Ville de Lyon</th><td class="num">5</td><td class="num">2</td>'
        r'<td class="num">40,0\u00a0%</td><td class="num">1</td><td>en dessous\u00a0: 3 placements attendus</td>',
        html,
    )

    # What the coordination changed: every decision counted, the proposals left changed listed.
    assert "validation × 2 (dont 2 en lot)" in text
    assert "proposition écartée × 1" in text and "remplacement × 1" in text
    assert re.search(r"Claire Dupont .*Écartée Hors périmètre Camille Coordination", text)
    assert re.search(r"Claire Colin .*Remplacée par la coordination", text)
    assert re.search(r"Claire Bernard .*Épinglée par la coordination", text)

    # Why the others were not placed, by reason, each request under its reason.
    assert "Aucune session possible : les lieux sont au-delà de sa distance maximale (1)" in text
    assert "Claire Fabre, Ville de Lyon — sessions écartées : 9 de sa propre organisation, 4 trop loin, 1 hors" in text
    assert "Seules des sessions de sa propre organisation étaient ouvertes (1)" in text
    assert "leurs places sont allées à des demandes mieux classées (1)" in text
    assert "Écartée par la coordination : « Hors périmètre » (1)" in text
    assert "Non envoyée : la proposition n'avait pas été validée avant la publication (1)" in text
    assert "Claire Éluard, Métropole de Lille" in text

    # The round's own page leads to its report.
    assert f'href="/coordination/tours/{round_.id}/compte-rendu"' in client.get(f"/coordination/tours/{round_.id}").text


def test_the_pdf_says_the_same(client):
    coordinator, round_ = _round()
    login(client, coordinator.email)
    response = client.get(f"/coordination/tours/{round_.id}/compte-rendu.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert 'filename="compte-rendu-tour-2026-03-02.pdf"' in response.headers["Content-Disposition"]
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    flat = re.sub(r"\s+", " ", text)
    for expected in (
        "Compte rendu du tour - semaine du 2 mars 2026",
        "3 propositions envoyées (37,5 % des demandes)",
        "2 organisations sont restées en dessous.",
        "Hors périmètre",
        "Aucune session possible : les lieux sont au-delà de sa distance maximale (1 demande)",
        "Claire Fabre, Ville de Lyon",
        "Non envoyée : la proposition n'avait pas été validée avant la publication (1 demande)",
    ):
        assert latin1(expected).replace("\u00a0", " ") in flat.replace("\u00a0", " "), expected


def test_only_the_network_s_coordinators_read_a_published_round(client):
    coordinator, round_ = _round()
    outsider = CoordinatorFactory()
    login(client, outsider.email)
    assert client.get(f"/coordination/tours/{round_.id}/compte-rendu").status_code == 404
    assert client.get(f"/coordination/tours/{round_.id}/compte-rendu.pdf").status_code == 404

    hr = UserFactory(roles=["rh"], organisation=OrganisationFactory(network=round_.network))
    login(client, hr.email)
    assert client.get(f"/coordination/tours/{round_.id}/compte-rendu").status_code == 404

    in_review = RoundFactory(network=round_.network, week_start=date(2026, 3, 9), status=RoundStatus.PROPOSED)
    login(client, coordinator.email)
    assert client.get(f"/coordination/tours/{in_review.id}/compte-rendu").status_code == 404
    assert client.get(f"/coordination/tours/{round_.id + 1000}/compte-rendu").status_code == 404


def test_a_round_published_as_computed(client):
    """No hand change, nobody unmatched: the report says so rather than showing empty tables."""
    coordinator = CoordinatorFactory()
    network = coordinator.coordinated_network
    round_ = RoundFactory(network=network, week_start=date.today() - timedelta(days=date.today().weekday()))
    ProposalFactory(round=round_, session=OfferSessionFactory(offer__organisation=OrganisationFactory(network=network)))
    login(client, coordinator.email)
    text = client.get(f"/coordination/tours/{round_.id}/compte-rendu").get_data(as_text=True)
    assert "Aucune décision à la main\u00a0: le tour a été publié tel que calculé." in text
    assert "Tour publié le " in text and "par —" not in text  # nobody in the log: no name made up
    assert "Toutes les demandes examinées ont reçu une proposition." in text
