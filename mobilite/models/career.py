"""The agent's career history on their profile: the immersions they chose to add ("Ajouter à mon parcours")."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mobilite.limits import MAX_WORKING_DAYS
from mobilite.models.base import Base, UTCDateTime, utcnow


class CareerEntry(Base):
    """One immersion in the agent's history, as its certificate states it when added: kept as written then
    (the offer may change or close later), removed by the agent whenever they wish."""

    __tablename__ = "career_entries"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="dates"),
        CheckConstraint(f"days_done BETWEEN 1 AND {MAX_WORKING_DAYS}", name="days_done"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    immersion_id: Mapped[int] = mapped_column(ForeignKey("immersions.id", ondelete="CASCADE"), unique=True)
    host_name: Mapped[str] = mapped_column(String(200))
    team: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    days_done: Mapped[int] = mapped_column(Integer)
    functions_observed: Mapped[str] = mapped_column(Text, default="")  # from the agreement, when it says
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
