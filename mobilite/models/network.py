"""Networks of organisations and their settings."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, CheckConstraint, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobilite.limits import (
    DEFAULT_ANSWER_DEADLINE_DAYS,
    DEFAULT_DIVERSITY,
    DEFAULT_FAIRNESS_FLOOR_PERCENT,
    DEFAULT_MAX_DAYS,
    DEFAULT_MILEAGE_RATE_CENTS,
    DEFAULT_MIN_DAYS,
    DEFAULT_NOTICE_DAYS,
    DEFAULT_OPINION_DEADLINE_DAYS,
    DEFAULT_PROPOSAL_RESPONSE_DAYS,
    DEFAULT_QUOTA_DAYS,
    DEFAULT_QUOTA_YEARS,
    DEFAULT_RETENTION_DAYS,
    DEFAULT_WEIGHTS,
    MAX_WORKING_DAYS,
    MIN_WORKING_DAYS,
)
from mobilite.models.base import Base, TimestampedMixin, str_enum

if TYPE_CHECKING:
    from mobilite.models.user import User


class MatchingMode(enum.StrEnum):
    OPTIMAL = "optimal"
    STABLE = "stable"


class PublicationScope(enum.StrEnum):
    """What publishing a round sends: the proposals a coordinator approved, or those and the ones nobody
    reviewed yet. The others stay unsent (mobilite.services.round_review.publish_round)."""

    APPROVED = "approved"
    APPROVED_AND_UNREVIEWED = "approved_and_unreviewed"


class OpinionSetting(enum.StrEnum):
    """Whether HR waits for the agent's line manager's opinion before deciding on a request."""

    REQUIRED = "required"  # HR cannot decide before the opinion
    ADVISORY = "advisory"  # HR may decide without it; the page says it is missing
    SKIPPED = "skipped"  # no line manager is asked


class OrganisationKind(enum.StrEnum):
    COMMUNE = "commune"
    EPCI = "epci"
    DEPARTEMENT = "departement"
    REGION = "region"
    CCAS = "ccas"
    CARSAT = "carsat"
    ETAT = "etat"
    HOPITAL = "hopital"
    AUTRE = "autre"


class Network(TimestampedMixin, Base):
    """A group of organisations that exchange agents, with its rules (defaults from the law)."""

    __tablename__ = "networks"
    __table_args__ = (
        CheckConstraint(
            f"min_days >= {MIN_WORKING_DAYS} AND min_days <= max_days AND max_days <= {MAX_WORKING_DAYS}",
            name="day_limits",
        ),
        CheckConstraint("quota_days >= 1 AND quota_years >= 1", name="quota"),
        CheckConstraint("answer_deadline_days >= 1 AND proposal_response_days >= 1", name="deadlines"),
        CheckConstraint("diversity_per_session >= 1", name="diversity"),
        CheckConstraint("continuity_max_away IS NULL OR continuity_max_away >= 1", name="continuity"),
        CheckConstraint("fairness_floor_percent IS NULL OR fairness_floor_percent BETWEEN 0 AND 100", name="floor"),
        CheckConstraint("notice_days >= 0 AND opinion_deadline_days >= 1", name="notice"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")

    # Legal rules (décret n° 2022-1043), by default the law's: see mobilite/limits.py.
    min_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_MIN_DAYS)
    max_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_MAX_DAYS)
    quota_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_QUOTA_DAYS)
    quota_years: Mapped[int] = mapped_column(Integer, default=DEFAULT_QUOTA_YEARS)
    answer_deadline_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_ANSWER_DEADLINE_DAYS)
    proposal_response_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_PROPOSAL_RESPONSE_DAYS)
    requires_offer_validation: Mapped[bool] = mapped_column(Boolean, default=True)
    # Days between submission and the first availability window's start (a shorter notice when agreed).
    notice_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_NOTICE_DAYS)
    line_manager_opinion: Mapped[OpinionSetting] = mapped_column(
        str_enum(OpinionSetting, "opinion_setting"), default=OpinionSetting.ADVISORY
    )
    opinion_deadline_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_OPINION_DEADLINE_DAYS)

    # Matching: the engine's defaults (appariement.Settings), read through mobilite/limits.py.
    match_cron: Mapped[str] = mapped_column(String(100), default="0 6 * * mon")
    timezone: Mapped[str] = mapped_column(String(60), default="Europe/Paris")
    matching_mode: Mapped[MatchingMode] = mapped_column(
        str_enum(MatchingMode, "matching_mode"), default=MatchingMode.OPTIMAL
    )
    weights: Mapped[dict] = mapped_column(JSON, default=lambda: dict(DEFAULT_WEIGHTS))
    diversity_per_session: Mapped[int] = mapped_column(Integer, default=DEFAULT_DIVERSITY)
    continuity_max_away: Mapped[int | None] = mapped_column(Integer, nullable=True)
    fairness_floor_percent: Mapped[int | None] = mapped_column(
        Integer, nullable=True, default=DEFAULT_FAIRNESS_FLOOR_PERCENT
    )
    reciprocity: Mapped[bool] = mapped_column(Boolean, default=False)
    publication_scope: Mapped[PublicationScope] = mapped_column(
        str_enum(PublicationScope, "publication_scope"), default=PublicationScope.APPROVED
    )
    retention_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_RETENTION_DAYS)
    # Mission expenses: the flat rate per kilometre for a personal car, in euro cents.
    mileage_rate_cents: Mapped[int] = mapped_column(Integer, default=DEFAULT_MILEAGE_RATE_CENTS)

    organisations: Mapped[list[Organisation]] = relationship(back_populates="network", order_by="Organisation.name")

    def __repr__(self) -> str:
        return f"<Network {self.slug}>"


class Organisation(TimestampedMixin, Base):
    """A public organisation taking part in one network."""

    __tablename__ = "organisations"
    __table_args__ = (
        UniqueConstraint("network_id", "name"),
        CheckConstraint("latitude IS NULL OR latitude BETWEEN -90 AND 90", name="latitude"),
        CheckConstraint("longitude IS NULL OR longitude BETWEEN -180 AND 180", name="longitude"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(str_enum(OrganisationKind, "organisation_kind"))
    address: Mapped[str] = mapped_column(String(300), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    # When False, the organisation's members sign in with ProConnect only (while ProConnect is configured).
    password_sign_in: Mapped[bool] = mapped_column(Boolean, default=True)

    network: Mapped[Network] = relationship(back_populates="organisations")
    members: Mapped[list[User]] = relationship(back_populates="organisation", foreign_keys="User.organisation_id")
    sirets: Mapped[list[OrganisationSiret]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="OrganisationSiret.siret"
    )

    def __repr__(self) -> str:
        return f"<Organisation {self.slug}>"


class OrganisationSiret(Base):
    """A SIRET number of the organisation (it may list several, one per establishment): a ProConnect
    sign-in carrying it creates its account in this organisation. A number belongs to one organisation."""

    __tablename__ = "organisation_sirets"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    siret: Mapped[str] = mapped_column(String(14), unique=True)

    organisation: Mapped[Organisation] = relationship(back_populates="sirets")
