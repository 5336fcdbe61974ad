"""Destructive actions are confirmed on the page before they take effect: withdrawing a request (a
confirmation page) and declining a proposal (a checkbox beside the reason). Forms only: the API's callers
confirm in their own systems."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validates_schema

from mobilite.lifecycles.proposal import ProposalAnswer
from mobilite.schemas.base import N_
from mobilite.schemas.proposals import AnswerSchema
from mobilite.schemas.requests import VersionSchema


class WithdrawSchema(VersionSchema):
    """The confirmation page's form: the version it was shown, and the confirmation itself."""

    confirm = fields.Boolean(load_default=False)


class AnswerFormSchema(AnswerSchema):
    """The answer form of a proposal page: a decline also needs its confirmation box ticked."""

    confirm = fields.Boolean(load_default=False)

    @validates_schema
    def decline_confirmed(self, data, **_kwargs):
        if data.get("answer") == ProposalAnswer.DECLINE and not data.get("confirm"):
            raise ValidationError(N_("Cochez la case pour confirmer que vous déclinez : c'est définitif."), "confirm")
