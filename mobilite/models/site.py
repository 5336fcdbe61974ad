"""Sites of an organisation (its town hall, its technical centre…), and where an offer happens.

A site's commune and coordinates come from the communes gazetteer (mobilite.services.communes), never typed.
An offer may name one of its organisation's sites; without one it happens at the organisation's own address.
`Offer.location` (Python) and `located_offers` (SQL) are the only two readings of that rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobilite.models.base import Base, TimestampedMixin, UTCDateTime
from mobilite.models.network import Organisation
from mobilite.models.user import Role


class Site(TimestampedMixin, Base):
    """A place where an organisation hosts immersions. Archived rather than deleted once an offer uses it,
    so those offers keep their place."""

    __tablename__ = "sites"
    __table_args__ = (
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude"),
        Index("ix_sites_organisation_name", "organisation_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    postcode: Mapped[str] = mapped_column(String(10))
    city: Mapped[str] = mapped_column(String(120))
    commune_code: Mapped[str] = mapped_column(String(5))  # INSEE code of the gazetteer's commune
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    accessibility: Mapped[str] = mapped_column(Text, default="")
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    organisation: Mapped[Organisation] = relationship()

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    def is_managed_by(self, user) -> bool:
        """Its organisation's HR officers, its network's coordinators and the admin (as the organisation)."""
        return (
            user.is_hr_of(self.organisation_id)
            or user.coordinates(self.organisation.network_id)
            or user.has_role(Role.ADMIN)
        )

    def __repr__(self) -> str:
        return f"<Site {self.id} {self.name!r}>"


@dataclass(frozen=True)
class Location:
    """Where an offer happens: one of its organisation's sites, or the organisation's own address."""

    site_name: str  # "" at the organisation's own address
    address: str
    postcode: str
    city: str
    latitude: float | None
    longitude: float | None

    @property
    def full_address(self) -> str:
        """ "12 rue X, 69003 Lyon", as the agreement writes it."""
        town = " ".join(part for part in (self.postcode, self.city) if part)
        return ", ".join(part for part in (self.address, town) if part)

    @classmethod
    def of_site(cls, site: Site) -> Location:
        return cls(site.name, site.address, site.postcode, site.city, site.latitude, site.longitude)

    @classmethod
    def of_organisation(cls, organisation: Organisation) -> Location:
        return cls(
            "",
            organisation.address,
            organisation.postcode,
            organisation.city,
            organisation.latitude,
            organisation.longitude,
        )


def place_columns():
    """The SQL expressions of an offer's latitude, longitude and city: its site's, else its organisation's.
    For a query that joins Organisation and outer-joins Site (located_offers)."""
    # A site always has coordinates and a city: a NULL here means "no site", so the organisation's apply.
    return (
        func.coalesce(Site.latitude, Organisation.latitude),
        func.coalesce(Site.longitude, Organisation.longitude),
        func.coalesce(Site.city, Organisation.city),
    )


def located_offers(query):
    """`query` (which joins Offer and its Organisation) with the offer's site outer-joined, and the SQL
    expressions of the offer's latitude, longitude and city (place_columns)."""
    from mobilite.models.offer import Offer

    return (query.outerjoin(Site, Offer.site_id == Site.id), *place_columns())
