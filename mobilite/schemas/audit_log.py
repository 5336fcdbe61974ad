"""The audit log's filters, as its GET form sends them."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from mobilite.limits import END_BEFORE_START
from mobilite.schemas.base import FormSchema
from mobilite.schemas.dates import ReportDate
from mobilite.schemas.ids import Id


class AuditFilterSchema(FormSchema):
    # An action ("account.deactivate") or its family ("account"): what the log's select offers.
    action = fields.String(load_default="", validate=validate.Regexp(r"^[a-z_.]{1,80}$"))
    start = ReportDate(load_default=None, data_key="du")
    end = ReportDate(load_default=None, data_key="au")
    # The account the event is about, or whose action it is.
    user_id = Id(load_default=None, data_key="compte")
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))

    @validates_schema
    def dates_in_order(self, data, **_kwargs):
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError(END_BEFORE_START, "au")
