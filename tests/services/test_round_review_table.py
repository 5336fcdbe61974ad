"""The review at any size, as services: filters, sorts and pages in SQL, indicators that follow every change,
bulk decisions all or nothing, and publication that sends only what the network's setting says."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from mobilite.extensions import db
from mobilite.lifecycles.proposal import ReviewDecision
from mobilite.lifecycles.round import RoundStateConflict
from mobilite.models import (
    ForbiddenPair,
    Proposal,
    ProposalStatus,
    PublicationScope,
    RequestStatus,
    RoundStatus,
)
from mobilite.services import publication, review_summary, review_table, round_review, rounds
from mobilite.services.concurrency import Conflict
from mobilite.services.errors import ServiceError
from mobilite.services.review_table import Band, Flag, ReviewFilter, Sort
from tests.fixtures import fresh
from tests.round_review_world import build


@pytest.fixture
def world(ctx):
    return build()


def _ids(world, review_filter: ReviewFilter) -> list[int]:
    below = [r.organisation_id for r in review_summary.summary(world.round).below_floor]
    return list(db.session.scalars(review_table.filtered(world.round, review_filter, below)))


def _names(world, review_filter: ReviewFilter) -> list[str]:
    by_id = {p.id: name for name, p in world.proposals.items()}
    return [by_id[p.id] for p in _ids(world, review_filter)]


def test_each_filter_selects_what_the_world_says(world):
    assert set(_names(world, ReviewFilter(home=world.home_b.id))) == {"b1", "b2"}
    assert set(_names(world, ReviewFilter(host=world.host_x.id))) == {"a1", "a2", "b1"}
    assert set(_names(world, ReviewFilter(band=Band.HIGH))) == {"a3"}
    assert set(_names(world, ReviewFilter(band=Band.LOW))) == {"a4", "b1"}
    assert set(_names(world, ReviewFilter(band=Band.MEDIUM))) == {"a1", "a2", "b2"}
    expected = {
        Flag.FAR: {"a1"},
        Flag.LAST_WISH: {"a1"},
        Flag.OUTSIDE_WISHES: {"a2"},
        Flag.BELOW_FLOOR: {"b1", "b2"},
        Flag.PINNED: {"a2", "a4"},
        Flag.REPLACED: {"a4"},
    }
    for flag, names in expected.items():
        assert set(_names(world, ReviewFilter(flags=(flag,)))) == names, flag
    # Filters add up: agents of Ville A hosted by X and pinned.
    assert _names(world, ReviewFilter(home=world.home_a.id, host=world.host_x.id, flags=(Flag.PINNED,))) == ["a2"]
    round_review.set_decision(world.coordinator, world.proposals["a3"], ReviewDecision.APPROVE)
    assert _names(world, ReviewFilter(status=ProposalStatus.APPROVED)) == ["a3"]


def test_the_rows_flags_are_the_filters_flags(world):
    below = [r.organisation_id for r in review_summary.summary(world.round).below_floor]
    found, rows = review_table.page(world.round, ReviewFilter(), 1, below)
    by_name = {name: p.id for name, p in world.proposals.items()}
    flags = {row.proposal.id: row.flags for row in rows}
    for flag in Flag:
        selected = {p.id for p in _ids(world, ReviewFilter(flags=(flag,)))}
        assert {pid for pid, on in flags.items() if flag in on} == selected, flag
    assert flags[by_name["a1"]] == {Flag.FAR, Flag.LAST_WISH}


def test_sorts(world):
    assert _names(world, ReviewFilter()) == ["a3", "a1", "a2", "b2", "b1", "a4"]  # best score first
    assert _names(world, ReviewFilter(sort=Sort.SCORE_ASC))[0] == "a4"
    assert _names(world, ReviewFilter(sort=Sort.AGENT)) == ["a1", "a2", "a3", "a4", "b1", "b2"]
    assert _names(world, ReviewFilter(sort=Sort.HOST))[:3] == ["a1", "a2", "b1"]  # Métropole X first
    assert _names(world, ReviewFilter(sort=Sort.HOME))[-2:] in (["b1", "b2"], ["b2", "b1"])
    assert _names(world, ReviewFilter(sort=Sort.START))[:3] == ["a1", "a2", "b1"]  # X's session starts first


def test_a_page_loads_its_rows_only(world, monkeypatch):
    """Filtering and paging happen in SQL: reading page 2 of 2 loads two proposals, not the round's six."""
    monkeypatch.setattr(review_table, "PER_PAGE", 4)
    db.session.expunge_all()
    found, rows = review_table.page(world.round, ReviewFilter(), 2)
    assert found.total == 6 and found.pages == 2 and len(rows) == 2
    loaded = [o for o in db.session.identity_map.values() if isinstance(o, Proposal)]
    assert len(loaded) == 2


def test_the_indicators_follow_rejections_and_replacements(world):
    summary = review_summary.summary(world.round)
    assert (summary.considered, summary.placed, summary.unmatched) == (10, 6, 4)
    assert summary.unreviewed == 6
    assert [r.name for r in summary.below_floor] == ["Ville B"]
    assert summary.rank_profile == {"1": 1, "2": 1, "none": 4}
    # The objective as the engine counts it: pair scores plus 300 per placement up to each floor (2 + 2).
    scores = sum(p.score for p in world.proposals.values())
    assert summary.score == scores + 3 * 100 * (2 + 2)
    before = summary.quality

    round_review.set_decision(world.coordinator, world.proposals["b2"], ReviewDecision.REJECT, "Déjà venu.")
    after = review_summary.summary(fresh(world.round))
    assert (after.placed, after.unmatched) == (5, 5)
    assert after.score == scores - world.proposals["b2"].score + 3 * 100 * (2 + 1)
    assert after.quality < before
    assert after.counts[ProposalStatus.REJECTED] == 1
    assert [(r.name, r.placed, r.considered) for r in after.rates][0] == ("Ville B", 1, 6)


def test_bulk_approve_of_a_selection_and_of_a_filter(world):
    a = world.proposals
    result = round_review.bulk_decide(
        world.coordinator, world.round, "approve", selection=[(a["a1"].id, a["a1"].version), (a["b1"].id, 1)]
    )
    assert (result.changed, result.skipped) == (2, 0)
    assert {fresh(a[n]).status for n in ("a1", "b1")} == {ProposalStatus.APPROVED}

    host_x = ReviewFilter(host=world.host_x.id)
    token = review_table.token(world.round, host_x)
    result = round_review.bulk_decide(world.coordinator, world.round, "approve", review_filter=host_x, expected=token)
    assert (result.changed, result.skipped) == (1, 2)  # a2; a1 and b1 were approved already
    assert fresh(a["a2"]).status == ProposalStatus.APPROVED
    assert fresh(a["a3"]).status == ProposalStatus.PROPOSED  # another host: untouched


def test_bulk_reject_needs_one_reason_and_forbids_each_pair(world):
    a = world.proposals
    selection = [(a["b1"].id, 1), (a["b2"].id, 1)]
    with pytest.raises(ServiceError) as refused:
        round_review.bulk_decide(world.coordinator, world.round, ReviewDecision.REJECT, " ", selection=selection)
    assert "reason" in refused.value.errors
    result = round_review.bulk_decide(world.coordinator, world.round, "reject", "Service fermé.", selection=selection)
    assert result.changed == 2
    assert {fresh(a[n]).coordinator_reason for n in ("b1", "b2")} == {"Service fermé."}
    assert db.session.scalar(select(func.count(ForbiddenPair.id))) == 2


def test_a_bulk_decision_on_what_changed_since_is_refused_as_a_whole(world):
    a = world.proposals
    stale = [(a["a1"].id, a["a1"].version), (a["a2"].id, a["a2"].version)]
    host_x = ReviewFilter(host=world.host_x.id)
    token = review_table.token(world.round, host_x)
    round_review.set_pinned(world.coordinator, a["a1"], True)  # someone else changed a1 meanwhile
    with pytest.raises(Conflict, match="rien n'a été modifié"):
        round_review.bulk_decide(world.coordinator, world.round, "approve", selection=stale)
    with pytest.raises(Conflict):
        round_review.bulk_decide(world.coordinator, world.round, "approve", review_filter=host_x, expected=token)
    assert fresh(a["a2"]).status == ProposalStatus.PROPOSED and fresh(a["b1"]).status == ProposalStatus.PROPOSED
    # A proposal of another round is not part of this one: refused too.
    with pytest.raises(Conflict):
        round_review.bulk_decide(world.coordinator, world.round, "approve", selection=[(10**6, 1)])


def test_a_bulk_decision_on_a_round_rerun_since_is_refused(world):
    a2 = world.proposals["a2"]
    rounds.rerun_round(world.coordinator, world.round)
    with pytest.raises(RoundStateConflict, match="rien n'a été modifié"):
        round_review.bulk_decide(world.coordinator, world.round, "approve", selection=[(a2.id, a2.version)])
    assert fresh(a2).status == ProposalStatus.PROPOSED


def test_publication_sends_only_the_approved_by_default(world):
    a = world.proposals
    round_review.bulk_decide(world.coordinator, world.round, "approve", selection=[(a["a1"].id, 1), (a["b2"].id, 1)])
    round_review.set_decision(world.coordinator, a["a3"], ReviewDecision.REJECT, "Pas cette année.")
    preview = publication.preview(fresh(world.round))
    assert (preview.to_send, preview.held_back, preview.rejected, preview.told) == (2, 3, 1, 4)
    lines = {line.name: (line.agents, line.hosted, line.told) for line in preview.lines}
    assert lines == {"Ville A": (1, 0, 0), "Ville B": (1, 0, 4), "Métropole X": (0, 1, 0), "Métropole Y": (0, 1, 0)}

    sent = round_review.publish_round(world.coordinator, fresh(world.round), expected=preview.token)
    assert sent == 2
    statuses = {name: fresh(p).status for name, p in a.items()}
    assert statuses == {
        "a1": ProposalStatus.PUBLISHED,
        "b2": ProposalStatus.PUBLISHED,
        "a3": ProposalStatus.REJECTED,
        "a2": ProposalStatus.PROPOSED,  # never reviewed: never sent
        "a4": ProposalStatus.PROPOSED,
        "b1": ProposalStatus.PROPOSED,
    }
    a2_request = fresh(a["a2"].request)
    assert a2_request.status == RequestStatus.APPROVED and a2_request.rounds_waited == 1  # next round, first
    assert fresh(a["a1"].request).status == RequestStatus.MATCHED
    # After publication the indicators count what was sent.
    summary = review_summary.summary(fresh(world.round))
    assert (summary.placed, summary.unmatched, summary.in_review) == (2, 8, False)


def test_the_other_setting_sends_the_unreviewed_too(world):
    publication.set_scope(world.coordinator, world.network, "approved_and_unreviewed")
    round_review.set_decision(world.coordinator, world.proposals["a3"], ReviewDecision.REJECT, "Pas cette année.")
    preview = publication.preview(fresh(world.round))
    assert (preview.to_send, preview.held_back) == (5, 0)
    assert round_review.publish_round(world.coordinator, fresh(world.round), expected=preview.token) == 5
    with pytest.raises(ServiceError) as refused:
        publication.set_scope(world.coordinator, world.network, "everything")
    assert "publication_scope" in refused.value.errors
    assert fresh(world.network).publication_scope == PublicationScope.APPROVED_AND_UNREVIEWED


def test_a_publication_confirmed_on_an_outdated_summary_is_refused(world):
    preview = publication.preview(world.round)
    round_review.set_decision(world.coordinator, world.proposals["a1"], ReviewDecision.APPROVE)
    with pytest.raises(Conflict, match="récapitulatif"):
        round_review.publish_round(world.coordinator, world.round, expected=preview.token)
    assert fresh(world.round).status == RoundStatus.PROPOSED
    assert fresh(world.proposals["a1"]).status == ProposalStatus.APPROVED


def test_a_replacement_for_a_request_withdrawn_since_says_so(world):
    a1 = world.proposals["a1"]
    a1.request.status = RequestStatus.WITHDRAWN
    db.session.commit()
    with pytest.raises(ServiceError, match="retirée depuis le calcul"):
        round_review.replace_session(world.coordinator, a1, world.proposals["a3"].session_id)
    assert fresh(a1).session_id == world.proposals["a1"].session_id and not fresh(a1).replaced
