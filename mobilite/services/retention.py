"""Data past its retention period is deleted: sign-in traces, old e-mails, dead links, ended requests.

Each network sets four periods (mobilite/limits.py says the defaults and why): requests that never led to an
immersion (refused, withdrawn, or drafts left alone) go once older than `retention_days`; ended immersions,
with their request, proposals, feedback and agreement, `immersion_retention_days` after their last day (never
less than the quota's window, which they count in: the settings page enforces it); the audit log's sign-in
events after `sign_in_log_retention_days`, its other events after `audit_retention_days`. Audit events of no
network (the platform's) follow the default periods. Each run writes one audit entry per network with its
counts, and one for the platform.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, or_, select

from mobilite import limits
from mobilite.extensions import db
from mobilite.lifecycles import request as request_lifecycle
from mobilite.models import (
    AuditEvent,
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
from mobilite.services.personal_data import SIGN_IN_ACTIONS

PARIS = ZoneInfo("Europe/Paris")
LOGIN_ATTEMPTS_KEPT = timedelta(days=1)
THROTTLES_KEPT = timedelta(days=2)  # longer than any throttle remembers (LOGIN_ACCOUNT_MEMORY_HOURS)
SENT_MAIL_KEPT = timedelta(days=90)
INBOX_READ_KEPT = timedelta(days=180)  # a read notification; an unread one is kept a year
INBOX_UNREAD_KEPT = timedelta(days=365)
REMINDERS_KEPT = timedelta(days=365)  # longer than any request waits or any proposal is open


def purge(now: datetime | None = None) -> dict[str, int]:
    """Delete everything past its period; the counts, all networks together."""
    now = now or utcnow()
    shared = {
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
    }
    totals = {**shared, **dict.fromkeys(NETWORK_COUNTS, 0)}
    for network in db.session.scalars(select(Network).order_by(Network.id)).all():
        network_counts = _purge_network(network, now)
        audit.record(None, "retention.purge", network, network_id=network.id, **network_counts)
        for name, count in network_counts.items():
            totals[name] += count
    platform = _purge_audit_events(None, now, DEFAULT_PERIODS)
    for name, count in platform.items():
        totals[name] += count
    # Each run reported: one entry per network (above), and the platform's own (e-mails, links, its events).
    audit.record(None, "retention.purge", PurgeRun(), **shared, **platform)
    db.session.commit()
    return totals


NETWORK_COUNTS = ("requests", "immersions", "sign_in_events", "audit_events")
DEFAULT_PERIODS = (limits.DEFAULT_SIGN_IN_LOG_RETENTION_DAYS, limits.DEFAULT_AUDIT_RETENTION_DAYS)


def _purge_network(network: Network, now: datetime) -> dict[str, int]:
    """One network's requests without immersion, ended immersions and audit events past their periods."""
    in_network = select(Organisation.id).where(Organisation.network_id == network.id)
    immersions_left = select(Proposal.request_id).join(Immersion, Immersion.proposal_id == Proposal.id)
    last_day = _paris_day(now) - timedelta(days=network.immersion_retention_days)
    ended = select(Immersion.id).where(Immersion.home_organisation_id.in_(in_network), Immersion.end_date < last_day)
    # Their requests go with them (and, by cascade, the requests' proposals), unless another immersion holds one.
    their_requests = list(
        db.session.scalars(
            select(Proposal.request_id)
            .join(Immersion, Immersion.proposal_id == Proposal.id)
            .where(Immersion.id.in_(ended))
        )
    )
    immersions = db.rows_matched(delete(Immersion).where(Immersion.id.in_(ended)))
    if their_requests:
        db.session.execute(
            delete(ImmersionRequest).where(
                ImmersionRequest.id.in_(their_requests), ImmersionRequest.id.not_in(immersions_left)
            )
        )
    stale = select(ImmersionRequest.id).where(
        ImmersionRequest.organisation_id.in_(in_network),
        ImmersionRequest.status.in_(request_lifecycle.PURGEABLE),
        ImmersionRequest.updated_at < now - timedelta(days=network.retention_days),
        ImmersionRequest.id.not_in(immersions_left),
    )
    requests = db.rows_matched(delete(ImmersionRequest).where(ImmersionRequest.id.in_(stale)))
    periods = (network.sign_in_log_retention_days, network.audit_retention_days)
    return {"requests": requests, "immersions": immersions, **_purge_audit_events(network, now, periods)}


def _purge_audit_events(network: Network | None, now: datetime, periods: tuple[int, int]) -> dict[str, int]:
    """A network's audit events (its own, or of one of its organisations), or those of no network at all,
    past their period: sign-in events, then the others."""
    if network is None:
        scope = AuditEvent.network_id.is_(None) & AuditEvent.organisation_id.is_(None)
    else:
        in_network = select(Organisation.id).where(Organisation.network_id == network.id)
        scope = (AuditEvent.network_id == network.id) | AuditEvent.organisation_id.in_(in_network)
    sign_in_days, audit_days = periods
    sign_in = AuditEvent.action.in_(SIGN_IN_ACTIONS)
    return {
        "sign_in_events": db.rows_matched(
            delete(AuditEvent).where(scope, sign_in, AuditEvent.at < now - timedelta(days=sign_in_days))
        ),
        "audit_events": db.rows_matched(
            delete(AuditEvent).where(scope, ~sign_in, AuditEvent.at < now - timedelta(days=audit_days))
        ),
    }


def _paris_day(now: datetime) -> date:
    return now.astimezone(PARIS).date()


class PurgeRun:
    """The audit log's target for a run of the purge job (no record of its own)."""

    id = None
