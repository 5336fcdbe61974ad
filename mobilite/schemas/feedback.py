"""Feedback after an immersion, as the form sends it (the service checks what depends on the outcome)."""

from __future__ import annotations

from marshmallow import fields, validate

from mobilite.limits import (
    CHOOSE_A_SATISFACTION,
    LONG_TEXT_TOO_LONG,
    MAX_LONG_TEXT_LENGTH,
    MAX_REASON_LENGTH,
    MAX_SATISFACTION,
    MAX_WORKING_DAYS,
    MIN_SATISFACTION,
    REASON_TOO_LONG,
    WORKING_DAYS_RANGE,
)
from mobilite.models import Outcome
from mobilite.schemas.base import N_, FormSchema


class FeedbackSchema(FormSchema):
    outcome = fields.String(
        required=True,
        validate=validate.OneOf([o.value for o in Outcome], error=N_("Choisissez comment l'immersion s'est passée.")),
    )
    outcome_reason = fields.String(
        load_default="", validate=validate.Length(max=MAX_REASON_LENGTH, error=REASON_TOO_LONG)
    )
    satisfaction = fields.Integer(
        load_default=None,
        validate=validate.Range(min=MIN_SATISFACTION, max=MAX_SATISFACTION, error=CHOOSE_A_SATISFACTION),
    )
    learned = fields.String(
        load_default="", validate=validate.Length(max=MAX_LONG_TEXT_LENGTH, error=LONG_TEXT_TOO_LONG)
    )
    would_recommend = fields.Boolean(load_default=None)
    days_done = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1, max=MAX_WORKING_DAYS, error=WORKING_DAYS_RANGE),
    )
    appraisal = fields.String(load_default="", validate=validate.Length(max=MAX_REASON_LENGTH, error=REASON_TOO_LONG))
