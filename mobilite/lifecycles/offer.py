"""An offer's lifecycle: its moves, the named sets of statuses, and the coordination's decision.

    draft ──submit──▶ submitted ──publish──▶ published ──close──▶ closed ──archive──▶ archived (final)
      │  ▲              │   │                  │                    │
      │  └──send back───┘   └──close──▶ closed └──revalidate──▶     └──reopen──▶ draft
      │                                            submitted
      ├──publish directly (where the network does not validate offers)──▶ published
      └──archive──▶ archived

A published offer whose substance changes goes back to "submitted" where the network validates offers
(revalidate): it leaves the catalogue until the coordination publishes it again.
Every change of an offer's status goes through `check_move` (services.offers).
"""

from __future__ import annotations

import enum

from mobilite.i18n import N_
from mobilite.lifecycles import Lifecycle
from mobilite.models.offer import OfferStatus


class OfferMove(enum.StrEnum):
    SUBMIT = "submit"
    PUBLISH_DIRECTLY = "publish_directly"
    PUBLISH = "publish"
    SEND_BACK = "send_back"
    REVALIDATE = "revalidate"
    CLOSE = "close"
    ARCHIVE = "archive"
    REOPEN = "reopen"


LIFECYCLE: Lifecycle[OfferStatus, OfferMove] = Lifecycle(
    OfferStatus,
    {
        OfferMove.SUBMIT: (frozenset({OfferStatus.DRAFT}), OfferStatus.SUBMITTED),
        OfferMove.PUBLISH_DIRECTLY: (frozenset({OfferStatus.DRAFT}), OfferStatus.PUBLISHED),
        OfferMove.PUBLISH: (frozenset({OfferStatus.SUBMITTED}), OfferStatus.PUBLISHED),
        OfferMove.SEND_BACK: (frozenset({OfferStatus.SUBMITTED}), OfferStatus.DRAFT),
        OfferMove.REVALIDATE: (frozenset({OfferStatus.PUBLISHED}), OfferStatus.SUBMITTED),
        OfferMove.CLOSE: (frozenset({OfferStatus.PUBLISHED, OfferStatus.SUBMITTED}), OfferStatus.CLOSED),
        OfferMove.ARCHIVE: (frozenset({OfferStatus.DRAFT, OfferStatus.CLOSED}), OfferStatus.ARCHIVED),
        # A submitted offer goes back to draft only by the coordination's decision (send back).
        OfferMove.REOPEN: (frozenset({OfferStatus.CLOSED}), OfferStatus.DRAFT),
    },
    N_("Action impossible pour une offre dans cet état."),
)
TRANSITIONS = LIFECYCLE.transitions
check_move = LIFECYCLE.check_move

# Its sessions no longer change: none added, none removed.
FROZEN = frozenset({OfferStatus.CLOSED, OfferStatus.ARCHIVED})
# HR may still edit it (an archived offer is duplicated instead).
EDITABLE = frozenset(OfferStatus) - {OfferStatus.ARCHIVED}


class OfferAction(enum.StrEnum):
    """The HR's buttons on an offer of their organisation, each a move of the table."""

    CLOSE = OfferMove.CLOSE.value
    ARCHIVE = OfferMove.ARCHIVE.value
    REOPEN = OfferMove.REOPEN.value


class OfferValidation(enum.StrEnum):
    """The coordination's decision on a submitted offer, each a move of the table."""

    PUBLISH = OfferMove.PUBLISH.value
    SEND_BACK = OfferMove.SEND_BACK.value
