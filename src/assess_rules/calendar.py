"""Working days, calendar days, hours, weeks, months and ages, as the protocols count them.

The counting convention (``Counting.DAY0``, the catalogue's default)
--------------------------------------------------------------------
"Within N working days of X": X's date is day 0 and the due date is the N-th working day
after it. When X falls on a non-working day, the first working day after it is day 1.

The other reading in use (``Counting.DAY1``, as the DfE census validator counts) makes the
trigger's own date day 1 when it is a working day, so the due date is one working day earlier.

>>> from datetime import date
>>> cal = WorkingDayCalendar()
>>> cal.add_working_days(date(2026, 12, 19), 1)   # Saturday + 1 = Monday
datetime.date(2026, 12, 21)
>>> cal.add_working_days(date(2026, 12, 18), 5)   # Friday + 5, over Christmas and Boxing Day
datetime.date(2026, 12, 29)
>>> cal.due_date(date(2026, 12, 18), 5, Counting.DAY1)
datetime.date(2026, 12, 24)

Working days are Monday to Friday less the bank holidays of the chosen UK region (from the
``holidays`` package) and any local closure days. Every lookup is a table read: the tables
cover 1990-01-01 to 2100-12-31 and a date outside that range raises :class:`CalendarError`.
Note that ``holidays``' own ``get_working_days_count`` counts both ends of a range; this
module never does: ``working_days_between(a, b)`` counts the days after ``a`` up to ``b``.
"""

from __future__ import annotations

import enum
from bisect import bisect_right
from calendar import isleap
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from dateutil.relativedelta import relativedelta

from assess_rules.errors import CalendarError

__all__ = [
    "LONDON",
    "Counting",
    "Region",
    "WorkingDayCalendar",
    "add_calendar_days",
    "add_hours",
    "add_months",
    "add_weeks",
    "age_in_years",
    "describe",
    "to_london",
]

LONDON = ZoneInfo("Europe/London")


class Today(date):
    """Today's date in London, taken as the evaluation date because none was given: a
    ``date`` like any other, that messages about the evaluation date name as defaulted."""


class Now(datetime):
    """The present moment, taken as the evaluation moment because none was given."""


def today_in_london() -> Today:
    """Today's date in London, marked as the default evaluation date (:class:`Today`)."""
    day = datetime.now(LONDON).date()
    return Today(day.year, day.month, day.day)


def amount_words(amount: int | str, unit: str) -> str:
    """An amount of a unit in words, singular for one: the one wording of durations.

    >>> amount_words(1, "working_days"), amount_words(2, "working_days"), amount_words(1, "hours")
    ('1 working day', '2 working days', '1 hour')
    """
    words = unit.replace("_", " ")
    return f"{amount} {words[:-1] if amount == 1 and words.endswith('s') else words}"


def evaluation_date_words(day: date, *, defaulted: bool) -> str:
    """The evaluation date as messages name it: ``2026-11-23``, and when it was not given,
    ``2026-11-23 (today; give --as-of)``.

    >>> evaluation_date_words(date(2026, 11, 23), defaulted=True)
    '2026-11-23 (today; give --as-of)'
    """
    return day.isoformat() + (" (today; give --as-of)" if defaulted else "")


FIRST_SUPPORTED = date(1990, 1, 1)
LAST_SUPPORTED = date(2100, 12, 31)
_BASE = FIRST_SUPPORTED.toordinal()
_SPAN = LAST_SUPPORTED.toordinal() - _BASE + 1


class Region(enum.StrEnum):
    """The UK bank-holiday region a calendar follows."""

    ENGLAND_AND_WALES = "england_and_wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern_ireland"

    @property
    def subdivision(self) -> str:
        """The ``holidays`` package's subdivision code for this region."""
        return {"england_and_wales": "ENG", "scotland": "SCT", "northern_ireland": "NIR"}[self]


class Counting(enum.StrEnum):
    """Which day of a working-day period is day 1 (see the module docstring)."""

    DAY0 = "trigger_is_day_0"
    DAY1 = "trigger_is_day_1"


@lru_cache(maxsize=8)
def _bank_holidays(region: Region) -> frozenset[date]:
    """Bank holidays of ``region`` over the supported range (a pure, cached table)."""
    years = range(FIRST_SUPPORTED.year, LAST_SUPPORTED.year + 1)
    found = holidays.country_holidays("GB", subdiv=region.subdivision, years=years)
    return frozenset(found.keys())


def yearly_days(month: int, day: int) -> frozenset[date]:
    """``month``/``day`` in every supported year (a year without it, 29 February, has none).

    >>> sorted(yearly_days(12, 24))[:2]
    [datetime.date(1990, 12, 24), datetime.date(1991, 12, 24)]
    """
    found = set()
    for year in range(FIRST_SUPPORTED.year, LAST_SUPPORTED.year + 1):
        try:
            found.add(date(year, month, day))
        except ValueError:
            continue
    return frozenset(found)


def fridays_before_monday_holidays(region: Region) -> frozenset[date]:
    """The Friday before each bank holiday of ``region`` that falls on a Monday.

    >>> fridays = fridays_before_monday_holidays(Region.ENGLAND_AND_WALES)
    >>> date(2027, 5, 28) in fridays, date(2027, 8, 27) in fridays  # before 31 May, 30 Aug
    (True, True)
    >>> date(2027, 5, 27) in fridays
    False
    """
    return frozenset(
        day - timedelta(days=3)
        for day in _bank_holidays(region)
        if day.weekday() == 0 and day - timedelta(days=3) >= FIRST_SUPPORTED
    )


@dataclass(frozen=True)
class _Tables:
    """The look-up tables of a calendar (built once per region and closure set).

    - ``working_flag[i]``: 1 if ``FIRST_SUPPORTED + i`` is a working day, else 0;
    - ``cumulative[i]``: working days in ``[FIRST_SUPPORTED, FIRST_SUPPORTED + i]``;
    - ``working``: every working day, ascending, as ready ``date`` objects;
    - ``skipped``: ordinals of bank holidays and closures that fall on weekdays.
    """

    working_flag: bytes
    cumulative: tuple[int, ...]
    working: tuple[date, ...]
    skipped: tuple[int, ...]


@lru_cache(maxsize=32)
def _tables(region: Region, closures: frozenset[date]) -> _Tables:
    """Build (once, then share) the tables of a calendar: a pure computation."""
    closed = _bank_holidays(region) | closures
    flags = bytearray(_SPAN)
    cumulative: list[int] = []
    working: list[date] = []
    count = 0
    for offset in range(_SPAN):
        day = date.fromordinal(_BASE + offset)
        if day.weekday() < 5 and day not in closed:
            flags[offset] = 1
            count += 1
            working.append(day)
        cumulative.append(count)
    skipped = tuple(sorted(d.toordinal() for d in closed if d.weekday() < 5))
    return _Tables(bytes(flags), tuple(cumulative), tuple(working), skipped)


class WorkingDayCalendar:
    """Working-day arithmetic for one UK region plus local closure days.

    Built once (per policy pack) and then read-only: every query is a table lookup.

    >>> from datetime import date
    >>> cal = WorkingDayCalendar(closures=[date(2026, 12, 29)])
    >>> cal.is_working_day(date(2026, 12, 29))
    False
    >>> cal.add_working_days(date(2026, 12, 18), 5)
    datetime.date(2026, 12, 30)
    >>> cal.working_days_between(date(2026, 12, 18), date(2026, 12, 30))
    5
    >>> cal.add_working_days(date(2026, 12, 30), -5)
    datetime.date(2026, 12, 18)
    """

    __slots__ = (
        "_closures",
        "_cumulative",
        "_flag",
        "_holidays",
        "_region",
        "_skipped",
        "_working",
    )

    def __init__(
        self, region: Region | str = Region.ENGLAND_AND_WALES, closures: Iterable[date] = ()
    ) -> None:
        self._region = Region(region)
        self._closures = frozenset(closures)
        for closure in self._closures:
            _check_range(closure)
        self._holidays = _bank_holidays(self._region) | self._closures
        tables = _tables(self._region, self._closures)
        self._flag = tables.working_flag
        self._cumulative = tables.cumulative
        self._working = tables.working
        self._skipped = tables.skipped

    @property
    def region(self) -> Region:
        """The bank-holiday region."""
        return self._region

    @property
    def closures(self) -> frozenset[date]:
        """Local closure days added to the bank holidays."""
        return self._closures

    def __repr__(self) -> str:
        return f"WorkingDayCalendar(region={self._region.value!r}, closures={len(self._closures)})"

    def is_working_day(self, day: date) -> bool:
        """True when ``day`` is Monday to Friday and neither a bank holiday nor a closure."""
        index = day.toordinal() - _BASE
        if not 0 <= index < _SPAN:
            _index(day)  # raises the range error
        return self._flag[index] == 1

    def is_bank_holiday_or_closure(self, day: date) -> bool:
        """True when ``day`` is a bank holiday of the region or a local closure day."""
        _check_range(day)
        return day in self._holidays

    def add_working_days(self, day: date, count: int) -> date:
        """The ``count``-th working day after ``day`` (before it, when ``count`` is negative).

        ``count == 0`` gives ``day`` itself. A non-working ``day`` counts as day 0 too, so the
        first working day after it is day 1.
        """
        index = day.toordinal() - _BASE
        if not 0 <= index < _SPAN:
            _index(day)  # raises the range error
        done = self._cumulative[index]  # working days up to and including `day`
        if count > 0:
            target = done + count - 1
        elif count < 0:
            target = done - self._flag[index] + count
        else:
            return day
        if not 0 <= target < len(self._working):
            raise CalendarError(
                f"{count:+d} working days from {day.isoformat()} falls outside the supported "
                f"range {FIRST_SUPPORTED.isoformat()} to {LAST_SUPPORTED.isoformat()}"
            )
        return self._working[target]

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end``; negative if ``end`` is earlier.

        The inverse of :meth:`add_working_days`: for a working day ``d``,
        ``working_days_between(d, add_working_days(d, n)) == n``.
        """
        low, high = start.toordinal() - _BASE, end.toordinal() - _BASE
        if not (0 <= low < _SPAN and 0 <= high < _SPAN):
            _index(start)  # raises the range error for whichever is outside
            _index(end)
        return self._cumulative[high] - self._cumulative[low]

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        return self.add_working_days(day, 1)

    def due_date(self, trigger: date, count: int, counting: Counting = Counting.DAY0) -> date:
        """The due date of "within ``count`` working days of ``trigger``" under ``counting``."""
        if counting is Counting.DAY1 and count > 0 and self.is_working_day(trigger):
            return self.add_working_days(trigger, count - 1) if count > 1 else trigger
        return self.add_working_days(trigger, count)

    def non_working_weekdays(self, start: date, end: date) -> list[date]:
        """Bank holidays and closures that fall on weekdays after ``start`` up to ``end``.

        These are the days a working-day count skipped beyond weekends, for explanations.
        """
        _check_range(start)
        _check_range(end)
        low = bisect_right(self._skipped, start.toordinal())
        high = bisect_right(self._skipped, end.toordinal())
        return [date.fromordinal(o) for o in self._skipped[low:high]]


@lru_cache(maxsize=16384)
def describe(value: date | datetime) -> str:
    """A date or moment as a person reads it (memoised: reports repeat the same dates).

    >>> describe(date(2026, 12, 29))
    'Tue 29 Dec 2026'
    >>> describe(datetime(2026, 12, 29, 9, 5))
    'Tue 29 Dec 2026 09:05'
    """
    # as strftime's "%a %d %b %Y" (and " %H:%M") writes it in the C locale, always in
    # English whatever the process's locale, and about five times faster
    day = f"{_DAY_NAMES[value.weekday()]} {value.day:02d} {_MONTH_NAMES[value.month - 1]}"
    if isinstance(value, datetime):
        return f"{day} {value.year} {value.hour:02d}:{value.minute:02d}"
    return f"{day} {value.year}"


_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _index(day: date) -> int:
    index = day.toordinal() - _BASE
    if not 0 <= index < _SPAN:
        raise CalendarError(  # without the date: it may come from a snapshot
            "a date is outside the supported range "
            f"{FIRST_SUPPORTED.isoformat()} to {LAST_SUPPORTED.isoformat()}"
        )
    return index


def _check_range(day: date) -> None:
    _index(day)


def to_london(moment: datetime) -> datetime:
    """``moment`` in Europe/London; a naive datetime is taken as London wall-clock time."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=LONDON)
    return moment.astimezone(LONDON)


def add_hours(moment: datetime, hours: int) -> datetime:
    """``moment`` plus ``hours`` of elapsed time, in Europe/London.

    Elapsed time, not wall-clock time: across the October clock change, 48 hours after
    Saturday 09:00 is Monday 08:00 on the wall clock.

    >>> add_hours(datetime(2026, 10, 24, 9, 0), 48).isoformat()
    '2026-10-26T08:00:00+00:00'
    """
    utc = to_london(moment).astimezone(UTC)
    return (utc + timedelta(hours=hours)).astimezone(LONDON)


def add_calendar_days(day: date, count: int) -> date:
    """``day`` plus ``count`` calendar days."""
    return day + timedelta(days=count)


def add_weeks(day: date, count: int) -> date:
    """``day`` plus ``count`` weeks."""
    return day + timedelta(weeks=count)


def add_months(day: date, count: int) -> date:
    """``day`` plus ``count`` calendar months, clamped to the month's end.

    >>> add_months(date(2027, 1, 31), 1)
    datetime.date(2027, 2, 28)
    """
    result: date = day + relativedelta(months=count)
    return result


def age_in_years(birth: date, on: date) -> int:
    """Age in whole years on ``on`` of a child born on ``birth``.

    >>> age_in_years(date(2008, 12, 1), date(2026, 11, 30))
    17
    >>> age_in_years(date(2008, 12, 1), date(2026, 12, 1))
    18
    """
    if on < birth:
        return relativedelta(on, birth).years
    # as relativedelta counts: whole months, a birthday on a day the month lacks (29
    # February) falling on the month's last day (28 February); so the years are the
    # difference of the years, less one before this year's birthday
    month, day = birth.month, birth.day
    if month == 2 and day == 29 and not isleap(on.year):
        day = 28
    years = on.year - birth.year
    if on.month < month or (on.month == month and on.day < day):
        years -= 1
    return years
