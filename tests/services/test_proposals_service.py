"""After publication: answers, confirmation into an immersion, declines, expiry, and their notifications."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from mobilite.extensions import db
from mobilite.lifecycles.proposal import ProposalAnswer
from mobilite.models import (
    Answer,
    AuditEvent,
    ForbiddenPair,
    Immersion,
    ImmersionStatus,
    InboxItem,
    Notification,
    Proposal,
    ProposalStatus,
    RequestStatus,
    Role,
)
from mobilite.services import rules
from mobilite.services.errors import ServiceError
from mobilite.services.proposals import answer_proposal, expire_proposals
from tests.factories import ImmersionFactory, OfferSessionFactory, ProposalFactory, UserFactory


@pytest.fixture
def parties(ctx):
    proposal = ProposalFactory()
    home_hr = UserFactory(organisation=proposal.request.organisation, roles=[Role.RH])
    host_hr = UserFactory(organisation=proposal.session.offer.organisation, roles=[Role.RH])
    return proposal, proposal.request.agent, home_hr, host_hr


def _kinds(user) -> list[str]:
    """What the person was told: every message is in their inbox, e-mailed at once or in a digest."""
    return sorted(db.session.scalars(select(InboxItem.kind).where(InboxItem.user_id == user.id)))


def _fresh(proposal) -> Proposal:
    db.session.expire_all()
    return db.session.get(Proposal, proposal.id)


def test_both_accept_confirms_and_creates_the_immersion(parties):
    proposal, agent, home_hr, host_hr = parties
    answer_proposal(agent, proposal, "agent", ProposalAnswer.ACCEPT)
    assert _fresh(proposal).status == ProposalStatus.PUBLISHED
    assert _fresh(proposal).agent_answer == Answer.ACCEPTED
    # The agent's acceptance goes to both HR; the host is told only its answer is missing.
    assert _kinds(host_hr) == ["proposal.accepted.host"] and _kinds(home_hr) == ["proposal.accepted.home"]
    assert _kinds(agent) == []
    assert "Il ne manque plus que votre réponse" in db.session.scalar(
        select(InboxItem.summary).where(InboxItem.user_id == host_hr.id)
    )

    answer_proposal(host_hr, proposal, "host", ProposalAnswer.ACCEPT)
    proposal = _fresh(proposal)
    assert proposal.status == ProposalStatus.CONFIRMED and proposal.host_answer == Answer.ACCEPTED
    immersion = db.session.scalar(select(Immersion).where(Immersion.proposal_id == proposal.id))
    session = proposal.session
    assert (immersion.agent_id, immersion.home_organisation_id, immersion.host_organisation_id) == (
        agent.id,
        proposal.request.organisation_id,
        session.offer.organisation_id,
    )
    assert (immersion.start_date, immersion.end_date, immersion.working_days, immersion.session_id) == (
        session.start_date,
        session.end_date,
        session.working_days,
        session.id,
    )
    assert immersion.status == ImmersionStatus.CONFIRMED
    # The request stays matched until the immersion is over.
    assert proposal.request.status == RequestStatus.MATCHED
    for user in (agent, home_hr, host_hr):
        assert f"proposal.confirmed.{ {agent.id: 'agent', home_hr.id: 'home', host_hr.id: 'host'}[user.id] }" in _kinds(
            user
        )
    body = db.session.scalar(select(Notification.body).where(Notification.kind == "proposal.confirmed.agent"))
    assert f"/agent/immersions/{immersion.id}" in body
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"proposal.accept", "proposal.confirm", "immersion.create"} <= actions


def test_host_may_accept_first(parties):
    proposal, agent, home_hr, host_hr = parties
    answer_proposal(host_hr, proposal, "host", ProposalAnswer.ACCEPT)
    assert _kinds(agent) == ["proposal.accepted.agent"] and _kinds(host_hr) == []
    answer_proposal(agent, proposal, "agent", ProposalAnswer.ACCEPT)
    assert _fresh(proposal).status == ProposalStatus.CONFIRMED


@pytest.mark.parametrize("side", ["agent", "host"])
def test_a_decline_sends_the_request_back_and_frees_the_seat(parties, side):
    proposal, agent, home_hr, host_hr = parties
    actor = agent if side == "agent" else host_hr
    answer_proposal(actor, proposal, side, ProposalAnswer.DECLINE, "  Indisponible ces jours-là.  ")
    proposal = _fresh(proposal)
    assert proposal.status == ProposalStatus.DECLINED
    assert proposal.decline_reason == "Indisponible ces jours-là."
    assert proposal.request.status == RequestStatus.APPROVED
    assert proposal.request.rounds_waited == 0
    assert db.session.scalar(select(func.count(Immersion.id))) == 0
    pair = db.session.scalar(select(ForbiddenPair))
    assert (pair.request_id, pair.session_id, pair.source) == (proposal.request_id, proposal.session_id, "declined")
    others = [u for u in (agent, home_hr, host_hr) if u.id != actor.id]
    for user in others:
        assert any(k.startswith("proposal.declined.") for k in _kinds(user))
    assert _kinds(actor) == []
    body = db.session.scalar(select(Notification.body).where(Notification.recipient_id == others[0].id))
    assert "Indisponible ces jours-là." in body


def test_a_decline_needs_a_reason_and_saves_nothing_without_one(parties):
    proposal, agent, *_ = parties
    with pytest.raises(ServiceError) as exc:
        answer_proposal(agent, proposal, "agent", ProposalAnswer.DECLINE, "   ")
    assert "reason" in exc.value.errors
    assert _fresh(proposal).agent_answer is None
    assert db.session.scalar(select(func.count(Notification.id))) == 0


def test_answering_twice_is_refused(parties):
    proposal, agent, *_ = parties
    answer_proposal(agent, proposal, "agent", ProposalAnswer.ACCEPT)
    with pytest.raises(ServiceError, match="déjà répondu"):
        answer_proposal(agent, _fresh(proposal), "agent", ProposalAnswer.DECLINE, "Finalement non")
    assert _fresh(proposal).agent_answer == Answer.ACCEPTED


def test_answering_after_the_deadline_is_refused(parties):
    proposal, agent, *_ = parties
    late = proposal.respond_by + timedelta(days=1)
    with pytest.raises(ServiceError, match="délai de réponse est dépassé"):
        answer_proposal(agent, proposal, "agent", ProposalAnswer.ACCEPT, today=late)
    # The deadline day itself is still in time.
    answer_proposal(agent, proposal, "agent", ProposalAnswer.ACCEPT, today=proposal.respond_by)


def test_nobody_answers_for_someone_else(parties):
    proposal, agent, home_hr, host_hr = parties
    stranger = UserFactory(roles=[Role.RH])
    for actor, side in ((home_hr, "host"), (home_hr, "agent"), (host_hr, "agent"), (agent, "host"), (stranger, "host")):
        with pytest.raises(ServiceError):
            answer_proposal(actor, proposal, side, ProposalAnswer.ACCEPT)
    assert _fresh(proposal).agent_answer is None and _fresh(proposal).host_answer is None


def test_a_closed_proposal_takes_no_answer(parties):
    proposal, agent, home_hr, host_hr = parties
    answer_proposal(host_hr, proposal, "host", ProposalAnswer.DECLINE, "Équipe indisponible")
    with pytest.raises(ServiceError, match="n'attend plus de réponse"):
        answer_proposal(agent, _fresh(proposal), "agent", ProposalAnswer.ACCEPT)


def test_accepting_beyond_the_quota_is_refused(parties):
    proposal, agent, *_ = parties
    network = proposal.round.network
    network.quota_days = 4  # the session lasts 3 working days
    db.session.commit()
    ImmersionFactory(
        agent_id=agent.id,
        proposal__session__start_date=date.today() - timedelta(days=40),
        proposal__session__working_days=2,
    )
    with pytest.raises(ServiceError, match="quota"):
        answer_proposal(agent, proposal, "agent", ProposalAnswer.ACCEPT)
    assert _fresh(proposal).agent_answer is None


def test_confirmation_refused_when_the_session_is_full(parties):
    proposal, agent, home_hr, host_hr = parties
    session = proposal.session
    session.capacity = 1
    db.session.commit()
    ImmersionFactory(proposal__session=session)
    answer_proposal(agent, proposal, "agent", ProposalAnswer.ACCEPT)
    with pytest.raises(ServiceError, match="complète"):
        answer_proposal(host_hr, _fresh(proposal), "host", ProposalAnswer.ACCEPT)


def test_confirmed_days_count_against_the_quota_in_every_network(parties):
    proposal, agent, home_hr, host_hr = parties
    network = proposal.round.network
    before = rules.remaining_quota(agent.id, network, date.today())
    answer_proposal(agent, proposal, "agent", ProposalAnswer.ACCEPT)
    answer_proposal(host_hr, _fresh(proposal), "host", ProposalAnswer.ACCEPT)
    days = proposal.session.working_days
    assert rules.remaining_quota(agent.id, network, date.today()) == before - days
    # Another network's rules see the same days: the quota runs across employers and networks.
    elsewhere = OfferSessionFactory().offer.organisation.network
    assert rules.used_quota_days(agent.id, elsewhere, date.today()) == days


def test_expiry_sends_unanswered_proposals_back_once(parties):
    proposal, agent, home_hr, host_hr = parties
    answer_proposal(agent, proposal, "agent", ProposalAnswer.ACCEPT)
    answered_in_time = ProposalFactory(respond_by=date.today() + timedelta(days=30))
    day_after = proposal.respond_by + timedelta(days=1)
    assert expire_proposals(proposal.respond_by) == 0  # the deadline day is still in time
    assert expire_proposals(day_after) == 1
    proposal = _fresh(proposal)
    assert proposal.status == ProposalStatus.EXPIRED and proposal.request.status == RequestStatus.APPROVED
    assert db.session.get(Proposal, answered_in_time.id).status == ProposalStatus.PUBLISHED
    for user, role in ((agent, "agent"), (home_hr, "home"), (host_hr, "host")):
        assert f"proposal.expired.{role}" in _kinds(user)
    body = db.session.scalar(select(Notification.body).where(Notification.kind == "proposal.expired.agent"))
    assert proposal.session.offer.organisation.name in body  # the side that did not answer is named
    # An expired pair may be proposed again; a second run changes nothing.
    assert db.session.scalar(select(func.count(ForbiddenPair.id))) == 0
    count = db.session.scalar(select(func.count(Notification.id)))
    assert expire_proposals(day_after) == 0
    assert db.session.scalar(select(func.count(Notification.id))) == count


def test_notifications_follow_each_recipients_language(parties):
    proposal, agent, home_hr, host_hr = parties
    host_hr.locale = "en"
    db.session.commit()
    answer_proposal(agent, proposal, "agent", ProposalAnswer.ACCEPT)
    subject = db.session.scalar(select(InboxItem.subject).where(InboxItem.user_id == host_hr.id))
    french = db.session.scalar(select(InboxItem.subject).where(InboxItem.user_id == home_hr.id))
    assert "accepte la proposition" in french
    assert subject  # English where the catalogue has it, French otherwise: never empty
