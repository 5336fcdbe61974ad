"""The personal API token form."""

from __future__ import annotations

from marshmallow import fields, validate

from mobilite.i18n import N_
from mobilite.schemas.base import FormSchema


class TokenSchema(FormSchema):
    name = fields.String(
        required=True, validate=validate.Length(min=1, max=100, error=N_("Entre 1 et 100 caractères."))
    )
    expires_in_days = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1, max=365, error=N_("Entre 1 et 365 jours, ou vide pour ne pas limiter.")),
    )
