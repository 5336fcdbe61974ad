"""An agent's first steps: what their profile still lacks before a request, and what each empty home page
suggests doing next.

The matching engine measures distances from the agent's work place, or from their organisation's address
when they gave none (services/round_problem.py). A request is refused only when neither is known: its
distances could not be measured at all. Skills and interests are asked for, never required: a request
names its own themes and skills, and may be open to every offer.
"""

from __future__ import annotations

from typing import Final, TypedDict

from flask_babel import gettext as _
from sqlalchemy import exists, select

from mobilite.extensions import db
from mobilite.i18n import N_
from mobilite.models import ImmersionRequest, Offer, OfferStatus, Organisation, User
from mobilite.services.errors import ServiceError

NO_WORK_PLACE: Final = N_(
    "Indiquez d'abord votre lieu de travail dans votre profil : les distances vers les offres se calculent "
    "depuis ce lieu, et votre organisation n'a pas d'adresse connue."
)


class ProfileGaps(TypedDict):
    """What the agent's profile lacks: the parts missing ("skills", "interests", "work_place"), in the order
    the profile page asks for them; where distances are measured from meanwhile; whether a request must wait."""

    missing: list[str]
    measured_from: str  # the organisation's city when the agent gave no work place; "" otherwise
    blocking: bool


def _has_work_place(user: User) -> bool:
    return user.work_latitude is not None and user.work_longitude is not None


def _located(organisation: Organisation | None) -> bool:
    return organisation is not None and organisation.latitude is not None and organisation.longitude is not None


def profile_gaps(user: User) -> ProfileGaps:
    missing = [
        name
        for name, present in (
            ("skills", bool(user.skills)),
            ("interests", bool(user.interests)),
            ("work_place", _has_work_place(user)),
        )
        if not present
    ]
    organisation = user.organisation
    fallback = not _has_work_place(user) and _located(organisation)
    return {
        "missing": missing,
        "measured_from": (organisation.city or organisation.name) if fallback and organisation else "",
        "blocking": not _has_work_place(user) and not _located(organisation),
    }


def check_can_request(user: User) -> None:
    """Refuse a request whose distances could not be measured: no work place, no organisation address."""
    if profile_gaps(user)["blocking"]:
        raise ServiceError(_(NO_WORK_PLACE))


def has_requests(user: User) -> bool:
    return bool(db.session.scalar(select(exists().where(ImmersionRequest.agent_id == user.id))))


def has_published_offers(organisation_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(exists().where(Offer.organisation_id == organisation_id, Offer.status == OfferStatus.PUBLISHED))
        )
    )
