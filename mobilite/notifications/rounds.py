"""Round messages: to coordinators when a round is ready or failed, to agents left without a proposal."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from flask_babel import ngettext

from mobilite.models import (
    ImmersionRequest,
    Round,
    User,
)
from mobilite.notifications.rendering import deliver, external_url, full_date

if TYPE_CHECKING:
    from mobilite.outlook_text import OutlookText


def round_unmatched(immersion_request: ImmersionRequest, text: Callable[[], OutlookText]) -> None:
    """A round was published without a proposal for this waiting request: the agent is told why, and what
    would open options (`text()` words it in the agent's language)."""
    deliver(
        immersion_request.agent,
        "round.unmatched",
        "round_unmatched",
        params=lambda: {"outlook": text()},
        immersion_request=immersion_request,
        link=external_url("agents.request_detail", request_id=immersion_request.id),
    )


def _round_params(round_: Round) -> dict[str, object]:
    return {"week": full_date(round_.week_start)}


def round_ready(round_: Round, coordinators: Iterable[User]) -> None:
    """A round ran: its proposals wait for the coordinators' review (one message per round)."""
    placed = int((round_.metrics or {}).get("placed", 0))
    unmatched = len((round_.unmatched or {}).get("requests", []))

    def params() -> dict[str, object]:
        proposals = ngettext(
            "Le tour d'appariement de la semaine du %(week)s a fait %(num)d proposition",
            "Le tour d'appariement de la semaine du %(week)s a fait %(num)d propositions",
            placed,
            week=full_date(round_.week_start),
        )
        left = ngettext(
            "%(num)d demande reste sans proposition.",
            "%(num)d demandes restent sans proposition.",
            unmatched,
        )
        return {**_round_params(round_), "outcome": _("%(proposals)s ; %(left)s", proposals=proposals, left=left)}

    for user in coordinators:
        deliver(
            user,
            "round.ready",
            "round_ready",
            params=params,
            round=round_,
            link=external_url("coordination.round_page", round_id=round_.id),
            round_id=round_.id,
        )


def round_failed(round_: Round, coordinators: Iterable[User]) -> None:
    """A round ended failed, without proposals: the coordinators may run it again."""
    for user in coordinators:
        deliver(
            user,
            "round.failed",
            "round_failed",
            params=lambda: _round_params(round_),
            round=round_,
            link=external_url("coordination.round_page", round_id=round_.id),
            round_id=round_.id,
        )
