"""The query of the suggestion lists (the autocomplete of communes and skills)."""

from __future__ import annotations

from marshmallow import fields, validate

from mobilite.schemas.base import N_, BaseSchema

MAX_QUERY_LENGTH = 100
MAX_SUGGESTIONS = 20


class SuggestionQuerySchema(BaseSchema):
    q = fields.String(
        load_default="",
        validate=validate.Length(max=MAX_QUERY_LENGTH, error=N_("100 caractères au plus.")),
    )
    limit = fields.Integer(
        load_default=10,
        validate=validate.Range(min=1, max=MAX_SUGGESTIONS, error=N_("Entre 1 et 20 suggestions.")),
    )
