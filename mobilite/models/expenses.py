"""Mission expenses: the travel an agent expects for an immersion (the agent is on mission, décret 2006-781)."""

from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobilite.models.base import Base, TimestampedMixin, str_enum
from mobilite.models.matching import Immersion


class TravelMode(enum.StrEnum):
    CAR = "car"  # personal car: the network's mileage rate per kilometre
    PUBLIC_TRANSPORT = "public_transport"  # train, coach, bus: the fare the agent states
    ACTIVE = "active"  # on foot, by bicycle: no cost


class TravelRecord(TimestampedMixin, Base):
    """One immersion's expected travel, kept up to date by its agent; the home employer pays it."""

    __tablename__ = "travel_records"
    __table_args__ = (
        CheckConstraint("distance_km >= 0 AND trips >= 1 AND amount_cents >= 0", name="amounts"),
        CheckConstraint("fare_cents IS NULL OR fare_cents >= 0", name="fare"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    immersion_id: Mapped[int] = mapped_column(ForeignKey("immersions.id", ondelete="CASCADE"), unique=True)
    mode: Mapped[TravelMode] = mapped_column(str_enum(TravelMode, "travel_mode"))
    distance_km: Mapped[int] = mapped_column(Integer)  # one way, home to the host's site
    trips: Mapped[int] = mapped_column(Integer)  # return trips
    fare_cents: Mapped[int | None] = mapped_column(Integer, nullable=True)  # one return trip, public transport
    amount_cents: Mapped[int] = mapped_column(Integer)  # the estimate, worked out when recorded

    immersion: Mapped[Immersion] = relationship()
