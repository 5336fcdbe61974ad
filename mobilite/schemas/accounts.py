"""Account creation, shared by the forms of admins, coordinators and HR officers, and the CLI."""

from __future__ import annotations

from marshmallow import fields, validate

from mobilite.models import Role
from mobilite.schemas.base import N_, FormSchema
from mobilite.schemas.ids import Id


class AccountSchema(FormSchema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    first_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    last_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    roles = fields.List(
        fields.Enum(Role, by_value=True, error_messages={"unknown": N_("Rôle inconnu.")}),
        required=True,
        validate=validate.Length(min=1, error=N_("Choisissez au moins un rôle.")),
    )
    organisation_id = Id(load_default=None)
    network_id = Id(load_default=None)
    team = fields.String(load_default="", validate=validate.Length(max=200))
    job_title = fields.String(load_default="", validate=validate.Length(max=200))


class AccountEditSchema(FormSchema):
    """An existing account's names, address and roles (its organisation or network does not move here)."""

    email = fields.Email(required=True, validate=validate.Length(max=254))
    first_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    last_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    roles = fields.List(
        fields.Enum(Role, by_value=True, error_messages={"unknown": N_("Rôle inconnu.")}),
        required=True,
        validate=validate.Length(min=1, error=N_("Choisissez au moins un rôle.")),
    )


class ErasureSchema(FormSchema):
    """The person confirms they understood: the erasure cannot be undone."""

    confirm = fields.Boolean(
        required=True,
        validate=validate.Equal(True, error=N_("Cochez la case pour confirmer l'effacement.")),
        error_messages={"required": N_("Cochez la case pour confirmer l'effacement.")},
    )
