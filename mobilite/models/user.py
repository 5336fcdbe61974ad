"""Accounts, roles and the agent's profile."""

from __future__ import annotations

import enum
import secrets
import time
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobilite.limits import MAX_SKILL_LEVEL, MIN_SKILL_LEVEL
from mobilite.models.base import Base, TimestampedMixin, UTCDateTime, str_enum
from mobilite.models.network import Network, Organisation
from mobilite.models.taxonomy import Skill, Theme


class Role(enum.StrEnum):
    AGENT = "agent"
    RH = "rh"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class User(TimestampedMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("work_latitude IS NULL OR work_latitude BETWEEN -90 AND 90", name="work_latitude"),
        CheckConstraint("work_longitude IS NULL OR work_longitude BETWEEN -180 AND 180", name="work_longitude"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str] = mapped_column(String(5), default="fr")
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), nullable=True, index=True
    )
    # A coordinator's network; agents and HR reach their network through their organisation.
    network_id: Mapped[int | None] = mapped_column(
        ForeignKey("networks.id", ondelete="RESTRICT"), nullable=True, index=True
    )
    team: Mapped[str] = mapped_column(String(200), default="")
    job_title: Mapped[str] = mapped_column(String(200), default="")
    work_city: Mapped[str] = mapped_column(String(120), default="")
    # The commune picked in the gazetteer (INSEE code) and its postcode the agent chose; the city and the
    # coordinates above are copied from it (mobilite.services.communes).
    work_commune_code: Mapped[str | None] = mapped_column(String(5), nullable=True)
    work_postcode: Mapped[str] = mapped_column(String(5), default="")
    work_latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    work_longitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Every session and remember-me cookie names the version it was opened under; bumping it (logout,
    # password change or reset, deactivation, "sign out everywhere") ends them all.
    session_version: Mapped[int] = mapped_column(Integer, default=0)
    # The ProConnect subject (`sub`) the account is linked to: after the first ProConnect sign-in, the link
    # is by this identifier, whatever the e-mail address becomes.
    proconnect_sub: Mapped[str | None] = mapped_column(String(255), unique=True, nullable=True)
    # The address the SMTP relay refused for good (a permanent 5xx), when and why: nothing more is sent to
    # it while it is the account's address; the person and their HR officers see it.
    bounced_email: Mapped[str] = mapped_column(String(254), default="")
    bounced_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    bounce_reason: Mapped[str] = mapped_column(String(300), default="")
    # Switched off by an HR officer, a coordinator or the admin (mobilite.services.account_lifecycle): the
    # account cannot sign in; its history stays.
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deactivated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    # Personal data erased on request: names, address and free texts are gone, the records stay for the
    # network's statistics.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    organisation: Mapped[Organisation | None] = relationship(back_populates="members", foreign_keys=[organisation_id])
    coordinated_network: Mapped[Network | None] = relationship(foreign_keys=[network_id])
    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    skills: Mapped[list[UserSkill]] = relationship(back_populates="user", cascade="all, delete-orphan")
    interests: Mapped[list[Theme]] = relationship(secondary="user_interests")

    # Flask-Login protocol.
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """Flask-Login's "alternative id", called once per sign-in and kept in the session and the remember-me
        cookie: the account, its session version, when this sign-in began and a random part, so each sign-in
        gets its own value, which expires (mobilite.services.auth.user_for_session_id checks it)."""
        return f"{self.id}:{self.session_version}:{int(time.time())}:{secrets.token_urlsafe(16)}"

    @property
    def email_failing(self) -> bool:
        """The relay refused this very address for good (a changed address starts afresh)."""
        return bool(self.bounced_email) and self.bounced_email == self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def roles(self) -> set[Role]:
        return {row.role for row in self.role_rows}

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    def add_role(self, role: Role) -> None:
        if role not in self.roles:
            self.role_rows.append(UserRole(role=role))

    @property
    def home_network_id(self) -> int | None:
        """The network the user acts in: a coordinator's own, else their organisation's."""
        if self.network_id is not None:
            return self.network_id
        return self.organisation.network_id if self.organisation else None

    # Permission questions; the authz module composes them.
    def is_hr_of(self, organisation_id: int | None) -> bool:
        return self.has_role(Role.RH) and organisation_id is not None and organisation_id == self.organisation_id

    def coordinates(self, network_id: int | None) -> bool:
        return self.has_role(Role.COORDINATOR) and network_id is not None and network_id == self.network_id

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class UserRole(Base):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))

    user: Mapped[User] = relationship(back_populates="role_rows")


class UserSkill(Base):
    """A skill the agent has, with a level from 1 (notions) to 4 (expertise)."""

    __tablename__ = "user_skills"
    __table_args__ = (CheckConstraint(f"level BETWEEN {MIN_SKILL_LEVEL} AND {MAX_SKILL_LEVEL}", name="level"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="RESTRICT"), primary_key=True)
    level: Mapped[int] = mapped_column(Integer)

    user: Mapped[User] = relationship(back_populates="skills")
    skill: Mapped[Skill] = relationship()


class UserInterest(Base):
    __tablename__ = "user_interests"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="RESTRICT"), primary_key=True)
