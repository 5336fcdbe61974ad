"""Feedback after an immersion, as the form sends it (the service checks what depends on the outcome)."""

from __future__ import annotations

from marshmallow import fields, validate

from mobilite.models import Outcome
from mobilite.schemas.base import N_, FormSchema


class FeedbackSchema(FormSchema):
    outcome = fields.String(
        required=True,
        validate=validate.OneOf([o.value for o in Outcome], error=N_("Choisissez comment l'immersion s'est passée.")),
    )
    outcome_reason = fields.String(
        load_default="", validate=validate.Length(max=2000, error=N_("2 000 caractères au plus."))
    )
    satisfaction = fields.Integer(
        load_default=None, validate=validate.Range(min=1, max=5, error=N_("Choisissez une note de 1 à 5."))
    )
    learned = fields.String(load_default="", validate=validate.Length(max=4000, error=N_("4 000 caractères au plus.")))
    would_recommend = fields.Boolean(load_default=None)
