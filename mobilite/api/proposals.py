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
from werkzeug.exceptions import NotFound

from mobilite.api.core import Blueprint, api_user, api_view, etag_of, etagged_change, json_errors, page_of
from mobilite.api.schemas_rounds import PartyProposalQuery, PinIn, ProposalOut, ProposalReviewOut, ReplacementsOut
from mobilite.authz import Action, Scope, default_scope, proposal_side, require_scope
from mobilite.lifecycles.proposal import IN_REVIEW as PROPOSAL_IN_REVIEW
from mobilite.lifecycles.round import IN_REVIEW as ROUND_IN_REVIEW
from mobilite.lifecycles.round import RoundStateConflict
from mobilite.models import Proposal, Role
from mobilite.schemas.proposals import AnswerSchema
from mobilite.schemas.rounds import ProposalDecisionSchema, ReplaceSchema
from mobilite.services import immersions as immersion_service
from mobilite.services import listings, round_review
from mobilite.services import proposals as proposal_service
from mobilite.services import replacements as replacement_service

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
# The coordination's review: a proposal of a round of the caller's network (404 before If-Match is read).
REVIEWED = (Proposal, Action.VALIDATE, "proposal_id", "proposal")


def _side(proposal: Proposal) -> str:
    """The caller's part in a published proposal (authz.proposal_side); 404 if none."""
    side = proposal_side(api_user(), proposal)
    if side is None:
        raise NotFound()
    return side


def _etag(proposal: Proposal) -> str:
    """The ETag of the proposal as the review operations show it (with its immersion, once confirmed)."""
    return etag_of(ProposalReviewOut(), immersion_service.attach_immersion_ids([proposal])[0])


def _reviewed(proposal: Proposal):
    """The proposal as the review operations answer it, with its new ETag."""
    return immersion_service.attach_immersion_ids([proposal])[0], 200, {"ETag": _etag(proposal)}


# --- the coordination's review --------------------------------------------------------------------------


@blp.route("/proposals/<int:proposal_id>/decision", methods=["POST"])
@api_view(Role.COORDINATOR, load=REVIEWED)
@blp.arguments(ProposalDecisionSchema)
@etagged_change(blp, ProposalReviewOut, record="proposal", if_match="optional", etag=_etag)
def decide(data, proposal):
    """Approve a proposal of a round in review, or reject it with a reason (required: 422 naming `reason`
    without one). A rejected pair is never proposed again in later rounds. If-Match (the ETag of the
    proposal's last change) is optional; when sent, it is checked."""
    round_review.set_decision(api_user(), proposal, data["decision"], data["reason"], version=proposal.version)
    return _reviewed(proposal)


@blp.route("/proposals/<int:proposal_id>/pin", methods=["POST"])
@api_view(Role.COORDINATOR, load=REVIEWED)
@blp.arguments(PinIn)
@etagged_change(blp, ProposalReviewOut, record="proposal", if_match="optional", etag=_etag)
def pin(data, proposal):
    """Pin a placement (it is then forced when the round is rerun) or unpin it. Not a rejected one.
    If-Match is optional; when sent, it is checked."""
    round_review.set_pinned(api_user(), proposal, data["pinned"], version=proposal.version)
    return _reviewed(proposal)


@blp.route("/proposals/<int:proposal_id>/replacement", methods=["POST"])
@api_view(Role.COORDINATOR, load=REVIEWED)
@blp.arguments(ReplaceSchema)
@etagged_change(blp, ProposalReviewOut, record="proposal", if_match="optional", etag=_etag)
def replace(data, proposal):
    """Move a placement to another session of the network by hand (GET .../replacements lists those that
    keep every rule). Every hard rule must still hold for the whole round: otherwise 422 on `session_id`,
    naming the rules it would break. The placement is then approved, pinned and marked `replaced`, with the
    engine's score and breakdown for the new pair. If-Match is optional; when sent, it is checked."""
    round_review.replace_session(api_user(), proposal, data["session_id"], version=proposal.version)
    return _reviewed(proposal)


@blp.route("/proposals/<int:proposal_id>/replacements", methods=["GET"])
@api_view(Role.COORDINATOR, load=REVIEWED)
@blp.response(200, ReplacementsOut)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def replacements(proposal):
    """Where a placement of a round in review could move: every session that keeps every hard rule with the
    round's other placements, best score first, each with the engine's score and breakdown; then the
    best-scoring sessions a rule rules out, with the rules, and how many each rule rules out. 409 once the
    round or the proposal is no longer in review."""
    if proposal.round.status not in ROUND_IN_REVIEW or proposal.status not in PROPOSAL_IN_REVIEW:
        raise RoundStateConflict(_("Cette proposition n'est plus en revue."))
    found = replacement_service.options(proposal)
    return {
        "valid": found.valid,
        "refused": found.refused,
        "refused_by_rule": {str(rule): n for rule, n in found.refused_by_rule.items()},
    }


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
    scope = require_scope(user, scope) if scope else default_scope(user, Scope.ORGANISATION)
    query = listings.party_proposals(user, scope, status)
    return immersion_service.attach_immersion_ids(page_of(query, pagination_parameters))


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
    proposal_service.answer_proposal(api_user(), proposal, side, data["answer"], data["reason"])
    return immersion_service.attach_immersion_ids([proposal])[0]
