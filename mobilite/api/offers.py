"""Offers and their sessions, for HR officers of the host organisation.

The same OfferSchema and SessionSchema as the HR forms; the same services (offers.create_offer,
update_offer, add_session, submit_offer). Updates need If-Match: a stale one gets 412, never a lost update
(the version column guards the race between the check and the commit).
"""

from __future__ import annotations

from datetime import date

from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import PreconditionFailed

from mobilite.api.core import api_user, api_view, check_if_match, etag_of, json_errors
from mobilite.api.reference import page_of
from mobilite.api.schemas import OfferOut, OfferQuery, SessionOut
from mobilite.authz import Action
from mobilite.models import Offer, Role
from mobilite.schemas.offers import OfferSchema, SessionSchema
from mobilite.services import offers as offer_service

blp = json_errors(Blueprint("api_offers", __name__, url_prefix="/api/v1",
                description="The offers of the caller's organisation and their sessions (HR)."))

OWN_OFFER = (Offer, Action.EDIT, "offer_id", "offer")


def _with_etag(offer: Offer, status: int = 200):
    return offer, status, {"ETag": etag_of(OfferOut(), offer)}


@blp.route("/offers", methods=["GET"])
@api_view(Role.RH)
@blp.arguments(OfferQuery, location="query", as_kwargs=True)
@blp.response(200, OfferOut(many=True))
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.paginate(page_size=50, max_page_size=200)
def list_offers(pagination_parameters, status=None):
    """The offers of the caller's organisation, most recently changed first; optionally in one status."""
    query = select(Offer).where(Offer.organisation_id == api_user().organisation_id)
    if status is not None:
        query = query.where(Offer.status == status)
    query = query.options(selectinload(Offer.sessions), selectinload(Offer.themes), selectinload(Offer.skills),
                          selectinload(Offer.prerequisites))
    return page_of(query.order_by(Offer.updated_at.desc(), Offer.id.desc()), pagination_parameters)


@blp.route("/offers", methods=["POST"])
@api_view(Role.RH)
@blp.arguments(OfferSchema)
@blp.response(201, OfferOut, headers={"ETag": {"schema": {"type": "string"}}})
@blp.alt_response(401, response="UNAUTHORIZED")
def create_offer(data):
    """Create a draft offer of the caller's organisation. Add its sessions, then submit it."""
    data.pop("version", None)
    return _with_etag(offer_service.create_offer(api_user(), data), 201)


@blp.route("/offers/<int:offer_id>", methods=["GET"])
@api_view(Role.RH, load=OWN_OFFER)
@blp.response(200, OfferOut, headers={"ETag": {"schema": {"type": "string"}}})
@blp.alt_response(404, response="NOT_FOUND")
def get_offer(offer):
    """One offer of the caller's organisation, with its sessions. The ETag header serves If-Match."""
    return _with_etag(offer)


@blp.route("/offers/<int:offer_id>", methods=["PUT"])
@api_view(Role.RH, load=OWN_OFFER)
@blp.arguments(OfferSchema)
@blp.response(200, OfferOut, headers={"ETag": {"schema": {"type": "string"}}})
@blp.doc(parameters=["IF_MATCH"])
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(412, response="PRECONDITION_FAILED")
@blp.alt_response(428, response="PRECONDITION_REQUIRED")
def update_offer(data, offer):
    """Replace an offer's content. Requires If-Match with the ETag read by GET: 428 without it, 412 when
    the offer changed since. Sessions are added separately."""
    check_if_match(etag_of(OfferOut(), offer), required=True)
    data["version"] = offer.version  # the version the If-Match named; a concurrent save still loses the race
    try:
        offer_service.update_offer(api_user(), offer, data)
    except offer_service.Conflict:
        raise PreconditionFailed() from None
    return _with_etag(offer)


@blp.route("/offers/<int:offer_id>/sessions", methods=["POST"])
@api_view(Role.RH, load=OWN_OFFER)
@blp.arguments(SessionSchema)
@blp.response(201, SessionOut)
@blp.alt_response(404, response="NOT_FOUND")
def add_session(data, offer):
    """Add a session to an offer: 1 to 10 working days, from today on, with its capacity."""
    return offer_service.add_session(api_user(), offer, data, date.today()), 201


@blp.route("/offers/<int:offer_id>/submit", methods=["POST"])
@api_view(Role.RH, load=OWN_OFFER)
@blp.response(200, OfferOut, headers={"ETag": {"schema": {"type": "string"}}})
@blp.doc(parameters=["IF_MATCH"])
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(412, response="PRECONDITION_FAILED")
def submit_offer(offer):
    """Submit a draft offer: published at once where the network does not validate offers, otherwise sent
    to the coordination. Needs a future session. If-Match is optional here; when sent, it is checked."""
    check_if_match(etag_of(OfferOut(), offer), required=False)
    return _with_etag(offer_service.submit_offer(api_user(), offer))
