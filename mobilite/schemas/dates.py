"""Dates people plan with: bounded to a sane horizon, so that no input makes the service count working days
until year 9999 (and a typo in the year is caught where it was typed)."""

from __future__ import annotations

from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from marshmallow import ValidationError, fields

# Immersions are planned a few months ahead; sessions and availability windows never start in the past
# (the services check "from tomorrow" / "from today"), so a year back leaves room for that rule's own message.
YEARS_BACK = 1
YEARS_AHEAD = 2


def _shifted(day: date, years: int) -> date:
    """The same calendar day `years` later (or earlier); 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def horizon(today: date | None = None) -> tuple[date, date]:
    """The earliest and latest dates the forms and the API accept."""
    today = today or date.today()
    return _shifted(today, -YEARS_BACK), _shifted(today, YEARS_AHEAD)


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
            raise ValidationError(
                _(
                    "Date trop lointaine : au plus tard le %(latest)s (deux ans à l'avance).",
                    latest=format_date(latest, "short"),
                )
            )
        if day < earliest:
            raise ValidationError(
                _("Date trop ancienne : au plus tôt le %(earliest)s.", earliest=format_date(earliest, "short"))
            )
        return day
