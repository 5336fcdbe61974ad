"""A network's organisations (their form and the API's body), their suspension, and a new network with
its first organisation and coordinator."""

from __future__ import annotations

from flask_babel import gettext as _
from marshmallow import ValidationError, fields, post_load, validate

from mobilite.models import OrganisationKind
from mobilite.schemas.base import N_, FormSchema
from mobilite.schemas.organisation_sign_in import _ITEMS, MAX_SIRETS, _problem_text
from mobilite.sirets import normalise_siret, siret_problem

KIND_ERROR = N_("Choisissez un type d'organisation de la liste.")


class SiretList(fields.Field):
    """SIRET numbers: one text (one per line; commas and semicolons separate them too), as the form sends
    it, or a list of texts, as the API does. Loaded as distinct valid numbers, in the order given; each
    wrong one is named."""

    default_error_messages = {"invalid": N_("Numéros SIRET attendus : un texte ou une liste de textes.")}

    def _deserialize(self, value, attr, data, **kwargs) -> list[str]:
        if isinstance(value, str):
            typed = [item.strip() for item in _ITEMS.split(value)]
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            typed = [item.strip() for item in value]
        else:
            raise self.make_error("invalid")
        numbers: list[str] = []
        problems: list[str] = []
        for item in typed:
            if not item:
                continue
            siret = normalise_siret(item)
            problem = siret_problem(siret)
            if problem is not None:
                problems.append(_problem_text(item[:40], problem))
            elif siret not in numbers:
                numbers.append(siret)
        if len(numbers) > MAX_SIRETS:
            problems.append(_("Au plus %(n)d numéros SIRET par organisation.", n=MAX_SIRETS))
        if problems:
            raise ValidationError(problems)
        return numbers

    def _serialize(self, value, attr, obj, **kwargs):
        return list(value or [])


def _kind() -> fields.Enum:
    return fields.Enum(
        OrganisationKind, by_value=True, required=True, error_messages={"unknown": KIND_ERROR, "required": KIND_ERROR}
    )


def _commune(message: str) -> fields.String:
    # A commune of the gazetteer, as its name, its postcode or "Name (postcode)" (what the suggestions
    # write); the service finds it and copies its coordinates: nobody types a latitude.
    return fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        error_messages={"required": message, "null": message},
    )


class OrganisationSchema(FormSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = _kind()
    sirets = SiretList(load_default=list)
    address = fields.String(load_default="", validate=validate.Length(max=300))
    commune = _commune(N_("Indiquez la commune de l'organisation (nom ou code postal)."))
    accessibility_notes = fields.String(load_default="", validate=validate.Length(max=2000))


class SuspensionSchema(FormSchema):
    reason = fields.String(
        required=True,
        validate=validate.Length(min=1, max=1000),
        error_messages={"required": N_("Donnez la raison de la suspension : elle est écrite au journal.")},
    )


class NetworkSchema(FormSchema):
    """A new network, its first organisation and its first coordinator, in one form."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(load_default="", validate=validate.Length(max=2000))
    organisation_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    organisation_kind = _kind()
    organisation_sirets = SiretList(load_default=list)
    organisation_address = fields.String(load_default="", validate=validate.Length(max=300))
    commune = _commune(N_("Indiquez la commune de la première organisation (nom ou code postal)."))
    coordinator_first_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    coordinator_last_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    coordinator_email = fields.Email(required=True, validate=validate.Length(max=254))

    @post_load
    def trimmed(self, data, **_kwargs):
        data["name"] = data["name"].strip()
        if not data["name"]:
            raise ValidationError({"name": [_("Ce champ est obligatoire.")]})
        return data
