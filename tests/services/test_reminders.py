"""Reminders before deadlines, each once: the employer's legal month to answer a request (near, then passed,
the agent told too), a proposal whose last day to answer is tomorrow; and a round's coordinators told once
per run."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from mobilite.extensions import db
from mobilite.models import Answer, InboxItem, Notification, RequestStatus, Role, RoundStatus
from mobilite.services import reminders, rounds
from mobilite.services.requests import answer_deadline
from tests.factories import (
    CoordinatorFactory,
    OfferFactory,
    OfferSessionFactory,
    OrganisationFactory,
    ProposalFactory,
    RequestFactory,
    UserFactory,
)


def _kinds(user) -> list[str]:
    return sorted(db.session.scalars(select(InboxItem.kind).where(InboxItem.user_id == user.id)))


def _people():
    home = OrganisationFactory()
    host = OrganisationFactory(network=home.network)
    return (
        UserFactory(organisation=home, first_name="Inès"),
        UserFactory(organisation=home, first_name="Hugo", roles=[Role.RH]),
        UserFactory(organisation=host, first_name="Léon", roles=[Role.RH]),
    )


def test_hr_is_reminded_before_the_legal_deadline_then_told_with_the_agent_when_it_passes(ctx):
    agent, home_hr, _host_hr = _people()
    request = RequestFactory(agent=agent, submitted_at=datetime(2026, 11, 2, 9, tzinfo=UTC))
    deadline = answer_deadline(request)
    assert deadline == date(2026, 12, 2)

    assert reminders.remind_deadlines(deadline - timedelta(days=8))["requests"] == 0  # not yet
    assert reminders.remind_deadlines(deadline - timedelta(days=7))["requests"] == 1
    assert reminders.remind_deadlines(deadline - timedelta(days=3))["requests"] == 0  # once
    assert _kinds(home_hr) == ["request.deadline_soon"] and _kinds(agent) == []
    soon = db.session.scalar(select(InboxItem).where(InboxItem.user_id == home_hr.id))
    assert soon.due_on == deadline and "mercredi 2 décembre 2026" in soon.summary

    assert reminders.remind_deadlines(deadline)["requests"] == 0  # the last day is still in time
    assert reminders.remind_deadlines(deadline + timedelta(days=1))["requests"] == 1
    assert reminders.remind_deadlines(deadline + timedelta(days=2))["requests"] == 0
    assert _kinds(home_hr) == ["request.deadline_passed.rh", "request.deadline_soon"]
    assert _kinds(agent) == ["request.deadline_passed.agent"]
    # Passed: urgent for HR (at once, although their requests come in the morning digest), and the agent's.
    sent = sorted(db.session.scalars(select(Notification.kind)))
    assert sent == ["request.deadline_passed.agent", "request.deadline_passed.rh"]


def test_an_answered_request_and_hr_officers_own_request_are_not_reminded(ctx):
    agent, home_hr, _host_hr = _people()
    submitted = datetime(2026, 11, 2, 9, tzinfo=UTC)
    RequestFactory(agent=agent, submitted_at=submitted, status=RequestStatus.POSTPONED)  # postponing answers
    RequestFactory(agent=agent, submitted_at=submitted, status=RequestStatus.APPROVED)
    colleague = UserFactory(organisation=home_hr.organisation, roles=[Role.RH, Role.AGENT])
    RequestFactory(agent=home_hr, submitted_at=submitted)  # an HR officer's own request: a colleague decides
    assert reminders.remind_deadlines(date(2026, 11, 25))["requests"] == 1
    assert _kinds(home_hr) == [] and _kinds(colleague) == ["request.deadline_soon"]


def test_the_silent_side_is_told_the_day_before_a_proposal_expires_once(ctx):
    agent, _home_hr, host_hr = _people()
    session = OfferSessionFactory(offer=OfferFactory(organisation=host_hr.organisation))
    request = RequestFactory(agent=agent, status=RequestStatus.MATCHED)
    respond_by = date.today() + timedelta(days=1)
    ProposalFactory(session=session, request=request, respond_by=respond_by, agent_answer=Answer.ACCEPTED)
    later = ProposalFactory(session=session, respond_by=respond_by + timedelta(days=5))

    assert reminders.remind_deadlines(date.today())["proposals"] == 1
    assert reminders.remind_deadlines(date.today())["proposals"] == 0
    assert _kinds(agent) == []  # they answered
    assert _kinds(host_hr) == ["proposal.expiring.host"]
    # Urgent: at once, although HR's proposals otherwise wait for digests.
    assert db.session.scalar(select(Notification.kind).where(Notification.recipient_id == host_hr.id)) == (
        "proposal.expiring.host"
    )
    assert _kinds(later.request.agent) == []


def test_coordinators_hear_once_per_run_that_a_round_is_ready_or_failed(ctx, monkeypatch):
    from mobilite.models import Network

    agent, _home_hr, _host_hr = _people()
    network = db.session.get(Network, agent.organisation.network_id)
    watcher = CoordinatorFactory(network_id=network.id)
    starter = CoordinatorFactory(network_id=network.id)
    round_ = rounds.request_round(network, rounds.week_of(date.today()), trigger="manual", actor=starter)
    assert rounds.run_round(round_.id).status == RoundStatus.PROPOSED
    assert _kinds(watcher) == ["round.ready"] and _kinds(starter) == []  # the starter watches the page

    def broken(*_args, **_kwargs):
        raise RuntimeError("solver down")

    rounds.rerun_round(starter, round_)
    monkeypatch.setattr(rounds.appariement, "solve", broken)
    assert rounds.run_round(round_.id).status == RoundStatus.FAILED
    assert _kinds(watcher) == ["round.failed", "round.ready"]
