from datetime import date

from mobilite.workdays import add_working_days, count_working_days, is_working_day


def test_public_holidays_are_not_working_days():
    assert not is_working_day(date(2026, 7, 14))
    assert not is_working_day(date(2026, 4, 6))  # Easter Monday 2026
    assert is_working_day(date(2026, 7, 15))


def test_counting_and_adding_agree():
    start = date(2026, 12, 21)
    end = add_working_days(start, 5)
    assert end == date(2026, 12, 28)  # Christmas Day is skipped, and so is the weekend
    assert count_working_days(start, end) == 5
