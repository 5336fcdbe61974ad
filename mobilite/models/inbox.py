"""What each person is told in the app (the inbox), how they want to be told (preferences), and what the
reminder jobs already sent. The e-mails themselves wait in the outbox (models.ops.Notification)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobilite.models.base import Base, UTCDateTime, str_enum, utcnow
from mobilite.models.ops import Notification
from mobilite.models.user import User


class Channel(enum.StrEnum):
    """How a person wants one kind of message: an e-mail at once, in a digest, or only in the app."""

    IMMEDIATE = "immediate"
    DIGEST = "digest"
    APP = "app"


class InboxDelivery(enum.StrEnum):
    """What became of an inbox item's e-mail."""

    APP = "app"  # only in the app (the person's choice, or an account no longer active)
    EMAIL = "email"  # e-mailed at once
    WAITING = "waiting"  # waits for its digest
    DIGEST = "digest"  # went out in a digest


class InboxItem(Base):
    """One message in a person's inbox, rendered in their language when it was made (the e-mail's subject, its
    sentences and its link): what the inbox shows never changes with later edits of the data."""

    __tablename__ = "inbox_items"
    __table_args__ = (
        # The header's unread count on every page: a count on this index, nothing else.
        Index("ix_inbox_items_user_read", "user_id", "read_at"),
        Index("ix_inbox_items_delivery_digest", "delivery", "digest_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    # The page the message is about, absolute on BASE_URL as in the e-mail; the inbox opens its path.
    link: Mapped[str] = mapped_column(String(500))
    # The day by which the person should act, when the message asks for something.
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    delivery: Mapped[InboxDelivery] = mapped_column(
        str_enum(InboxDelivery, "inbox_delivery"), default=InboxDelivery.APP
    )
    # Items waiting together go out in one e-mail: "round:<id>" (right after the round's publication) or
    # "day" (the morning digest).
    digest_key: Mapped[str] = mapped_column(String(40), default="")
    # The e-mail that carried it (at once, or its digest).
    outbox_id: Mapped[int | None] = mapped_column(
        ForeignKey("notifications.id", ondelete="SET NULL"), nullable=True, index=True
    )

    user: Mapped[User] = relationship()
    email: Mapped[Notification | None] = relationship()


class NotificationPreference(Base):
    """A person's choice for one category of messages (mobilite.notifications.kinds); none means the default."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(40))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "notification_channel"))


class EmailOptOut(Base):
    """An address without an account (a tutor) that asked, through the one-click link, to receive no more
    messages of a category."""

    __tablename__ = "email_opt_outs"
    __table_args__ = (UniqueConstraint("email", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    category: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SentReminder(Base):
    """A reminder a job sent once ("request:12:deadline_soon"): the unique topic keeps it to once, without
    touching the versioned row it is about (an HR officer's open form stays valid)."""

    __tablename__ = "sent_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
