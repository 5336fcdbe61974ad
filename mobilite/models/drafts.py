"""A round's draft: the same problem solved with other settings, in the scheduler, to compare before keeping."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobilite.models.base import Base, TimestampedMixin, UTCDateTime, str_enum
from mobilite.models.matching import Round
from mobilite.models.user import User


class DraftStatus(enum.StrEnum):
    """queued → running → done (→ kept or discarded), or failed; see mobilite.services.round_drafts."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    KEPT = "kept"
    DISCARDED = "discarded"


class RoundDraft(TimestampedMixin, Base):
    """Other settings tried on a round: what was asked, and once run, the placements and indicators."""

    __tablename__ = "round_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    # The overrides asked for ({"weights": {...}, "fairness_floor_percent", "mode", "diversity", "continuity"}).
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[DraftStatus] = mapped_column(str_enum(DraftStatus, "draft_status"), default=DraftStatus.QUEUED)
    # The round's finished_at when the draft was asked: a round run again since makes the draft outdated.
    round_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # {"solution": Solution.to_dict(stats=False, outlooks=True), "snapshot": settings, "indicators": {...}}
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    error: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    round: Mapped[Round] = relationship()
    requested_by: Mapped[User | None] = relationship()
