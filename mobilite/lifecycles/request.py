"""An immersion request's lifecycle: its moves, the named sets of statuses, and HR's decision.

draft ──submit──▶ submitted ──approve──▶ approved ──match (round published)──▶ matched ──close──▶ closed
  │                 │ │                    │  ▲                                 │   (immersion done)
  │                 │ └──refuse──▶ refused │  └──release (proposal declined or expired)
  │                 └──postpone──▶ postponed (then approve, refuse or postpone again)
  └──withdraw (from draft, submitted, postponed or approved)──▶ withdrawn
"""

from __future__ import annotations

import enum

from mobilite.i18n import N_
from mobilite.lifecycles import Lifecycle
from mobilite.models.request import RequestStatus

# Waiting for the home employer's answer (with a deadline): HR may decide on it.
WAITING = frozenset({RequestStatus.SUBMITTED, RequestStatus.POSTPONED})


class RequestMove(enum.StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    REFUSE = "refuse"
    POSTPONE = "postpone"
    WITHDRAW = "withdraw"
    MATCH = "match"
    RELEASE = "release"
    CLOSE = "close"


LIFECYCLE: Lifecycle[RequestStatus, RequestMove] = Lifecycle(
    RequestStatus,
    {
        RequestMove.SUBMIT: (frozenset({RequestStatus.DRAFT}), RequestStatus.SUBMITTED),
        RequestMove.APPROVE: (WAITING, RequestStatus.APPROVED),
        RequestMove.REFUSE: (WAITING, RequestStatus.REFUSED),
        RequestMove.POSTPONE: (WAITING, RequestStatus.POSTPONED),
        RequestMove.WITHDRAW: (
            frozenset({RequestStatus.DRAFT, RequestStatus.SUBMITTED, RequestStatus.POSTPONED, RequestStatus.APPROVED}),
            RequestStatus.WITHDRAWN,
        ),
        RequestMove.MATCH: (frozenset({RequestStatus.APPROVED}), RequestStatus.MATCHED),
        RequestMove.RELEASE: (frozenset({RequestStatus.MATCHED}), RequestStatus.APPROVED),
        RequestMove.CLOSE: (frozenset({RequestStatus.MATCHED}), RequestStatus.CLOSED),
    },
    N_("Action impossible pour une demande dans cet état."),
)
TRANSITIONS = LIFECYCLE.transitions
check_move = LIFECYCLE.check_move

# The line manager's opinion is asked while the employer has not answered yet (a postponed request too).
OPINION_OPEN = WAITING

# Approved and waiting for a proposal: the network's next round takes it.
IN_QUEUE = LIFECYCLE.sources(RequestMove.MATCH)
# The agent may still edit it and add wishes.
EDITABLE = frozenset({RequestStatus.DRAFT, RequestStatus.SUBMITTED})
# The agent may withdraw it.
WITHDRAWABLE = LIFECYCLE.sources(RequestMove.WITHDRAW)
# Refused or postponed: the agent reads HR's reason.
ANSWERED_WITH_REASON = frozenset({RequestStatus.REFUSED, RequestStatus.POSTPONED})
# Seen by HR and the coordination: a draft is the agent's own business.
SHARED = frozenset(RequestStatus) - {RequestStatus.DRAFT}
# Deleted once older than the network's retention period (unless an immersion came of it).
PURGEABLE = frozenset({RequestStatus.REFUSED, RequestStatus.WITHDRAWN, RequestStatus.DRAFT})


class RequestDecision(enum.StrEnum):
    """The home employer's answer to a waiting request, each a move of the table."""

    APPROVE = RequestMove.APPROVE.value
    REFUSE = RequestMove.REFUSE.value
    POSTPONE = RequestMove.POSTPONE.value


# The agent is told why: a reason is required.
NEEDS_REASON = frozenset({RequestDecision.REFUSE, RequestDecision.POSTPONE})
