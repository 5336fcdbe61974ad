"""The agreement's completion by the host, and a party's signature (the page's form and the API's body)."""

from __future__ import annotations

from marshmallow import fields, validate

from mobilite.models import TravelCostsBearer
from mobilite.schemas.base import N_, BaseSchema, FormSchema

_TOO_LONG = N_("Texte trop long.")


class AgreementSchema(FormSchema):
    """Required texts are checked by the service, with a message naming what is missing."""

    functions_observed = fields.String(
        load_default="",
        validate=validate.Length(max=4000, error=_TOO_LONG),
        metadata={"description": "The functions the agent observes; written by the host; required."},
    )
    objectives = fields.String(load_default="", validate=validate.Length(max=4000, error=_TOO_LONG))
    daily_hours = fields.String(
        load_default="",
        validate=validate.Length(max=200, error=_TOO_LONG),
        metadata={"description": "The day's hours, in words; required."},
    )
    travel_costs_by = fields.String(
        load_default=TravelCostsBearer.HOME.value,
        validate=validate.OneOf(
            [b.value for b in TravelCostsBearer], error=N_("Choisissez qui prend en charge les frais de déplacement.")
        ),
    )
    start_date = fields.Date(load_default=None, metadata={"description": "Within the session's dates."})
    end_date = fields.Date(load_default=None, metadata={"description": "Within the session's dates."})


class SignatureSchema(FormSchema):
    sha256 = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[0-9a-fA-F]{64}$", error=N_("Empreinte SHA-256 attendue (64 caractères hexadécimaux).")
        ),
        metadata={"description": "The SHA-256 of the document the signer read (document_sha256 of the state)."},
    )


class SignatureOut(BaseSchema):
    party = fields.String()
    signer_name = fields.String()
    signer_email = fields.String()
    signed_at = fields.DateTime()
    ip_address = fields.String()
    document_sha256 = fields.String()
    auth_method = fields.String()
    version = fields.Integer()


class AgreementStateOut(BaseSchema):
    immersion_id = fields.Integer()
    state = fields.String()
    version = fields.Integer()
    waiting_for = fields.String(allow_none=True, metadata={"description": "agent, home, host, or null."})
    since = fields.DateTime()
    signing_order = fields.List(fields.String())
    document_sha256 = fields.String(metadata={"description": "The document to sign; empty before the check."})
    signed_sha256 = fields.String(metadata={"description": "The signed PDF's; empty until everybody signed."})
    functions_observed = fields.String()
    objectives = fields.String()
    daily_hours = fields.String()
    travel_costs_by = fields.String()
    signatures = fields.List(fields.Nested(SignatureOut))
