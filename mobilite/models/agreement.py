"""The three-party agreement of an immersion (décret n° 2016-1732, art. 13-1) and its online signatures."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobilite.models.base import Base, TimestampedMixin, UTCDateTime, str_enum
from mobilite.models.matching import Immersion

# The order the parties sign in, unless the network sets another (networks.signing_order).
DEFAULT_SIGNING_ORDER = "agent,home,host"


class AgreementState(enum.StrEnum):
    """drafted → completed (by the host) → checked (by the home HR) → signing → signed.

    A change after completion takes it back to completed (the home HR checks the new version)."""

    DRAFTED = "drafted"
    COMPLETED = "completed"
    CHECKED = "checked"
    SIGNING = "signing"
    SIGNED = "signed"


class SignatureParty(enum.StrEnum):
    AGENT = "agent"
    HOME = "home"
    HOST = "host"


class AuthMethod(enum.StrEnum):
    """How the signer proved who they were when they signed."""

    PASSWORD = "password"
    PROCONNECT = "proconnect"
    ONE_TIME_LINK = "one_time_link"
    API_TOKEN = "api_token"


class TravelCostsBearer(enum.StrEnum):
    HOME = "home"  # as for any mission: the default
    HOST = "host"


class Agreement(TimestampedMixin, Base):
    """One per immersion. The document signed is frozen when the home HR checks it (`document_pdf`); the
    signed PDF is stored once the last party signs, so that every download gives the same bytes."""

    __tablename__ = "agreements"
    __table_args__ = (CheckConstraint("version >= 1", name="version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    immersion_id: Mapped[int] = mapped_column(ForeignKey("immersions.id", ondelete="CASCADE"), unique=True)
    state: Mapped[AgreementState] = mapped_column(
        str_enum(AgreementState, "agreement_state"), default=AgreementState.DRAFTED
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    functions_observed: Mapped[str] = mapped_column(Text, default="")
    objectives: Mapped[str] = mapped_column(Text, default="")
    daily_hours: Mapped[str] = mapped_column(String(200), default="")
    travel_costs_by: Mapped[TravelCostsBearer] = mapped_column(
        str_enum(TravelCostsBearer, "travel_costs_bearer"), default=TravelCostsBearer.HOME
    )
    # When the agreement reached its current state: "waiting since" on the coordination's page.
    state_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The exact bytes each party signs (frozen at the check) and their SHA-256, in hex.
    document_pdf: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    document_sha256: Mapped[str] = mapped_column(String(64), default="")
    # The agreement with its signature page, stored when the last party signs.
    signed_pdf: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    signed_sha256: Mapped[str] = mapped_column(String(64), default="")
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The day-before flag to both HR officers and the coordination went out (once per immersion).
    unsigned_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    immersion: Mapped[Immersion] = relationship()
    signatures: Mapped[list[AgreementSignature]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan", order_by="AgreementSignature.id"
    )

    def active_signatures(self) -> list[AgreementSignature]:
        return [s for s in self.signatures if s.voided_at is None]


class AgreementSignature(Base):
    """A simple electronic signature and its evidence. Never deleted: a change voids it (voided_at)."""

    __tablename__ = "agreement_signatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    party: Mapped[SignatureParty] = mapped_column(str_enum(SignatureParty, "signature_party"))
    signer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    # The signer's name and e-mail as they were: the evidence outlives an account's changes.
    signer_name: Mapped[str] = mapped_column(String(200))
    signer_email: Mapped[str] = mapped_column(String(254))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ip_address: Mapped[str] = mapped_column(String(45), default="")
    document_sha256: Mapped[str] = mapped_column(String(64))
    auth_method: Mapped[AuthMethod] = mapped_column(str_enum(AuthMethod, "signature_auth_method"))
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    void_reason: Mapped[str] = mapped_column(Text, default="")

    agreement: Mapped[Agreement] = relationship(back_populates="signatures")
