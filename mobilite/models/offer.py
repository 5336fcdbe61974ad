"""Immersion offers published by host organisations, and their sessions."""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobilite.limits import MAX_SKILL_LEVEL, MAX_WORKING_DAYS, MIN_CAPACITY, MIN_SKILL_LEVEL, MIN_WORKING_DAYS
from mobilite.models.base import Base, TimestampedMixin, UTCDateTime, VersionedMixin, str_enum
from mobilite.models.network import Organisation
from mobilite.models.site import Location, Site
from mobilite.models.taxonomy import Skill, Theme


class OfferStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    CLOSED = "closed"
    ARCHIVED = "archived"


class Place(enum.StrEnum):
    ON_SITE = "on_site"
    HYBRID = "hybrid"
    REMOTE = "remote"


class Offer(VersionedMixin, TimestampedMixin, Base):
    __tablename__ = "offers"
    __table_args__ = (
        Index("ix_offers_status_organisation", "status", "organisation_id"),
        Index("ix_offers_status_published", "status", "published_at"),  # newest first in the agents' search
        # The search's "contains" filter (ILIKE '%word%') reads these on PostgreSQL instead of every description.
        *(
            Index(
                f"ix_offers_{column}_trgm", column, postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"}
            ).ddl_if(dialect="postgresql")
            for column in ("title", "team", "description")
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    # Where it happens: one of its organisation's sites, or (None) the organisation's own address.
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"), nullable=True, index=True)
    team: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    place: Mapped[Place] = mapped_column(str_enum(Place, "place"), default=Place.ON_SITE)
    accessibility: Mapped[str] = mapped_column(Text, default="")
    tutor_name: Mapped[str] = mapped_column(String(200), default="")
    tutor_role: Mapped[str] = mapped_column(String(200), default="")
    tutor_email: Mapped[str] = mapped_column(String(254), default="")
    # Where and when the visitor is met on the first day (the calendar file gives them), both optional.
    meeting_time: Mapped[time | None] = mapped_column(Time, nullable=True)
    meeting_place: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[OfferStatus] = mapped_column(str_enum(OfferStatus, "offer_status"), default=OfferStatus.DRAFT)
    validation_comment: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)

    organisation: Mapped[Organisation] = relationship()
    site: Mapped[Site | None] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary="offer_themes", order_by="Theme.label_fr")
    skills: Mapped[list[Skill]] = relationship(secondary="offer_skills", order_by="Skill.label_fr")
    prerequisites: Mapped[list[OfferPrerequisite]] = relationship(back_populates="offer", cascade="all, delete-orphan")
    sessions: Mapped[list[OfferSession]] = relationship(
        back_populates="offer", cascade="all, delete-orphan", order_by="OfferSession.start_date"
    )

    __mapper_args__ = {"version_id_col": VersionedMixin.version}

    @property
    def location(self) -> Location:
        """Where the immersion happens, for every reader of an offer's place (distances, pages, agreement)."""
        if self.site is not None:
            return Location.of_site(self.site)
        return Location.of_organisation(self.organisation)

    @property
    def is_remote(self) -> bool:
        return self.place == Place.REMOTE

    def is_managed_by(self, user) -> bool:
        return user.is_hr_of(self.organisation_id)


class OfferTheme(Base):
    __tablename__ = "offer_themes"

    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="RESTRICT"), primary_key=True, index=True)


class OfferSkill(Base):
    """A skill the visitor develops during the immersion."""

    __tablename__ = "offer_skills"

    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="RESTRICT"), primary_key=True, index=True)


class OfferPrerequisite(Base):
    """A skill the visitor must already have, at least at this level."""

    __tablename__ = "offer_prerequisites"
    __table_args__ = (CheckConstraint(f"min_level BETWEEN {MIN_SKILL_LEVEL} AND {MAX_SKILL_LEVEL}", name="min_level"),)

    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="RESTRICT"), primary_key=True)
    min_level: Mapped[int] = mapped_column(Integer)

    offer: Mapped[Offer] = relationship(back_populates="prerequisites")
    skill: Mapped[Skill] = relationship()


class OfferSession(Base):
    """Dates of one immersion of an offer: 1 to 10 working days, for up to `capacity` visitors."""

    __tablename__ = "offer_sessions"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="dates"),
        CheckConstraint(f"working_days BETWEEN {MIN_WORKING_DAYS} AND {MAX_WORKING_DAYS}", name="working_days"),
        CheckConstraint(f"capacity >= {MIN_CAPACITY}", name="capacity"),
        Index("ix_offer_sessions_start_end", "start_date", "end_date"),
        Index("ix_offer_sessions_offer_start", "offer_id", "start_date"),  # an offer's next session
        Index("ix_offer_sessions_start_offer", "start_date", "offer_id"),  # the catalogue's soonest-first walk
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    working_days: Mapped[int] = mapped_column(Integer)
    capacity: Mapped[int] = mapped_column(Integer, default=1)

    offer: Mapped[Offer] = relationship(back_populates="sessions")
