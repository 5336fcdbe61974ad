"""Dates people plan with: bounded to a sane horizon, so that no input makes the service count working days
until year 9999 (and a typo in the year is caught where it was typed)."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from marshmallow import ValidationError, fields

from mobilite.i18n import format_date
from mobilite.limits import DATE_TOO_FAR, MAX_RETENTION_DAYS
from mobilite.workdays import shift_years

# Immersions are planned a few months ahead; sessions and availability windows never start in the past
# (the services check "from tomorrow" / "from today"), so a year back leaves room for that rule's own message.
YEARS_BACK = 1
YEARS_AHEAD = 2
# Reports look back over what is kept: never more than MAX_RETENTION_DAYS after an immersion's last day.
REPORT_YEARS_BACK = MAX_RETENTION_DAYS // 365 + 1


def horizon(today: date | None = None, years_back: int = YEARS_BACK) -> tuple[date, date]:
    """The earliest and latest dates the forms and the API accept."""
    today = today or date.today()
    return shift_years(today, -years_back), shift_years(today, YEARS_AHEAD)


class PlanningDate(fields.Date):
    """An ISO date within `horizon()`: at most a year back and two years ahead of today."""

    years_back = YEARS_BACK

    def __init__(self, **kwargs):
        back = f"{self.years_back} year{'s' if self.years_back > 1 else ''}"
        metadata = {
            "description": f"A date at most {back} back and {YEARS_AHEAD} years ahead of today.",
            **kwargs.pop("metadata", {}),
        }
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> date:
        day = super()._deserialize(value, attr, data, **kwargs)
        earliest, latest = horizon(years_back=self.years_back)
        if day > latest:
            raise ValidationError(_(DATE_TOO_FAR, latest=format_date(latest, "short")))
        if day < earliest:
            raise ValidationError(
                _("Date trop ancienne : au plus tôt le %(earliest)s.", earliest=format_date(earliest, "short"))
            )
        return day


class ReportDate(PlanningDate):
    """A period's bound in a report: as far back as anything is kept, as far ahead as anything is planned (the
    dashboard lists every month in between)."""

    years_back = REPORT_YEARS_BACK
