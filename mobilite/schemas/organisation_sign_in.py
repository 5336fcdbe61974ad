"""An organisation's sign-in settings: its SIRET numbers and whether its members may use a password."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from marshmallow import ValidationError, fields, post_load, validate

from mobilite.schemas.base import FormSchema
from mobilite.sirets import normalise_siret, siret_problem

MAX_SIRETS = 100
_ITEMS = re.compile(r"[\n,;]+")


def _problem_text(typed: str, problem: str) -> str:
    if problem == "digits":
        return _("« %(siret)s » : un numéro SIRET ne contient que des chiffres.", siret=typed)
    if problem == "length":
        return _("« %(siret)s » : un numéro SIRET compte 14 chiffres.", siret=typed)
    return _(
        "« %(siret)s » : la clé de contrôle ne correspond pas ; vérifiez les chiffres (répertoire SIRENE de l'Insee).",
        siret=typed,
    )


class SignInSettingsSchema(FormSchema):
    # One number per line (commas and semicolons also separate them; spaces inside a number are ignored).
    sirets = fields.String(load_default="", validate=validate.Length(max=MAX_SIRETS * 20))
    password_sign_in = fields.Boolean(load_default=False, truthy={"on", "1", "true", "y"}, falsy={"0", "false", "off"})

    @post_load
    def parse_sirets(self, data, **_kwargs):
        """`sirets` as a list of distinct valid numbers, in the order typed; every wrong one is named."""
        numbers: list[str] = []
        problems: list[str] = []
        for typed in (item.strip() for item in _ITEMS.split(data["sirets"])):
            if not typed:
                continue
            siret = normalise_siret(typed)
            problem = siret_problem(siret)
            if problem is not None:
                problems.append(_problem_text(typed, problem))
            elif siret not in numbers:
                numbers.append(siret)
        if len(numbers) > MAX_SIRETS:
            problems.append(_("Au plus %(n)d numéros SIRET par organisation.", n=MAX_SIRETS))
        if problems:
            raise ValidationError({"sirets": problems})
        data["sirets"] = numbers
        return data
