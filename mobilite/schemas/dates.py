"""Dates people plan with: bounded to a sane horizon, so that no input makes the service count working days
until year 9999 (and a typo in the year is caught where it was typed)."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from marshmallow import ValidationError, fields

from mobilite.i18n import format_date
from mobilite.limits import DATE_TOO_FAR
from mobilite.workdays import shift_years

# Immersions are planned a few months ahead; sessions and availability windows never start in the past
# (the services check "from tomorrow" / "from today"), so a year back leaves room for that rule's own message.
YEARS_BACK = 1
YEARS_AHEAD = 2


def horizon(today: date | None = None) -> tuple[date, date]:
    """The earliest and latest dates the forms and the API accept."""
    today = today or date.today()
    return shift_years(today, -YEARS_BACK), shift_years(today, YEARS_AHEAD)


class PlanningDate(fields.Date):
    """An ISO date within `horizon()`: at most a year back and two years ahead of today."""

    def __init__(self, **kwargs):
        metadata = {
            "description": f"A date at most {YEARS_BACK} year back and {YEARS_AHEAD} years ahead of today.",
            **kwargs.pop("metadata", {}),
        }
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> date:
        day = super()._deserialize(value, attr, data, **kwargs)
        earliest, latest = horizon()
        if day > latest:
            raise ValidationError(_(DATE_TOO_FAR, latest=format_date(latest, "short")))
        if day < earliest:
            raise ValidationError(
                _("Date trop ancienne : au plus tôt le %(earliest)s.", earliest=format_date(earliest, "short"))
            )
        return day
