"""What the rounds, proposals and immersions operations send back, and their query parameters.

Input bodies are the review and answer forms' own schemas (mobilite/schemas/rounds.py, proposals.py); only
PinIn widens the form's checkbox values to JSON booleans.
"""

from __future__ import annotations

from marshmallow import fields, validate

from mobilite.lifecycles.round import MAX_ATTEMPTS, failure_message
from mobilite.models import Answer, ImmersionStatus, ProposalStatus, RoundStatus
from mobilite.schemas.base import BaseSchema
from mobilite.schemas.rounds import PinSchema

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
            "description": 'Soft goal → weighted points; they sum to the score. {"manual": 0} when placed by hand.'
        },
    )
    pinned = fields.Boolean(dump_only=True, metadata={"description": "Forced in reruns of the round."})
    coordinator_reason = fields.String(dump_only=True, metadata={"description": "Why it was rejected."})


class ProposalQuery(BaseSchema):
    status = fields.Enum(
        ProposalStatus, by_value=True, load_default=None, metadata={"description": "Only the proposals in this status."}
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
