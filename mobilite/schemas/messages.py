"""Marshmallow's own messages in the page's language.

Marshmallow writes its messages in English and formats them at once ("Length must be between 20 and
5000."), so a catalogue cannot find them afterwards. Here the validators and fields build each message from
a French msgid translated at validation time (inside the request, so in the reader's language), with its
numbers and dates formatted for that language. A message given by a schema (`error=N_(...)`) is translated
the same way. Imported once by mobilite.schemas.base, before any schema is defined.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from flask import has_app_context
from flask_babel import format_decimal, gettext
from flask_babel import ngettext as babel_ngettext
from marshmallow import ValidationError, fields, validate

from mobilite.i18n import N_, format_date, format_datetime


def _(message: str, **variables: Any) -> str:
    """The message in the current language (French msgids: as written outside a request or an app)."""
    if has_app_context():
        return gettext(message, **variables)
    return message % variables if variables else message


def ngettext(singular: str, plural: str, number: int, **variables: Any) -> str:
    """flask_babel's, or the French msgids outside an app (named so that extraction finds the calls)."""
    if has_app_context():
        return babel_ngettext(singular, plural, number, **variables)
    return (singular if number == 1 else plural) % variables


def _shown(value: Any) -> str:
    """A bound as the reader writes it: "5 000" and "1 février 2027" in French."""
    if not has_app_context():
        return str(value)
    if isinstance(value, datetime.datetime):
        return format_datetime(value)
    if isinstance(value, datetime.date):
        return format_date(value, "long")
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return format_decimal(value)
    return str(value)


# marshmallow's English defaults → the service's msgids (same {placeholders}).
_DEFAULTS = {
    validate.URL.default_message: N_("Adresse web non valable."),
    validate.Email.default_message: N_("Adresse e-mail non valable."),
    validate.Equal.default_message: N_("Valeur attendue : {other}."),
    validate.Regexp.default_message: N_("Format non valable."),
    validate.Predicate.default_message: N_("Valeur non valable."),
    validate.OneOf.default_message: N_("Valeur non valable : choisissez parmi {choices}."),
    validate.ContainsOnly.default_message: N_("Un des choix n'est pas dans la liste : {choices}."),
    validate.ContainsNoneOf.default_message: N_("Un des choix n'est pas permis : {values}."),
}


def translated_template(template: str) -> str:
    """A {placeholder} template in the current language, before it is filled."""
    return _(_DEFAULTS.get(template, template))


def _length_error(self: validate.Length, value: Any, message: str) -> str:
    if self.error:
        return translated_template(self.error).format(input=value, min=self.min, max=self.max, equal=self.equal)
    text = isinstance(value, str | bytes)
    size = len(value)
    if self.equal is not None:
        if text:
            return ngettext(
                "%(count)s caractère exactement.",
                "%(count)s caractères exactement.",
                self.equal,
                count=_shown(self.equal),
            )
        return ngettext(
            "%(count)s élément exactement.", "%(count)s éléments exactement.", self.equal, count=_shown(self.equal)
        )
    too_short = self.min is not None and size < self.min
    if too_short and self.min == 1:
        return _("Ce champ est obligatoire.") if text else _("Choisissez au moins un élément.")
    if self.min is not None and self.max is not None:
        if text:
            return _("Entre %(min)s et %(max)s caractères.", min=_shown(self.min), max=_shown(self.max))
        return _("Entre %(min)s et %(max)s éléments.", min=_shown(self.min), max=_shown(self.max))
    if too_short:
        assert self.min is not None
        if text:
            return ngettext(
                "Au moins %(count)s caractère.", "Au moins %(count)s caractères.", self.min, count=_shown(self.min)
            )
        return ngettext("Au moins %(count)s élément.", "Au moins %(count)s éléments.", self.min, count=_shown(self.min))
    assert self.max is not None
    if text:
        return ngettext(
            "%(count)s caractère au plus.", "%(count)s caractères au plus.", self.max, count=_shown(self.max)
        )
    return ngettext("%(count)s élément au plus.", "%(count)s éléments au plus.", self.max, count=_shown(self.max))


def _range_error(self: validate.Range, value: Any, message: str) -> str:
    if self.error:
        return translated_template(self.error).format(input=value, min=self.min, max=self.max)
    low, high = _shown(self.min), _shown(self.max)
    if self.min is not None and self.max is not None:
        if self.min_inclusive and self.max_inclusive:
            return _("Valeur entre %(min)s et %(max)s attendue.", min=low, max=high)
        return _("Valeur supérieure à %(min)s et inférieure à %(max)s attendue.", min=low, max=high)
    if self.min is not None:
        if self.min_inclusive:
            return _("Valeur supérieure ou égale à %(min)s attendue.", min=low)
        return _("Valeur supérieure à %(min)s attendue.", min=low)
    if self.max_inclusive:
        return _("Valeur inférieure ou égale à %(max)s attendue.", max=high)
    return _("Valeur inférieure à %(max)s attendue.", max=high)


def _simple(fill):
    """A validator's _format_error that translates its template, then fills it as marshmallow does."""

    def _format_error(self, value):
        return translated_template(self.error).format(**fill(self, value))

    return _format_error


validate.Length._format_error = _length_error  # type: ignore[method-assign]
validate.Range._format_error = _range_error  # type: ignore[method-assign]
validate.URL._format_error = _simple(lambda self, v: {"input": v})  # type: ignore[method-assign]
validate.Email._format_error = _simple(lambda self, v: {"input": v})  # type: ignore[method-assign]
validate.Equal._format_error = _simple(lambda self, v: {"input": v, "other": self.comparable})  # type: ignore[method-assign]
validate.Regexp._format_error = _simple(lambda self, v: {"input": v, "regex": self.regex.pattern})  # type: ignore[method-assign]
validate.Predicate._format_error = _simple(lambda self, v: {"input": v, "method": self.method})  # type: ignore[method-assign]
validate.NoneOf._format_error = _simple(lambda self, v: {"input": v, "values": self.values_text})  # type: ignore[method-assign]
validate.OneOf._format_error = _simple(  # type: ignore[method-assign]
    lambda self, v: {"input": v, "choices": self.choices_text, "labels": self.labels_text}
)
# ContainsOnly and ContainsNoneOf call OneOf's and NoneOf's with the values joined: translated too.


# Field messages the service did not word yet (mobilite.schemas.base words the common ones).
_FIELD_MESSAGES: dict[type[fields.Field], dict[str, str]] = {
    fields.Nested: {"type": N_("Données non valables.")},
    fields.Dict: {"invalid": N_("Objet attendu.")},
    fields.Enum: {"unknown": N_("Valeur non valable : choisissez parmi {choices}.")},
    fields.DateTime: {"invalid": N_("Date et heure non valables (format attendu : AAAA-MM-JJTHH:MM).")},
    fields.Time: {"invalid": N_("Heure non valable (format attendu : HH:MM).")},
    fields.Url: {"invalid": N_("Adresse web non valable.")},
    fields.UUID: {"invalid_uuid": N_("Identifiant non valable.")},
    fields.Tuple: {"invalid": N_("Liste attendue.")},
    fields.TimeDelta: {"invalid": N_("Durée non valable.")},
}
for field_class, field_messages in _FIELD_MESSAGES.items():
    field_class.default_error_messages = {**field_class.default_error_messages, **field_messages}

_make_error = fields.Field.make_error


def _translated_make_error(self: fields.Field, key: str, **kwargs: Any) -> ValidationError:
    """A field's message is translated before its {placeholders} are filled (an Enum's choices)."""
    message = self.error_messages.get(key)
    if isinstance(message, str):
        return ValidationError(translated_template(message).format(**kwargs))
    return _make_error(self, key, **kwargs)


fields.Field.make_error = _translated_make_error  # type: ignore[method-assign]
