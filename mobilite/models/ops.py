"""Operational records: the notification outbox, the audit log and sign-in security."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobilite.models.base import Base, UTCDateTime, str_enum, utcnow
from mobilite.models.user import User


class NotificationStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class NotificationPriority(enum.IntEnum):
    """Lower goes first: account and security e-mails never wait behind a round's publication."""

    ACCOUNT = 0
    NORMAL = 5
    BULK = 9


class Notification(Base):
    """An e-mail waiting in the outbox; a job sends it, retrying with backoff.

    A sender claims a batch (claimed_by, claimed_until) in one short transaction, then sends it: another
    sender skips claimed messages, and a crashed sender's claim lapses, so its messages are tried again.
    """

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_status_priority_next_attempt", "status", "priority", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=True, index=True
    )
    to_email: Mapped[str] = mapped_column(String(254))
    kind: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # The HTML alternative of `body` ('' for a plain-text message): sent as multipart/alternative.
    html_body: Mapped[str] = mapped_column(Text, default="")
    # The one-click unsubscribe link (RFC 8058 List-Unsubscribe) of a message people may turn off; '' for
    # the ones they may not (password links, legal deadlines).
    unsubscribe_url: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[NotificationStatus] = mapped_column(
        str_enum(NotificationStatus, "notification_status"), default=NotificationStatus.PENDING
    )
    priority: Mapped[int] = mapped_column(SmallInteger, default=NotificationPriority.NORMAL)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    recipient: Mapped[User | None] = relationship()


class AuditEvent(Base):
    """Who did what, when, to which record. Never the personal data itself."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    action: Mapped[str] = mapped_column(String(80))
    target_type: Mapped[str] = mapped_column(String(60))
    target_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), nullable=True, index=True
    )
    network_id: Mapped[int | None] = mapped_column(ForeignKey("networks.id", ondelete="SET NULL"), nullable=True)
    details: Mapped[dict] = mapped_column(JSON, default=dict)


class LoginAttempt(Base):
    """A failed sign-in, counted per account and per address across every worker."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_account_at", "account_key", "at"),
        Index("ix_login_attempts_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A hash of the typed e-mail: unknown addresses are counted without being stored.
    account_key: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str] = mapped_column(String(45))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ThrottleScope(enum.StrEnum):
    SIGN_IN_ACCOUNT = "sign_in_account"
    SIGN_IN_ADDRESS = "sign_in_address"
    RESET_ACCOUNT = "reset_account"
    RESET_ADDRESS = "reset_address"


class SignInThrottle(Base):
    """One counter per scope and key (a hashed e-mail or a client address), changed only under its row lock,
    so simultaneous attempts are counted one after the other whatever the worker."""

    __tablename__ = "sign_in_throttles"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[ThrottleScope] = mapped_column(str_enum(ThrottleScope, "throttle_scope"))
    key: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Sign-in per account: the next attempt allowed (an exponential delay, not a lockout).
    next_allowed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TokenPurpose(enum.StrEnum):
    SET_PASSWORD = "set_password"
    RESET_PASSWORD = "reset_password"


class PasswordToken(Base):
    """A one-time, expiring link to set or reset a password. Only its hash is stored."""

    __tablename__ = "password_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[TokenPurpose] = mapped_column(str_enum(TokenPurpose, "token_purpose"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    user: Mapped[User] = relationship()


class UsedSignInState(Base):
    """The hash of a ProConnect sign-in's `state`, once its callback was taken: inserting it twice fails on
    the unique index, so a replayed callback is refused even with a copy of the browser's old session."""

    __tablename__ = "used_sign_in_states"

    id: Mapped[int] = mapped_column(primary_key=True)
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
