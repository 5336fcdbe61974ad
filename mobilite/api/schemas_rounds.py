"""What the rounds, proposals and immersions operations send back, and their query parameters.

Input bodies are the review and answer forms' own schemas (mobilite/schemas/rounds.py, proposals.py); only
PinIn widens the form's checkbox values to JSON booleans.
"""

from __future__ import annotations

from marshmallow import fields, validate

from mobilite.lifecycles.round import MAX_ATTEMPTS, failure_message
from mobilite.models import Answer, ImmersionStatus, ProposalStatus, PublicationScope, RoundStatus
from mobilite.schemas.base import BaseSchema
from mobilite.schemas.ids import Id
from mobilite.schemas.rounds import PinSchema, ProposalDecisionSchema
from mobilite.services.review_table import Band, Flag, Sort

# --- rounds ---------------------------------------------------------------------------------------------


class RoundOut(BaseSchema):
    id = fields.Integer(dump_only=True)
    network_id = fields.Integer(dump_only=True)
    week_start = fields.Date(dump_only=True, metadata={"description": "The Monday of the round's week."})
    status = fields.Enum(RoundStatus, by_value=True, dump_only=True)
    phase = fields.String(dump_only=True, metadata={"description": "While running: loading, solving, saving."})
    trigger = fields.String(dump_only=True, metadata={"description": "schedule or manual."})
    started_by_id = fields.Integer(dump_only=True, allow_none=True)
    solver_status = fields.String(dump_only=True)
    attempts = fields.Integer(
        dump_only=True,
        metadata={
            "description": "Runs since the round was last started or rerun. A run whose scheduler died is retried "
            f"automatically, up to {MAX_ATTEMPTS} runs."
        },
    )
    heartbeat_at = fields.DateTime(
        dump_only=True,
        allow_none=True,
        metadata={"description": "While running: the runner's last sign of life (it beats every few seconds)."},
    )
    error = fields.Method(
        "_error",
        dump_only=True,
        metadata={
            "type": "string",
            "description": "If it failed: why, in plain words (the technical details are in the scheduler's log).",
        },
    )
    started_at = fields.DateTime(dump_only=True, allow_none=True)
    finished_at = fields.DateTime(dump_only=True, allow_none=True)
    published_at = fields.DateTime(dump_only=True, allow_none=True)
    timings = fields.Dict(dump_only=True, metadata={"description": "Seconds per phase (load, solve, save)."})
    metrics = fields.Dict(
        dump_only=True,
        metadata={
            "description": "The solution's report: total score and its share of the bound, placed count, rank "
            "profile, worst-off score, placement rates per home organisation, blocking pairs."
        },
    )
    settings_snapshot = fields.Dict(dump_only=True, metadata={"description": "The network settings it ran with."})
    publication_scope = fields.Enum(
        PublicationScope,
        by_value=True,
        attribute="network.publication_scope",
        dump_only=True,
        metadata={
            "description": "What publishing sends (a network setting): approved (the proposals a coordinator "
            "approved; the others wait for the next round) or approved_and_unreviewed (those and the ones "
            "nobody reviewed yet). Rejected proposals are never sent."
        },
    )
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)

    def _error(self, round_) -> str:
        return failure_message(round_.error) if round_.status == RoundStatus.FAILED else ""


class RoundQuery(BaseSchema):
    status = fields.Enum(
        RoundStatus, by_value=True, load_default=None, metadata={"description": "Only the rounds in this status."}
    )


class BlockedSessionOut(BaseSchema):
    session_id = fields.Integer(attribute="session", dump_only=True)
    why = fields.String(dump_only=True, metadata={"description": "full, diversity or continuity."})
    lowest_score = fields.Integer(
        dump_only=True, allow_none=True, metadata={"description": "The lowest score placed in that session."}
    )


class UnmatchedOut(BaseSchema):
    request_id = fields.Integer(attribute="request", dump_only=True)
    agent_id = fields.Integer(attribute="agent", dump_only=True)
    organisation_id = fields.Integer(dump_only=True, allow_none=True)
    reason = fields.String(
        dump_only=True, metadata={"description": "no_eligible_session (see excluded) or outcompeted (see sessions)."}
    )
    excluded = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        dump_only=True,
        metadata={"description": "Hard rule → how many sessions it excluded."},
    )
    sessions = fields.List(
        fields.Nested(BlockedSessionOut),
        dump_only=True,
        metadata={"description": "Eligible sessions whose seats went to better-scoring placements."},
    )


# --- proposals ------------------------------------------------------------------------------------------


class ProposalOut(BaseSchema):
    """A proposal as its parties see it: the agent, the HR of the home and of the host organisation."""

    id = fields.Integer(dump_only=True)
    round_id = fields.Integer(dump_only=True)
    request_id = fields.Integer(dump_only=True)
    agent_id = fields.Integer(attribute="request.agent_id", dump_only=True)
    home_organisation_id = fields.Integer(attribute="request.organisation_id", dump_only=True)
    session_id = fields.Integer(dump_only=True)
    offer_id = fields.Integer(attribute="session.offer_id", dump_only=True)
    offer_title = fields.String(attribute="session.offer.title", dump_only=True)
    host_organisation_id = fields.Integer(attribute="session.offer.organisation_id", dump_only=True)
    start_date = fields.Date(attribute="session.start_date", dump_only=True)
    end_date = fields.Date(attribute="session.end_date", dump_only=True)
    working_days = fields.Integer(attribute="session.working_days", dump_only=True)
    status = fields.Enum(ProposalStatus, by_value=True, dump_only=True)
    respond_by = fields.Date(
        dump_only=True, allow_none=True, metadata={"description": "The last day to answer (included)."}
    )
    agent_answer = fields.Enum(Answer, by_value=True, dump_only=True, allow_none=True)
    agent_answered_at = fields.DateTime(dump_only=True, allow_none=True)
    host_answer = fields.Enum(Answer, by_value=True, dump_only=True, allow_none=True)
    host_answered_at = fields.DateTime(dump_only=True, allow_none=True)
    decline_reason = fields.String(dump_only=True)
    immersion_id = fields.Integer(
        dump_only=True, allow_none=True, metadata={"description": "The immersion, once both sides accepted."}
    )
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class ProposalReviewOut(ProposalOut):
    """A proposal as the coordination reviews it: with its score, the score's breakdown and the pin."""

    score = fields.Integer(dump_only=True)
    breakdown = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        dump_only=True,
        metadata={
            "description": "Soft goal → weighted points; they sum to the score. A placement moved by hand is "
            "scored by the engine too, with the weights the round ran with."
        },
    )
    pinned = fields.Boolean(dump_only=True, metadata={"description": "Forced in reruns of the round."})
    replaced = fields.Boolean(dump_only=True, metadata={"description": "Moved to another session by hand."})
    coordinator_reason = fields.String(dump_only=True, metadata={"description": "Why it was rejected."})


class ProposalQuery(BaseSchema):
    status = fields.Enum(
        ProposalStatus, by_value=True, load_default=None, metadata={"description": "Only the proposals in this status."}
    )


class RoundProposalQuery(ProposalQuery):
    """The review page's filter and sort, by the same names as the API's other fields."""

    home_organisation_id = Id(load_default=None, metadata={"description": "Only agents of this organisation."})
    host_organisation_id = Id(load_default=None, metadata={"description": "Only offers of this organisation."})
    score_band = fields.Enum(
        Band,
        by_value=True,
        load_default=None,
        metadata={
            "description": "high: 60 % of the best score a pair can get or more; low: under 35 %; medium between."
        },
    )
    flags = fields.List(
        fields.Enum(Flag, by_value=True),
        load_default=list,
        validate=validate.Length(max=6),
        metadata={
            "description": "Only proposals with every flag given: last_wish (the last of two wishes or more), "
            "outside_wishes, far (at 80 % of the agent's maximum distance or beyond), below_floor (the agent's "
            "organisation is under the fairness floor), pinned, replaced."
        },
    )
    sort = fields.Enum(
        Sort, by_value=True, load_default=Sort.SCORE, metadata={"description": "Default: best score first."}
    )


class SelectedIn(BaseSchema):
    id = Id(required=True)
    version = fields.Integer(
        required=True, validate=validate.Range(min=1), metadata={"description": "The version read."}
    )


class BulkDecisionIn(ProposalDecisionSchema):
    proposals = fields.List(
        fields.Nested(SelectedIn),
        required=True,
        validate=validate.Length(min=1, max=5000),
        metadata={"description": "The proposals, each with the version read (from GET .../proposals)."},
    )


class BulkDecisionOut(BaseSchema):
    changed = fields.Integer(dump_only=True, metadata={"description": "Proposals approved or rejected."})
    skipped = fields.Integer(
        dump_only=True, metadata={"description": "Already decided (approved, rejected, published): left as they are."}
    )


class ReplacementOut(BaseSchema):
    session_id = fields.Integer(attribute="session.id", dump_only=True)
    offer_id = fields.Integer(attribute="session.offer_id", dump_only=True)
    offer_title = fields.String(attribute="session.offer.title", dump_only=True)
    host_organisation_id = fields.Integer(attribute="session.offer.organisation_id", dump_only=True)
    start_date = fields.Date(attribute="session.start_date", dump_only=True)
    end_date = fields.Date(attribute="session.end_date", dump_only=True)
    score = fields.Integer(attribute="option.score", dump_only=True)
    breakdown = fields.Dict(keys=fields.String(), values=fields.Integer(), attribute="option.breakdown", dump_only=True)
    broken = fields.List(
        fields.String(),
        attribute="option.broken",
        dump_only=True,
        metadata={"description": "The hard rules the move would break (empty: it keeps them all)."},
    )
    current = fields.Boolean(dump_only=True, metadata={"description": "The session the proposal holds now."})


class ReplacementsOut(BaseSchema):
    valid = fields.List(
        fields.Nested(ReplacementOut),
        dump_only=True,
        metadata={"description": "Every session that keeps every hard rule, best score first."},
    )
    refused = fields.List(
        fields.Nested(ReplacementOut),
        dump_only=True,
        metadata={"description": "The best-scoring sessions a rule rules out, with the rules."},
    )
    refused_by_rule = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        dump_only=True,
        metadata={"description": "First broken rule → how many sessions it rules out."},
    )


class PartyProposalQuery(ProposalQuery):
    scope = fields.String(
        load_default=None,
        validate=validate.OneOf(["mine", "organisation"]),
        metadata={
            "description": "mine: the caller's own proposals (as an agent); organisation (HR): those "
            "made to their organisation's offers or to its agents. Default: organisation "
            "for HR, else mine. Only published proposals, and what followed them."
        },
    )


class PinIn(PinSchema):
    pinned = fields.Boolean(required=True, metadata={"description": "true to force it in reruns."})


# --- immersions -----------------------------------------------------------------------------------------


class ImmersionOut(BaseSchema):
    id = fields.Integer(dump_only=True)
    proposal_id = fields.Integer(dump_only=True)
    agent_id = fields.Integer(dump_only=True)
    home_organisation_id = fields.Integer(dump_only=True)
    host_organisation_id = fields.Integer(dump_only=True)
    session_id = fields.Integer(dump_only=True)
    offer_id = fields.Integer(attribute="session.offer_id", dump_only=True)
    offer_title = fields.String(attribute="session.offer.title", dump_only=True)
    start_date = fields.Date(dump_only=True)
    end_date = fields.Date(dump_only=True)
    working_days = fields.Integer(dump_only=True)
    status = fields.Enum(ImmersionStatus, by_value=True, dump_only=True)
    days_done = fields.Integer(
        dump_only=True, allow_none=True, metadata={"description": "Days done when partly done; null: all."}
    )
    cancelled_at = fields.DateTime(dump_only=True, allow_none=True)
    cancel_reason = fields.String(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class ImmersionQuery(BaseSchema):
    scope = fields.String(
        load_default=None,
        validate=validate.OneOf(["mine", "organisation", "network"]),
        metadata={
            "description": "mine: the caller's own immersions; organisation (HR): those their "
            "organisation hosts or sends; network (coordination): the network's. Default: "
            "network for a coordinator, organisation for HR, else mine."
        },
    )
    status = fields.Enum(
        ImmersionStatus,
        by_value=True,
        load_default=None,
        metadata={"description": "Only the immersions in this status."},
    )
