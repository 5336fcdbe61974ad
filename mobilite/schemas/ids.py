"""Record ids as the forms, imports and the API send them."""

from __future__ import annotations

from marshmallow import fields, validate

from mobilite.i18n import N_

MAX_ID = 2**31 - 1  # the database's integer columns: a larger id cannot exist, and would not even bind


class Id(fields.Integer):
    """A record's id: a positive integer within the database's integer range (else "unknown id")."""

    def __init__(self, **kwargs):
        kwargs.setdefault("validate", validate.Range(min=1, max=MAX_ID, error=N_("Identifiant inconnu.")))
        super().__init__(**kwargs)
