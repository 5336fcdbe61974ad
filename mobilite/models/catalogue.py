"""The catalogue's change stamp: one row, rewritten by every transaction that changes what the agents' search
reads (services.catalogue_index), so that each web worker knows when its in-memory index is out of date."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from mobilite.models.base import Base


class CatalogueStamp(Base):
    __tablename__ = "catalogue_stamp"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # A random value rather than a counter: a rolled-back change puts the old value back, and an index
    # built inside that transaction must not pass for the old one's.
    stamp: Mapped[str] = mapped_column(String(32))
