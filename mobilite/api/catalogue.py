"""The catalogue: the network's published offers, as agents browse them to choose their wishes.

The agents' search (services.search.search_represented, the same filters as the search form under English
parameter names) and the same rule for one offer (authz: published in the caller's network). Routes on the
offers blueprint (api_offers).
"""

from __future__ import annotations

from datetime import date

from flask import jsonify
from werkzeug.exceptions import NotFound

from mobilite.api.core import api_user, api_view
from mobilite.api.offers import blp
from mobilite.api.schemas import CatalogueOfferOut, CatalogueQuery
from mobilite.authz import Action, require
from mobilite.models import Offer, OfferStatus
from mobilite.services import search


class _Listed:
    """An offer with what the search worked out for the caller: its distance and its next session."""

    def __init__(self, offer: Offer, distance_km: float | None, next_session: date | None):
        self.offer, self.distance_km, self.next_session = offer, distance_km, next_session

    def __getattr__(self, name):
        return getattr(self.offer, name)


_OFFER = CatalogueOfferOut(exclude=("distance_km", "next_session"))  # what depends on the offer alone
_FOR_CALLER = CatalogueOfferOut(only=("distance_km", "next_session"))


@blp.route("/catalogue", methods=["GET"])
@api_view()
@blp.arguments(CatalogueQuery, location="query", as_kwargs=True)
@blp.response(200, CatalogueOfferOut(many=True))
@blp.paginate(page_size=20, max_page_size=100)
def catalogue(pagination_parameters, **filters):
    """Search the network's published offers.

    The offers published in the caller's network by other organisations than theirs, as the agents'
    search finds them: by default the soonest next session first. Their ids are what a request's `wishes`
    name."""
    # Each offer's JSON is kept by the worker while the catalogue does not change (services.search): only
    # the distance and the next session are dumped for each caller, so the response is made here.
    page = search.search_represented(
        api_user(),
        filters,
        _OFFER.dump,
        "api-catalogue",
        page=pagination_parameters.page,
        per_page=pagination_parameters.page_size,
        with_details=True,
    )
    pagination_parameters.item_count = page.total
    for_caller = _FOR_CALLER.dump(
        [{"distance_km": page.distances.get(i), "next_session": page.next_sessions.get(i)} for i in page.ids], many=True
    )
    return jsonify([item | mine for item, mine in zip(page.items, for_caller, strict=True)])


@blp.route("/catalogue/<int:offer_id>", methods=["GET"])
@api_view()
@blp.response(200, CatalogueOfferOut)
@blp.alt_response(404, response="NOT_FOUND")
def catalogue_offer(offer_id):
    """One published offer of the caller's network.

    With its sessions, prerequisites and host organisation; 404 when it is not published there."""
    user = api_user()
    offer = require(user, Action.VIEW, search.offer_for_agent(user, offer_id))
    if offer.status != OfferStatus.PUBLISHED:
        raise NotFound()  # the catalogue holds published offers only (HR read their drafts at /offers)
    today = date.today()
    upcoming = [s.start_date for s in offer.sessions if s.start_date >= today]
    distance = search.distance_to(user, offer)
    return _Listed(offer, distance, min(upcoming, default=None))
