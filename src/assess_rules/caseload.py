"""Rules over many cases: counts per period and the reviews they trigger.

A pack states such a rule as ``kind: caseload_review`` (the A&I guidance's AI-QA-1:
cancelled assessments counted monthly by the service managers, a significant rise
triggering a dip review). :func:`review_caseload` produces the counts from a set of cases.

>>> from datetime import date
>>> from assess_rules import load_policy, parse_case
>>> policy = load_policy("assessment_intervention")
>>> def cancelled(case_id, day):
...     return parse_case({"case_id": case_id,
...         "referral": {"received_at": "2026-09-01"},
...         "assessment": {"status": "cancelled"},
...         "cancellations": [{"reason": "no-consent", "decided_at": day,
...                            "decided_by": "team_manager", "outcome": "approved"}]})
>>> cases = [cancelled("A", "2026-10-05"), cancelled("B", "2026-11-02"),
...          cancelled("C", "2026-11-20"), cancelled("D", "2026-11-25")]
>>> review = review_caseload(policy, cases, as_of=date(2026, 11, 30))[0]
>>> [(p.period, p.count, p.review_due) for p in review.periods]
[('2026-10', 1, False), ('2026-11', 3, True)]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from assess_rules.calendar import LONDON
from assess_rules.case import CaseSnapshot
from assess_rules.pack import CaseloadReviewRule
from assess_rules.policy import Policy
from assess_rules.result import Citation

__all__ = ["CaseloadReview", "PeriodCount", "review_caseload"]


@dataclass(frozen=True, slots=True)
class PeriodCount:
    """One period's count, its rise over the period before, and whether it needs review."""

    period: str
    count: int
    rise: int | None
    rise_percent: float | None
    review_due: bool


@dataclass(frozen=True, slots=True)
class CaseloadReview:
    """The counts for one ``caseload_review`` rule."""

    rule: str
    title: str
    sources: tuple[Citation, ...]
    reviewed_by: str
    follow_up: str
    periods: tuple[PeriodCount, ...]
    undated: int


def _cancelled_on(case: CaseSnapshot, cutoff: datetime) -> date | bool | None:
    """The date a case's assessment was cancelled; ``True`` if cancelled but undated;
    ``None`` if not cancelled (as of ``cutoff``)."""
    decided = [
        c.decided_at
        for c in case.cancellations
        if c.outcome == "approved" and c.decided_at is not None and c.decided_at <= cutoff
    ]
    if decided:
        return max(decided).date()
    if case.assessment is not None and case.assessment.status == "cancelled":
        return True
    return None


def review_caseload(
    policy: Policy, cases: Iterable[CaseSnapshot], as_of: date
) -> list[CaseloadReview]:
    """Apply each ``caseload_review`` rule of ``policy`` to ``cases`` as of ``as_of``.

    Months run from the first with a cancellation to the month of ``as_of``, months with
    none included, so a rise from zero is seen.
    """
    cutoff = datetime.combine(as_of, time.max, LONDON)
    rules = [r for r in policy.rules if isinstance(r, CaseloadReviewRule)]
    if not rules:
        return []
    counts: Counter[str] = Counter()
    undated = 0
    for case in cases:
        when = _cancelled_on(case, cutoff)
        if when is True:
            undated += 1
        elif isinstance(when, date):
            counts[f"{when.year:04d}-{when.month:02d}"] += 1
    out = []
    for rule in rules:
        periods: list[PeriodCount] = []
        previous: int | None = None
        for period in _months(min(counts, default=None), as_of):
            count = counts.get(period, 0)
            rise = None if previous is None else count - previous
            percent = None
            if previous is not None and previous > 0:
                percent = round(100 * (count - previous) / previous, 1)
            due = (
                rise is not None
                and rise >= rule.significant_rise.minimum_increase
                and (percent is None or percent >= rule.significant_rise.percent)
            )
            periods.append(PeriodCount(period, count, rise, percent, due))
            previous = count
        out.append(
            CaseloadReview(
                rule.id,
                rule.title,
                tuple(Citation(s.id, s.para) for s in rule.sources),
                rule.reviewed_by,
                rule.follow_up,
                tuple(periods),
                undated,
            )
        )
    return out


def _months(first: str | None, as_of: date) -> list[str]:
    if first is None:
        return []
    year, month = (int(x) for x in first.split("-"))
    out = []
    while (year, month) <= (as_of.year, as_of.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out
