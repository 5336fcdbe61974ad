"""Working days in France: weekdays that are not public holidays.

Public holidays come from the `holidays` package, national calendar only (as the service always counted):
Alsace-Moselle's extra days (Good Friday, 26 December; subdivision "57" there) are not taken off.
Counting is arithmetic (whole weeks, then the remainder, minus the holidays in range), so its cost does
not grow with the length of the span; the forms and the API bound dates anyway (see mobilite.schemas.dates).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays


@lru_cache(maxsize=64)
def public_holidays(year: int) -> frozenset[date]:
    """France's national public holidays of one year, cached (the package builds them on each call)."""
    return frozenset(holidays.France(years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year)


def _weekdays(start: date, end: date) -> int:
    """Monday-to-Friday days from start to end, both included: whole weeks are five each."""
    weeks, remainder = divmod((end - start).days + 1, 7)
    first = start.weekday()
    return weeks * 5 + sum(1 for n in range(remainder) if (first + n) % 7 < 5)


def count_working_days(start: date, end: date) -> int:
    """Working days from start to end, both included."""
    if end < start:
        return 0
    off = sum(
        1
        for year in range(start.year, end.year + 1)
        for day in public_holidays(year)
        if start <= day <= end and day.weekday() < 5
    )
    return _weekdays(start, end) - off


def add_working_days(start: date, days: int) -> date:
    """The end date of a span of `days` working days beginning on the first working day from `start`."""
    day = start
    while not is_working_day(day):
        day += timedelta(days=1)
    counted = 1
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def shift_years(day: date, years: int) -> date:
    """The same calendar day `years` later (earlier when negative); 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def next_monday(today: date) -> date:
    return today + timedelta(days=(7 - today.weekday()) % 7 or 7)


def paris_today() -> date:
    """Today's date where the service's people are: jobs must not switch days at midnight UTC."""
    return datetime.now(ZoneInfo("Europe/Paris")).date()
