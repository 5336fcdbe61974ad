"""Working days in France: weekdays that are not public holidays."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo


def _easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    r = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * r) // 451
    month = (h + r - 7 * m + 114) // 31
    day = (h + r - 7 * m + 114) % 31 + 1
    return date(year, month, day)


@lru_cache(maxsize=64)
def public_holidays(year: int) -> frozenset[date]:
    easter = _easter(year)
    fixed = [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)]
    movable = [easter + timedelta(days=1), easter + timedelta(days=39), easter + timedelta(days=50)]
    return frozenset([date(year, m, d) for m, d in fixed] + movable)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year)


def count_working_days(start: date, end: date) -> int:
    """Working days from start to end, both included."""
    if end < start:
        return 0
    return sum(1 for n in range((end - start).days + 1) if is_working_day(start + timedelta(days=n)))


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


def next_monday(today: date) -> date:
    return today + timedelta(days=(7 - today.weekday()) % 7 or 7)


def paris_today() -> date:
    """Today's date where the service's people are: jobs must not switch days at midnight UTC."""
    return datetime.now(ZoneInfo("Europe/Paris")).date()
