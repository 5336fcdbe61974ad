"""Publishing a round only marks its unmatched agents as to be told; the scheduler words and queues their
e-mails, each exactly once, and a batch that fails is sent on the next run (regression: 250 unmatched agents
made the publication request render 250 e-mails, 17 s on PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from mobilite import notifications
from mobilite.extensions import db
from mobilite.models import ImmersionRequest, Notification, RequestStatus, UnmatchedOutlook
from mobilite.services import outlook, publication, round_review
from tests.factories import RequestFactory, UserFactory
from tests.fixtures import fresh
from tests.round_review_world import build

EXTRA = 26  # with the world's 4: 30 unmatched agents


@pytest.fixture
def world(ctx):
    world = build()
    for n in range(EXTRA):
        item = RequestFactory(
            agent=UserFactory(organisation=world.home_b, first_name=f"Extra{n}"), status=RequestStatus.APPROVED
        )
        db.session.add(UnmatchedOutlook(round_id=world.round.id, request_id=item.id, reason="outcompeted", data={}))
    db.session.commit()
    return world


def _told() -> list[int]:
    return list(db.session.scalars(select(Notification.recipient_id).where(Notification.kind == "round.unmatched")))


def _publish(world) -> int:
    """Publish, counting the SQL statements the publication runs."""
    preview = publication.preview(fresh(world.round))
    statements = []

    def count(*_args):
        statements.append(1)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        round_review.publish_round(world.coordinator, fresh(world.round), expected=preview.token)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_the_publication_queues_no_unmatched_message_and_the_job_sends_each_once(world, monkeypatch):
    rendered = []
    real = notifications.round_unmatched
    monkeypatch.setattr(notifications, "round_unmatched", lambda *a: rendered.append(1) or real(*a))

    statements = _publish(world)
    assert rendered == [] and _told() == []  # nothing worded nor queued in the request
    assert statements < 60  # bounded: not one message (and its queries) per unmatched agent
    pending = db.session.scalar(select(func.count()).where(UnmatchedOutlook.notify_pending.is_(True)))
    assert pending == 4 + EXTRA

    assert outlook.notify_pending(batch=7) == 4 + EXTRA  # several batches, one run
    told = _told()
    assert len(told) == len(set(told)) == 4 + EXTRA
    assert outlook.notify_pending() == 0  # run again: nothing more
    assert len(_told()) == 4 + EXTRA
    assert db.session.scalar(select(func.count()).where(UnmatchedOutlook.notified_at.is_(None))) == 0


def test_a_batch_that_fails_stays_pending_and_goes_out_on_the_next_run(world, monkeypatch):
    _publish(world)
    real = notifications.round_unmatched
    calls = []

    def breaks_on_the_third(*args):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("the renderer died")
        real(*args)

    monkeypatch.setattr(notifications, "round_unmatched", breaks_on_the_third)
    with pytest.raises(RuntimeError):
        outlook.notify_pending(batch=10)
    db.session.rollback()  # as the job does
    assert _told() == []  # the batch's messages went with its transaction
    assert db.session.scalar(select(func.count()).where(UnmatchedOutlook.notify_pending.is_(True))) == 4 + EXTRA

    monkeypatch.setattr(notifications, "round_unmatched", real)
    assert outlook.notify_pending() == 4 + EXTRA
    assert len(set(_told())) == len(_told()) == 4 + EXTRA


def test_an_agent_who_withdrew_since_the_publication_is_not_told(world):
    _publish(world)
    row = db.session.scalars(select(UnmatchedOutlook).order_by(UnmatchedOutlook.request_id)).first()
    withdrawn = db.session.get(ImmersionRequest, row.request_id)
    withdrawn.status = RequestStatus.WITHDRAWN
    db.session.commit()
    assert outlook.notify_pending() == 3 + EXTRA
    assert withdrawn.agent_id not in _told()
    db.session.refresh(row)
    assert row.notify_pending is False and row.notified_at is not None
