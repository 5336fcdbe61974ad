"""The coordinator's review forms."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from mobilite.schemas.base import N_, FormSchema
from mobilite.schemas.ids import Id


class ProposalDecisionSchema(FormSchema):
    decision = fields.String(required=True, validate=validate.OneOf(["approve", "reject"]))
    reason = fields.String(load_default="", validate=validate.Length(max=2000))

    @validates_schema
    def reason_when_rejected(self, data, **_kwargs):
        if data.get("decision") == "reject" and not data.get("reason"):
            raise ValidationError(N_("Indiquez pourquoi cette proposition est écartée."), "reason")


class ReplaceSchema(FormSchema):
    session_id = Id(required=True)


class PinSchema(FormSchema):
    pinned = fields.Boolean(required=True, truthy={"1", "true", "on"}, falsy={"0", "false", "off"})
