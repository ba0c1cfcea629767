"""``kind: timescale``: a duty with a deadline, ``end`` within ``within`` of ``start``, with
extensions that apply when their conditions hold."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, time

from assess_rules.calendar import LONDON, Counting, describe
from assess_rules.conditions import CompiledCondition
from assess_rules.facts import FactContext
from assess_rules.kinds._base import Checker, Judge, RuleKind, cite
from assess_rules.kinds._page import Page, md, sources_md, within_words
from assess_rules.pack import Extension, TimescaleRule
from assess_rules.policy import Policy
from assess_rules.result import Citation, Deadline, DeadlineStatus
from assess_rules.timing import on_time

__all__ = ["KIND"]


def check(rule: TimescaleRule, at: Checker) -> None:
    """Its condition, start and end facts, owner and extensions name what exists."""
    scope = rule.for_each
    at.condition(rule.applies_when, scope, ("applies_when",))
    at.fact(rule.start, scope, ("start",))
    at.fact(rule.end, scope, ("end",))
    at.role(rule.owner, ("owner",))
    for j, extension in enumerate(rule.extensions):
        at.condition(extension.when, scope, ("extensions", j, "when"))


def prepare(rule: TimescaleRule, policy: Policy) -> Callable[[Judge], None]:
    """Judging ``rule``: a deadline for the case (or each item), met, missed, pending or
    undetermined. Its conditions, counting and citations are found once per policy."""
    scope = rule.for_each
    applies = policy.condition(rule.applies_when, scope) if rule.applies_when else None
    extensions = tuple(
        (e, policy.condition(e.when, scope), cite((*rule.sources, *e.sources)))
        for e in rule.extensions
    )
    counting = rule.counting or policy.counting
    cited = cite(rule.sources)

    def judge_rule(judge: Judge) -> None:
        for ctx, subject in judge.contexts(scope) if scope else judge.case:
            _one(rule, judge, ctx, subject, applies, extensions, counting, cited)

    return judge_rule


def evaluate(rule: TimescaleRule, judge: Judge) -> None:
    """A deadline for the case (or each item): met, missed, pending or undetermined."""
    prepare(rule, judge.policy)(judge)


def _one(
    rule: TimescaleRule,
    judge: Judge,
    ctx: FactContext,
    subject: str | None,
    applies: CompiledCondition | None,
    extensions: tuple[tuple[Extension, CompiledCondition, tuple[Citation, ...]], ...],
    counting: Counting,
    cited: tuple[Citation, ...],
) -> None:
    start = ctx.get(rule.start)
    if start is None:
        # Not triggered, unless its end has happened: then its start is missing, not absent.
        if rule.end is not None and ctx.get(rule.end) is not None:
            judge.undecided(
                rule,
                (rule.start,),
                f"when this timescale started ({rule.end} is recorded)",
                subject,
            )
        return
    applied: bool | None = True
    if applies is not None:
        applied = judge.holds(applies, ctx, rule, "whether this timescale applies", subject)
        if applied is False:
            return
    chosen, ends = judge.due_and_end(start, rule.within, counting, rule.start_at)
    done = ctx.get(rule.end) if rule.end else None
    granted = None
    unknown: tuple[str, ...] = ()
    if extensions and (done is None or not on_time(done, chosen.due)):
        for extension, condition, extended in extensions:
            if verdict := condition(ctx):
                chosen, ends = judge.due_and_end(start, extension.within, counting, rule.start_at)
                granted = extension
                cited = extended
                break
            if verdict is None:
                unknown = tuple(condition.unknown_facts(ctx))
                break
    status: DeadlineStatus
    if applied is None:
        status = "undetermined"
    elif done is not None:
        status = "met" if on_time(done, chosen.due) else "undetermined" if unknown else "missed"
    elif judge.past(chosen.due):
        status = "undetermined" if unknown else "missed"
    else:
        status = "pending"
    computation = chosen.computation
    if granted is not None:
        computation = f"extended by {granted.id!r}: {computation}"
    missing_facts = unknown
    if applied is None:
        assert applies is not None
        missing_facts = tuple(applies.unknown_facts(ctx))
    judge.deadlines.append(
        Deadline(
            rule.id,
            rule.title,
            cited,
            status,
            rule.start,
            start if isinstance(start, datetime) else datetime.combine(start, time.min, LONDON),
            rule.end,
            ends,
            (granted or rule).within.count,
            rule.within.unit,
            computation,
            chosen.skipped,
            done,
            granted.id if granted else None,
            subject,
            missing_facts,
            chosen.caveats,
        )
    )
    if unknown and status == "undetermined":
        judge.undecided(rule, unknown, "whether the extension applies", subject)
    if status == "missed":
        what = f"done {describe(done)}" if done is not None else "not done"
        message = f"{rule.title}: due {describe(chosen.due)}, {what}"
        if rule.effect == "warning":
            judge.warned(rule, message, subject, cited=cited)
        else:
            judge.violated(rule, message, subject, cited=cited)
    if done is None and status in {"pending", "missed"}:
        judge.owed(rule, cited, status == "missed", chosen.due, subject)


def render(rules: Sequence[TimescaleRule], page: Page) -> None:
    """The table of timescales."""
    page.add(
        "## Timescales",
        "",
        "| rule | what | from | until | within | extensions | sources |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    )
    for t in rules:
        extensions = "; ".join(f"{within_words(e.within)} when `{e.when}`" for e in t.extensions)
        start = f"`{t.start}`" + (" (next working day)" if t.start_at != "event" else "")
        each = f" for each of {t.for_each}" if t.for_each else ""
        if t.effect == "warning":
            each += " (missed: a warning, not a violation)"
        page.add(
            f"| `{t.id}`{page.origin(t)} | {md(t.title)}{each} | {start} | "
            f"`{t.end or '-'}` | {within_words(t.within)} | {md(extensions) or '-'} | "
            f"{sources_md(t.sources)} |"
        )
    page.add("")


def branches(rule: TimescaleRule) -> Iterator[tuple[str, str]]:
    """Met and missed (only missed without an end event), and each extension applied."""
    for status in ["missed"] if rule.end is None else ["met", "missed"]:
        yield f"{rule.id}#{status}", f"{rule.id}: never {status}"
    for extension in rule.extensions:
        yield (
            f"{rule.id}/{extension.id}#extension",
            f"{rule.id}/{extension.id}: extension never applied",
        )


KIND = RuleKind(
    "timescale",
    TimescaleRule,
    check,
    render,
    branches,
    page_order=10,
    evaluate=evaluate,
    prepare=prepare,
)
