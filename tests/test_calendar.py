"""The working-day calendar: expected dates are worked out by hand from the published
bank-holiday lists (GOV.UK) and a printed calendar, never copied from the code's output."""

from datetime import date, datetime, timedelta

import pytest
from govuk_bank_holidays.bank_holidays import BankHolidays
from hypothesis import assume, given

from assess_rules import CalendarError, Counting, Region, WorkingDayCalendar
from assess_rules.calendar import (
    LONDON,
    add_calendar_days,
    add_hours,
    add_months,
    add_weeks,
    age_in_years,
)
from assess_rules.testing.strategies import supported_dates, working_day_counts

ENGLAND = WorkingDayCalendar()


def test_agrees_with_govuk_on_every_weekday_2012_to_2028() -> None:
    govuk = BankHolidays(use_cached_holidays=True)
    official = {h["date"] for h in govuk.get_holidays(division=BankHolidays.ENGLAND_AND_WALES)}
    assert min(official).year == 2012
    assert max(official).year == 2028
    day, disagreements, weekdays = date(2012, 1, 1), [], 0
    while day <= date(2028, 12, 31):
        if day.weekday() < 5:
            weekdays += 1
            if ENGLAND.is_working_day(day) == (day in official):
                disagreements.append(day)
        day += timedelta(days=1)
    assert weekdays > 4400
    assert disagreements == []


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (date(2022, 9, 19), "State Funeral of Queen Elizabeth II"),
        (date(2023, 5, 8), "Coronation of King Charles III"),
        (date(2022, 6, 3), "Platinum Jubilee"),
        (date(2026, 12, 28), "Boxing Day (substitute, 26th is a Saturday)"),
        (date(2027, 3, 26), "Good Friday 2027"),
        (date(2027, 3, 29), "Easter Monday 2027"),
    ],
)
def test_one_off_and_movable_holidays_are_not_working_days(day: date, why: str) -> None:
    assert not ENGLAND.is_working_day(day), why


def test_weekends_are_not_working_days() -> None:
    assert not ENGLAND.is_working_day(date(2026, 12, 19))  # Saturday
    assert not ENGLAND.is_working_day(date(2026, 12, 20))  # Sunday
    assert ENGLAND.is_working_day(date(2026, 12, 21))  # Monday


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        # The catalogue's own examples.
        (date(2026, 12, 19), 1, date(2026, 12, 21)),  # Sat + 1 = Mon
        (date(2026, 12, 18), 5, date(2026, 12, 29)),  # Fri + 5 over 25 and 28 Dec
        # Day 0 on a working day: Friday + 1 = Monday.
        (date(2026, 12, 18), 1, date(2026, 12, 21)),
        # Across Easter 2027 (Good Friday 26 Mar, Easter Monday 29 Mar).
        (date(2027, 3, 25), 1, date(2027, 3, 30)),
        # Across the 2022 state funeral (Mon 19 Sep) and the 2023 coronation (Mon 8 May).
        (date(2022, 9, 16), 1, date(2022, 9, 20)),
        (date(2023, 5, 5), 1, date(2023, 5, 9)),
        # New Year 2027 (Fri 1 Jan): Thu 31 Dec + 1 = Mon 4 Jan.
        (date(2026, 12, 31), 1, date(2027, 1, 4)),
        # Backwards: Tue 29 Dec - 5 = Fri 18 Dec.
        (date(2026, 12, 29), -5, date(2026, 12, 18)),
        # Backwards from a Sunday: the Friday before is -1.
        (date(2026, 12, 20), -1, date(2026, 12, 18)),
        (date(2026, 12, 18), 0, date(2026, 12, 18)),
    ],
)
def test_add_working_days(start: date, count: int, expected: date) -> None:
    assert ENGLAND.add_working_days(start, count) == expected


def test_forty_five_working_days_across_christmas() -> None:
    # From Sat 19 Dec 2026: Dec 21-24 (4), Dec 29-31 (7), Jan 4-29 (27), Feb 1-19 (42),
    # Feb 22, 23, 24 (45). Skipped weekdays: 25 Dec, 28 Dec, 1 Jan.
    assert ENGLAND.add_working_days(date(2026, 12, 19), 45) == date(2027, 2, 24)
    skipped = ENGLAND.non_working_weekdays(date(2026, 12, 19), date(2027, 2, 24))
    assert skipped == [date(2026, 12, 25), date(2026, 12, 28), date(2027, 1, 1)]


def test_day1_convention_is_one_working_day_earlier() -> None:
    # Fri 18 Dec is day 1, so day 5 is Thu 24 Dec.
    assert ENGLAND.due_date(date(2026, 12, 18), 5, Counting.DAY1) == date(2026, 12, 24)
    # A Saturday trigger: the next working day is day 1 under either convention.
    assert ENGLAND.due_date(date(2026, 12, 19), 1, Counting.DAY1) == date(2026, 12, 21)
    assert ENGLAND.due_date(date(2026, 12, 19), 1, Counting.DAY0) == date(2026, 12, 21)


def test_working_days_between_counts_after_start_up_to_end() -> None:
    assert ENGLAND.working_days_between(date(2026, 12, 18), date(2026, 12, 29)) == 5
    assert ENGLAND.working_days_between(date(2026, 12, 29), date(2026, 12, 18)) == -5
    assert ENGLAND.working_days_between(date(2026, 12, 19), date(2026, 12, 20)) == 0


def test_next_working_day() -> None:
    assert ENGLAND.next_working_day(date(2026, 12, 24)) == date(2026, 12, 29)


def test_scotland_and_northern_ireland_are_selectable() -> None:
    scotland = WorkingDayCalendar(Region.SCOTLAND)
    ulster = WorkingDayCalendar("northern_ireland")
    # 2 January is a Scottish bank holiday; Fri 2 Jan 2026 is a working day in England.
    assert ENGLAND.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 2)
    assert scotland.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 5)
    # St Patrick's Day, Tue 17 Mar 2026, in Northern Ireland only.
    assert not ulster.is_working_day(date(2026, 3, 17))
    assert ENGLAND.is_working_day(date(2026, 3, 17))


def test_local_closure_days_are_skipped() -> None:
    closed = WorkingDayCalendar(closures=[date(2026, 12, 29), date(2026, 12, 30)])
    assert closed.add_working_days(date(2026, 12, 18), 5) == date(2026, 12, 31)


@pytest.mark.parametrize("day", [date(1989, 12, 31), date(2101, 1, 1)])
def test_outside_the_supported_range_is_a_clear_error(day: date) -> None:
    with pytest.raises(CalendarError, match="outside the supported range"):
        ENGLAND.is_working_day(day)


def test_adding_past_the_range_is_a_clear_error() -> None:
    with pytest.raises(CalendarError, match="supported range"):
        ENGLAND.add_working_days(date(2100, 12, 20), 30)


def test_hours_are_elapsed_time_across_clock_changes() -> None:
    # Clocks go back at 02:00 BST on Sun 25 Oct 2026: 48 hours after Sat 09:00 BST is
    # Mon 08:00 GMT on the wall clock.
    autumn = add_hours(datetime(2026, 10, 24, 9, 0), 48)
    assert (autumn.date(), autumn.hour, autumn.utcoffset()) == (
        date(2026, 10, 26),
        8,
        timedelta(0),
    )
    # Clocks go forward at 01:00 GMT on Sun 28 Mar 2027: Fri 12:00 GMT + 48 h is Sun 13:00 BST.
    spring = add_hours(datetime(2027, 3, 26, 12, 0, tzinfo=LONDON), 48)
    assert (spring.date(), spring.hour, spring.utcoffset()) == (
        date(2027, 3, 28),
        13,
        timedelta(hours=1),
    )


def test_calendar_days_weeks_months_and_ages() -> None:
    assert add_calendar_days(date(2026, 12, 25), 10) == date(2027, 1, 4)
    assert add_weeks(date(2026, 12, 1), 12) == date(2027, 2, 23)
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert age_in_years(date(2008, 12, 1), date(2026, 11, 30)) == 17
    assert age_in_years(date(2008, 12, 1), date(2026, 12, 1)) == 18
    assert age_in_years(date(2026, 1, 1), date(2026, 12, 31)) == 0


# --- properties --------------------------------------------------------------------------


@given(supported_dates(), working_day_counts())
def test_the_result_of_an_add_is_a_working_day(start: date, count: int) -> None:
    assume(count != 0)
    assert ENGLAND.is_working_day(ENGLAND.add_working_days(start, count))


@given(supported_dates(), working_day_counts())
def test_counting_back_gives_n(start: date, count: int) -> None:
    assume(count > 0 or ENGLAND.is_working_day(start))
    end = ENGLAND.add_working_days(start, count)
    assert ENGLAND.working_days_between(start, end) == count


@given(supported_dates(), supported_dates(), working_day_counts())
def test_adding_is_monotonic_in_the_start_date(a: date, b: date, count: int) -> None:
    first, second = sorted((a, b))
    assert ENGLAND.add_working_days(first, count) <= ENGLAND.add_working_days(second, count)


@given(supported_dates(), working_day_counts())
def test_subtracting_inverts_adding_from_a_working_day(start: date, count: int) -> None:
    assume(ENGLAND.is_working_day(start))
    assert ENGLAND.add_working_days(ENGLAND.add_working_days(start, count), -count) == start


@given(supported_dates(), working_day_counts(60))
def test_the_due_date_is_never_before_the_trigger(start: date, count: int) -> None:
    assume(count >= 0)
    for counting in Counting:
        assert ENGLAND.due_date(start, count, counting) >= start


def test_bank_holidays_and_closures_are_told_apart_from_weekends() -> None:
    closed = WorkingDayCalendar(closures=[date(2026, 12, 29)])
    assert closed.is_bank_holiday_or_closure(date(2026, 12, 26))  # Boxing Day, a Saturday
    assert closed.is_bank_holiday_or_closure(date(2026, 12, 28))  # its substitute day
    assert closed.is_bank_holiday_or_closure(date(2026, 12, 29))  # the local closure
    assert not closed.is_bank_holiday_or_closure(date(2026, 12, 19))  # an ordinary Saturday
    assert closed.closures == frozenset({date(2026, 12, 29)})
    assert closed.region is Region.ENGLAND_AND_WALES
