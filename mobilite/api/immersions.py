"""Confirmed immersions: the agent's own, their organisation's (HR, hosted or sent), the
network's (coordination), and their cancellation before the first day. The same access as the immersion
pages of the three spaces."""

from __future__ import annotations

from mobilite.api.core import Blueprint, api_user, api_view, json_errors, page_of
from mobilite.api.schemas_rounds import ImmersionOut, ImmersionQuery
from mobilite.authz import Action, Scope, default_scope, require_scope
from mobilite.models import Immersion
from mobilite.schemas.cancellation import CallOffIn
from mobilite.services import cancellation, listings

blp = json_errors(
    Blueprint(
        "api_immersions",
        __name__,
        url_prefix="/api/v1",
        description="Confirmed immersions: the caller's, their organisation's (HR), the network's.",
    )
)


@blp.route("/immersions", methods=["GET"])
@api_view()
@blp.arguments(ImmersionQuery, location="query", as_kwargs=True)
@blp.response(200, ImmersionOut(many=True))
@blp.paginate(page_size=50, max_page_size=200)
def list_immersions(pagination_parameters, scope=None, status=None):
    """Immersions, latest start first: the caller's own (scope=mine), those their organisation hosts or
    sends (scope=organisation, HR) or the network's (scope=network, coordination); optionally in one
    status."""
    user = api_user()
    scope = require_scope(user, scope) if scope else default_scope(user, Scope.NETWORK, Scope.ORGANISATION)
    return page_of(listings.scoped_immersions(user, scope, status), pagination_parameters)


@blp.route("/immersions/<int:immersion_id>", methods=["GET"])
@api_view(load=(Immersion, Action.VIEW, "immersion_id", "immersion"))
@blp.response(200, ImmersionOut)
@blp.alt_response(404, response="NOT_FOUND")
def get_immersion(immersion):
    """One immersion: the caller's own, one their organisation hosts or sends (HR), or of their network
    (coordination)."""
    return immersion


@blp.route("/immersions/<int:immersion_id>/cancellation", methods=["POST"])
@api_view(load=(Immersion, Action.VIEW, "immersion_id", "immersion"))
@blp.arguments(CallOffIn)
@blp.response(200, ImmersionOut)
@blp.alt_response(404, response="NOT_FOUND")
def call_off(data, immersion):
    """Call off a confirmed immersion before its first day, with a reason (the agent, HR of the home or host
    organisation, or the network's coordination; 404 for anybody else). The other parties are told, the
    days return to the agent's quota and the seat reopens for the next round. 422 once it has begun, or
    without a reason."""
    return cancellation.call_off(api_user(), immersion, data["reason"])
