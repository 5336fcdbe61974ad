"""Networks of organisations and their settings."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ColumnElement,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobilite.limits import (
    DEFAULT_ANSWER_DEADLINE_DAYS,
    DEFAULT_AUDIT_RETENTION_DAYS,
    DEFAULT_DIVERSITY,
    DEFAULT_FAIRNESS_FLOOR_PERCENT,
    DEFAULT_IMMERSION_RETENTION_DAYS,
    DEFAULT_MAX_DAYS,
    DEFAULT_MILEAGE_RATE_CENTS,
    DEFAULT_MIN_DAYS,
    DEFAULT_NOTICE_DAYS,
    DEFAULT_OPINION_DEADLINE_DAYS,
    DEFAULT_PROPOSAL_RESPONSE_DAYS,
    DEFAULT_QUOTA_DAYS,
    DEFAULT_QUOTA_YEARS,
    DEFAULT_RETENTION_DAYS,
    DEFAULT_SIGN_IN_LOG_RETENTION_DAYS,
    DEFAULT_WEIGHTS,
    MAX_WORKING_DAYS,
    MIN_WORKING_DAYS,
)
from mobilite.models.base import Base, TimestampedMixin, UTCDateTime, str_enum

if TYPE_CHECKING:
    from mobilite.models.user import User


class MatchingMode(enum.StrEnum):
    OPTIMAL = "optimal"
    STABLE = "stable"


class RoundMode(enum.StrEnum):
    """Weekly rounds on the network's schedule, or one campaign: offers and requests collected until a
    date, then a single round on a set date."""

    WEEKLY = "weekly"
    CAMPAIGN = "campaign"


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
        CheckConstraint(
            "round_mode = 'weekly' OR (campaign_collection_end IS NOT NULL AND campaign_round_date IS NOT NULL"
            " AND campaign_collection_end <= campaign_round_date)",
            name="campaign",
        ),
        CheckConstraint(
            "retention_days >= 1 AND immersion_retention_days >= 1 AND sign_in_log_retention_days >= 1"
            " AND audit_retention_days >= 1",
            name="retention",
        ),
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
    # While paused, no weekly round runs (a coordinator may still start one).
    rounds_paused: Mapped[bool] = mapped_column(Boolean, default=False)
    round_mode: Mapped[RoundMode] = mapped_column(str_enum(RoundMode, "round_mode"), default=RoundMode.WEEKLY)
    campaign_collection_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    campaign_round_date: Mapped[date | None] = mapped_column(Date, nullable=True)
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
    # Retention (services/retention.py): requests that led to no immersion, after their last change;
    # immersions, after their last day; the audit log's sign-in events, and its other events.
    retention_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_RETENTION_DAYS)
    immersion_retention_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_IMMERSION_RETENTION_DAYS)
    sign_in_log_retention_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_SIGN_IN_LOG_RETENTION_DAYS)
    audit_retention_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_AUDIT_RETENTION_DAYS)
    # Mission expenses: the flat rate per kilometre for a personal car, in euro cents.
    mileage_rate_cents: Mapped[int] = mapped_column(Integer, default=DEFAULT_MILEAGE_RATE_CENTS)
    # The order the three parties sign the agreement in (models/agreement.py), comma-separated parties.
    signing_order: Mapped[str] = mapped_column(String(40), default="agent,home,host")

    organisations: Mapped[list[Organisation]] = relationship(back_populates="network", order_by="Organisation.name")

    def collecting(self, day: date) -> bool:
        """Whether new requests and offers are taken on `day`: always, but after a campaign's collection end."""
        closed = self.campaign_collection_end is not None and day > self.campaign_collection_end
        return not (self.round_mode == RoundMode.CAMPAIGN and closed)

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
    # What a visiting agent should know to get there and work there (step-free access, hearing loop...).
    accessibility_notes: Mapped[str] = mapped_column(Text, default="")
    # Suspended by the coordination: its offers leave the catalogue and its agents' pending requests wait
    # outside the rounds (services/organisations.py); nothing is deleted, its members still sign in.
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    suspension_reason: Mapped[str] = mapped_column(Text, default="")

    network: Mapped[Network] = relationship(back_populates="organisations")
    members: Mapped[list[User]] = relationship(back_populates="organisation", foreign_keys="User.organisation_id")
    sirets: Mapped[list[OrganisationSiret]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="OrganisationSiret.siret"
    )

    @hybrid_property
    def is_active(self) -> bool:
        """Not suspended: the one predicate the catalogue, the search and the rounds filter on."""
        return self.suspended_at is None

    @is_active.inplace.expression
    @classmethod
    def _is_active_expression(cls) -> ColumnElement[bool]:
        return cls.suspended_at.is_(None)

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
