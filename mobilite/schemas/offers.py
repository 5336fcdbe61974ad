"""Offers and their sessions: one schema for the HR forms, the imports and the API."""

from __future__ import annotations

from marshmallow import ValidationError, fields, post_load, pre_load, validate, validates_schema

from mobilite.lifecycles.offer import OfferValidation
from mobilite.limits import MAX_CAPACITY, MAX_SKILL_LEVEL, MIN_CAPACITY, MIN_SKILL_LEVEL
from mobilite.models import Place
from mobilite.schemas.base import N_, FormSchema, strict_input
from mobilite.schemas.choices import choice_of
from mobilite.schemas.dates import PlanningDate
from mobilite.schemas.ids import Id
from mobilite.schemas.sites import SiteSchema


class LocalTime(fields.Time):
    """A time of day on the host's clock, to the minute: "09:30" (the form's time input), "09:30:00" (what the
    API gives back). No time zone: the host's own is meant."""

    default_error_messages = {"invalid": N_("Heure non valable (format attendu : HH:MM, par exemple 09:30).")}

    def _deserialize(self, value, attr, data, **kwargs):
        parsed = super()._deserialize(value, attr, data, **kwargs)
        if parsed.tzinfo is not None or parsed.second or parsed.microsecond:
            raise self.make_error("invalid")
        return parsed


class PrerequisiteSchema(FormSchema):
    skill_id = Id(required=True)
    min_level = fields.Integer(
        required=True,
        validate=validate.Range(MIN_SKILL_LEVEL, MAX_SKILL_LEVEL, error=N_("Niveau attendu entre 1 et 4.")),
    )


class OfferSchema(FormSchema):
    team = fields.String(required=True, validate=validate.Length(min=1, max=200))
    title = fields.String(required=True, validate=validate.Length(min=3, max=200))
    description = fields.String(required=True, validate=validate.Length(min=20, max=5000))
    # Declared as any field: the API's output schema dumps these as the records' ids (Pluck).
    themes: fields.Field = fields.List(Id(), load_default=list)
    skills: fields.Field = fields.List(Id(), load_default=list)
    prerequisites = fields.List(fields.Nested(PrerequisiteSchema), load_default=list)
    place = fields.Enum(
        Place,
        by_value=True,
        load_default=Place.ON_SITE,
        error_messages={"unknown": N_("Choisissez sur site, hybride ou à distance.")},
    )
    site_id = Id(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "Where the immersion happens: one of the organisation's active sites (GET "
            "/organisations/{organisation_id}/sites); null (or left out) for the organisation's own address."
        },
    )
    new_site = fields.Nested(
        SiteSchema,
        load_default=None,
        allow_none=True,
        load_only=True,
        metadata={"description": "A new site of the organisation, created with the offer, instead of site_id."},
    )
    accessibility = fields.String(load_default="", validate=validate.Length(max=2000))
    tutor_name = fields.String(load_default="", validate=validate.Length(max=200))
    tutor_role = fields.String(load_default="", validate=validate.Length(max=200))
    tutor_email = fields.Email(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=254),
        metadata={"description": "The tutor's e-mail address; null (or left out) for none."},
    )
    meeting_time = LocalTime(
        load_default=None,
        allow_none=True,
        metadata={"description": "When the visitor is met on the first day (HH:MM, the host's time); null for none."},
    )
    meeting_place = fields.String(
        load_default="",
        validate=validate.Length(max=200, error=N_("200 caractères au plus.")),
        metadata={"description": "Where the visitor is met on the first day (a hall, a floor, a door)."},
    )
    version = fields.Integer(load_default=None)

    @post_load
    def no_tutor_email(self, data, **_kwargs):
        if data.get("tutor_email") is None:
            data["tutor_email"] = ""
        return data

    @pre_load
    def site_from_form(self, data, **_kwargs):
        """HTML forms choose the place with the radio `site_choice` ("" the organisation's address, a site's
        id, or "new" with the new_site_* inputs); forms only: the API sends site_id or new_site."""
        if strict_input.get() or not isinstance(data, dict) or "site_choice" not in data:
            return data
        data = dict(data)
        choice = str(data.pop("site_choice") or "").strip()
        given = {name: data.pop(f"new_site_{name}", "") for name in ("name", "address", "commune", "accessibility")}
        if choice == "new":
            data["new_site"] = {name: value for name, value in given.items() if str(value or "").strip()}
        elif choice:
            data["site_id"] = choice
        return data

    @pre_load
    def prerequisites_from_form(self, data, **_kwargs):
        """HTML forms send parallel lists prerequisite_skill / prerequisite_level; pair them (forms only: the
        API and the imports send `prerequisites` as objects)."""
        if strict_input.get() or not isinstance(data, dict) or "prerequisite_skill" not in data:
            return data
        skills = list(data.pop("prerequisite_skill") or [])
        levels = list(data.pop("prerequisite_level", []) or [])
        data["prerequisites"] = [
            {"skill_id": skill, "min_level": level}
            for skill, level in zip(skills, levels + [""] * (len(skills) - len(levels)), strict=False)
            if str(skill).strip()
        ]
        return data

    @validates_schema(skip_on_field_errors=False)  # shown with the other fields' errors, all at once
    def distinct_prerequisites(self, data, **_kwargs):
        # Rows that failed to load are reported on their own; only the loaded ones can repeat a skill.
        ids = [p["skill_id"] for p in data.get("prerequisites", []) if isinstance(p, dict) and "skill_id" in p]
        if len(ids) != len(set(ids)):
            raise ValidationError(N_("Chaque compétence prérequise ne figure qu'une fois."), "prerequisites")


class SessionSchema(FormSchema):
    start_date = PlanningDate(required=True)
    end_date = PlanningDate(required=True)
    capacity = fields.Integer(
        required=True, validate=validate.Range(MIN_CAPACITY, MAX_CAPACITY, error=N_("Entre 1 et 50 places."))
    )

    @validates_schema
    def ordered(self, data, **_kwargs):
        if "start_date" in data and "end_date" in data and data["end_date"] < data["start_date"]:
            raise ValidationError(N_("La date de fin précède la date de début."), "end_date")


class ValidationDecisionSchema(FormSchema):
    decision = choice_of(OfferValidation, required=True)
    comment = fields.String(load_default="", validate=validate.Length(max=2000))

    @validates_schema
    def comment_when_sent_back(self, data, **_kwargs):
        if data.get("decision") == OfferValidation.SEND_BACK and not data.get("comment"):
            raise ValidationError(N_("Expliquez ce qu'il faut modifier."), "comment")
