"""Lifecycles: for each aggregate, the allowed status transitions and the named sets of statuses.

One module per aggregate (offer, request, proposal, immersion, round), next to its status enum. Each names
its moves (what a person or a job does) in a table: the statuses a move starts from and the status it
leads to. Services make every change of status through the table (`check_move`), and every service, view,
query, permission and template reads the named sets from here, never a tuple of statuses of its own.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Generic, TypeVar

from flask import Flask
from flask_babel import gettext as _

from mobilite.services.errors import ServiceError

Status = TypeVar("Status", bound=enum.StrEnum)
Move = TypeVar("Move", bound=enum.StrEnum)


class TransitionRefused(ServiceError):
    """The record's status does not allow this move (422), with the reason as the user reads it."""


class Lifecycle(Generic[Status, Move]):
    """A table of moves: each move's starting statuses and the status it leads to."""

    def __init__(
        self, statuses: type[Status], moves: Mapping[Move, tuple[frozenset[Status], Status]], refused: str
    ) -> None:
        self.statuses = statuses
        self.moves = dict(moves)
        self.refused = refused  # a msgid: the general refusal, when the caller gives no reason of its own
        # Which status may follow which, whatever the move (read by the diagrams and the tests).
        self.transitions: dict[Status, frozenset[Status]] = {
            status: frozenset(target for sources, target in self.moves.values() if status in sources)
            for status in statuses
        }

    def sources(self, move: Move) -> frozenset[Status]:
        """The statuses `move` starts from."""
        return self.moves[move][0]

    def allows(self, current: Status, move: Move) -> bool:
        return self.statuses(current) in self.moves[move][0]

    def check_move(self, current: Status, move: Move, message: str | None = None) -> Status:
        """The status `move` leads to from `current`; TransitionRefused (the caller's reason or the general
        one) if the table does not allow it."""
        sources, target = self.moves[move]
        if self.statuses(current) not in sources:
            raise TransitionRefused(message or _(self.refused))
        return target


def init_app(app: Flask) -> None:
    """The pages read the named sets too: `{% if item.status in lifecycles.request.WAITING %}`."""
    from mobilite.lifecycles import immersion, offer, proposal, request
    from mobilite.lifecycles import round as round_lifecycle

    app.jinja_env.globals["lifecycles"] = SimpleNamespace(
        offer=offer, request=request, proposal=proposal, immersion=immersion, round=round_lifecycle
    )
