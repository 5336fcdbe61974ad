"""Immersion requests: agents create, edit, submit, withdraw and read their own; HR officers read and
answer their organisation's.

The agent's operations use the request form's RequestSchema and services.requests (create_request,
update_request, submit_request, withdraw_request): a legal rule that does not hold (duration, quota,
availability windows) answers 422 naming each field, as the form shows it. A PUT needs If-Match (428
without, 412 when stale); submit and withdraw check it when sent. Decisions use the HR form's DecisionSchema
(its `version` is the concurrency check: a stale one gets 409) and services.requests.decide.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import Conflict, PreconditionFailed

from mobilite.api.core import api_user, api_view, etag_of, etagged_change, http_error, json_errors, page_of
from mobilite.api.schemas import RequestIn, RequestOut, RequestQuery
from mobilite.authz import Action
from mobilite.models import ImmersionRequest, Role
from mobilite.schemas.requests import DecisionSchema
from mobilite.services import requests as request_service
from mobilite.services.errors import ServiceError

blp = json_errors(Blueprint("api_requests", __name__, url_prefix="/api/v1",
                description="Immersion requests: the caller's own (agents), or (HR) their organisation's "
                            "waiting ones."))

OWN_REQUEST = (ImmersionRequest, Action.MANAGE, "request_id", "item")
_LOADS = (selectinload(ImmersionRequest.windows), selectinload(ImmersionRequest.wishes),
          selectinload(ImmersionRequest.themes), selectinload(ImmersionRequest.skills))


@blp.route("/requests", methods=["GET"])
@api_view()
@blp.arguments(RequestQuery, location="query", as_kwargs=True)
@blp.response(200, RequestOut(many=True))
@blp.paginate(page_size=50, max_page_size=200)
def list_requests(pagination_parameters, scope=None):
    """The caller's own requests (scope=mine), or, for HR, their organisation's requests waiting for an
    answer, oldest first (scope=organisation, the default for HR)."""
    user = api_user()
    scope = scope or ("organisation" if user.has_role(Role.RH) else "mine")
    if scope == "organisation":
        if not user.has_role(Role.RH):
            raise ServiceError({"scope": [_("Réservé aux RH de l'organisation.")]})
        items, total = request_service.hr_requests(user, waiting_only=True, page=pagination_parameters.page,
                                                   per_page=pagination_parameters.page_size)
        pagination_parameters.item_count = total
        return items
    query = (select(ImmersionRequest).where(ImmersionRequest.agent_id == user.id).options(*_LOADS)
             .order_by(ImmersionRequest.created_at.desc(), ImmersionRequest.id.desc()))
    return page_of(query, pagination_parameters)


def _with_etag(item: ImmersionRequest, status: int = 200):
    return item, status, {"ETag": etag_of(RequestOut(), item)}


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
@api_view(load=(ImmersionRequest, Action.VIEW, "request_id", "item"))
@blp.response(200, RequestOut, headers={"ETag": {"schema": {"type": "string"}}})
@blp.alt_response(404, response="NOT_FOUND")
def get_request(item):
    """One request: the caller's own, one of their agents' once submitted (HR), or of their network
    (coordination)."""
    return item, 200, {"ETag": etag_of(RequestOut(), item)}


@blp.route("/requests/<int:request_id>/decision", methods=["POST"])
@api_view(Role.RH, load=(ImmersionRequest, Action.REVIEW, "request_id", "item"))
@blp.arguments(DecisionSchema)
@etagged_change(blp, RequestOut, record="item", if_match="optional")
def decide(data, item):
    """Approve, refuse or postpone one of the organisation's waiting requests (a reason is required to
    refuse or postpone). `version` is the request's version as read; a stale one gets 409."""
    try:
        request_service.decide(api_user(), item, data["decision"], data["reason"], data["version"],
                               base_url=current_app.config["BASE_URL"])
    except request_service.Conflict as exc:
        raise http_error(Conflict, errors=exc.errors) from None
    return item, 200, {"ETag": etag_of(RequestOut(), item)}


@blp.route("/requests/<int:request_id>", methods=["PUT"])
@api_view(Role.AGENT, load=OWN_REQUEST)
@blp.arguments(RequestIn)
@etagged_change(blp, RequestOut, record="item", if_match="required")
def update_request(data, item):
    """Replace one of the caller's requests (agent).

    While it is a draft or waits for an answer (422 once answered). A submitted request stays submitted,
    so the legal rules apply again; `submit: true` submits a draft. Requires If-Match with the ETag read
    by GET: 428 without it, 412 when the request changed since."""
    submit = data.pop("submit")
    data["version"] = item.version  # the version the If-Match named; a concurrent save still loses the race
    try:
        request_service.update_request(api_user(), item, data, submit=submit)
    except request_service.Conflict:
        raise PreconditionFailed() from None
    return _with_etag(item)


@blp.route("/requests/<int:request_id>/submit", methods=["POST"])
@api_view(Role.AGENT, load=OWN_REQUEST)
@etagged_change(blp, RequestOut, record="item", if_match="optional")
def submit_request(item):
    """Submit a draft request to the home employer (agent).

    The employer answers within the network's deadline. Every legal rule is checked: 422 names each field
    that breaks one (min_days, max_days, windows, windows-<i>-start, windows-<i>-end). If-Match is
    optional; when sent, it is checked."""
    try:
        request_service.submit_request(api_user(), item, item.version)
    except request_service.Conflict:
        raise PreconditionFailed() from None
    return _with_etag(item)


@blp.route("/requests/<int:request_id>/withdraw", methods=["POST"])
@api_view(Role.AGENT, load=OWN_REQUEST)
@etagged_change(blp, RequestOut, record="item", if_match="optional")
def withdraw_request(item):
    """Withdraw one of the caller's requests (agent).

    Until it is matched (422 after); the home employer is told if it had been submitted. If-Match is
    optional; when sent, it is checked."""
    try:
        request_service.withdraw_request(api_user(), item, item.version)
    except request_service.Conflict:
        raise PreconditionFailed() from None
    return _with_etag(item)
