import random
from datetime import date, timedelta

from mobilite.workdays import add_working_days, count_working_days, is_working_day, public_holidays


def test_public_holidays_are_not_working_days():
    assert not is_working_day(date(2026, 7, 14))
    assert not is_working_day(date(2026, 4, 6))  # Easter Monday 2026
    assert is_working_day(date(2026, 7, 15))


def test_counting_and_adding_agree():
    start = date(2026, 12, 21)
    end = add_working_days(start, 5)
    assert end == date(2026, 12, 28)  # Christmas Day is skipped, and so is the weekend
    assert count_working_days(start, end) == 5


def _counted_day_by_day(start: date, end: date) -> int:
    return sum(1 for n in range((end - start).days + 1) if is_working_day(start + timedelta(days=n)))


def test_the_arithmetic_count_agrees_with_counting_day_by_day():
    rng = random.Random(2026)
    for _ in range(300):
        start = date(2025, 1, 1) + timedelta(days=rng.randrange(3 * 365))
        end = start + timedelta(days=rng.randrange(-3, 800))
        assert count_working_days(start, end) == max(_counted_day_by_day(start, end), 0), (start, end)


def test_whole_years_are_counted_right():
    # 2027 has 261 weekdays; the holidays falling on one of them are not working days.
    expected = 261 - sum(1 for day in public_holidays(2027) if day.weekday() < 5)
    assert count_working_days(date(2027, 1, 1), date(2027, 12, 31)) == expected
    assert count_working_days(date(2026, 1, 1), date(2027, 12, 31)) == _counted_day_by_day(
        date(2026, 1, 1), date(2027, 12, 31)
    )


def test_the_national_calendar_is_kept_alsace_moselle_days_are_not_taken_off():
    assert public_holidays(2026) == {
        date(2026, 1, 1),
        date(2026, 4, 6),
        date(2026, 5, 1),
        date(2026, 5, 8),
        date(2026, 5, 14),
        date(2026, 5, 25),
        date(2026, 7, 14),
        date(2026, 8, 15),
        date(2026, 11, 1),
        date(2026, 11, 11),
        date(2026, 12, 25),
    }
    assert is_working_day(date(2026, 4, 3))  # Good Friday: a holiday in Alsace-Moselle only
    assert count_working_days(date(2026, 12, 21), date(2026, 12, 26)) == 4  # 26 December too


def test_shift_years_keeps_the_calendar_day_and_moves_29_february_to_the_28th():
    from mobilite.workdays import shift_years

    assert shift_years(date(2025, 3, 14), -3) == date(2022, 3, 14)
    assert shift_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert shift_years(date(2024, 2, 29), -4) == date(2020, 2, 29)
