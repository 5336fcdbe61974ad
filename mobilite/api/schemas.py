"""What the API sends back. Each output schema extends the form schema it answers to, so the fields, their
names and their rules stay the same in forms, imports and the API; only the read-only parts are added here.
"""

from __future__ import annotations

import copy

from marshmallow import Schema, ValidationError, fields, post_dump, validate, validates_schema

from mobilite.limits import END_BEFORE_START
from mobilite.models import OfferStatus, OrganisationKind, RequestStatus
from mobilite.schemas.base import BaseSchema
from mobilite.schemas.ids import Id
from mobilite.schemas.offers import OfferSchema, SessionSchema, ValidationDecisionSchema
from mobilite.schemas.requests import RequestSchema, WindowSchema
from mobilite.schemas.search import OfferSearchSchema
from mobilite.schemas.sites import SiteSchema


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
    theme_id = Id(load_default=None, metadata={"description": "Only the skills of this theme."})


# --- offers ---------------------------------------------------------------------------------------------


class SessionOut(SessionSchema):
    id = fields.Integer(dump_only=True)
    working_days = fields.Integer(dump_only=True)


class LocationOut(Schema):
    """Where an offer happens: its site, or its organisation's own address (site_name empty)."""

    site_name = fields.String(dump_only=True)
    address = fields.String(dump_only=True)
    postcode = fields.String(dump_only=True)
    city = fields.String(dump_only=True)
    latitude = fields.Float(dump_only=True, allow_none=True)
    longitude = fields.Float(dump_only=True, allow_none=True)


class OfferOut(OfferSchema):
    id = fields.Integer(dump_only=True)
    organisation_id = fields.Integer(dump_only=True)
    location = fields.Nested(LocationOut, dump_only=True)
    status = fields.Enum(OfferStatus, by_value=True, dump_only=True)
    themes = fields.Pluck(_Ref, "id", many=True)
    skills = fields.Pluck(_Ref, "id", many=True)
    validation_comment = fields.String(dump_only=True)
    sessions = fields.List(fields.Nested(SessionOut), dump_only=True)
    published_at = fields.DateTime(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)

    @post_dump
    def tutor_email_null_when_none(self, data, **_kwargs):
        """No e-mail is null, as the input takes it: what GET gives, PUT accepts back."""
        if data.get("tutor_email") == "":
            data["tutor_email"] = None
        return data


class OfferIn(OfferSchema):
    """The offer form's fields; the version is the ETag's business (If-Match), so it is not sent here."""

    class Meta(OfferSchema.Meta):
        exclude = ("version",)


class OfferQuery(BaseSchema):
    status = fields.Enum(
        OfferStatus, by_value=True, load_default=None, metadata={"description": "Only the offers in this status."}
    )


class ValidationIn(ValidationDecisionSchema):
    """The coordination's decision on a submitted offer (the review page's form)."""


# --- an organisation's sites ----------------------------------------------------------------------------


class SiteOut(SiteSchema):
    id = fields.Integer(dump_only=True)
    organisation_id = fields.Integer(dump_only=True)
    postcode = fields.String(dump_only=True)
    city = fields.String(dump_only=True)
    latitude = fields.Float(dump_only=True)
    longitude = fields.Float(dump_only=True)
    archived = fields.Boolean(dump_only=True)
    in_use = fields.Method("_in_use", dump_only=True, metadata={"description": "Whether some offer names it."})

    @post_dump(pass_original=True)
    def commune_as_label(self, data, site, **_kwargs):
        """The commune as the input takes it back: « Lyon (69003) »."""
        from mobilite.services.sites import commune_label

        data["commune"] = commune_label(site)
        return data

    def _in_use(self, site) -> bool:
        from mobilite.services.sites import is_in_use

        return is_in_use(site)


class SiteQuery(BaseSchema):
    archived = fields.Boolean(
        load_default=True, metadata={"description": "false: only the active sites (those new offers may name)."}
    )


# --- the catalogue: the network's published offers, as agents browse them -------------------------------


def _renamed(name: str, key: str, description: str):
    """The search form's field under an English query parameter (the form's own keys are French)."""
    field = copy.copy(OfferSearchSchema._declared_fields[name])
    field.data_key = key
    field.metadata = {**field.metadata, "description": description}
    return field


class CatalogueQuery(OfferSearchSchema):
    """The agents' search form (same fields, same rules); its page is the API's pagination."""

    class Meta(OfferSearchSchema.Meta):
        exclude = ("page",)

    themes = _renamed("themes", "theme", "Theme ids (repeat the parameter): offers with any of them.")
    skills = _renamed("skills", "skill", "Skill ids (repeat the parameter): offers developing any of them.")
    organisation = _renamed("organisation", "organisation", "Only the offers of this host organisation.")
    city = _renamed("city", "city", "Only the offers of host organisations in this city.")
    distance_km = _renamed(
        "distance_km", "distance_km", "At most this far from the caller's work place (remote offers always qualify)."
    )
    date_from = _renamed("date_from", "date_from", "A session ends on or after this day.")
    date_to = _renamed("date_to", "date_to", "A session starts on or before this day.")
    remote = _renamed("remote", "remote", "Only remote or hybrid offers.")
    q = _renamed("q", "q", "Words in the title, the team or the description.")
    sort = _renamed("sort", "sort", "soonest (next session), closest (needs a work place) or newest.")

    @validates_schema
    def dates_in_order(self, data, **_kwargs):
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            raise ValidationError(END_BEFORE_START, "date_to")


class HostOut(OrganisationOut):
    class Meta(OrganisationOut.Meta):
        fields = ("id", "name", "kind", "address", "city", "postcode")


class CatalogueOfferOut(OfferOut):
    """A published offer as agents see it: no tutor e-mail, no internal dates or version."""

    class Meta(OfferOut.Meta):
        exclude = ("tutor_email", "validation_comment", "version", "created_at", "updated_at")

    organisation = fields.Nested(HostOut, dump_only=True)
    distance_km = fields.Float(
        dump_only=True, allow_none=True, metadata={"description": "From the caller's work place, when it is known."}
    )
    next_session = fields.Date(
        dump_only=True, allow_none=True, metadata={"description": "The start of the next session to come."}
    )


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
    wishes = fields.Pluck(
        _WishRef, "offer_id", many=True, metadata={"description": "The wished offers' ids, first wish first."}
    )
    decision_reason = fields.String(dump_only=True)
    # As stored: empty when the manager is an account (line_manager_id) or nobody was named.
    line_manager_email: fields.Field = fields.String(
        metadata={"description": "The line manager's address, when not an account."}
    )
    line_manager_opinion = fields.Method(
        "_opinion_step",
        dump_only=True,
        metadata={
            "description": "The line manager's opinion step: the network's setting (required, advisory, skipped), "
            "whether it was asked, the opinion (favourable, unfavourable) and its reason once given, its deadline, "
            "overdue, and whether HR must wait for it before deciding."
        },
    )
    submitted_at = fields.DateTime(dump_only=True, allow_none=True)
    decided_at = fields.DateTime(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)

    def _opinion_step(self, immersion_request) -> dict:
        from mobilite.services import line_manager  # noqa: PLC0415 (services import the schemas)

        step = line_manager.state(immersion_request)
        return {
            "setting": step.setting,
            "asked": step.asked,
            "opinion": step.opinion,
            "reason": step.reason,
            "given_at": step.given_at.isoformat() if step.given_at is not None else None,
            "deadline": step.deadline.isoformat() if step.deadline is not None else None,
            "overdue": step.overdue,
            "blocks_decision": step.blocks_decision,
        }


class _JsonBoolean(fields.Boolean):
    """true or false, as JSON writes them (not 0, 1, "yes"…)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class RequestIn(RequestSchema):
    """The request form's fields; the version is the ETag's business (If-Match), so it is not sent here."""

    class Meta(RequestSchema.Meta):
        exclude = ("version",)

    submit = _JsonBoolean(
        load_default=False,
        metadata={
            "description": "true: submit the request to the home employer at once (every legal rule is checked); "
            "false: keep it as a draft."
        },
    )


class RequestQuery(BaseSchema):
    scope = fields.String(
        load_default=None,
        validate=validate.OneOf(["mine", "organisation"]),
        metadata={
            "description": "mine: the caller's own requests; organisation (HR): their organisation's "
            "requests waiting for an answer. Default: organisation for HR, else mine."
        },
    )
