"""A coordinator reviews a round of a few hundred proposals in a real browser: filters to one host
organisation, approves all of its proposals at once, moves one placement to a session from the valid list,
compares with a draft using other weights and keeps the original, publishes after reading the summary, and
only the approved proposals go out."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from benchmarks.synthetic import load_network
from mobilite.extensions import db
from mobilite.models import (
    DraftStatus,
    Network,
    Offer,
    OfferSession,
    Organisation,
    Proposal,
    ProposalStatus,
    RoundStatus,
)
from mobilite.services import replacements, round_drafts, rounds
from tests.factories import PASSWORD, CoordinatorFactory
from tests.fixtures import fresh, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def big_round(app):
    """A synthetic network of 12 organisations, 100 offers and 500 approved requests, and its round, run."""
    with app.test_request_context():
        network_id = load_network(100, 500, 12, all_approved=True, refresh_statistics=False)
        network = db.session.get(Network, network_id)
        round_ = rounds.request_round(network, rounds.week_of(date.today()), trigger="manual")
        done = rounds.run_round(round_.id)
        assert done.status == RoundStatus.PROPOSED and len(done.proposals) >= 200, done.error
        coordinator = CoordinatorFactory(network_id=network_id)
        return done.id, coordinator.email


def _busiest_host(round_id: int) -> tuple[int, str, int]:
    """The host organisation with the most proposals: (id, name, proposals)."""
    return db.session.execute(
        select(Organisation.id, Organisation.name, func.count(Proposal.id))
        .join(Offer, Offer.organisation_id == Organisation.id)
        .join(OfferSession, OfferSession.offer_id == Offer.id)
        .join(Proposal, Proposal.session_id == OfferSession.id)
        .where(Proposal.round_id == round_id)
        .group_by(Organisation.id, Organisation.name)
        .order_by(func.count(Proposal.id).desc(), Organisation.id)
    ).first()


def _movable(round_id: int, host_id: int) -> Proposal:
    """A proposal outside the filtered host that could move to another session keeping every rule."""
    candidates = db.session.scalars(
        select(Proposal)
        .join(OfferSession, Proposal.session_id == OfferSession.id)
        .join(Offer, OfferSession.offer_id == Offer.id)
        .where(Proposal.round_id == round_id, Offer.organisation_id != host_id)
        .order_by(Proposal.id)
    )
    for proposal in candidates:
        if any(not choice.current for choice in replacements.options(proposal).valid):
            return proposal
    raise AssertionError("no placement of the round can move: change the synthetic network's seed")


def test_filter_bulk_approve_replace_and_publish_only_the_approved(big_round, page, app):
    round_id, email = big_round
    page.set_default_timeout(60_000)  # a few hundred proposals, on a busy machine
    host_id, host_name, hosted = _busiest_host(round_id)
    with app.test_request_context():
        movable = _movable(round_id, host_id)
        movable_id, moved_from = movable.id, movable.session_id
    total = db.session.scalar(select(func.count(Proposal.id)).where(Proposal.round_id == round_id))
    assert hosted < total

    sign_in(page, email, PASSWORD)
    page.goto(f"/coordination/tours/{round_id}")
    page.get_by_role("heading", name="Indicateurs").wait_for()
    assert "Qualité" in page.locator("main").inner_text()

    # 1. Only one host organisation's proposals.
    page.get_by_label("Organisation d'accueil").select_option(label=host_name)
    page.get_by_role("button", name="Filtrer").click()
    page.get_by_text(f"Propositions ({hosted} avec ce filtre)").wait_for()

    # 2. Every proposal of the filter approved at once.
    bulk = page.locator("#bulk")
    bulk.get_by_label(re.compile("propositions? de ce filtre")).check()
    bulk.get_by_role("button", name="Valider").click(timeout=60_000)  # one transaction over the whole filter
    page.get_by_text(f"{hosted} propositions validées.").wait_for()
    assert f"accueil={host_id}" in page.url  # back to the same filter

    # 3. One placement moved by hand, to a session of the valid list.
    page.goto(f"/coordination/propositions/{movable_id}")
    valid = page.get_by_role("table", name=re.compile("sessions? possibles?"))
    other = valid.locator('input[name="session_id"]:not(:checked)').first
    chosen = int(other.get_attribute("value"))
    other.check()
    page.get_by_role("button", name="Remplacer par la session choisie").click()
    page.get_by_text("Placement remplacé et épinglé.").wait_for()
    moved = fresh(db.session.get(Proposal, movable_id))
    assert moved.session_id == chosen != moved_from and moved.replaced and moved.score > 0

    # 4. A draft with other weights (wishes count for nothing), run by the scheduler's job in this thread;
    # both results side by side, then the original kept: nothing changes.
    before = dict(db.session.execute(select(Proposal.id, Proposal.version).where(Proposal.round_id == round_id)).all())
    db.session.commit()  # the read ends here: the server's writes that follow are not under it
    page.goto(f"/coordination/tours/{round_id}")
    page.get_by_text("Calculer ce tour avec d'autres réglages").click()
    page.get_by_label("Place de l'offre dans les vœux de l'agent").fill("0")
    page.get_by_role("button", name="Lancer l'essai").click()
    page.get_by_text("Essai demandé").wait_for()
    with app.test_request_context():
        assert [status for _, status in round_drafts.run_pending_drafts()] == [DraftStatus.DONE]
    page.get_by_role("table", name="Les deux résultats côte à côte").wait_for()  # the page refreshes itself
    page.get_by_role("button", name="Garder l'original").click()
    page.get_by_text("Résultat d'origine gardé").wait_for()
    after = dict(db.session.execute(select(Proposal.id, Proposal.version).where(Proposal.round_id == round_id)).all())
    assert after == before

    # 5. Publication: the summary first, then the confirmation.
    page.goto(f"/coordination/tours/{round_id}")
    page.get_by_role("link", name="Publier le tour…").click()
    expected = hosted + 1
    page.get_by_text(f"{expected} propositions envoyées").wait_for()
    assert "pas encore examinées ne seront pas envoyées" in page.locator("main").inner_text()
    # The unmatched agents are told by the scheduler, not in this request.
    page.get_by_role("button", name=f"Confirmer et envoyer {expected} propositions").click(timeout=90_000)
    page.get_by_text(f"Tour publié : {expected} propositions envoyées").wait_for(timeout=90_000)

    statuses = dict(
        db.session.execute(
            select(Proposal.status, func.count(Proposal.id))
            .where(Proposal.round_id == round_id)
            .group_by(Proposal.status)
        ).all()
    )
    assert statuses == {ProposalStatus.PUBLISHED: expected, ProposalStatus.PROPOSED: total - expected}
    published_hosts = set(
        db.session.scalars(
            select(Offer.organisation_id)
            .join(OfferSession, OfferSession.offer_id == Offer.id)
            .join(Proposal, Proposal.session_id == OfferSession.id)
            .where(
                Proposal.round_id == round_id, Proposal.status == ProposalStatus.PUBLISHED, Proposal.id != movable_id
            )
        )
    )
    assert published_hosts == {host_id}
