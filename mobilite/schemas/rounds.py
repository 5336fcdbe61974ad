"""The coordinator's review forms."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from mobilite.lifecycles.proposal import ReviewDecision
from mobilite.limits import MAX_REASON_LENGTH, REJECT_REASON_REQUIRED
from mobilite.schemas.base import FormSchema
from mobilite.schemas.choices import choice_of
from mobilite.schemas.ids import Id


class ProposalDecisionSchema(FormSchema):
    decision = choice_of(ReviewDecision, required=True)
    reason = fields.String(load_default="", validate=validate.Length(max=MAX_REASON_LENGTH))

    @validates_schema
    def reason_when_rejected(self, data, **_kwargs):
        if data.get("decision") == ReviewDecision.REJECT and not data.get("reason"):
            raise ValidationError(REJECT_REASON_REQUIRED, "reason")


class ReplaceSchema(FormSchema):
    session_id = Id(required=True)


class PinSchema(FormSchema):
    pinned = fields.Boolean(required=True, truthy={"1", "true", "on"}, falsy={"0", "false", "off"})
