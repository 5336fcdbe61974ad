"""Reminders before a deadline, each sent once (the `remind_deadlines` job, every morning).

- The employer's legal time to answer a request (a month by default, the network's setting): its HR
  officers are reminded REMIND_DAYS_BEFORE days before the end, then told at once when it has passed, and
  the agent is told too. Only requests still waiting for a first answer count: postponing is an answer.
- A published proposal whose last day to answer is today or tomorrow: each side that has not answered
  (the agent, or the host's HR officers) gets an urgent message.

Each reminder is recorded under a unique topic (SentReminder), never on the request or the proposal: their
version would change under an HR officer's open form.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mobilite import notifications
from mobilite.extensions import db
from mobilite.models import (
    ImmersionRequest,
    Offer,
    OfferSession,
    Organisation,
    Proposal,
    ProposalStatus,
    RequestStatus,
    SentReminder,
    User,
)
from mobilite.services.people import hr_officers_by_organisation
from mobilite.services.requests import answer_deadline
from mobilite.workdays import paris_today

REMIND_DAYS_BEFORE = 7
# A deadline passed longer ago than this is not announced any more (a job that was down for weeks).
PASSED_NOTICE_WINDOW = timedelta(days=30)


def _already(topics: Iterable[str]) -> set[str]:
    wanted = list(topics)
    if not wanted:
        return set()
    return set(db.session.scalars(select(SentReminder.topic).where(SentReminder.topic.in_(wanted))))


def request_deadline_stage(immersion_request: ImmersionRequest, today: date) -> str | None:
    """ "soon", "passed" or None: where a waiting request stands against its employer's deadline today."""
    deadline = answer_deadline(immersion_request)
    if deadline is None or immersion_request.status != RequestStatus.SUBMITTED:
        return None
    if deadline < today:
        return "passed" if today - deadline <= PASSED_NOTICE_WINDOW else None
    if deadline - today <= timedelta(days=REMIND_DAYS_BEFORE):
        return "soon"
    return None


def _request_reminders(today: date) -> int:
    waiting = db.session.scalars(
        select(ImmersionRequest)
        .where(ImmersionRequest.status == RequestStatus.SUBMITTED, ImmersionRequest.submitted_at.is_not(None))
        .options(
            selectinload(ImmersionRequest.agent),
            selectinload(ImmersionRequest.organisation).selectinload(Organisation.network),
        )
        .order_by(ImmersionRequest.id)
    ).all()
    due = [(r, stage) for r in waiting if (stage := request_deadline_stage(r, today)) is not None]
    sent = _already(f"request:{r.id}:deadline_{stage}" for r, stage in due)
    due = [(r, stage) for r, stage in due if f"request:{r.id}:deadline_{stage}" not in sent]
    officers = hr_officers_by_organisation({r.organisation_id for r, _stage in due})
    for immersion_request, stage in due:
        db.session.add(SentReminder(topic=f"request:{immersion_request.id}:deadline_{stage}"))
        # An HR officer's own request is answered by a colleague: they are not reminded of it.
        colleagues = officers.get(immersion_request.organisation_id, [])
        deciders = [u for u in colleagues if u.id != immersion_request.agent_id]
        notifications.request_deadline(immersion_request, stage, deciders)
    return len(due)


def _proposal_reminders(today: date) -> int:
    expiring = db.session.scalars(
        select(Proposal)
        .where(
            Proposal.status == ProposalStatus.PUBLISHED,
            Proposal.respond_by >= today,
            Proposal.respond_by <= today + timedelta(days=1),
        )
        .options(
            selectinload(Proposal.request).selectinload(ImmersionRequest.agent),
            selectinload(Proposal.session).selectinload(OfferSession.offer).selectinload(Offer.organisation),
        )
        .order_by(Proposal.id)
    ).all()
    sent = _already(f"proposal:{p.id}:expiring" for p in expiring)
    expiring = [p for p in expiring if f"proposal:{p.id}:expiring" not in sent]
    officers = hr_officers_by_organisation({p.session.offer.organisation_id for p in expiring})
    told = 0
    for proposal in expiring:
        recipients: list[tuple[User, str]] = []
        agent = proposal.request.agent
        if proposal.agent_answer is None and agent.active:
            recipients.append((agent, "agent"))
        if proposal.host_answer is None:
            recipients += [
                (u, "host") for u in officers.get(proposal.session.offer.organisation_id, []) if u.id != agent.id
            ]
        db.session.add(SentReminder(topic=f"proposal:{proposal.id}:expiring"))
        if recipients:
            notifications.proposal_expiring(proposal, recipients)
            told += 1
    return told


def remind_deadlines(today: date | None = None) -> dict[str, int]:
    """Job: the day's reminders, once each. Returns how many requests and proposals were reminded."""
    today = today or paris_today()
    counts = {"requests": _request_reminders(today), "proposals": _proposal_reminders(today)}
    db.session.commit()
    return counts
