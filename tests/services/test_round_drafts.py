"""Other settings tried on a round: asked in the web request, solved only by the scheduler's job, claimed
once, compared with the round, then kept (as a rerun would) or left; never kept once the round is published."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

import appariement
from benchmarks.synthetic import load_network
from mobilite.extensions import db
from mobilite.lifecycles.proposal import ReviewDecision
from mobilite.models import AuditEvent, DraftStatus, Network, Proposal, ProposalStatus, RoundStatus
from mobilite.services import publication, round_comparison, round_drafts, round_review, rounds
from mobilite.services.errors import ServiceError
from tests.factories import CoordinatorFactory
from tests.fixtures import fresh

# Wishes count for nothing, distance for all: the draft places agents differently.
OTHER_WEIGHTS = {"weights": {"wish": 0, "interest": 0, "distance": 10}, "fairness_floor_percent": 0}


@pytest.fixture
def round_(ctx):
    """A small synthetic network's round, run and in review."""
    network = db.session.get(
        Network, load_network(20, 60, 4, seed=3, all_approved=True, label="drafts", refresh_statistics=False)
    )
    asked = rounds.request_round(network, rounds.week_of(date.today()), trigger="manual")
    done = rounds.run_round(asked.id)
    assert done.status == RoundStatus.PROPOSED and len(done.proposals) >= 10, done.error
    return done


@pytest.fixture
def coordinator(round_):
    return CoordinatorFactory(network_id=round_.network_id)


def _placements(round_) -> dict[int, tuple[int, int, ProposalStatus]]:
    rows = db.session.execute(
        select(Proposal.request_id, Proposal.session_id, Proposal.version, Proposal.status).where(
            Proposal.round_id == round_.id
        )
    ).all()
    return {r: (s, v, status) for r, s, v, status in rows}


def _audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_the_draft_is_solved_by_the_job_only(round_, coordinator, monkeypatch):
    before = _placements(round_)
    solved = []
    real = appariement.solve
    monkeypatch.setattr(appariement, "solve", lambda problem: solved.append(problem) or real(problem))

    draft = round_drafts.start_draft(round_, coordinator, OTHER_WEIGHTS)
    assert draft.status == DraftStatus.QUEUED and solved == []  # asked, not solved
    assert draft.settings["weights"]["wish"] == 0 and draft.settings["weights"]["base"] == 1  # the round's others
    assert round_comparison.comparison(draft).original is None  # nothing to compare yet

    assert round_drafts.run_pending_drafts() == [(draft.id, DraftStatus.DONE)]
    [problem] = solved
    assert problem.settings.weights.wish == 0 and problem.settings.weights.distance == 10
    assert problem.settings.fairness_floor == 0
    assert fresh(draft).status == DraftStatus.DONE
    assert _placements(round_) == before  # the round is untouched until a draft is kept
    assert round_drafts.run_pending_drafts() == []  # done: not run again


def test_two_claims_make_one_run(round_, coordinator):
    draft = round_drafts.start_draft(round_, coordinator, OTHER_WEIGHTS)
    assert round_drafts.claim(draft.id) == 1
    assert round_drafts.claim(draft.id) is None  # a second scheduler finds it taken
    assert round_drafts.run_draft(draft.id) is None
    assert round_drafts.run_pending_drafts() == []
    assert fresh(draft).status == DraftStatus.RUNNING and fresh(draft).attempts == 1


def test_a_draft_left_running_by_a_dead_scheduler_runs_again(round_, coordinator):
    draft = round_drafts.start_draft(round_, coordinator, OTHER_WEIGHTS)
    assert round_drafts.claim(draft.id) == 1  # and the process dies
    later = fresh(draft).started_at + round_drafts.STALE_AFTER * 2
    assert round_drafts.run_pending_drafts(now=later) == [(draft.id, DraftStatus.DONE)]
    assert fresh(draft).attempts == 2


def test_keeping_the_draft_replaces_the_proposals_as_a_rerun_would(round_, coordinator):
    first = db.session.scalars(select(Proposal).where(Proposal.round_id == round_.id).order_by(Proposal.id)).first()
    round_review.set_decision(coordinator, first, ReviewDecision.APPROVE)
    draft = round_drafts.start_draft(round_, coordinator, OTHER_WEIGHTS)
    round_drafts.run_pending_drafts()
    comparison = round_comparison.comparison(fresh(draft))
    assert comparison.can_keep and comparison.other.placed == len(fresh(draft).result["solution"]["assignments"])
    assert comparison.changes.total > 0  # the weights moved someone
    before = {r: s for r, (s, _v, _st) in _placements(round_).items()}

    round_drafts.keep_draft(coordinator, fresh(draft))
    kept = fresh(round_)
    wanted = {int(a["request"]): int(a["session"]) for a in fresh(draft).result["solution"]["assignments"]}
    after = _placements(kept)
    assert {r: s for r, (s, _v, _st) in after.items()} == wanted
    assert {st for _s, _v, st in after.values()} == {ProposalStatus.PROPOSED}  # all to review again
    assert kept.settings_snapshot["weights"]["wish"] == 0  # the round now reads with the draft's weights
    assert fresh(draft).status == DraftStatus.KEPT
    assert [e.details.get("draft") for e in _audit("round.draft.keep")] == [draft.id]
    # The review page says what changed from the previous version.
    changes = round_comparison.rerun_changes(kept)
    assert changes.total == sum(1 for r in set(before) | set(wanted) if before.get(r) != wanted.get(r))
    with pytest.raises(ServiceError, match="déjà choisi"):
        round_drafts.keep_draft(coordinator, fresh(draft))


def test_keeping_the_original_changes_nothing(round_, coordinator):
    draft = round_drafts.start_draft(round_, coordinator, OTHER_WEIGHTS)
    round_drafts.run_pending_drafts()
    before = _placements(round_)
    round_drafts.discard_draft(coordinator, fresh(draft))
    assert _placements(round_) == before  # same proposals, same versions, same statuses
    assert fresh(draft).status == DraftStatus.DISCARDED
    assert [e.details.get("draft") for e in _audit("round.draft.discard")] == [draft.id]


def test_a_draft_of_a_published_round_is_read_but_cannot_be_kept(round_, coordinator):
    draft_before = round_drafts.start_draft(round_, coordinator, OTHER_WEIGHTS)
    round_drafts.run_pending_drafts()
    round_review.publish_round(coordinator, round_, expected=publication.preview(round_).token)
    with pytest.raises(ServiceError, match="plus en revue"):
        round_drafts.keep_draft(coordinator, fresh(draft_before))
    assert not round_comparison.comparison(fresh(draft_before)).can_keep

    after = round_drafts.start_draft(fresh(round_), coordinator, OTHER_WEIGHTS)  # an "Aperçu" of other settings
    assert round_drafts.run_pending_drafts() == [(after.id, DraftStatus.DONE)]
    comparison = round_comparison.comparison(fresh(after))
    assert comparison.other is not None and not comparison.can_keep
    assert comparison.other.considered == comparison.original.considered  # the requests the round weighed


def test_a_draft_asked_before_a_rerun_cannot_be_kept(round_, coordinator):
    draft = round_drafts.start_draft(round_, coordinator, OTHER_WEIGHTS)
    round_drafts.run_pending_drafts()
    rounds.rerun_round(coordinator, round_)
    rounds.run_due_rounds()
    assert round_comparison.comparison(fresh(draft)).outdated
    with pytest.raises(ServiceError, match="recalculé"):
        round_drafts.keep_draft(coordinator, fresh(draft))


def test_wrong_settings_are_refused_naming_each_field(round_, coordinator):
    with pytest.raises(ServiceError) as refused:
        round_drafts.start_draft(
            round_, coordinator, {"weights": {"wish": 99, "luck": 1}, "fairness_floor_percent": 150, "mode": "x"}
        )
    assert set(refused.value.errors) >= {"weights.wish", "weights.luck", "fairness_floor_percent", "mode"}
    assert round_drafts.drafts_of(round_) == []
