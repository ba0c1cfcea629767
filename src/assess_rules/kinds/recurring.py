"""``kind: recurring``: a duty that comes back, each occurrence a deadline of its own.

"Reviewed at least every 6 months": the first record is due ``every`` after ``start``; each
next one ``every`` after the last record made, or after the last due date if it was missed,
so one late or missing review does not hide the ones after it. The duty stops once
``until`` happens (the case closed, the child returned home, ...).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime, time

from assess_rules.calendar import LONDON, describe
from assess_rules.kinds._base import Checker, Judge, RuleKind
from assess_rules.kinds._page import Page, md, sources_md, within_words
from assess_rules.pack import RecurringRule
from assess_rules.result import Deadline, DeadlineStatus
from assess_rules.timing import end_of, on_time

__all__ = ["KIND"]

#: enough for 50 years of monthly reviews: a guard, not a limit any case reaches
MAX_OCCURRENCES = 600


def check(rule: RecurringRule, at: Checker) -> None:
    """Its facts, roles and condition name what exists; the record is a record kind."""
    at.condition(rule.applies_when, None, ("applies_when",))
    at.fact(rule.start, None, ("start",))
    at.fact(rule.until, None, ("until",))
    at.fact(rule.record, None, ("record",))
    if rule.record.split(".")[0] not in {"oversight", "action"} or rule.record.count(".") != 1:
        at.error(
            "a recurring duty is met by records: write oversight.<kind> or action.<kind>",
            ("record",),
        )
    at.role(rule.by, ("by",))
    at.role(rule.owner, ("owner",))


def _records(rule: RecurringRule, judge: Judge) -> list[datetime]:
    """When each qualifying record of the rule's kind was made, by the evaluation moment."""
    family, kind = rule.record.split(".")
    ctx = judge.ctx
    records = ctx.case.oversight if family == "oversight" else ctx.case.actions
    return sorted(
        r.at
        for r in records
        if r.kind == kind
        and r.at <= ctx.cutoff
        and (rule.by is None or judge.rank_ok(r.by, rule.by) is True)
    )


def _moment(due: date | datetime) -> datetime:
    return due if isinstance(due, datetime) else datetime.combine(due, time.max, LONDON)


def evaluate(rule: RecurringRule, judge: Judge) -> None:
    """A deadline for each occurrence up to the evaluation date, and the next one pending."""
    ctx = judge.ctx
    start = ctx.get(rule.start)
    if start is None:
        return
    applies = judge.test(rule.applies_when, ctx, None, rule, "whether this duty applies", None)
    if applies is not True:
        return
    anchor = start if isinstance(start, datetime) else datetime.combine(start, time.min, LONDON)
    until = ctx.get(rule.until) if rule.until else None
    records = _records(rule, judge)
    counting = judge.policy.counting
    cited = judge.cite(rule.sources)
    for number in range(1, MAX_OCCURRENCES + 1):
        if until is not None and until <= anchor:
            return
        due = judge.due(anchor, rule.every, counting)
        done = next((r for r in records if r > anchor), None)
        status: DeadlineStatus
        if done is not None and on_time(done, due.due):
            status = "met"
        elif done is not None or judge.past(due.due):
            status = "missed"
        else:
            status = "pending"
        if until is not None and status != "met" and until <= end_of(due.due):
            return  # the duty ended before this occurrence fell due
        subject = f"occurrence {number}"
        judge.deadlines.append(
            Deadline(
                rule=rule.id,
                title=rule.title,
                sources=cited,
                status=status,
                start_event=rule.start if number == 1 else rule.record,
                start=anchor,
                end_event=rule.record,
                due=end_of(due.due),
                amount=rule.every.count,
                unit=rule.every.unit,
                computation=due.computation,
                skipped_days=due.skipped,
                caveats=due.caveats,
                done=done if status != "pending" else None,
                subject=subject,
            )
        )
        if status == "missed":
            what = f"done {describe(done)}" if done is not None else "not done"
            judge.violated(rule, f"{rule.title}: due {describe(due.due)}, {what}", subject)
        if status == "pending" or (status == "missed" and done is None):
            judge.owed(rule, cited, status == "missed", due.due, subject)
        if status == "pending":
            return
        # The next interval runs from the record made, or from the due date it missed.
        anchor = done if done is not None else _moment(due.due)


def render(rules: Sequence[RecurringRule], page: Page) -> None:
    """The table of recurring duties."""
    page.add(
        "## Recurring duties",
        "",
        "| rule | what | from | every | met by | until | sources |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    )
    for r in rules:
        page.add(
            f"| `{r.id}`{page.origin(r)} | {md(r.title)} | `{r.start}` | "
            f"{within_words(r.every)} | `{r.record}` | `{r.until or '-'}` | "
            f"{sources_md(r.sources)} |"
        )
    page.add("")


def branches(rule: RecurringRule) -> Iterator[tuple[str, str]]:
    """An occurrence met, and one missed."""
    for status in ("met", "missed"):
        yield f"{rule.id}#{status}", f"{rule.id}: no occurrence ever {status}"


KIND = RuleKind(
    "recurring", RecurringRule, check, render, branches, page_order=15, evaluate=evaluate
)
