"""The answer to a proposal, as the form sends it."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from mobilite.lifecycles.proposal import ProposalAnswer
from mobilite.limits import DECLINE_REASON_REQUIRED, MAX_REASON_LENGTH, REASON_TOO_LONG
from mobilite.schemas.base import N_, FormSchema
from mobilite.schemas.choices import choice_of


class AnswerSchema(FormSchema):
    answer = choice_of(ProposalAnswer, required=True, error=N_("Choisissez d'accepter ou de décliner."))
    reason = fields.String(load_default="", validate=validate.Length(max=MAX_REASON_LENGTH, error=REASON_TOO_LONG))

    @validates_schema
    def reason_for_a_decline(self, data, **_kwargs):
        if data.get("answer") == ProposalAnswer.DECLINE and not data.get("reason"):
            raise ValidationError(DECLINE_REASON_REQUIRED, "reason")
