"""Matching rounds and the proposals they make."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobilite.limits import MAX_SATISFACTION, MAX_WORKING_DAYS, MIN_SATISFACTION, MIN_WORKING_DAYS
from mobilite.models.base import Base, TimestampedMixin, UTCDateTime, VersionedMixin, str_enum, utcnow
from mobilite.models.network import Network
from mobilite.models.offer import OfferSession
from mobilite.models.request import ImmersionRequest


class RoundStatus(enum.StrEnum):
    """Allowed transitions and named sets: mobilite.lifecycles.round."""

    SCHEDULED = "scheduled"
    RUNNING = "running"
    PROPOSED = "proposed"
    PUBLISHED = "published"
    FAILED = "failed"


class Round(TimestampedMixin, Base):
    """One matching run for one network and one week (the unique key keeps it to one)."""

    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("network_id", "week_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="RESTRICT"))
    week_start: Mapped[date] = mapped_column(Date)
    status: Mapped[RoundStatus] = mapped_column(str_enum(RoundStatus, "round_status"), default=RoundStatus.SCHEDULED)
    phase: Mapped[str] = mapped_column(String(20), default="")
    trigger: Mapped[str] = mapped_column(String(20), default="schedule")
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    settings_snapshot: Mapped[dict] = mapped_column(JSON, default=dict)
    solver_status: Mapped[str] = mapped_column(String(40), default="")
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    timings: Mapped[dict] = mapped_column(JSON, default=dict)
    metrics: Mapped[dict] = mapped_column(JSON, default=dict)
    unmatched: Mapped[dict] = mapped_column(JSON, default=dict)
    # A failure code (mobilite.lifecycles.round.RoundFailure), never the exception text: that goes to the log.
    error: Mapped[str] = mapped_column(Text, default="")
    # Runs since the round was last asked for (started or rerun); the scheduler retries up to MAX_ATTEMPTS.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Written by the runner while it works: a round running with an old heartbeat lost its process.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The placements before the last rerun (or kept draft), for "what changed": {"placements": [[request,
    # session, score], ...], "finished_at": iso}; None before the round's first result.
    previous_result: Mapped[dict | None] = mapped_column(JSON, nullable=True)

    network: Mapped[Network] = relationship()
    proposals: Mapped[list[Proposal]] = relationship(back_populates="round", cascade="all, delete-orphan")


class UnmatchedOutlook(Base):
    """Why a round left an approved request without a proposal, and what would open options: the engine's
    reason and outlook (appariement/outlook.py) for that request, read by the agent once the round is
    published. One row per (round, request), so the agent's page never reads the round's whole result."""

    __tablename__ = "unmatched_outlooks"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("immersion_requests.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    reason: Mapped[str] = mapped_column(String(40))  # "no_eligible_session" | "outcompeted"
    # {"excluded" | "blocked": rule or why -> sessions, "outlook": Outlook.to_dict()}
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    # Set by the publication; the outbox job tells the agent (services.outlook.notify_pending), then clears it.
    notify_pending: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    round: Mapped[Round] = relationship()


class ProposalStatus(enum.StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"
    PUBLISHED = "published"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    CONFIRMED = "confirmed"


class Answer(enum.StrEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"


class Proposal(VersionedMixin, TimestampedMixin, Base):
    """A request placed on a session by a round, with its score and the score's breakdown."""

    __tablename__ = "proposals"
    __table_args__ = (
        UniqueConstraint("round_id", "request_id"),
        Index("ix_proposals_request_session", "request_id", "session_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("immersion_requests.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(ForeignKey("offer_sessions.id", ondelete="CASCADE"), index=True)
    status: Mapped[ProposalStatus] = mapped_column(
        str_enum(ProposalStatus, "proposal_status"), default=ProposalStatus.PROPOSED
    )
    score: Mapped[int] = mapped_column(Integer, default=0)
    breakdown: Mapped[dict] = mapped_column(JSON, default=dict)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    # Moved to another session by a coordinator (its score is then the engine's for the new pair).
    replaced: Mapped[bool] = mapped_column(Boolean, default=False)
    coordinator_reason: Mapped[str] = mapped_column(Text, default="")
    respond_by: Mapped[date | None] = mapped_column(Date, nullable=True)
    agent_answer: Mapped[Answer | None] = mapped_column(str_enum(Answer, "agent_answer"), nullable=True)
    agent_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    host_answer: Mapped[Answer | None] = mapped_column(str_enum(Answer, "host_answer"), nullable=True)
    host_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decline_reason: Mapped[str] = mapped_column(Text, default="")

    round: Mapped[Round] = relationship(back_populates="proposals")
    request: Mapped[ImmersionRequest] = relationship()
    session: Mapped[OfferSession] = relationship()

    # Coordinators' decisions carry If-Match: a stale one is refused, never a lost update.
    __mapper_args__ = {"version_id_col": VersionedMixin.version}

    if TYPE_CHECKING:  # not a column: services.immersions.attach_immersion_ids sets it for the API's pages
        immersion_id: int | None


class ImmersionStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    DONE = "done"
    CANCELLED = "cancelled"


class Immersion(TimestampedMixin, Base):
    """A confirmed proposal: the agent goes. Its working days count against the legal quota."""

    __tablename__ = "immersions"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="dates"),
        CheckConstraint(f"working_days BETWEEN {MIN_WORKING_DAYS} AND {MAX_WORKING_DAYS}", name="working_days"),
        Index("ix_immersions_agent_start", "agent_id", "start_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="RESTRICT"), unique=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    home_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    host_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("offer_sessions.id", ondelete="RESTRICT"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    working_days: Mapped[int] = mapped_column(Integer)
    status: Mapped[ImmersionStatus] = mapped_column(
        str_enum(ImmersionStatus, "immersion_status"), default=ImmersionStatus.CONFIRMED
    )
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    feedback_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    feedback_reminders: Mapped[int] = mapped_column(Integer, default=0)
    # Called off before its first day by one of the parties or the coordination (services/cancellation.py).
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    # Days actually done when a feedback says it happened in part; None: all its working days.
    days_done: Mapped[int | None] = mapped_column(Integer, nullable=True)

    proposal: Mapped[Proposal] = relationship()
    session: Mapped[OfferSession] = relationship()
    feedback: Mapped[list[Feedback]] = relationship(back_populates="immersion", cascade="all, delete-orphan")


class FeedbackSide(enum.StrEnum):
    AGENT = "agent"
    HOST = "host"


class Outcome(enum.StrEnum):
    DONE = "done"
    PARTLY_DONE = "partly_done"
    DID_NOT_HAPPEN = "did_not_happen"


class Feedback(TimestampedMixin, Base):
    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("immersion_id", "side"),
        CheckConstraint(
            f"satisfaction IS NULL OR satisfaction BETWEEN {MIN_SATISFACTION} AND {MAX_SATISFACTION}",
            name="satisfaction",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    immersion_id: Mapped[int] = mapped_column(ForeignKey("immersions.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    side: Mapped[FeedbackSide] = mapped_column(str_enum(FeedbackSide, "feedback_side"))
    outcome: Mapped[Outcome] = mapped_column(str_enum(Outcome, "outcome"))
    outcome_reason: Mapped[str] = mapped_column(Text, default="")
    satisfaction: Mapped[int | None] = mapped_column(Integer, nullable=True)
    learned: Mapped[str] = mapped_column(Text, default="")
    would_recommend: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    # Partly done: the working days the side says were done. The host's words for the certificate.
    days_done: Mapped[int | None] = mapped_column(Integer, nullable=True)
    appraisal: Mapped[str] = mapped_column(Text, default="")
    # The host's feedback given by the offer's tutor through their link, without an account (author_id None).
    tutor_name: Mapped[str] = mapped_column(String(200), default="")

    immersion: Mapped[Immersion] = relationship(back_populates="feedback")


class ForbiddenPair(Base):
    """A request × session pair that no later round may propose: rejected by a coordinator, or declined."""

    __tablename__ = "forbidden_pairs"
    __table_args__ = (UniqueConstraint("request_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("immersion_requests.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(ForeignKey("offer_sessions.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(20))  # "rejected" | "declined"
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
