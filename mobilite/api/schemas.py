"""What the API sends back. Each output schema extends the form schema it answers to, so the fields, their
names and their rules stay the same in forms, imports and the API; only the read-only parts are added here.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from mobilite.models import OfferStatus, OrganisationKind, RequestStatus
from mobilite.schemas.base import BaseSchema
from mobilite.schemas.offers import OfferSchema, SessionSchema
from mobilite.schemas.requests import RequestSchema, WindowSchema


class _Ref(Schema):
    id = fields.Integer()


class _WishRef(Schema):
    offer_id = fields.Integer()


# --- reference data -------------------------------------------------------------------------------------

class OrganisationOut(BaseSchema):
    id = fields.Integer(dump_only=True)
    network_id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    kind = fields.Enum(OrganisationKind, by_value=True, dump_only=True)
    address = fields.String(dump_only=True)
    city = fields.String(dump_only=True)
    postcode = fields.String(dump_only=True)
    latitude = fields.Float(dump_only=True, allow_none=True)
    longitude = fields.Float(dump_only=True, allow_none=True)


class ThemeOut(BaseSchema):
    id = fields.Integer(dump_only=True)
    code = fields.String(dump_only=True)
    label_fr = fields.String(dump_only=True)
    label_en = fields.String(dump_only=True)


class SkillOut(ThemeOut):
    theme_id = fields.Integer(dump_only=True)


class SkillQuery(BaseSchema):
    theme_id = fields.Integer(load_default=None, metadata={"description": "Only the skills of this theme."})


# --- offers ---------------------------------------------------------------------------------------------

class SessionOut(SessionSchema):
    id = fields.Integer(dump_only=True)
    working_days = fields.Integer(dump_only=True)


class OfferOut(OfferSchema):
    id = fields.Integer(dump_only=True)
    organisation_id = fields.Integer(dump_only=True)
    status = fields.Enum(OfferStatus, by_value=True, dump_only=True)
    themes = fields.Pluck(_Ref, "id", many=True)
    skills = fields.Pluck(_Ref, "id", many=True)
    validation_comment = fields.String(dump_only=True)
    sessions = fields.List(fields.Nested(SessionOut), dump_only=True)
    published_at = fields.DateTime(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class OfferQuery(BaseSchema):
    status = fields.Enum(OfferStatus, by_value=True, load_default=None,
                         metadata={"description": "Only the offers in this status."})


# --- requests -------------------------------------------------------------------------------------------

class WindowOut(WindowSchema):
    start = fields.Date(attribute="start_date")
    end = fields.Date(attribute="end_date")


class RequestOut(RequestSchema):
    id = fields.Integer(dump_only=True)
    agent_id = fields.Integer(dump_only=True)
    organisation_id = fields.Integer(dump_only=True)
    status = fields.Enum(RequestStatus, by_value=True, dump_only=True)
    themes = fields.Pluck(_Ref, "id", many=True)
    skills = fields.Pluck(_Ref, "id", many=True)
    windows = fields.List(fields.Nested(WindowOut))
    wishes = fields.Pluck(_WishRef, "offer_id", many=True,
                          metadata={"description": "The wished offers' ids, first wish first."})
    decision_reason = fields.String(dump_only=True)
    submitted_at = fields.DateTime(dump_only=True, allow_none=True)
    decided_at = fields.DateTime(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class RequestQuery(BaseSchema):
    scope = fields.String(
        load_default=None, validate=validate.OneOf(["mine", "organisation"]),
        metadata={"description": "mine: the caller's own requests; organisation (HR): their organisation's "
                                 "requests waiting for an answer. Default: organisation for HR, else mine."},
    )
