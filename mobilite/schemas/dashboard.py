"""The dashboard's filters, as its GET form sends them."""

from __future__ import annotations

from marshmallow import ValidationError, validates_schema

from mobilite.limits import END_BEFORE_START
from mobilite.schemas.base import FormSchema
from mobilite.schemas.dates import ReportDate
from mobilite.schemas.ids import Id


class DashboardFilterSchema(FormSchema):
    start = ReportDate(load_default=None, data_key="du")
    end = ReportDate(load_default=None, data_key="au")
    organisation_id = Id(load_default=None, data_key="organisation")

    @validates_schema
    def dates_in_order(self, data, **_kwargs):
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError(END_BEFORE_START, "au")
