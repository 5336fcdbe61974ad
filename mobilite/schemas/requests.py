"""Immersion requests and HR decisions, as the forms send them."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from mobilite.lifecycles.request import NEEDS_REASON, RequestDecision
from mobilite.limits import (
    CHOOSE_AN_ANSWER,
    END_BEFORE_START,
    LONG_TEXT_TOO_LONG,
    MAX_BELOW_MIN,
    MAX_DISTANCE_KM,
    MAX_LONG_TEXT_LENGTH,
    MAX_REASON_LENGTH,
    MAX_WINDOWS,
    MAX_WISHES,
    MAX_WORKING_DAYS,
    MIN_WORKING_DAYS,
    REASON_TOO_LONG,
    REQUEST_REASON_REQUIRED,
    WORKING_DAYS_RANGE,
)
from mobilite.models.request import ManagerOpinion
from mobilite.schemas.base import N_, FormSchema, form_data
from mobilite.schemas.choices import choice_of
from mobilite.schemas.dates import PlanningDate
from mobilite.schemas.ids import Id


class WindowSchema(FormSchema):
    # Declared as any field: the API's output schema dumps these from the records' own dates.
    start: fields.Field = PlanningDate(required=True)
    end: fields.Field = PlanningDate(required=True)

    @validates_schema
    def end_after_start(self, data, **_kwargs):
        if "start" in data and "end" in data and data["end"] < data["start"]:
            raise ValidationError(END_BEFORE_START, "end")


class RequestSchema(FormSchema):
    version = fields.Integer(load_default=None)
    # Declared as any field (here and `wishes`): the API's output schema dumps them as ids (Pluck).
    themes: fields.Field = fields.List(Id(), load_default=list)
    skills: fields.Field = fields.List(Id(), load_default=list)
    windows = fields.List(
        fields.Nested(WindowSchema),
        load_default=list,
        validate=validate.Length(max=MAX_WINDOWS, error=N_("Dix périodes au plus.")),
    )
    min_days = fields.Integer(
        required=True, validate=validate.Range(min=MIN_WORKING_DAYS, max=MAX_WORKING_DAYS, error=WORKING_DAYS_RANGE)
    )
    max_days = fields.Integer(
        required=True, validate=validate.Range(min=MIN_WORKING_DAYS, max=MAX_WORKING_DAYS, error=WORKING_DAYS_RANGE)
    )
    max_distance_km = fields.Integer(
        load_default=None,
        validate=validate.Range(
            min=1, max=MAX_DISTANCE_KM, error=N_("Entre 1 et 2 000 km, ou vide pour ne pas limiter.")
        ),
    )
    motivation = fields.String(
        load_default="", validate=validate.Length(max=MAX_LONG_TEXT_LENGTH, error=LONG_TEXT_TOO_LONG)
    )
    career_project = fields.String(
        load_default="", validate=validate.Length(max=MAX_LONG_TEXT_LENGTH, error=LONG_TEXT_TOO_LONG)
    )
    shorter_notice_agreed = fields.Boolean(
        load_default=False, truthy={True, "on", "1", "true", "y"}, falsy={False, "0", "false", "off"}
    )
    # The line manager: an account of the agent's organisation, or an address that gets a one-time link.
    line_manager_id = Id(load_default=None, allow_none=True)
    line_manager_email: fields.Field = fields.Email(
        load_default=None, allow_none=True, validate=validate.Length(max=254)
    )
    wishes: fields.Field = fields.List(
        Id(),
        load_default=list,
        validate=validate.Length(max=MAX_WISHES, error=N_("Cinq vœux au plus.")),
    )

    @validates_schema(skip_on_field_errors=False)
    def consistent(self, data, **_kwargs):
        errors = {}
        if "min_days" in data and "max_days" in data and data["max_days"] < data["min_days"]:
            errors["max_days"] = [MAX_BELOW_MIN]
        wishes = data.get("wishes", [])
        if len(set(wishes)) != len(wishes):
            errors["wishes"] = [N_("Une même offre ne peut figurer qu'une fois parmi vos vœux.")]
        if errors:
            raise ValidationError(errors)


def request_form_values(form) -> dict:
    """The raw values of the request form: scalar and list fields, plus the indexed window rows.

    Rows left entirely empty are dropped, and the rest renumbered, so error keys match the rows shown again.
    """
    values = form_data(RequestSchema(), form)
    windows = []
    for i in range(MAX_WINDOWS + 5):
        start = form.get(f"windows-{i}-start", "").strip()
        end = form.get(f"windows-{i}-end", "").strip()
        if start or end:
            windows.append({"start": start, "end": end})
    values["windows"] = windows
    return values


def _as_messages(value: object) -> list:
    """Messages under one name, whatever nesting marshmallow left them in."""
    if isinstance(value, dict):
        return [message for sub in value.values() for message in _as_messages(sub)]
    if isinstance(value, list):
        return [message for sub in value for message in _as_messages(sub)]
    return [value]


def flatten_errors(messages: dict) -> dict[str, list]:
    """Nested list errors ({"windows": {0: {"end": [...]}}}) as the form names its inputs ("windows-0-end").

    A list's own errors (its "_schema", e.g. a repeated item) sit beside its items' errors: both end up with
    string keys only, so the answer can always be serialised."""
    flat: dict[str, list] = {}
    for name, value in messages.items():
        if not isinstance(value, dict):
            flat.setdefault(str(name), []).extend(_as_messages(value))
            continue
        for key, sub in value.items():
            if isinstance(key, int) and isinstance(sub, dict):
                for field, errors in sub.items():
                    target = f"{name}-{key}-{field}" if field != "_schema" else str(name)
                    flat.setdefault(target, []).extend(_as_messages(errors))
            elif isinstance(key, int) or key == "_schema":
                flat.setdefault(str(name), []).extend(_as_messages(sub))
            else:
                flat.setdefault(f"{name}-{key}", []).extend(_as_messages(sub))
    return flat


class DecisionSchema(FormSchema):
    version = fields.Integer(required=True)
    decision = choice_of(RequestDecision, required=True, error=CHOOSE_AN_ANSWER)
    reason = fields.String(load_default="", validate=validate.Length(max=MAX_REASON_LENGTH, error=REASON_TOO_LONG))

    @validates_schema
    def reason_when_not_approved(self, data, **_kwargs):
        if data.get("decision") in NEEDS_REASON and not data.get("reason"):
            raise ValidationError(REQUEST_REASON_REQUIRED, "reason")


class VersionSchema(FormSchema):
    """The small forms (submit, withdraw, add a wish) carry the version they were shown."""

    version = fields.Integer(required=True)
    offer_id = Id(load_default=None)


class OpinionSchema(FormSchema):
    """The line manager's opinion on a request: favourable, or unfavourable with its reason."""

    version = fields.Integer(load_default=None)
    opinion = choice_of(ManagerOpinion, required=True, error=N_("Choisissez un avis : favorable ou défavorable."))
    reason = fields.String(load_default="", validate=validate.Length(max=MAX_REASON_LENGTH, error=REASON_TOO_LONG))

    @validates_schema
    def reason_when_unfavourable(self, data, **_kwargs):
        if data.get("opinion") == ManagerOpinion.UNFAVOURABLE and not (data.get("reason") or "").strip():
            raise ValidationError(N_("Un avis défavorable est motivé : indiquez la raison."), "reason")
