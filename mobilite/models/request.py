"""Agents' immersion requests, with availability windows and ranked wishes."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobilite.limits import (
    DEFAULT_REQUEST_MAX_DAYS,
    DEFAULT_REQUEST_MIN_DAYS,
    MAX_WISHES,
    MAX_WORKING_DAYS,
    MIN_WORKING_DAYS,
)
from mobilite.models.base import Base, TimestampedMixin, UTCDateTime, VersionedMixin, str_enum
from mobilite.models.network import Organisation
from mobilite.models.offer import Offer
from mobilite.models.taxonomy import Skill, Theme
from mobilite.models.user import User


class RequestStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REFUSED = "refused"
    POSTPONED = "postponed"
    MATCHED = "matched"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


class ManagerOpinion(enum.StrEnum):
    """The line manager's opinion on the request (an unfavourable one gives its reason)."""

    FAVOURABLE = "favourable"
    UNFAVOURABLE = "unfavourable"


class ImmersionRequest(VersionedMixin, TimestampedMixin, Base):
    __tablename__ = "immersion_requests"
    __table_args__ = (
        CheckConstraint(
            f"min_days >= {MIN_WORKING_DAYS} AND max_days >= min_days AND max_days <= {MAX_WORKING_DAYS}",
            name="duration",
        ),
        CheckConstraint("max_distance_km IS NULL OR max_distance_km >= 0", name="distance"),
        CheckConstraint("rounds_waited >= 0", name="rounds_waited"),
        Index("ix_immersion_requests_organisation_status", "organisation_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    # The home employer when the request was made; HR of this organisation decides on it.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    status: Mapped[RequestStatus] = mapped_column(
        str_enum(RequestStatus, "request_status"), default=RequestStatus.DRAFT
    )
    min_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_REQUEST_MIN_DAYS)
    max_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_REQUEST_MAX_DAYS)
    max_distance_km: Mapped[int | None] = mapped_column(Integer, nullable=True)
    motivation: Mapped[str] = mapped_column(Text, default="")
    # What the agent wants to confirm by the immersion: the law motivates a request by a career project.
    career_project: Mapped[str] = mapped_column(Text, default="")
    # The agent says a notice shorter than the network's was agreed with their line authority.
    shorter_notice_agreed: Mapped[bool] = mapped_column(Boolean, default=False)
    # The line manager: an account of the agent's organisation, or an address reached by a one-time link.
    line_manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    line_manager_email: Mapped[str] = mapped_column(String(254), default="")
    opinion: Mapped[ManagerOpinion | None] = mapped_column(str_enum(ManagerOpinion, "manager_opinion"), nullable=True)
    opinion_reason: Mapped[str] = mapped_column(Text, default="")
    opinion_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The one-time link's secret part: emptied once the opinion is given, so the link works once.
    opinion_nonce: Mapped[str] = mapped_column(String(64), default="")
    opinion_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    rounds_waited: Mapped[int] = mapped_column(Integer, default=0)

    agent: Mapped[User] = relationship(foreign_keys=[agent_id])
    line_manager: Mapped[User | None] = relationship(foreign_keys=[line_manager_id])
    organisation: Mapped[Organisation] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary="request_themes", order_by="Theme.label_fr")
    skills: Mapped[list[Skill]] = relationship(secondary="request_skills", order_by="Skill.label_fr")
    windows: Mapped[list[AvailabilityWindow]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="AvailabilityWindow.start_date"
    )
    wishes: Mapped[list[Wish]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="Wish.rank"
    )

    __mapper_args__ = {"version_id_col": VersionedMixin.version}

    def is_owned_by(self, user) -> bool:
        return self.agent_id == user.id

    def is_shared(self) -> bool:
        """HR and the coordination see a request once it has been submitted: a draft stays the agent's own
        business, even after the agent withdraws it without ever submitting it."""
        return self.submitted_at is not None

    def is_decided_by(self, user) -> bool:
        """HR of the home employer answers the request."""
        return user.is_hr_of(self.organisation_id)


class RequestTheme(Base):
    __tablename__ = "request_themes"

    request_id: Mapped[int] = mapped_column(ForeignKey("immersion_requests.id", ondelete="CASCADE"), primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="RESTRICT"), primary_key=True)


class RequestSkill(Base):
    __tablename__ = "request_skills"

    request_id: Mapped[int] = mapped_column(ForeignKey("immersion_requests.id", ondelete="CASCADE"), primary_key=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="RESTRICT"), primary_key=True)


class AvailabilityWindow(Base):
    __tablename__ = "availability_windows"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="dates"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("immersion_requests.id", ondelete="CASCADE"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)

    request: Mapped[ImmersionRequest] = relationship(back_populates="windows")


class Wish(Base):
    """A ranked wish for a specific offer: 1 is the first choice."""

    __tablename__ = "wishes"
    __table_args__ = (
        UniqueConstraint("request_id", "rank"),
        UniqueConstraint("request_id", "offer_id"),
        CheckConstraint(f"rank BETWEEN 1 AND {MAX_WISHES}", name="rank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("immersion_requests.id", ondelete="CASCADE"))
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int] = mapped_column(Integer)

    request: Mapped[ImmersionRequest] = relationship(back_populates="wishes")
    offer: Mapped[Offer] = relationship()
