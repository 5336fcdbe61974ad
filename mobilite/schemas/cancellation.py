"""Calling off an immersion before its first day, and the agent's expected travel (mission expenses)."""

from __future__ import annotations

from marshmallow import ValidationError, fields, pre_load, validate, validates_schema

from mobilite.limits import (
    MAX_REASON_LENGTH,
    MAX_TRAVEL_DISTANCE_KM,
    MAX_TRAVEL_FARE_CENTS,
    MAX_WORKING_DAYS,
    REASON_TOO_LONG,
)
from mobilite.models import TravelMode
from mobilite.schemas.base import N_, BaseSchema, FormSchema


class CallOffSchema(FormSchema):
    """The reason is required: the service says so on its field (the same message for the form and the API)."""

    reason = fields.String(load_default="", validate=validate.Length(max=MAX_REASON_LENGTH, error=REASON_TOO_LONG))


class CallOffIn(BaseSchema):
    """The API's body: the reason, required."""

    reason = fields.String(
        required=True,
        validate=validate.Length(max=MAX_REASON_LENGTH, error=REASON_TOO_LONG),
        metadata={"description": "Why the immersion is called off; told to the other parties."},
    )


class CallOffFormSchema(CallOffSchema):
    """The page's form: calling off is final, so its box must be ticked."""

    confirm = fields.Boolean(load_default=False)

    @validates_schema
    def confirmed(self, data, **_kwargs):
        if not data.get("confirm"):
            raise ValidationError(N_("Cochez la case pour confirmer l'annulation : elle est définitive."), "confirm")


class TravelSchema(FormSchema):
    mode = fields.String(
        required=True,
        validate=validate.OneOf([m.value for m in TravelMode], error=N_("Choisissez un mode de transport.")),
    )
    distance_km = fields.Integer(
        required=True,
        validate=validate.Range(
            min=0, max=MAX_TRAVEL_DISTANCE_KM, error=N_("Une distance entre 0 et 2 000 kilomètres.")
        ),
    )
    trips = fields.Integer(
        required=True,
        validate=validate.Range(min=1, max=MAX_WORKING_DAYS, error=N_("Entre 1 et 10 allers-retours.")),
    )
    fare = fields.Decimal(
        load_default=None,
        places=2,
        validate=validate.Range(min=0, max=MAX_TRAVEL_FARE_CENTS / 100, error=N_("Un prix entre 0 et 1 000 euros.")),
    )

    @pre_load
    def decimal_comma(self, data, **_kwargs):
        """12,50 as French keyboards type it."""
        fare = data.get("fare") if hasattr(data, "get") else None
        if isinstance(fare, str):
            data = {**data, "fare": fare.replace(",", ".").replace(" ", "").replace("\u00a0", "")}
        return data
