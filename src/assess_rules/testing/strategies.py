"""Hypothesis strategies for property tests of calendars, packs and snapshots.

>>> from hypothesis import given
>>> @given(supported_dates())
... def test_dates_are_in_range(day):
...     assert FIRST_SUPPORTED <= day <= LAST_SUPPORTED
>>> test_dates_are_in_range()
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from assess_rules.calendar import FIRST_SUPPORTED, LAST_SUPPORTED, LONDON
from assess_rules.case import ROLES, CaseSnapshot, parse_case

__all__ = [
    "case_snapshots",
    "london_moments",
    "roles",
    "supported_dates",
    "working_day_counts",
]


def supported_dates(
    start: date = date(1995, 1, 1), end: date = date(2095, 12, 31)
) -> st.SearchStrategy[date]:
    """Dates the calendar supports, leaving room to add a few years either way."""
    return st.dates(min_value=max(start, FIRST_SUPPORTED), max_value=min(end, LAST_SUPPORTED))


def working_day_counts(limit: int = 400) -> st.SearchStrategy[int]:
    """Working-day counts, positive or negative, up to ``limit`` in size."""
    return st.integers(min_value=-limit, max_value=limit)


def london_moments(
    start: date = date(2012, 1, 1), end: date = date(2028, 12, 31)
) -> st.SearchStrategy[datetime]:
    """Aware Europe/London datetimes, minute precision, across clock changes."""
    return st.builds(
        lambda day, minutes: (
            datetime.combine(day, datetime.min.time(), LONDON) + timedelta(minutes=minutes)
        ),
        st.dates(min_value=start, max_value=end),
        st.integers(min_value=0, max_value=24 * 60 - 1),
    )


def roles() -> st.SearchStrategy[str]:
    """A role on the catalogue's ladder."""
    return st.sampled_from(ROLES)


@st.composite
def case_snapshots(
    draw: Any, start: date = date(2022, 1, 1), end: date = date(2027, 12, 31)
) -> CaseSnapshot:
    """Valid snapshots: a referral and, in order after it, a decision, visits, an
    assessment and oversight records, any of which may be absent."""
    received = draw(london_moments(start, end))

    def later(base: datetime, max_days: int = 80) -> datetime:
        return base + timedelta(minutes=draw(st.integers(0, max_days * 24 * 60)))

    raw: dict[str, Any] = {
        "case_id": draw(st.text("ABC0123456789", min_size=1, max_size=8)),
        "referral": {"received_at": received.isoformat()},
    }
    if draw(st.booleans()):
        raw["decision"] = {
            "made_at": later(received, 5).isoformat(),
            "made_by": draw(roles()),
            "response": "assessment",
        }
    visits = draw(st.lists(st.booleans(), max_size=3))
    raw["visits"] = [{"at": later(received, 20).isoformat(), "child_seen": seen} for seen in visits]
    if draw(st.booleans()):
        started = later(received, 10)
        assessment: dict[str, Any] = {"started_at": started.isoformat()}
        if draw(st.booleans()):
            assessment["authorised_at"] = later(started, 90).isoformat()
            assessment["authorised_by"] = draw(roles())
            assessment["status"] = "completed"
            assessment["completed_at"] = assessment["authorised_at"]
        raw["assessment"] = assessment
    raw["concerns"] = {"significant_harm_suspected": draw(st.none() | st.booleans())}
    return parse_case(raw)
