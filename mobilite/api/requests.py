"""Immersion requests: agents create, edit, submit, withdraw and read their own; HR officers read and
answer their organisation's.

The agent's operations use the request form's RequestSchema and services.requests (create_request,
update_request, submit_request, withdraw_request): a legal rule that does not hold (duration, quota,
availability windows) answers 422 naming each field, as the form shows it. A PUT needs If-Match (428
without, 412 when stale); submit and withdraw check it when sent. Decisions use the HR form's DecisionSchema
(its `version` is the concurrency check: a stale one gets 409) and services.requests.decide. The mapping of
conflicts to 412 or 409 is api.core's (etagged_change).
"""

from __future__ import annotations

from mobilite.api.core import Blueprint, api_user, api_view, etag_of, etagged_change, json_errors, page_of
from mobilite.api.schemas import RequestIn, RequestOut, RequestQuery
from mobilite.authz import Action, Scope, default_scope, require_scope
from mobilite.models import ImmersionRequest, Role
from mobilite.schemas.requests import DecisionSchema, OpinionSchema
from mobilite.services import line_manager, listings
from mobilite.services import requests as request_service

blp = json_errors(
    Blueprint(
        "api_requests",
        __name__,
        url_prefix="/api/v1",
        description="Immersion requests: the caller's own (agents), or (HR) their organisation's waiting ones.",
    )
)

OWN_REQUEST = (ImmersionRequest, Action.MANAGE, "request_id", "immersion_request")


@blp.route("/requests", methods=["GET"])
@api_view()
@blp.arguments(RequestQuery, location="query", as_kwargs=True)
@blp.response(200, RequestOut(many=True))
@blp.paginate(page_size=50, max_page_size=200)
def list_requests(pagination_parameters, scope=None):
    """The caller's own requests (scope=mine), or, for HR, their organisation's requests waiting for an
    answer, oldest first (scope=organisation, the default for HR)."""
    user = api_user()
    scope = require_scope(user, scope) if scope else default_scope(user, Scope.ORGANISATION)
    if scope == Scope.ORGANISATION:
        query = listings.organisation_requests(user.organisation_id, waiting_only=True)
    else:
        query = listings.agent_requests(user.id)
    return page_of(query, pagination_parameters)


def _with_etag(immersion_request: ImmersionRequest, status: int = 200):
    return immersion_request, status, {"ETag": etag_of(RequestOut(), immersion_request)}


@blp.route("/requests", methods=["POST"])
@api_view(Role.AGENT)
@blp.arguments(RequestIn)
@blp.response(201, RequestOut, headers={"ETag": {"schema": {"type": "string"}}})
def create_request(data):
    """Create an immersion request (agent).

    A draft, or submitted to the home employer at once with `submit: true` when every legal rule holds
    (422 names each field that breaks one). `wishes` are ids of offers from GET /catalogue, first wish
    first."""
    submit = data.pop("submit")
    return _with_etag(request_service.create_request(api_user(), data, submit=submit), 201)


@blp.route("/requests/<int:request_id>", methods=["GET"])
@api_view(load=(ImmersionRequest, Action.VIEW, "request_id", "immersion_request"))
@blp.response(200, RequestOut, headers={"ETag": {"schema": {"type": "string"}}})
@blp.alt_response(404, response="NOT_FOUND")
def get_request(immersion_request):
    """One request: the caller's own, one of their agents' once submitted (HR), or of their network
    (coordination)."""
    return immersion_request, 200, {"ETag": etag_of(RequestOut(), immersion_request)}


@blp.route("/requests/<int:request_id>/decision", methods=["POST"])
@api_view(Role.RH, load=(ImmersionRequest, Action.REVIEW, "request_id", "immersion_request"))
@blp.arguments(DecisionSchema)
@etagged_change(blp, RequestOut, record="immersion_request", if_match="optional", body_version=True)
def decide(data, immersion_request):
    """Approve, refuse or postpone one of the organisation's waiting requests (a reason is required to
    refuse or postpone). `version` is the request's version as read; a stale one gets 409."""
    request_service.decide(api_user(), immersion_request, data["decision"], data["reason"], data["version"])
    return immersion_request, 200, {"ETag": etag_of(RequestOut(), immersion_request)}


@blp.route("/requests/<int:request_id>/opinion", methods=["POST"])
@api_view(load=(ImmersionRequest, Action.OPINE, "request_id", "immersion_request"))
@blp.arguments(OpinionSchema)
@etagged_change(blp, RequestOut, record="immersion_request", if_match="optional", body_version=True)
def give_opinion(data, immersion_request):
    """The line manager's opinion on a request they were named on (favourable, or unfavourable with a
    `reason`), once, while the employer has not answered. `line_manager_opinion` in the answer shows the step;
    in a network where the opinion is required, HR's decision waits for it (422 before)."""
    line_manager.give_opinion(
        immersion_request, data["opinion"], data["reason"], actor=api_user(), version=data["version"]
    )
    return immersion_request, 200, {"ETag": etag_of(RequestOut(), immersion_request)}


@blp.route("/requests/<int:request_id>", methods=["PUT"])
@api_view(Role.AGENT, load=OWN_REQUEST)
@blp.arguments(RequestIn)
@etagged_change(blp, RequestOut, record="immersion_request", if_match="required")
def update_request(data, immersion_request):
    """Replace one of the caller's requests (agent).

    While it is a draft or waits for an answer (422 once answered). A submitted request stays submitted,
    so the legal rules apply again; `submit: true` submits a draft. Requires If-Match with the ETag read
    by GET: 428 without it, 412 when the request changed since."""
    submit = data.pop("submit")
    data["version"] = immersion_request.version  # the version the If-Match named; a concurrent save then answers 412
    request_service.update_request(api_user(), immersion_request, data, submit=submit)
    return _with_etag(immersion_request)


@blp.route("/requests/<int:request_id>/submit", methods=["POST"])
@api_view(Role.AGENT, load=OWN_REQUEST)
@etagged_change(blp, RequestOut, record="immersion_request", if_match="optional")
def submit_request(immersion_request):
    """Submit a draft request to the home employer (agent).

    The employer answers within the network's deadline. Every legal rule is checked: 422 names each field
    that breaks one (min_days, max_days, windows, windows-<i>-start, windows-<i>-end). Each wish must also
    keep the matching rules with at least one upcoming session of its offer: `wishes` lists, for each one that
    does not, its rank, its offer and why (distance, dates, length, quota, prerequisites...). If-Match is
    optional; when sent, it is checked."""
    request_service.submit_request(api_user(), immersion_request, immersion_request.version)
    return _with_etag(immersion_request)


@blp.route("/requests/<int:request_id>/withdraw", methods=["POST"])
@api_view(Role.AGENT, load=OWN_REQUEST)
@etagged_change(blp, RequestOut, record="immersion_request", if_match="optional")
def withdraw_request(immersion_request):
    """Withdraw one of the caller's requests (agent).

    Until it is matched (422 after); the home employer is told if it had been submitted. If-Match is
    optional; when sent, it is checked."""
    request_service.withdraw_request(api_user(), immersion_request, immersion_request.version)
    return _with_etag(immersion_request)
