"""Rounds: the converter, a whole run on the demo network, atomic saving and reruns."""

import time
from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import delete, func, select

from mobilite.extensions import db
from mobilite.lifecycles.proposal import ReviewDecision
from mobilite.lifecycles.round import (
    MAX_ATTEMPTS,
    TRANSITIONS,
    RoundFailure,
    RoundStateConflict,
    check_transition,
    failure_message,
)
from mobilite.models import (
    AuditEvent,
    Network,
    Proposal,
    ProposalStatus,
    PublicationScope,
    RequestStatus,
    Round,
    RoundStatus,
    User,
    utcnow,
)
from mobilite.services import demo, round_review, rounds
from mobilite.services.round_problem import load_problem

PASSWORD = "demo password for tests"


@pytest.fixture
def network(ctx):
    demo.load_demo(PASSWORD)
    return db.session.scalar(select(Network))


def _proposals(round_id):
    return sorted(
        (p.request_id, p.session_id, p.score)
        for p in db.session.scalars(select(Proposal).where(Proposal.round_id == round_id))
    )


def test_converter_loads_approved_requests_and_open_sessions_in_bounded_queries(network):
    from sqlalchemy import event

    statements = []
    listener = lambda *args: statements.append(1)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        loaded = load_problem(network, rounds.week_of(date.today()))
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    problem = loaded.problem
    problem.validate()
    assert len(problem.requests) >= 20 and len(problem.sessions) >= 40
    assert len(statements) <= 20  # a fixed number, whatever the size
    # Days of past immersions (the demo has five months of history) come off each agent's quota.
    from mobilite.services.rules import remaining_quota

    remaining = {r.agent_id: remaining_quota(int(r.agent_id), network, date.today()) for r in problem.requests}
    assert all(r.quota_days == remaining[r.agent_id] for r in problem.requests)
    assert any(r.quota_days < network.quota_days for r in problem.requests)


def test_a_round_runs_end_to_end_on_the_demo_network(network):
    round_ = rounds.request_round(network, rounds.week_of(date.today()), trigger="manual")
    assert round_.status == RoundStatus.SCHEDULED
    done = rounds.run_round(round_.id)
    assert done.status == RoundStatus.PROPOSED, done.error
    placed = _proposals(round_.id)
    assert placed and done.metrics["placed"] == len(placed)
    assert {"load", "solve", "save"} <= set(done.timings)
    proposal = db.session.scalar(select(Proposal).where(Proposal.round_id == round_.id))
    assert proposal.status == ProposalStatus.PROPOSED and sum(proposal.breakdown.values()) == proposal.score
    assert proposal.request.status == RequestStatus.APPROVED  # nothing is published yet
    assert proposal.request.organisation_id != proposal.session.offer.organisation_id


def test_one_round_per_network_and_week(network):
    week = rounds.week_of(date.today())
    first = rounds.request_round(network, week, trigger="schedule")
    assert first is not None
    assert rounds.request_round(network, week, trigger="manual") is None
    assert db.session.scalar(select(func.count(Round.id)).where(Round.week_start == week)) == 1


def test_a_round_running_elsewhere_is_not_run_twice(network):
    round_ = rounds.request_round(network, rounds.week_of(date.today()), trigger="manual")
    assert rounds.run_round(round_.id) is not None
    assert rounds.run_round(round_.id) is None  # no longer scheduled: the second scheduler backs off


def test_failure_while_saving_leaves_nothing_and_a_rerun_gives_the_same_result(network, monkeypatch, caplog):
    reference = rounds.request_round(network, rounds.week_of(date.today()), trigger="manual")
    rounds.run_round(reference.id)
    expected = [(r, s) for r, s, _score in _proposals(reference.id)]
    db.session.execute(Proposal.__table__.delete().where(Proposal.round_id == reference.id))
    db.session.delete(reference)
    db.session.commit()

    broken = rounds.request_round(network, rounds.week_of(date.today()), trigger="manual")
    original_add_all = db.session.add_all

    def explode(items):
        original_add_all(items)
        db.session.flush()  # the proposals reach the database before the crash
        raise RuntimeError("killed while saving")

    monkeypatch.setattr(db.session, "add_all", explode)
    failed = rounds.run_round(broken.id)
    monkeypatch.undo()
    # The round keeps a failure code for the coordinator; the exception and its traceback go to the log.
    assert failed.status == RoundStatus.FAILED and failed.error == RoundFailure.ERROR
    assert any("killed while saving" in (r.exc_text or "") and r.levelname == "ERROR" for r in caplog.records)
    assert _proposals(broken.id) == []

    rounds.rerun_round(None, failed)
    again = rounds.run_round(broken.id)
    assert again.status == RoundStatus.PROPOSED
    assert [(r, s) for r, s, _score in _proposals(broken.id)] == expected


def _left_running(round_: Round, attempts: int, silent_for: timedelta) -> None:
    """What a scheduler killed in the middle of a run leaves behind."""
    round_.status, round_.phase, round_.attempts = RoundStatus.RUNNING, "solving", attempts
    round_.heartbeat_at = round_.updated_at = utcnow() - silent_for
    db.session.commit()


def test_a_round_whose_runner_was_killed_is_retried_within_two_minutes(network):
    """Finding 15: it stayed running for 15 minutes, blocking reruns, then failed with no retry."""
    round_ = rounds.request_round(network, rounds.week_of(date.today()), trigger="manual")
    _left_running(round_, attempts=1, silent_for=timedelta(seconds=100))
    assert rounds.run_due_rounds() == [round_.id]  # requeued, then run by this scheduler
    db.session.refresh(round_)
    assert round_.status == RoundStatus.PROPOSED and round_.attempts == 2 and round_.error == ""
    assert _proposals(round_.id)


def test_a_round_still_beating_is_left_to_its_runner(network):
    round_ = rounds.request_round(network, rounds.week_of(date.today()), trigger="manual")
    _left_running(round_, attempts=1, silent_for=timedelta(seconds=10))
    assert rounds.fail_stale_rounds() == 0 and rounds.run_due_rounds() == []
    db.session.refresh(round_)
    assert round_.status == RoundStatus.RUNNING and round_.attempts == 1


def test_after_the_last_attempt_a_killed_round_fails_with_a_plain_reason(network, caplog):
    round_ = rounds.request_round(network, rounds.week_of(date.today()), trigger="manual")
    _left_running(round_, attempts=MAX_ATTEMPTS, silent_for=timedelta(minutes=5))
    assert rounds.fail_stale_rounds() == 1
    db.session.refresh(round_)
    assert round_.status == RoundStatus.FAILED and round_.error == RoundFailure.INTERRUPTED
    assert "Vous pouvez relancer" in failure_message(round_.error)
    with force_locale("en"):
        assert failure_message(round_.error).startswith("The scheduler computing this round stopped")
        assert failure_message("(psycopg.errors.X) SELECT …").startswith("The round's computation stopped")
    assert any(r.levelname == "ERROR" and f"round {round_.id}" in r.getMessage() for r in caplog.records)
    # A coordinator's rerun starts a fresh series of attempts.
    rounds.rerun_round(None, round_)
    assert round_.status == RoundStatus.SCHEDULED and round_.attempts == 0
    assert rounds.run_due_rounds() == [round_.id] and round_.attempts == 1


def test_a_runner_that_was_taken_over_cannot_save_or_fail_the_round(network):
    round_ = rounds.request_round(network, rounds.week_of(date.today()), trigger="manual")
    first = rounds._claim_for_running(round_.id)
    _left_running(round_, attempts=first, silent_for=timedelta(minutes=5))
    assert rounds.fail_stale_rounds() == 1  # requeued …
    assert rounds._claim_for_running(round_.id) == first + 1  # … and claimed by another scheduler
    with pytest.raises(rounds.RunLost):
        rounds._beat(round_.id, first, phase="saving")
    loaded = load_problem(network, round_.week_start, round_)
    import appariement

    with pytest.raises(rounds.RunLost):
        rounds.save_solution(round_, appariement.solve(loaded.problem), {}, first)
    assert rounds._mark_failed(round_.id, first, RoundFailure.ERROR) is False
    db.session.refresh(round_)
    assert round_.status == RoundStatus.RUNNING and round_.attempts == first + 1 and _proposals(round_.id) == []


def test_the_heartbeat_thread_beats_while_the_runner_works(_app, monkeypatch):
    """On committed data: the heartbeat writes on a connection of its own."""
    from tests.factories import NetworkFactory

    with _app.app_context():
        network = NetworkFactory()
        round_ = rounds.request_round(network, rounds.week_of(date.today()), trigger="manual")
        attempt = rounds._claim_for_running(round_.id)
        claimed_beat = round_.heartbeat_at
        try:
            with rounds.Heartbeat(round_.id, attempt, every=timedelta(seconds=0.05)):
                time.sleep(0.5)
            db.session.rollback()  # a fresh snapshot
            later = db.session.get(Round, round_.id).heartbeat_at
            assert later > claimed_beat
        finally:
            db.session.rollback()
            db.session.execute(delete(AuditEvent).where(AuditEvent.network_id == network.id))
            db.session.execute(delete(Round).where(Round.id == round_.id))
            db.session.execute(delete(Network).where(Network.id == network.id))
            db.session.commit()
            db.session.remove()


def test_rejected_pairs_are_forbidden_and_pins_are_kept_on_rerun(network):
    round_ = rounds.request_round(network, rounds.week_of(date.today()), trigger="manual")
    rounds.run_round(round_.id)
    proposals = db.session.scalars(select(Proposal).where(Proposal.round_id == round_.id).order_by(Proposal.id)).all()
    kept, rejected = proposals[0], proposals[1]
    kept.pinned = True
    db.session.commit()
    loaded = load_problem(network, round_.week_start, round_)
    assert (str(kept.request_id), str(kept.session_id)) in loaded.problem.pins

    coordinator = db.session.scalar(select(User).where(User.email == "coordination@demo.mobilite.fr"))
    round_review.set_decision(coordinator, rejected, ReviewDecision.REJECT, reason="Déjà venu·e dans ce service.")
    loaded = load_problem(network, round_.week_start, round_)
    assert (str(rejected.request_id), str(rejected.session_id)) in loaded.problem.forbidden

    rounds.rerun_round(coordinator, round_)
    rounds.run_round(round_.id)
    again = db.session.scalars(select(Proposal).where(Proposal.round_id == round_.id)).all()
    assert any(p.pinned and (p.request_id, p.session_id) == (kept.request_id, kept.session_id) for p in again)
    assert all((p.request_id, p.session_id) != (rejected.request_id, rejected.session_id) for p in again)


def test_the_transition_table_allows_its_moves_and_refuses_every_other(ctx):
    for current in RoundStatus:
        for target in RoundStatus:
            if target in TRANSITIONS[current]:
                check_transition(current, target)
            else:
                with pytest.raises(RoundStateConflict) as refused:
                    check_transition(current, target)
                assert refused.value.errors["_schema"][0], (current, target)
    assert TRANSITIONS[RoundStatus.PUBLISHED] == frozenset()  # final: never rerun, never unpublished


def test_publish_and_rerun_refuse_each_other_in_turn(network):
    coordinator = db.session.scalar(select(User).where(User.email == "coordination@demo.mobilite.fr"))
    round_ = rounds.request_round(network, rounds.week_of(date.today()), trigger="manual")
    with pytest.raises(RoundStateConflict, match="relance de ce tour est en attente"):
        round_review.publish_round(coordinator, round_)  # scheduled: its proposals are not ready
    rounds.run_round(round_.id)
    network.publication_scope = PublicationScope.APPROVED_AND_UNREVIEWED  # nothing reviewed: send it all
    db.session.commit()
    round_review.publish_round(coordinator, round_)
    with pytest.raises(RoundStateConflict, match="ne peut plus être relancé"):
        rounds.rerun_round(coordinator, round_)
    db.session.refresh(round_)
    assert round_.status == RoundStatus.PUBLISHED and round_.attempts == 1
    assert all(p.status == ProposalStatus.PUBLISHED for p in round_.proposals)
