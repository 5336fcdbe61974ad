"""Feedback from both sides after an immersion, asked for with reminders at +3 and +10 days."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from mobilite.extensions import db
from mobilite.models import Feedback, FeedbackSide, Immersion, ImmersionStatus, InboxItem, Outcome, Role
from mobilite.services import rules
from mobilite.services.errors import ServiceError
from mobilite.services.feedback import give_feedback, request_feedback
from tests.factories import ImmersionFactory, UserFactory

START = date(2031, 3, 3)  # a Monday
END = START + timedelta(days=2)
DONE = {"outcome": "done", "satisfaction": 5, "learned": "L'instruction des permis.", "would_recommend": True}


@pytest.fixture
def immersion(ctx):
    return ImmersionFactory(
        proposal__session__start_date=START, proposal__session__end_date=END, proposal__session__working_days=3
    )


@pytest.fixture
def host_hr(immersion):
    return UserFactory(organisation=immersion.session.offer.organisation, roles=[Role.RH])


def _agent(immersion):
    return immersion.proposal.request.agent


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 7, tzinfo=UTC)


def _sent(kind_prefix: str) -> list[tuple[int, str]]:
    """Who was told what: every message is in the person's inbox, e-mailed at once or in a digest."""
    return sorted(
        db.session.execute(
            select(InboxItem.user_id, InboxItem.kind).where(InboxItem.kind.startswith(kind_prefix))
        ).all()
    )


def test_feedback_is_asked_after_the_end_then_reminded_at_3_and_10_days(immersion, host_hr):
    agent = _agent(immersion)
    first = END + timedelta(days=1)
    assert request_feedback(END, _at(END)) == 0  # not before the end
    assert request_feedback(first, _at(first)) == 1
    assert db.session.get(Immersion, immersion.id).status == ImmersionStatus.DONE
    assert _sent("feedback.request") == sorted(
        [(agent.id, "feedback.request.agent"), (host_hr.id, "feedback.request.host")]
    )
    assert request_feedback(first + timedelta(days=2), _at(first)) == 0
    assert request_feedback(first + timedelta(days=3), _at(first)) == 1
    assert len(_sent("feedback.reminder")) == 2

    # The agent answers: only the host is reminded at +10.
    give_feedback(agent, db.session.get(Immersion, immersion.id), FeedbackSide.AGENT, DONE, today=first)
    assert request_feedback(first + timedelta(days=9), _at(first)) == 0
    assert request_feedback(first + timedelta(days=10), _at(first)) == 1
    reminders = _sent("feedback.reminder")
    assert reminders.count((host_hr.id, "feedback.reminder.host")) == 2
    assert reminders.count((agent.id, "feedback.reminder.agent")) == 1
    # No third reminder, ever.
    assert request_feedback(first + timedelta(days=30), _at(first)) == 0


def test_no_reminder_once_both_sides_answered(immersion, host_hr):
    first = END + timedelta(days=1)
    request_feedback(first, _at(first))
    give_feedback(_agent(immersion), immersion, FeedbackSide.AGENT, DONE, today=first)
    give_feedback(host_hr, immersion, FeedbackSide.HOST, DONE, today=first)
    assert request_feedback(first + timedelta(days=3), _at(first)) == 0
    assert _sent("feedback.reminder") == []


def test_a_late_job_sends_one_reminder_not_two(immersion, host_hr):
    first = END + timedelta(days=1)
    request_feedback(first, _at(first))
    assert request_feedback(first + timedelta(days=12), _at(first)) == 1
    assert request_feedback(first + timedelta(days=13), _at(first)) == 0
    assert db.session.get(Immersion, immersion.id).feedback_reminders == 2


def test_feedback_is_saved_once_per_side(immersion, host_hr):
    agent = _agent(immersion)
    feedback = give_feedback(agent, immersion, FeedbackSide.AGENT, DONE, today=END)  # opens on the last day
    assert (feedback.outcome, feedback.satisfaction, feedback.would_recommend) == (Outcome.DONE, 5, True)
    with pytest.raises(ServiceError, match="déjà été donné"):
        give_feedback(agent, immersion, FeedbackSide.AGENT, DONE, today=END)
    give_feedback(host_hr, immersion, FeedbackSide.HOST, {**DONE, "would_recommend": False}, today=END)
    assert len(db.session.scalars(select(Feedback)).all()) == 2


def test_feedback_rules(immersion, host_hr):
    agent = _agent(immersion)
    with pytest.raises(ServiceError, match="dernier jour"):
        give_feedback(agent, immersion, FeedbackSide.AGENT, DONE, today=END - timedelta(days=1))
    with pytest.raises(ServiceError) as exc:
        give_feedback(agent, immersion, FeedbackSide.AGENT, {"outcome": "partly_done"}, today=END)
    assert set(exc.value.errors) == {"outcome_reason", "satisfaction", "would_recommend", "days_done"}
    with pytest.raises(ServiceError):  # nobody gives the other side's feedback
        give_feedback(agent, immersion, FeedbackSide.HOST, DONE, today=END)
    with pytest.raises(ServiceError):
        give_feedback(host_hr, immersion, FeedbackSide.AGENT, DONE, today=END)
    assert db.session.scalars(select(Feedback)).all() == []


def test_an_immersion_both_sides_say_did_not_happen_gives_its_days_back(immersion, host_hr):
    agent = _agent(immersion)
    network = immersion.proposal.round.network
    assert rules.used_quota_days(agent.id, network, START) == 3
    missed = {"outcome": "did_not_happen", "outcome_reason": "Grève des transports.", "satisfaction": 4}
    feedback = give_feedback(agent, immersion, FeedbackSide.AGENT, missed, today=END)
    assert feedback.satisfaction is None  # no rating for what did not happen
    assert immersion.status == ImmersionStatus.CONFIRMED  # one side alone does not cancel
    give_feedback(host_hr, immersion, FeedbackSide.HOST, missed, today=END)
    assert db.session.get(Immersion, immersion.id).status == ImmersionStatus.CANCELLED
    assert rules.used_quota_days(agent.id, network, START) == 0


def test_a_cancelled_immersion_is_announced_at_once_to_everyone_but_the_one_who_said_so(immersion, host_hr):
    from mobilite.models import Notification

    agent = _agent(immersion)
    missed = {"outcome": "did_not_happen", "outcome_reason": "Grève des transports."}
    give_feedback(agent, immersion, FeedbackSide.AGENT, missed, today=END)
    give_feedback(host_hr, immersion, FeedbackSide.HOST, missed, today=END)
    assert _sent("immersion.cancelled") == [(agent.id, "immersion.cancelled.agent")]
    # Urgent: e-mailed at once.
    assert db.session.scalar(select(Notification.kind).where(Notification.recipient_id == agent.id)) == (
        "immersion.cancelled.agent"
    )
