"""An immersion's lifecycle: its moves and the named sets of statuses.

confirmed ──complete (end date passed)──▶ done
    │  │                                   │
    │  └──cancel (both sides say it did not happen)──▶ cancelled (final)
    └──call off (a party or the coordination, before the first day)──▶ cancelled
"""

from __future__ import annotations

import enum

from mobilite.i18n import N_
from mobilite.lifecycles import Lifecycle
from mobilite.models.matching import ImmersionStatus


class ImmersionMove(enum.StrEnum):
    COMPLETE = "complete"
    CANCEL = "cancel"
    CALL_OFF = "call_off"


LIFECYCLE: Lifecycle[ImmersionStatus, ImmersionMove] = Lifecycle(
    ImmersionStatus,
    {
        ImmersionMove.COMPLETE: (frozenset({ImmersionStatus.CONFIRMED}), ImmersionStatus.DONE),
        # Feedback opens on the last day: the job may not have marked it done yet.
        ImmersionMove.CANCEL: (frozenset({ImmersionStatus.CONFIRMED, ImmersionStatus.DONE}), ImmersionStatus.CANCELLED),
        # Before the first day only (the service checks the date): the days and the seat are given back.
        ImmersionMove.CALL_OFF: (frozenset({ImmersionStatus.CONFIRMED}), ImmersionStatus.CANCELLED),
    },
    N_("Action impossible pour une immersion dans cet état."),
)
TRANSITIONS = LIFECYCLE.transitions
check_move = LIFECYCLE.check_move

# Immersions that use up the agent's quota and a seat: confirmed (to come) and done.
# A cancelled one gives its days and its seat back.
COUNTED = frozenset({ImmersionStatus.CONFIRMED, ImmersionStatus.DONE})
