"""Offers and their sessions, for HR officers of the host organisation.

The same OfferSchema and SessionSchema as the HR forms; the same services (offers.create_offer,
update_offer, add_session, submit_offer, change_status, duplicate_offer, delete_session). Updates need
If-Match: a stale one gets 412, never a lost update (the version column guards the race between the check
and the commit). The other changes take If-Match too, optional: when sent, it is checked.

The same blueprint carries the coordination's validation (api.offer_validation) and the agents' catalogue
of published offers (api.catalogue), imported at the end of this module.
"""

from __future__ import annotations

from datetime import date

from flask import Response
from werkzeug.exceptions import NotFound

from mobilite.api.core import (
    OPTIONAL_IF_MATCH,
    Blueprint,
    api_user,
    api_view,
    check_if_match,
    etag_of,
    etagged_change,
    json_errors,
    page_of,
)
from mobilite.api.schemas import OfferIn, OfferOut, OfferQuery, SessionOut
from mobilite.authz import Action
from mobilite.extensions import db
from mobilite.lifecycles.offer import OfferAction
from mobilite.models import Offer, OfferSession, Role
from mobilite.schemas.offers import SessionSchema
from mobilite.services import listings
from mobilite.services import offers as offer_service

blp = json_errors(
    Blueprint(
        "api_offers",
        __name__,
        url_prefix="/api/v1",
        description="Offers: HR manage their organisation's offers and sessions; the coordination "
        "validates submitted ones; everyone browses the network's published offers.",
    )
)

OWN_OFFER = (Offer, Action.EDIT, "offer_id", "offer")


def _with_etag(offer: Offer, status: int = 200):
    return offer, status, {"ETag": etag_of(OfferOut(), offer)}


@blp.route("/offers", methods=["GET"])
@api_view(Role.RH)
@blp.arguments(OfferQuery, location="query", as_kwargs=True)
@blp.response(200, OfferOut(many=True))
@blp.paginate(page_size=50, max_page_size=200)
def list_offers(pagination_parameters, status=None):
    """The offers of the caller's organisation, most recently changed first; optionally in one status."""
    return page_of(listings.organisation_offers(api_user().organisation_id, status), pagination_parameters)


@blp.route("/offers", methods=["POST"])
@api_view(Role.RH)
@blp.arguments(OfferIn)
@blp.response(201, OfferOut, headers={"ETag": {"schema": {"type": "string"}}})
def create_offer(data):
    """Create a draft offer of the caller's organisation. Add its sessions, then submit it."""
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
@blp.arguments(OfferIn)
@etagged_change(blp, OfferOut, record="offer", if_match="required")
def update_offer(data, offer):
    """Replace an offer's content. Requires If-Match with the ETag read by GET: 428 without it, 412 when
    the offer changed since. Sessions are added separately. In a network that validates offers, a published
    offer whose substance changes (anything but the tutor and the accessibility notes) goes back to
    `submitted`: it leaves the catalogue until the coordination publishes it again."""
    data["version"] = offer.version  # the version the If-Match named; a concurrent save then answers 412
    offer_service.update_offer(api_user(), offer, data)
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
@etagged_change(blp, OfferOut, record="offer", if_match="optional")
def submit_offer(offer):
    """Submit a draft offer: published at once where the network does not validate offers, otherwise sent
    to the coordination. Needs a future session. If-Match is optional here; when sent, it is checked."""
    return _with_etag(offer_service.submit_offer(api_user(), offer))


def _change_status(offer: Offer, action: OfferAction):
    return _with_etag(offer_service.change_status(api_user(), offer, action))


@blp.route("/offers/<int:offer_id>/close", methods=["POST"])
@api_view(Role.RH, load=OWN_OFFER)
@etagged_change(blp, OfferOut, record="offer", if_match="optional")
def close_offer(offer):
    """Close a published or submitted offer.

    Agents no longer see it; its sessions and proposals stay. 422 from another status. If-Match is
    optional; when sent, it is checked."""
    return _change_status(offer, OfferAction.CLOSE)


@blp.route("/offers/<int:offer_id>/archive", methods=["POST"])
@api_view(Role.RH, load=OWN_OFFER)
@etagged_change(blp, OfferOut, record="offer", if_match="optional")
def archive_offer(offer):
    """Archive a draft or closed offer.

    It is kept for the record and no longer changes (duplicate it to reuse it). 422 from another status.
    If-Match is optional; when sent, it is checked."""
    return _change_status(offer, OfferAction.ARCHIVE)


@blp.route("/offers/<int:offer_id>/reopen", methods=["POST"])
@api_view(Role.RH, load=OWN_OFFER)
@etagged_change(blp, OfferOut, record="offer", if_match="optional")
def reopen_offer(offer):
    """Reopen a closed offer as a draft.

    Edit it, then submit it again. 422 from another status. If-Match is optional; when sent, it is
    checked."""
    return _change_status(offer, OfferAction.REOPEN)


@blp.route("/offers/<int:offer_id>/duplicate", methods=["POST"])
@api_view(Role.RH, load=OWN_OFFER)
@blp.response(201, OfferOut, headers={"ETag": {"schema": {"type": "string"}}})
@blp.alt_response(404, response="NOT_FOUND")
def duplicate_offer(offer):
    """Duplicate an offer as a new draft.

    The copy has the same content, its title prefixed « Copie de », and no sessions."""
    return _with_etag(offer_service.duplicate_offer(api_user(), offer), 201)


@blp.route("/offers/<int:offer_id>/sessions/<int:session_id>", methods=["DELETE"])
@api_view(Role.RH, load=OWN_OFFER)
@blp.response(204)
@blp.doc(parameters=[OPTIONAL_IF_MATCH])
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(412, response="PRECONDITION_FAILED")
def delete_session(offer, session_id):
    """Delete one of the offer's sessions.

    404 when the session is not this offer's; 422 once it has proposals. If-Match (the offer's ETag) is
    optional; when sent, it is checked."""
    session = db.session.get(OfferSession, session_id)
    if session is None or session.offer_id != offer.id:
        raise NotFound()
    check_if_match(etag_of(OfferOut(), offer), required=False)
    offer_service.delete_session(api_user(), session)
    return Response(status=204)
