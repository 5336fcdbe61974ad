"""The agent's offer search, as its GET form sends it."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from mobilite.limits import END_BEFORE_START, MAX_DISTANCE_KM
from mobilite.schemas.base import N_, FormSchema
from mobilite.schemas.ids import Id
from mobilite.services.search import SORTS


class OfferSearchSchema(FormSchema):
    themes = fields.List(Id(), load_default=list, data_key="theme")
    skills = fields.List(Id(), load_default=list, data_key="skill")
    organisation = Id(load_default=None)
    city = fields.String(load_default=None, validate=validate.Length(max=120))
    distance_km = fields.Integer(
        load_default=None,
        data_key="distance",
        validate=validate.Range(min=1, max=MAX_DISTANCE_KM, error=N_("Entre 1 et 2 000 km.")),
    )
    date_from = fields.Date(load_default=None, data_key="du")
    date_to = fields.Date(load_default=None, data_key="au")
    remote = fields.Boolean(load_default=False, data_key="distanciel")
    q = fields.String(load_default=None, validate=validate.Length(max=200, error=N_("200 caractères au plus.")))
    sort = fields.String(
        load_default="soonest", data_key="tri", validate=validate.OneOf(SORTS, error=N_("Tri inconnu."))
    )
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10000, error=N_("Page inconnue.")))

    @validates_schema
    def dates_in_order(self, data, **_kwargs):
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            raise ValidationError(END_BEFORE_START, "au")
