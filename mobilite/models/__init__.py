"""The data model. Importing this package registers every table on Base.metadata."""

from mobilite.models.api import ApiToken
from mobilite.models.base import Base, utcnow
from mobilite.models.matching import (
    Answer,
    Feedback,
    FeedbackSide,
    ForbiddenPair,
    Immersion,
    ImmersionStatus,
    Outcome,
    Proposal,
    ProposalStatus,
    Round,
    RoundStatus,
)
from mobilite.models.network import DEFAULT_WEIGHTS, MatchingMode, Network, Organisation, OrganisationKind
from mobilite.models.offer import Offer, OfferPrerequisite, OfferSession, OfferSkill, OfferStatus, OfferTheme, Place
from mobilite.models.ops import AuditEvent, LoginAttempt, Notification, NotificationStatus, PasswordToken, TokenPurpose
from mobilite.models.request import (
    AvailabilityWindow,
    ImmersionRequest,
    RequestSkill,
    RequestStatus,
    RequestTheme,
    Wish,
)
from mobilite.models.taxonomy import Skill, Theme
from mobilite.models.user import Role, User, UserInterest, UserRole, UserSkill

__all__ = [
    "Answer",
    "ApiToken",
    "AuditEvent",
    "AvailabilityWindow",
    "Base",
    "DEFAULT_WEIGHTS",
    "Feedback",
    "FeedbackSide", "ForbiddenPair",
    "Immersion",
    "ImmersionRequest",
    "ImmersionStatus",
    "LoginAttempt",
    "MatchingMode",
    "Network",
    "Notification",
    "NotificationStatus",
    "Offer",
    "OfferPrerequisite",
    "OfferSession",
    "OfferSkill",
    "OfferStatus",
    "OfferTheme",
    "Organisation",
    "OrganisationKind",
    "Outcome",
    "PasswordToken",
    "Place",
    "Proposal",
    "ProposalStatus",
    "RequestSkill",
    "RequestStatus",
    "RequestTheme",
    "Role",
    "Round",
    "RoundStatus",
    "Skill",
    "Theme",
    "TokenPurpose",
    "User",
    "UserInterest",
    "UserRole",
    "UserSkill",
    "Wish",
    "utcnow",
]
