"""The coordination validates offers before publication, where its network asks for it.

Coordinators list their network's submitted offers, then publish each one or send it back to its
organisation with a comment: the review page's ValidationDecisionSchema and services.offers.validate_offer.
Routes on the offers blueprint (api_offers).
"""

from __future__ import annotations

from mobilite.api.core import api_user, api_view, etag_of, etagged_change, page_of
from mobilite.api.offers import blp
from mobilite.api.schemas import OfferOut, ValidationIn
from mobilite.authz import Action
from mobilite.models import Offer, Role
from mobilite.services import listings
from mobilite.services import offers as offer_service


@blp.route("/offers/awaiting-validation", methods=["GET"])
@api_view(Role.COORDINATOR)
@blp.response(200, OfferOut(many=True))
@blp.paginate(page_size=50, max_page_size=200)
def offers_awaiting_validation(pagination_parameters):
    """The network's offers awaiting validation (coordination).

    The offers of the caller's network submitted for validation, the longest waiting first. Answer each
    one with POST /offers/{offer_id}/validation."""
    return page_of(listings.offers_awaiting_validation(api_user().network_id), pagination_parameters)


@blp.route("/offers/<int:offer_id>/validation", methods=["POST"])
@api_view(Role.COORDINATOR, load=(Offer, Action.VALIDATE, "offer_id", "offer"))
@blp.arguments(ValidationIn)
@etagged_change(blp, OfferOut, record="offer", if_match="optional")
def validate_offer(data, offer):
    """Publish a submitted offer, or send it back (coordination).

    decision=publish publishes it; decision=send_back returns it to its organisation as a draft, with a
    comment saying what to change. The organisation's HR officers are told. 422 when the offer does not
    wait for validation. If-Match is optional; when sent, it is checked."""
    offer_service.validate_offer(api_user(), offer, data["decision"], data["comment"])
    return offer, 200, {"ETag": etag_of(OfferOut(), offer)}
