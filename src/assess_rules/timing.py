"""Due dates: ``compute_due`` (a duration from a start under a policy's calendar, and how it
was computed), and the comparisons rules make with a due date.

The evaluator and the golden tables both use it; it knows the calendar and the pack's
settings, nothing of rule kinds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from assess_rules.calendar import (
    LONDON,
    Counting,
    add_calendar_days,
    add_hours,
    add_months,
    add_weeks,
    describe,
)
from assess_rules.pack import Duration
from assess_rules.policy import Policy

__all__ = ["DueDate", "TimelineEntry", "compute_due", "end_of", "on_time", "timeline"]


def end_of(due: date | datetime) -> datetime:
    """A due date as one type: a moment stays as it is; a day is due by its end in London."""
    if isinstance(due, datetime):
        return due
    return datetime.combine(due, time.max, LONDON)


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _count(amount: int, noun: str) -> str:
    return f"{amount} {noun}" if amount == 1 else f"{amount} {noun}s"


@dataclass(frozen=True, slots=True)
class DueDate:
    """A computed due date (a moment, for hours), in words, with the weekdays skipped."""

    due: date | datetime
    computation: str
    skipped: tuple[date, ...] = ()
    caveats: tuple[str, ...] = ()


def compute_due(
    policy: Policy,
    start: date | datetime,
    within: Duration,
    counting: Counting,
    start_at: str = "event",
) -> DueDate:
    """The due date (or moment, for hours) of ``within`` from ``start`` under ``policy``'s
    calendar, and how it was computed. The evaluator and the golden tables both use it.
    """
    calendar = policy.calendar
    unit, amount = within.unit, within.count
    if unit == "hours":
        moment = start if isinstance(start, datetime) else datetime.combine(start, time.min, LONDON)
        due = add_hours(moment, amount)
        return DueDate(
            due,
            f"{_count(amount, 'hour')} of elapsed time after {describe(moment)} "
            "(Europe/London): due by " + describe(due),
        )
    base = _day(start)
    lead = ""
    if start_at == "next_working_day":
        opens = policy.calendar_settings.office_opens
        same_day = (
            calendar.is_working_day(base)
            and isinstance(start, datetime)
            and start.timetz().replace(tzinfo=None) < opens
        )
        shifted = base if same_day else calendar.next_working_day(base)
        lead = f"counted from the next working day, {describe(shifted)}; "
        base = shifted
    if unit == "working_days":
        day = calendar.due_date(base, amount, counting)
        skipped = tuple(calendar.non_working_weekdays(base, day))
        which = (
            "the trigger's date is day 0"
            if counting is Counting.DAY0
            else "the trigger's date is day 1"
        )
        text = f"{lead}{_count(amount, 'working day')} from {describe(base)} ({which})"
        if skipped:
            text += ", skipping " + ", ".join(describe(d) for d in skipped)
        caveats: tuple[str, ...] = ()
        listed = policy.closures_listed_until
        if listed is not None and day > listed:
            caveats = (
                f"the pack lists local closure days only up to {describe(listed)}: a later "
                "closure it has not listed yet is not counted",
            )
        return DueDate(day, f"{text}: due {describe(day)}", skipped, caveats)
    if unit == "calendar_days":
        day = add_calendar_days(base, amount)
    elif unit == "weeks":
        day = add_weeks(base, amount)
    else:
        day = add_months(base, amount)
    noun = {"calendar_days": "calendar day", "weeks": "week", "months": "month"}[unit]
    return DueDate(day, f"{lead}{_count(amount, noun)} from {describe(base)}: due {describe(day)}")


def on_time(done: datetime, due: date | datetime) -> bool:
    """Whether ``done`` meets ``due`` (a day is met by anything on that day)."""
    if isinstance(due, datetime):
        return done <= due
    return done.date() <= due


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One timescale a referral starts: its rule, the duty, when it falls due and how."""

    rule: str
    title: str
    due: datetime
    computation: str
    skipped: tuple[date, ...]
    #: the rule's condition, when it applies only to some referrals (None: to every one)
    applies_when: str | None = None


def timeline(policy: Policy, referral: datetime) -> list[TimelineEntry]:
    """Every timescale of the pack version in force on ``referral``'s date that the referral
    itself starts, with its due date, soonest first: a deadline preview for policy authors.

    >>> from assess_rules import load_policy
    >>> from assess_rules.calendar import LONDON
    >>> referral = datetime(2026, 12, 18, 10, 0, tzinfo=LONDON)
    >>> for entry in timeline(load_policy("generic_s17"), referral):
    ...     print(entry.rule, entry.due.date())
    referral-decision 2026-12-21
    assessment-completion 2027-02-24
    """
    from assess_rules.pack import TimescaleRule

    version = policy.version_on(referral.date())
    entries = []
    for rule in version.rules:
        if not isinstance(rule, TimescaleRule) or rule.start != "referral.received":
            continue
        if not version.in_force(rule, referral.date()):
            continue
        counting = rule.counting or version.counting
        due = compute_due(version, referral, rule.within, counting, rule.start_at)
        entries.append(
            TimelineEntry(
                rule.id,
                rule.title,
                end_of(due.due),
                due.computation,
                due.skipped,
                rule.applies_when,
            )
        )
    return sorted(entries, key=lambda entry: entry.due)
