"""Sign-in and password forms."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from marshmallow import ValidationError, fields, validate, validates_schema

from mobilite.schemas.base import FormSchema


class LoginSchema(FormSchema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, validate=validate.Length(max=500))
    remember = fields.Boolean(load_default=False, truthy={"on", "1", "true", "y"}, falsy={"0", "false", "off"})


class ForgotPasswordSchema(FormSchema):
    email = fields.Email(required=True, validate=validate.Length(max=254))


class NewPasswordSchema(FormSchema):
    password = fields.String(required=True, validate=validate.Length(max=500))
    confirm = fields.String(required=True)

    @validates_schema(skip_on_field_errors=False)
    def check(self, data, **_kwargs):
        """Both rules, also when another field is wrong: the form shows every error at once. A missing or
        too long password has its own error already."""
        minimum = current_app.config["PASSWORD_MIN_LENGTH"]
        errors: dict[str, list[str]] = {}
        if "password" in data and len(data["password"]) < minimum:
            errors["password"] = [_("Le mot de passe doit compter au moins %(n)d caractères.", n=minimum)]
        if "password" in data and "confirm" in data and data["password"] != data["confirm"]:
            errors["confirm"] = [_("Les deux mots de passe ne sont pas identiques.")]
        if errors:
            raise ValidationError(errors)


class ResetPasswordSchema(NewPasswordSchema):
    # A reset revokes the person's API tokens unless they tick this (someone else may hold them).
    keep_api_tokens = fields.Boolean(load_default=False, truthy={"on", "1", "true", "y"}, falsy={"0", "false", "off"})


class ChangePasswordSchema(NewPasswordSchema):
    current = fields.String(required=True, validate=validate.Length(max=500))


class LanguageSchema(FormSchema):
    lang = fields.String(required=True, validate=validate.OneOf(["fr", "en"], error="fr / en"))
    next = fields.String(load_default="/")
