"""Rounds: the converter, a whole run on the demo network, atomic saving and reruns."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from mobilite.extensions import db
from mobilite.models import (
    Network,
    Proposal,
    ProposalStatus,
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
    return sorted((p.request_id, p.session_id, p.score) for p in db.session.scalars(
        select(Proposal).where(Proposal.round_id == round_id)))


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


def test_failure_while_saving_leaves_nothing_and_a_rerun_gives_the_same_result(network, monkeypatch):
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
    assert failed.status == RoundStatus.FAILED and "killed while saving" in failed.error
    assert _proposals(broken.id) == []

    rounds.rerun_round(None, failed)
    again = rounds.run_round(broken.id)
    assert again.status == RoundStatus.PROPOSED
    assert [(r, s) for r, s, _score in _proposals(broken.id)] == expected


def test_a_round_left_running_by_a_killed_process_is_marked_failed(network):
    round_ = rounds.request_round(network, rounds.week_of(date.today()), trigger="manual")
    round_.status = RoundStatus.RUNNING
    round_.updated_at = utcnow() - rounds.STALE_AFTER - timedelta(minutes=1)
    db.session.commit()
    assert rounds.fail_stale_rounds() == 1
    db.session.refresh(round_)
    assert round_.status == RoundStatus.FAILED and round_.error.startswith("interrupted")


def test_rejected_pairs_are_forbidden_and_pins_are_kept_on_rerun(network):
    round_ = rounds.request_round(network, rounds.week_of(date.today()), trigger="manual")
    rounds.run_round(round_.id)
    proposals = db.session.scalars(select(Proposal).where(Proposal.round_id == round_.id)
                                   .order_by(Proposal.id)).all()
    kept, rejected = proposals[0], proposals[1]
    kept.pinned = True
    db.session.commit()
    loaded = load_problem(network, round_.week_start, round_)
    assert (str(kept.request_id), str(kept.session_id)) in loaded.problem.pins

    coordinator = db.session.scalar(select(User).where(User.email == "coordination@demo.mobilite.fr"))
    round_review.set_decision(coordinator, rejected, approve=False, reason="Déjà venu·e dans ce service.")
    loaded = load_problem(network, round_.week_start, round_)
    assert (str(rejected.request_id), str(rejected.session_id)) in loaded.problem.forbidden

    rounds.rerun_round(coordinator, round_)
    rounds.run_round(round_.id)
    again = db.session.scalars(select(Proposal).where(Proposal.round_id == round_.id)).all()
    assert any(p.pinned and (p.request_id, p.session_id) == (kept.request_id, kept.session_id) for p in again)
    assert all((p.request_id, p.session_id) != (rejected.request_id, rejected.session_id) for p in again)
