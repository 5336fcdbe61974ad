"""Offer messages: the coordination published an offer, or sent it back to HR."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from mobilite.models import (
    Offer,
    User,
)
from mobilite.notifications.rendering import deliver, external_url

if TYPE_CHECKING:
    pass


def offer_published(offer: Offer, officers: Iterable[User]) -> None:
    """The coordination published an offer: its organisation's HR officers are told."""
    for officer in officers:
        deliver(
            officer, "offer.published", "offer_published", offer=offer, link=external_url("rh.offer", offer_id=offer.id)
        )


def offer_sent_back(offer: Offer, officers: Iterable[User], comment: str) -> None:
    """The coordination sent an offer back, with a comment: HR edits it and submits it again."""
    for officer in officers:
        deliver(
            officer,
            "offer.sent_back",
            "offer_sent_back",
            offer=offer,
            comment=comment,
            link=external_url("rh.offer", offer_id=offer.id),
        )
