"""Offering a seat freed by a cancellation to a waiting request (the coordination's form and the API)."""

from __future__ import annotations

from mobilite.schemas.base import FormSchema
from mobilite.schemas.ids import Id


class OfferSeatSchema(FormSchema):
    request_id = Id(required=True)
