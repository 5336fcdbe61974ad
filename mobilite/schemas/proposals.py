"""The answer to a proposal, as the form sends it."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from mobilite.schemas.base import N_, FormSchema

ANSWERS = ("accept", "decline")


class AnswerSchema(FormSchema):
    answer = fields.String(
        required=True, validate=validate.OneOf(ANSWERS, error=N_("Choisissez d'accepter ou de décliner."))
    )
    reason = fields.String(load_default="", validate=validate.Length(max=2000, error=N_("2 000 caractères au plus.")))

    @validates_schema
    def reason_for_a_decline(self, data, **_kwargs):
        if data.get("answer") == "decline" and not data.get("reason"):
            raise ValidationError(N_("Indiquez pourquoi vous déclinez : le motif est obligatoire."), "reason")
