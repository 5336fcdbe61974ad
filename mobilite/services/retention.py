"""Data past its retention period is deleted: sign-in traces, old e-mails, dead links, ended requests.

Requests that never led to an immersion (refused, withdrawn, or drafts left alone) are deleted once older
than their network's retention period; requests with an immersion stay, since the immersion's days count
against the legal quota for three years.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select

from mobilite.extensions import db
from mobilite.lifecycles import request as request_lifecycle
from mobilite.models import (
    Immersion,
    ImmersionRequest,
    InboxDelivery,
    InboxItem,
    LoginAttempt,
    Network,
    Notification,
    NotificationStatus,
    Organisation,
    PasswordToken,
    Proposal,
    SentReminder,
    SignInThrottle,
    utcnow,
)
from mobilite.services import audit

LOGIN_ATTEMPTS_KEPT = timedelta(days=1)
THROTTLES_KEPT = timedelta(days=2)  # longer than any throttle remembers (LOGIN_ACCOUNT_MEMORY_HOURS)
SENT_MAIL_KEPT = timedelta(days=90)
INBOX_READ_KEPT = timedelta(days=180)  # a read notification; an unread one is kept a year
INBOX_UNREAD_KEPT = timedelta(days=365)
REMINDERS_KEPT = timedelta(days=365)  # longer than any request waits or any proposal is open


def purge(now: datetime | None = None) -> dict[str, int]:
    now = now or utcnow()
    counts = {
        "login_attempts": db.rows_matched(delete(LoginAttempt).where(LoginAttempt.at < now - LOGIN_ATTEMPTS_KEPT)),
        "notifications": db.rows_matched(
            delete(Notification).where(
                Notification.status == NotificationStatus.SENT, Notification.sent_at < now - SENT_MAIL_KEPT
            )
        ),
        "sign_in_throttles": db.rows_matched(
            delete(SignInThrottle).where(SignInThrottle.last_at < now - THROTTLES_KEPT)
        ),
        "password_tokens": db.rows_matched(delete(PasswordToken).where(PasswordToken.expires_at < now)),
        "inbox_items": db.rows_matched(
            delete(InboxItem).where(
                InboxItem.delivery != InboxDelivery.WAITING,
                or_(
                    InboxItem.read_at < now - INBOX_READ_KEPT,
                    InboxItem.created_at < now - INBOX_UNREAD_KEPT,
                ),
            )
        ),
        "sent_reminders": db.rows_matched(delete(SentReminder).where(SentReminder.created_at < now - REMINDERS_KEPT)),
        "requests": 0,
    }
    with_immersion = select(Proposal.request_id).join(Immersion, Immersion.proposal_id == Proposal.id)
    for network in db.session.scalars(select(Network)):
        stale = (
            select(ImmersionRequest.id)
            .join(Organisation, ImmersionRequest.organisation_id == Organisation.id)
            .where(
                Organisation.network_id == network.id,
                ImmersionRequest.status.in_(request_lifecycle.PURGEABLE),
                ImmersionRequest.updated_at < now - timedelta(days=network.retention_days),
                ImmersionRequest.id.not_in(with_immersion),
            )
        )
        counts["requests"] += db.rows_matched(delete(ImmersionRequest).where(ImmersionRequest.id.in_(stale)))
    audit.record(None, "retention.purge", PurgeRun(), **counts)  # each run reported: what went, how many
    db.session.commit()
    return counts


class PurgeRun:
    """The audit log's target for a run of the purge job (no record of its own)."""

    id = None
