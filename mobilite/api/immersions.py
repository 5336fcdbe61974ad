"""Confirmed immersions, read-only: the agent's own, their organisation's (HR, hosted or sent), the
network's (coordination). The same access as the immersion pages of the three spaces."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_smorest import Blueprint
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from mobilite.api.core import api_user, api_view, json_errors, page_of
from mobilite.api.schemas_rounds import ImmersionOut, ImmersionQuery
from mobilite.authz import Action
from mobilite.models import Immersion, OfferSession, Proposal, Role, Round
from mobilite.services.errors import ServiceError

blp = json_errors(Blueprint("api_immersions", __name__, url_prefix="/api/v1",
                description="Confirmed immersions: the caller's, their organisation's (HR), the network's."))


def _default_scope(user) -> str:
    if user.has_role(Role.COORDINATOR):
        return "network"
    return "organisation" if user.has_role(Role.RH) else "mine"


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
    scope = scope or _default_scope(user)
    query = select(Immersion)
    if scope == "organisation":
        if not user.has_role(Role.RH):
            raise ServiceError({"scope": [_("Réservé aux RH de l'organisation.")]})
        query = query.where(or_(Immersion.host_organisation_id == user.organisation_id,
                                Immersion.home_organisation_id == user.organisation_id))
    elif scope == "network":
        if not user.has_role(Role.COORDINATOR):
            raise ServiceError({"scope": [_("Réservé à la coordination du réseau.")]})
        of_network = (select(Proposal.id).join(Round, Proposal.round_id == Round.id)
                      .where(Round.network_id == user.network_id))
        query = query.where(Immersion.proposal_id.in_(of_network))
    else:
        query = query.where(Immersion.agent_id == user.id)
    if status is not None:
        query = query.where(Immersion.status == status)
    query = query.options(selectinload(Immersion.session).selectinload(OfferSession.offer))
    return page_of(query.order_by(Immersion.start_date.desc(), Immersion.id.desc()), pagination_parameters)


@blp.route("/immersions/<int:immersion_id>", methods=["GET"])
@api_view(load=(Immersion, Action.VIEW, "immersion_id", "immersion"))
@blp.response(200, ImmersionOut)
@blp.alt_response(404, response="NOT_FOUND")
def get_immersion(immersion):
    """One immersion: the caller's own, one their organisation hosts or sends (HR), or of their network
    (coordination)."""
    return immersion
