"""Proposals: the coordination reviews them (approve or reject, pin, replace by hand); once published, the
agent and the host organisation's HR read and answer them.

The same forms' schemas (ProposalDecisionSchema, ReplaceSchema, PinSchema, AnswerSchema) and the same
services (services.round_review.set_decision, set_pinned, replace_session; services.proposals
.answer_proposal) as the coordination, agent and HR pages. Access mirrors those pages: a coordinator
reviews the proposals of the network's rounds; the agent sees and answers their own proposals (as the
agent), an HR officer their organisation's, as host or home employer (answering as the host). Before
publication a proposal is the coordination's only, and anybody else's answers 404.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_smorest import Blueprint
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound

from mobilite.api.core import api_user, api_view, json_errors, page_of
from mobilite.api.schemas_rounds import PartyProposalQuery, PinIn, ProposalOut, ProposalReviewOut
from mobilite.authz import PROPOSAL_SHOWN, Action, can, require
from mobilite.models import ImmersionRequest, Offer, OfferSession, Proposal, Role
from mobilite.schemas.proposals import AnswerSchema
from mobilite.schemas.rounds import ProposalDecisionSchema, ReplaceSchema
from mobilite.services import immersions as immersion_service
from mobilite.services import proposals as proposal_service
from mobilite.services import round_review
from mobilite.services.errors import ServiceError

blp = json_errors(
    Blueprint(
        "api_proposals",
        __name__,
        url_prefix="/api/v1",
        description="Proposals: the coordination's review, then the agent's and the host's answers.",
    )
)

# Loaded when the caller may see it at all (404 otherwise, before anything else); each view then narrows
# to the access its page has: the coordination of the round's network, or one of the proposal's parties.
SEEN = (Proposal, Action.VIEW, "proposal_id", "proposal")


def _reviewed(proposal: Proposal) -> Proposal:
    """A proposal of a round of the caller's network, as the coordination pages require."""
    require(api_user(), Action.MANAGE, proposal.round)
    return proposal


def _side(proposal: Proposal) -> str:
    """The caller's part in a published proposal, as the agent and HR pages give it; 404 if none.

    The agent of the proposal is the agent side; an HR officer of the host or home organisation sees it on
    the host side (the service then refuses a home employer's answer: only the host answers)."""
    user = api_user()
    if user.has_role(Role.AGENT) and can(user, Action.MANAGE, proposal):
        return "agent"
    if user.has_role(Role.RH) and can(user, Action.REVIEW, proposal):
        return "host"
    raise NotFound()


# --- the coordination's review --------------------------------------------------------------------------


@blp.route("/proposals/<int:proposal_id>/decision", methods=["POST"])
@api_view(Role.COORDINATOR, load=SEEN)
@blp.arguments(ProposalDecisionSchema)
@blp.response(200, ProposalReviewOut)
@blp.alt_response(404, response="NOT_FOUND")
def decide(data, proposal):
    """Approve a proposal of a round in review, or reject it with a reason (required: 422 naming `reason`
    without one). A rejected pair is never proposed again in later rounds."""
    round_review.set_decision(api_user(), _reviewed(proposal), data["decision"] == "approve", data["reason"])
    return immersion_service.attach_immersion_ids([proposal])[0]


@blp.route("/proposals/<int:proposal_id>/pin", methods=["POST"])
@api_view(Role.COORDINATOR, load=SEEN)
@blp.arguments(PinIn)
@blp.response(200, ProposalReviewOut)
@blp.alt_response(404, response="NOT_FOUND")
def pin(data, proposal):
    """Pin a placement (it is then forced when the round is rerun) or unpin it. Not a rejected one."""
    round_review.set_pinned(api_user(), _reviewed(proposal), data["pinned"])
    return immersion_service.attach_immersion_ids([proposal])[0]


@blp.route("/proposals/<int:proposal_id>/replacement", methods=["POST"])
@api_view(Role.COORDINATOR, load=SEEN)
@blp.arguments(ReplaceSchema)
@blp.response(200, ProposalReviewOut)
@blp.alt_response(404, response="NOT_FOUND")
def replace(data, proposal):
    """Move a placement to another session of the network by hand. Every hard rule must still hold for the
    whole round: otherwise 422 on `session_id`, naming the rules it would break. The placement is then
    approved and pinned, with a manual score of 0."""
    round_review.replace_session(api_user(), _reviewed(proposal), data["session_id"])
    return immersion_service.attach_immersion_ids([proposal])[0]


# --- the parties: the agent, the HR of the host and of the home organisation ---------------------------


@blp.route("/proposals", methods=["GET"])
@api_view(Role.AGENT, Role.RH)
@blp.arguments(PartyProposalQuery, location="query", as_kwargs=True)
@blp.response(200, ProposalOut(many=True))
@blp.paginate(page_size=50, max_page_size=200)
def list_proposals(pagination_parameters, scope=None, status=None):
    """Published proposals, and what followed them: the caller's own (scope=mine), or, for HR, those made
    to their organisation's offers or to its agents (scope=organisation, the default for HR). Latest
    change first; optionally in one status."""
    user = api_user()
    scope = scope or ("organisation" if user.has_role(Role.RH) else "mine")
    query = select(Proposal).join(ImmersionRequest, Proposal.request_id == ImmersionRequest.id)
    if scope == "organisation":
        if not user.has_role(Role.RH):
            raise ServiceError({"scope": [_("Réservé aux RH de l'organisation.")]})
        hosted = (
            select(OfferSession.id)
            .join(Offer, OfferSession.offer_id == Offer.id)
            .where(Offer.organisation_id == user.organisation_id)
        )
        query = query.where(
            or_(ImmersionRequest.organisation_id == user.organisation_id, Proposal.session_id.in_(hosted))
        )
    else:
        query = query.where(ImmersionRequest.agent_id == user.id)
    statuses = [status] if status is not None else list(PROPOSAL_SHOWN)
    query = query.where(Proposal.status.in_([s for s in statuses if s in PROPOSAL_SHOWN]))
    query = query.options(
        selectinload(Proposal.request), selectinload(Proposal.session).selectinload(OfferSession.offer)
    )
    return immersion_service.attach_immersion_ids(
        page_of(query.order_by(Proposal.updated_at.desc(), Proposal.id.desc()), pagination_parameters)
    )


@blp.route("/proposals/<int:proposal_id>", methods=["GET"])
@api_view(Role.AGENT, Role.RH, load=SEEN)
@blp.response(200, ProposalOut)
@blp.alt_response(404, response="NOT_FOUND")
def get_proposal(proposal):
    """One published proposal: the caller's own, or one made to their organisation's offers or agents (HR).
    `agent_answer` and `host_answer` say who answered; `immersion_id` appears once both accepted."""
    _side(proposal)
    return immersion_service.attach_immersion_ids([proposal])[0]


@blp.route("/proposals/<int:proposal_id>/answer", methods=["POST"])
@api_view(Role.AGENT, Role.RH, load=SEEN)
@blp.arguments(AnswerSchema)
@blp.response(200, ProposalOut)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def answer(data, proposal):
    """Accept or decline a published proposal, by its deadline (a reason is required to decline). The
    agent of the proposal answers as the agent, an HR officer of the host organisation as the host; the
    home employer follows without answering (422). Both accepted → `confirmed`, with its `immersion_id`;
    one declined → `declined`, and the request waits for the next round. Each side answers once."""
    side = _side(proposal)
    proposal_service.answer_proposal(api_user(), proposal, side, data["answer"] == "accept", data["reason"])
    return immersion_service.attach_immersion_ids([proposal])[0]
