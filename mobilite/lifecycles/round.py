"""A matching round's lifecycle: which status may follow which, and the named sets services and pages use.

    scheduled ──claim──▶ running ──save──▶ proposed ──publish──▶ published (final)
        ▲                 │  │                │
        │                 │  └──fail──▶ failed
        │                 └──requeue (runner stopped heartbeating, attempts left)
        └────────── rerun (from proposed or failed)

Every change of a round's status goes through `check_transition`, under the round's row lock
(services.rounds.lock_round). A rerun asked for first makes a publication wait: publication is refused
while the round is scheduled or running, and a published round can no longer be rerun.
"""

from __future__ import annotations

import enum

from flask_babel import gettext as _

from mobilite.i18n import N_
from mobilite.models.matching import RoundStatus
from mobilite.services.errors import StaleRecord

TRANSITIONS: dict[RoundStatus, frozenset[RoundStatus]] = {
    RoundStatus.SCHEDULED: frozenset({RoundStatus.RUNNING}),
    RoundStatus.RUNNING: frozenset({RoundStatus.PROPOSED, RoundStatus.FAILED, RoundStatus.SCHEDULED}),
    RoundStatus.PROPOSED: frozenset({RoundStatus.PUBLISHED, RoundStatus.SCHEDULED}),
    RoundStatus.FAILED: frozenset({RoundStatus.SCHEDULED}),
    RoundStatus.PUBLISHED: frozenset(),
}

# Waiting for the scheduler, or being computed: the page refreshes itself; no publication meanwhile.
IN_PROGRESS = frozenset({RoundStatus.SCHEDULED, RoundStatus.RUNNING})
# Shown on the progress page rather than the review page.
SHOWS_PROGRESS = IN_PROGRESS | {RoundStatus.FAILED}
# A coordinator may run it again (pinned placements kept).
RERUNNABLE = frozenset({RoundStatus.PROPOSED, RoundStatus.FAILED})
# Its proposals may be approved, rejected, pinned, replaced, and it may be published.
IN_REVIEW = frozenset({RoundStatus.PROPOSED})
# How many times the scheduler runs a round whose runner died before it gives up (a rerun starts again).
MAX_ATTEMPTS = 3


class RoundFailure(enum.StrEnum):
    """Why a round failed, as stored in `Round.error`: the details are in the scheduler's log, not here."""

    ERROR = "error"
    INTERRUPTED = "interrupted"


FAILURE_MESSAGES = {
    RoundFailure.ERROR: N_(
        "Le calcul du tour s'est arrêté sur une erreur. Les détails sont dans le journal "
        "du planificateur ; vous pouvez relancer le tour."
    ),
    RoundFailure.INTERRUPTED: N_(
        "Le planificateur qui calculait ce tour s'est arrêté à chaque tentative. Vous pouvez relancer le tour."
    ),
}


def failure_message(error: str) -> str:
    """The coordinator's message for a stored failure code; older rows holding raw text get the generic one."""
    try:
        failure = RoundFailure(error)
    except ValueError:
        failure = RoundFailure.ERROR
    return _(FAILURE_MESSAGES[failure])


class RoundStateConflict(StaleRecord):
    """The round is not (or no longer) in a status that allows this change: 409 in the API."""


def _refusal(current: RoundStatus, target: RoundStatus) -> str:
    if target == RoundStatus.PUBLISHED:
        if current in IN_PROGRESS:
            return _(
                "Une relance de ce tour est en attente ou en cours : il pourra être publié quand ses "
                "nouvelles propositions seront prêtes."
            )
        if current == RoundStatus.PUBLISHED:
            return _("Ce tour est déjà publié.")
        return _("Ce tour a échoué : relancez-le avant de le publier.")
    if target == RoundStatus.SCHEDULED:
        if current == RoundStatus.PUBLISHED:
            return _("Ce tour est publié : il ne peut plus être relancé.")
        if current in IN_PROGRESS:
            return _("Ce tour est déjà en attente ou en cours de calcul.")
    return _("Ce tour a changé d'état entre-temps : rechargez la page.")


def can_move(current: RoundStatus, target: RoundStatus) -> bool:
    return target in TRANSITIONS[RoundStatus(current)]


def check_transition(current: RoundStatus, target: RoundStatus) -> None:
    """Refuse a move the table does not allow, with a message that says why (RoundStateConflict)."""
    if not can_move(current, target):
        raise RoundStateConflict(_refusal(RoundStatus(current), target))
