"""An organisation's sites: one schema for the sites form, the offer form's "other address" and the API."""

from __future__ import annotations

from marshmallow import fields, validate

from mobilite.schemas.base import N_, FormSchema

MAX_COMMUNE_LENGTH = 160


class SiteSchema(FormSchema):
    name = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200, error=N_("Entre 1 et 200 caractères.")),
        metadata={"description": "What the organisation calls it: « Hôtel de ville », « Centre technique »."},
    )
    address = fields.String(
        load_default="",
        validate=validate.Length(max=300, error=N_("300 caractères au plus.")),
        metadata={"description": "Street and number, without the postcode and city."},
    )
    # A commune of the gazetteer, as its name, its postcode or "Name (postcode)" (what the suggestions write);
    # the service finds it (mobilite.services.communes) and copies its postcode, city and coordinates.
    commune = fields.String(
        required=True,
        validate=validate.Length(min=1, max=MAX_COMMUNE_LENGTH, error=N_("Entre 1 et 160 caractères.")),
        error_messages={"required": N_("Indiquez la commune du site (nom ou code postal).")},
        metadata={"description": "The commune: its name, its postcode or « Name (postcode) », e.g. « Lyon (69003) »."},
    )
    accessibility = fields.String(
        load_default="",
        validate=validate.Length(max=2000, error=N_("2000 caractères au plus.")),
        metadata={"description": "Access for people with reduced mobility, transport, entrance."},
    )
