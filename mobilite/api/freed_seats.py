"""The seat a cancelled immersion freed: the requests that could take it now, and offering it (coordination).

Added to the immersions' blueprint: /immersions/<id>/freed-seat. The same rules and service as the page
(services.freed_seats): only the coordination of the immersion's network (404 for anybody else)."""

from __future__ import annotations

from marshmallow import fields
from werkzeug.exceptions import NotFound

from mobilite.api.core import api_user, api_view
from mobilite.api.immersions import blp
from mobilite.api.schemas_rounds import ProposalOut
from mobilite.authz import Action
from mobilite.models import Immersion, Role
from mobilite.schemas.base import BaseSchema
from mobilite.schemas.freed_seats import OfferSeatSchema
from mobilite.services import freed_seats

IMMERSION = (Immersion, Action.VIEW, "immersion_id", "immersion")


class CandidateOut(BaseSchema):
    request_id = fields.Integer(attribute="request.id", dump_only=True)
    agent_name = fields.String(attribute="request.agent.full_name", dump_only=True)
    organisation_id = fields.Integer(attribute="request.organisation_id", dump_only=True)
    score = fields.Integer(dump_only=True, metadata={"description": "The engine's score for this pair."})
    breakdown = fields.Dict(dump_only=True, metadata={"description": "Weighted points per term."})
    reasons = fields.Method(
        "_reasons", dump_only=True, metadata={"description": "The score in words, one sentence per term."}
    )

    def _reasons(self, candidate) -> list[str]:
        return [w.sentence for w in candidate.words]


class FreedSeatOut(BaseSchema):
    immersion_id = fields.Integer(attribute="immersion.id", dump_only=True)
    session_id = fields.Integer(attribute="session.id", dump_only=True)
    refusal = fields.String(
        dump_only=True, allow_none=True, metadata={"description": "Why the seat cannot be offered now; null: it can."}
    )
    seats_left = fields.Integer(dump_only=True)
    total = fields.Integer(dump_only=True, metadata={"description": "Requests that could take the seat."})
    candidates = fields.List(
        fields.Nested(CandidateOut), dump_only=True, metadata={"description": "The best first (at most 50)."}
    )


def _coordination(immersion: Immersion) -> Immersion:
    if not freed_seats.may_offer(api_user(), immersion):
        raise NotFound()
    return immersion


@blp.route("/immersions/<int:immersion_id>/freed-seat", methods=["GET"])
@api_view(Role.COORDINATOR, load=IMMERSION)
@blp.response(200, FreedSeatOut)
@blp.alt_response(404, response="NOT_FOUND")
def get_freed_seat(immersion):
    """The seat an immersion called off before its start freed: the network's approved requests waiting for a
    proposal that keep every matching rule with its session, best score first, each score in words
    (coordination of the immersion's network)."""
    return freed_seats.freed_seat(_coordination(immersion))


@blp.route("/immersions/<int:immersion_id>/freed-seat", methods=["POST"])
@api_view(Role.COORDINATOR, load=IMMERSION)
@blp.arguments(OfferSeatSchema)
@blp.response(201, ProposalOut)
@blp.alt_response(404, response="NOT_FOUND")
def offer_freed_seat(data, immersion):
    """Offer the freed seat to one waiting request (`request_id`): a published proposal, answered by the agent
    and the host within the network's deadline. 422 naming `request_id` when that request cannot take it, or
    when the seat was offered to someone else in the meantime."""
    return freed_seats.offer_seat(api_user(), _coordination(immersion), data["request_id"]), 201
