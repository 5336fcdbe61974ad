"""Base schema: French error messages, unknown keys ignored, HTML form data normalised."""

from __future__ import annotations

import re
from collections.abc import Mapping
from contextvars import ContextVar

from flask_babel import gettext
from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load

from mobilite.i18n import N_  # noqa: F401 - re-exported for the schemas; translated in handle_error
from mobilite.schemas import messages as _marshmallow_messages  # noqa: F401 - its messages in the reader's language


def translate_errors(messages):
    if isinstance(messages, dict):
        return {key: translate_errors(value) for key, value in messages.items()}
    if isinstance(messages, list):
        return [translate_errors(value) for value in messages]
    return gettext(messages) if isinstance(messages, str) else messages


# Marshmallow's built-in messages are English; these are the service's (French msgids, translated on error).
_MESSAGES: dict[type[fields.Field], dict[str, str]] = {
    fields.Field: {
        "required": N_("Ce champ est obligatoire."),
        "null": N_("Ce champ est obligatoire."),
        "validator_failed": N_("Valeur non valable."),
    },
    fields.String: {"invalid": N_("Texte non valable.")},
    fields.Email: {"invalid": N_("Adresse e-mail non valable.")},
    fields.Integer: {"invalid": N_("Nombre entier attendu.")},
    fields.Number: {"invalid": N_("Nombre attendu."), "too_large": N_("Nombre trop grand.")},
    fields.Float: {"special": N_("Nombre attendu.")},
    fields.Date: {"invalid": N_("Date non valable (format attendu : AAAA-MM-JJ).")},
    fields.Boolean: {"invalid": N_("Oui ou non attendu.")},
    fields.List: {"invalid": N_("Liste attendue.")},
}
for field_class, messages in _MESSAGES.items():
    field_class.default_error_messages = {**field_class.default_error_messages, **messages}


# Never text anyone means: control characters but tab and line breaks (a bell, an escape sequence), other line
# separators (U+2028, U+2029, NEL), and the invisible bidi controls that make "fdp.exe" read "exe.pdf"
# (Trojan Source: embeddings, overrides, isolates).
_INVISIBLE = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _first_refused(value) -> str | None:
    """The message for the first character of `value` (a string, or one in a list or mapping) never accepted."""
    if isinstance(value, str):
        if "\x00" in value:
            return N_("Caractère nul non accepté.")
        if _INVISIBLE.search(value):
            return N_("Caractère de contrôle ou de mise en forme invisible non accepté : retirez-le.")
        return None
    if isinstance(value, list | tuple):
        return next((m for m in map(_first_refused, value) if m), None)
    if isinstance(value, Mapping):
        return next((m for k, v in value.items() for m in (_first_refused(k), _first_refused(v)) if m), None)
    return None


class BaseSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    error_messages = {"type": N_("Données non valables."), "unknown": N_("Champ inconnu.")}

    @pre_load
    def no_invisible_character(self, data, **_kwargs):
        """A NUL (which PostgreSQL refuses to store), a control or an invisible bidi character is never text
        anyone typed: each field holding one is named."""
        if isinstance(data, Mapping):
            errors = {}
            for key, value in data.items():
                message = _first_refused(key) or _first_refused(value)
                if message:
                    errors[key] = [message]
            if errors:
                raise ValidationError(errors)
        return data

    def handle_error(self, error: ValidationError, data, **kwargs):
        raise ValidationError(
            translate_errors(error.messages), error.field_name, data, valid_data=error.valid_data
        ) from error


# Set by the API while it parses a call: JSON says "missing" by leaving a key out, so what it sends is taken
# as sent, checked like any other value (an empty date is an error; a title's length is the length sent).
strict_input: ContextVar[bool] = ContextVar("strict_input", default=False)


class FormSchema(BaseSchema):
    """For HTML forms: trims text and treats an empty input as a missing one (not for API calls)."""

    @pre_load
    def drop_empty(self, data, **_kwargs):
        if not isinstance(data, dict) or strict_input.get():
            return data  # not an object (marshmallow answers "Données non valables."), or an API call
        cleaned = {}
        for key, value in data.items():
            if isinstance(value, str):
                value = value.strip()
                if value == "":
                    continue
            elif isinstance(value, list):
                value = [v.strip() if isinstance(v, str) else v for v in value]
                value = [v for v in value if v != ""]
            cleaned[key] = value
        return cleaned


def form_data(schema: Schema, form) -> dict:
    """A MultiDict as the schema expects it: lists for List fields, single values elsewhere."""
    data = {}
    for name, field in schema.fields.items():
        key = field.data_key or name
        if key not in form:
            continue
        data[key] = form.getlist(key) if isinstance(field, fields.List) else form.get(key)
    return data
