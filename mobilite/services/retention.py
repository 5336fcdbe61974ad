"""Data past its retention period is deleted: sign-in traces, old e-mails, dead links, ended requests.

Requests that never led to an immersion (refused, withdrawn, or drafts left alone) are deleted once older
than their network's retention period; requests with an immersion stay, since the immersion's days count
against the legal quota for three years.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from mobilite.extensions import db
from mobilite.models import (
    Immersion,
    ImmersionRequest,
    LoginAttempt,
    Network,
    Notification,
    NotificationStatus,
    Organisation,
    PasswordToken,
    Proposal,
    RequestStatus,
    SignInThrottle,
    utcnow,
)

LOGIN_ATTEMPTS_KEPT = timedelta(days=1)
THROTTLES_KEPT = timedelta(days=2)  # longer than any throttle remembers (LOGIN_ACCOUNT_MEMORY_HOURS)
SENT_MAIL_KEPT = timedelta(days=90)
ENDED = (RequestStatus.REFUSED, RequestStatus.WITHDRAWN, RequestStatus.DRAFT)


def purge(now=None) -> dict[str, int]:
    now = now or utcnow()
    counts = {
        "login_attempts": db.session.execute(
            delete(LoginAttempt).where(LoginAttempt.at < now - LOGIN_ATTEMPTS_KEPT)).rowcount,
        "notifications": db.session.execute(
            delete(Notification).where(Notification.status == NotificationStatus.SENT,
                                       Notification.sent_at < now - SENT_MAIL_KEPT)).rowcount,
        "sign_in_throttles": db.session.execute(
            delete(SignInThrottle).where(SignInThrottle.last_at < now - THROTTLES_KEPT)).rowcount,
        "password_tokens": db.session.execute(
            delete(PasswordToken).where(PasswordToken.expires_at < now)).rowcount,
        "requests": 0,
    }
    with_immersion = select(Proposal.request_id).join(Immersion, Immersion.proposal_id == Proposal.id)
    for network in db.session.scalars(select(Network)):
        stale = select(ImmersionRequest.id).join(
            Organisation, ImmersionRequest.organisation_id == Organisation.id).where(
            Organisation.network_id == network.id, ImmersionRequest.status.in_(ENDED),
            ImmersionRequest.updated_at < now - timedelta(days=network.retention_days),
            ImmersionRequest.id.not_in(with_immersion))
        counts["requests"] += db.session.execute(
            delete(ImmersionRequest).where(ImmersionRequest.id.in_(stale))).rowcount
    db.session.commit()
    return counts
