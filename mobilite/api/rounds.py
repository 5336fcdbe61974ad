"""Matching rounds, for the coordination of the network: start, follow, rerun, publish, read the results.

The same services as the coordination pages (services.rounds.request_round and rerun_round,
services.round_review.publish_round). A round is never solved inside a request: starting or rerunning one
answers 202 and the scheduler process runs it; GET /rounds/{round_id} shows its progress.
"""

from __future__ import annotations

from datetime import date

from flask import url_for
from flask_babel import gettext as _
from werkzeug.exceptions import Conflict, NotFound

from mobilite.api.core import Blueprint, api_user, api_view, http_error, json_errors, page_of
from mobilite.api.schemas_rounds import (
    BulkDecisionIn,
    BulkDecisionOut,
    ProposalReviewOut,
    RoundOut,
    RoundProposalQuery,
    RoundQuery,
    UnmatchedOut,
)
from mobilite.authz import Action
from mobilite.extensions import db
from mobilite.models import (
    Network,
    Role,
    Round,
)
from mobilite.services import immersions as immersion_service
from mobilite.services import listings, review_summary, review_table, round_review, rounds
from mobilite.services.review_table import Flag

blp = json_errors(
    Blueprint(
        "api_rounds",
        __name__,
        url_prefix="/api/v1",
        description="The network's matching rounds and their proposals (coordination).",
    )
)

OWN_ROUND = (Round, Action.MANAGE, "round_id", "round_")
_LOCATION = {"Location": {"schema": {"type": "string"}, "description": "The round's URL, to follow it."}}


def _location(round_: Round) -> dict:
    return {"Location": url_for("api_rounds.get_round", round_id=round_.id)}


@blp.route("/rounds", methods=["GET"])
@api_view(Role.COORDINATOR)
@blp.arguments(RoundQuery, location="query", as_kwargs=True)
@blp.response(200, RoundOut(many=True))
@blp.paginate(page_size=50, max_page_size=200)
def list_rounds(pagination_parameters, status=None):
    """The rounds of the caller's network, latest week first; optionally in one status."""
    return page_of(listings.network_rounds(api_user().network_id, status), pagination_parameters)


@blp.route("/rounds", methods=["POST"])
@api_view(Role.COORDINATOR)
@blp.response(202, RoundOut, headers=_LOCATION)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def start_round():
    """Ask for this week's round of the caller's network. It is scheduled, not run here: the scheduler
    starts it within seconds; follow it with GET /rounds/{round_id}. There is one round per network and
    week: when this week's exists already, 409 and its URL in the Location header (rerun it if needed)."""
    user = api_user()
    network = db.session.get(Network, user.network_id) if user.network_id is not None else None
    if network is None:
        raise NotFound()
    week = rounds.week_of(date.today())
    round_ = rounds.request_round(network, week, trigger="manual", actor=user)
    if round_ is None:
        existing = listings.round_of_week(network.id, week)
        raise http_error(
            Conflict,
            _("Le tour de cette semaine existe déjà : ouvrez-le pour le relancer si besoin."),
            headers=_location(existing) if existing is not None else {},
        )
    return round_, 202, _location(round_)


@blp.route("/rounds/<int:round_id>", methods=["GET"])
@api_view(Role.COORDINATOR, load=OWN_ROUND)
@blp.response(200, RoundOut)
@blp.alt_response(404, response="NOT_FOUND")
def get_round(round_):
    """One round of the network: status and phase while it runs, then its solver status, timings and
    metrics. Poll it after starting or rerunning a round."""
    return round_


@blp.route("/rounds/<int:round_id>/rerun", methods=["POST"])
@api_view(Role.COORDINATOR, load=OWN_ROUND)
@blp.response(202, RoundOut, headers=_LOCATION)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def rerun_round(round_):
    """Run a proposed or failed round again, in the scheduler: pinned placements are kept, rejected pairs
    stay out. 409 for a round in another status: scheduled or running (it will run anyway), or published
    (final)."""
    return rounds.rerun_round(api_user(), round_), 202, _location(round_)


@blp.route("/rounds/<int:round_id>/publish", methods=["POST"])
@api_view(Role.COORDINATOR, load=OWN_ROUND)
@blp.response(200, RoundOut)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def publish_round(round_):
    """Publish what the network's setting sends (`publication_scope`: the approved proposals, or those and
    the ones nobody reviewed yet): the agents, their HR and the host HR are told, and have the network's
    response time to answer; the agents the round left without a proposal are told why. Proposals outside
    the setting are not sent: their requests wait for the next round. 409 unless the round is in review
    (proposed): in particular while a rerun is pending or running, since publishing would race the new
    proposals; publish once it is back in review. Proposals whose request was withdrawn since the round
    ran are rejected, not sent."""
    round_review.publish_round(api_user(), round_)
    return round_


@blp.route("/rounds/<int:round_id>/proposals", methods=["GET"])
@api_view(Role.COORDINATOR, load=OWN_ROUND)
@blp.arguments(RoundProposalQuery, location="query", as_kwargs=True)
@blp.response(200, ProposalReviewOut(many=True))
@blp.alt_response(404, response="NOT_FOUND")
@blp.paginate(page_size=50, max_page_size=200)
def list_round_proposals(pagination_parameters, round_, **query):
    """The round's proposals, best score first, each with its score's breakdown; filtered and sorted as the
    review page does it (one status, home or host organisation, score band, flags)."""
    review_filter = review_table.ReviewFilter(
        home=query.get("home_organisation_id"),
        host=query.get("host_organisation_id"),
        status=query.get("status"),
        band=query.get("score_band"),
        flags=tuple(dict.fromkeys(query.get("flags") or ())),
        sort=query.get("sort") or review_table.Sort.SCORE,
    )
    below = review_summary.summary(round_).below_floor if Flag.BELOW_FLOOR in review_filter.flags else []
    selected = review_table.filtered(round_, review_filter, [r.organisation_id for r in below])
    return immersion_service.attach_immersion_ids(
        page_of(listings.with_proposal_details(selected), pagination_parameters)
    )


@blp.route("/rounds/<int:round_id>/decisions", methods=["POST"])
@api_view(Role.COORDINATOR, load=OWN_ROUND)
@blp.arguments(BulkDecisionIn)
@blp.response(200, BulkDecisionOut)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def decide_in_bulk(data, round_):
    """Approve, or reject with one reason, many proposals of a round in review at once, each named with the
    version read. All or nothing: 409 if the round was rerun or published since, or if any of them changed
    (its version); proposals already decided are left as they are (`skipped`)."""
    selection = [(item["id"], item["version"]) for item in data["proposals"]]
    result = round_review.bulk_decide(api_user(), round_, data["decision"], data["reason"], selection=selection)
    return {"changed": result.changed, "skipped": result.skipped}


@blp.route("/rounds/<int:round_id>/unmatched", methods=["GET"])
@api_view(Role.COORDINATOR, load=OWN_ROUND)
@blp.response(200, UnmatchedOut(many=True))
@blp.alt_response(404, response="NOT_FOUND")
@blp.paginate(page_size=50, max_page_size=200)
def list_unmatched(pagination_parameters, round_):
    """The requests the round left without a proposal, with the engine's reason: no eligible session (and
    how many sessions each hard rule excluded), or seats taken by better-scoring placements."""
    unmatched = (round_.unmatched or {}).get("requests", [])
    pagination_parameters.item_count = len(unmatched)
    first = pagination_parameters.first_item
    page = [dict(u) for u in unmatched[first : first + pagination_parameters.page_size]]
    homes = listings.home_organisations([int(u["request"]) for u in page])
    for item in page:
        item["organisation_id"] = homes.get(int(item["request"]))
    return page
